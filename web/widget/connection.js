/*
 * The visitor socket (web/widget/connection.js): one socket at a time,
 * reconnects with jittered exponential backoff, always resuming with the
 * stored token. On `welcome` the server's history replaces ours, lines it
 * already has leave the outbox, and the rest are resent with the same ids;
 * an `ack` takes a line out of the outbox.
 */

import { openSocket, retryLater, retryWhenOnline, sendJson } from '../shared/socket.js';
import { read, write } from '../shared/storage.js';
import { ui } from './dom.js';
import { handleFrame } from './frames.js';
import { hideOffline } from './offline.js';
import { hideSurvey } from './rating.js';
import { renderAll } from './render.js';
import { KEY_RESUME, config, local, saveOutbox, state } from './state.js';
import { beginNewConversation, fromServer, pendingLine, renderLineState, renderTranscript } from './transcript.js';
import { setAgentTyping } from './typing.js';

export function connect() {
  if (state.ws || state.retryTimer) return;
  state.conn = 'connecting';
  renderAll();

  const token = read(local, KEY_RESUME);
  const url = token ? config.wsUrl + '?resume=' + encodeURIComponent(token) : config.wsUrl;
  const ws = openSocket(
    url,
    (from, frame) => {
      if (state.ws === from) handleFrame(frame);
    },
    (from) => {
      if (state.ws !== from) return;
      state.ws = null;
      scheduleReconnect();
    },
  );
  if (!ws) {
    scheduleReconnect();
    return;
  }
  state.ws = ws;
}

function scheduleReconnect() {
  retryLater(state, connect);
  renderAll();
}

retryWhenOnline(state, connect);

export function sendFrame(frame) {
  return state.conn === 'ready' && sendJson(state.ws, frame);
}

/** One line of the outbox, sent (again) with its client id. */
export function sendOutboxEntry(entry) {
  return sendFrame({ type: 'message', id: entry.id, text: entry.text });
}

export function onWelcome(f) {
  if (f.resume_token) write(local, KEY_RESUME, f.resume_token);
  const history = Array.isArray(f.history) ? f.history : [];

  // Lines the server already has (it stored them, but the ack got lost with
  // the old socket) leave the outbox; the rest are resent with the same ids.
  const stored = new Set(history.map((m) => m.client_id).filter(Boolean));
  state.outbox = state.outbox.filter((o) => !stored.has(o.id));
  saveOutbox();

  state.mode = f.status || 'bot';
  state.agentName = null;
  state.leftBy = null;
  state.cancelling = false;
  state.typingSent = false;
  setAgentTyping(false);
  if (state.mode !== 'closed') hideSurvey();
  else if (f.survey === true && state.survey === 'hidden') {
    // Closed by a person and not rated yet: the survey survives a reload.
    state.survey = 'open';
    state.surveyScore = 0;
    ui.surveyComment.value = '';
  }
  if (state.mode === 'assigned') {
    // welcome does not name the agent; the latest agent line does.
    for (let i = history.length - 1; i >= 0; i--) {
      if (history[i].from === 'agent' && history[i].author) {
        state.agentName = history[i].author;
        break;
      }
    }
  }
  if (state.mode !== 'queued') state.queue = null;
  if (state.mode === 'assigned') hideOffline();
  // A form that was sending when the socket dropped: let them send again.
  if (state.offline === 'sending') state.offline = 'open';

  // The previous conversation (when this one followed it) stays in view
  // above a divider, read only, as it was before the reload.
  const earlier = Array.isArray(f.earlier) ? f.earlier : [];
  state.lines = earlier.map((m) => Object.assign(fromServer(m), { earlier: true }));
  if (state.lines.length > 0) {
    state.lines.push({ from: 'divider', text: 'New conversation', at: history.length ? history[0].at : null });
  }
  if (f.more_history === true) state.lines.push({ from: 'more' });
  state.lines = state.lines.concat(history.map(fromServer));
  // Lines still to send to a closed conversation will start the next one.
  state.newConversationPending = false;
  if (state.outbox.length > 0) {
    beginNewConversation();
    state.lines = state.lines.concat(state.outbox.map(pendingLine));
  }
  renderTranscript();

  state.conn = 'ready';
  state.everReady = true;
  state.attempt = 0;
  for (const entry of state.outbox) sendOutboxEntry(entry);
  renderAll();
}

export function onAck(f) {
  const i = state.outbox.findIndex((o) => o.id === f.id);
  if (i >= 0) {
    state.outbox.splice(i, 1);
    saveOutbox();
  }
  const line = state.lines.find((l) => l.client_id === f.id);
  if (line && line.pending) {
    line.pending = false;
    renderLineState(line);
  }
}

export function dropEntry(entry) {
  state.outbox = state.outbox.filter((o) => o !== entry);
  saveOutbox();
}
