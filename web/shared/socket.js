/*
 * One websocket's frames, and when to try again after it drops
 * (web/shared/socket.js). Shared by the widget and the console, which each
 * keep their own connection state and decide what a close means.
 */

const BACKOFF_MIN_MS = 500;
const BACKOFF_MAX_MS = 10000;

/**
 * Opens a websocket to `url`. `onFrame(ws, frame)` gets every frame that is
 * a JSON object with a string `type`; `onClose(ws)` the close (`error` is
 * always followed by `close`, which does the work). Returns null when the
 * browser refuses to even open it.
 */
export function openSocket(url, onFrame, onClose) {
  let ws;
  try {
    ws = new WebSocket(url);
  } catch (err) {
    console.warn('[tandem] cannot open websocket', err);
    return null;
  }
  ws.addEventListener('message', (event) => {
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch (_) {
      console.warn('[tandem] ignoring a frame that is not JSON');
      return;
    }
    if (frame && typeof frame.type === 'string') onFrame(ws, frame);
  });
  ws.addEventListener('close', () => onClose(ws));
  return ws;
}

/** Sends `frame` as JSON if `ws` is open; false if it could not. */
export function sendJson(ws, frame) {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(frame));
  return true;
}

/**
 * How long to wait before reconnecting after `attempt` failed tries:
 * exponential backoff from 0.5 s up to 10 s, with jitter (±25 %) that
 * spreads a reconnect storm after a server restart.
 */
export function reconnectDelay(attempt) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  return base * (0.75 + Math.random() * 0.5);
}

/**
 * Tries `connect` again after the backoff for `state.attempt` (or after
 * `delayMs`), keeping the timer in `state.retryTimer`; `state.conn` says
 * 'retrying' meanwhile. The caller renders.
 */
export function retryLater(state, connect, delayMs) {
  state.conn = 'retrying';
  const delay = delayMs != null ? delayMs : reconnectDelay(state.attempt);
  state.attempt += 1;
  clearTimeout(state.retryTimer);
  state.retryTimer = setTimeout(() => {
    state.retryTimer = null;
    connect();
  }, delay);
}

/** Back online: do not sit out the rest of a long backoff. */
export function retryWhenOnline(state, connect) {
  window.addEventListener('online', () => {
    if (state.retryTimer) {
      clearTimeout(state.retryTimer);
      state.retryTimer = null;
      connect();
    }
  });
}

/** A line as the server sent it, in the shape both transcripts keep. */
export function lineFromServer(m) {
  return {
    id: m.id == null ? null : m.id,
    from: m.from,
    author: m.author || null,
    text: String(m.text == null ? '' : m.text),
    at: m.at,
    client_id: m.client_id || null,
    quick_replies: m.quick_replies,
    pending: false,
    failed: '',
  };
}
