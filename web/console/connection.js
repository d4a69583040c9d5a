/*
 * The agent socket (web/console/connection.js): one socket at a time,
 * reconnects with jittered exponential backoff, and telling a refused
 * session (sign in again) from a server that is down (keep trying).
 */

import { openSocket, retryLater, retryWhenOnline, sendJson } from '../shared/socket.js';
import { handleFrame } from './frames.js';
import { renderTopbar } from './presence.js';
import { render } from './render.js';
import { signOutLocally } from './session.js';
import { state } from './state.js';

export function connect() {
  if (state.ws || state.retryTimer || !state.token) return;
  state.conn = 'connecting';
  renderTopbar();

  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  const url = scheme + location.host + '/ws/agent?token=' + encodeURIComponent(state.token);
  let gotHello = false;
  const ws = openSocket(
    url,
    (from, frame) => {
      if (state.ws !== from) return;
      if (frame.type === 'hello') gotHello = true;
      handleFrame(frame);
    },
    (from) => {
      if (state.ws !== from) return;
      state.ws = null;
      onSocketClosed(gotHello);
    },
  );
  if (!ws) {
    scheduleReconnect();
    return;
  }
  state.ws = ws;
}

/**
 * The browser does not tell us why an upgrade failed: a 401 for a dead
 * token and a server that is down look the same. So when the socket closes
 * before `hello`, ask the server for a plain page. If it answers, it is up
 * and it refused us, so the token is no good. Twice in a row, to not mistake
 * a server that came back between the two requests for a refusal.
 */
async function onSocketClosed(gotHello) {
  if (!state.token) return; // signed out meanwhile
  if (gotHello) {
    state.refusals = 0;
    scheduleReconnect();
    return;
  }
  let serverUp = false;
  try {
    await fetch('/console', { method: 'GET', cache: 'no-store' });
    serverUp = true;
  } catch (_) {
    serverUp = false;
  }
  if (!state.token) return;
  if (!serverUp) {
    state.refusals = 0;
    scheduleReconnect();
    return;
  }
  state.refusals += 1;
  if (state.refusals >= 2) {
    signOutLocally('Your session has ended. Please sign in again.');
    return;
  }
  scheduleReconnect(300);
}

function scheduleReconnect(delayMs) {
  retryLater(state, connect, delayMs);
  render();
}

retryWhenOnline(state, connect);

export function send(frame) {
  return state.conn === 'ready' && sendJson(state.ws, frame);
}

export function sendReply(entry) {
  const type = entry.kind === 'note' ? 'note' : 'message';
  return send({ type, conversation_id: entry.conversation_id, id: entry.id, text: entry.text });
}
