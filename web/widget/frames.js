/*
 * Frames from the server (web/widget/frames.js; docs/protocol.md,
 * "Server → visitor"): what each one does to the state, and errors, which
 * decide whether a line is retried, dropped or marked "Not sent".
 */

import { clearHumanRequest } from './composer.js';
import { dropEntry, onAck, onWelcome, sendOutboxEntry } from './connection.js';
import { ui } from './dom.js';
import { onHistory } from './history.js';
import { OFFLINE_ERRORS, hideOffline, onOffline } from './offline.js';
import { hideSurvey } from './rating.js';
import { renderAll, renderTyping, showNotice } from './render.js';
import { state } from './state.js';
import { appendLine, fromServer, onNewConversation, renderLineState, scrollToBottom } from './transcript.js';
import { setAgentTyping, stopOwnTyping } from './typing.js';

export function handleFrame(f) {
  switch (f.type) {
    case 'welcome':
      return onWelcome(f);
    case 'ack':
      return onAck(f);
    case 'message':
      return onMessage(f);
    case 'queued':
      state.mode = 'queued';
      state.leftBy = null;
      hideSurvey();
      state.queue = { position: f.position, estimated_wait_s: f.estimated_wait_s };
      clearHumanRequest();
      return renderAll();
    case 'offline':
      return onOffline(f);
    case 'new_conversation':
      return onNewConversation();
    case 'history':
      return onHistory(f);
    case 'message_left':
      if (state.offline === 'sending' || state.offline === 'open') {
        state.offline = 'thanks';
        state.offlineError = '';
        ui.offlineText.value = '';
      }
      return renderAll();
    case 'agent_joined':
      hideOffline(); // a person is here: no need to leave a message
      state.mode = 'assigned';
      state.agentName = (f.agent && f.agent.name) || null;
      state.queue = null;
      state.leftBy = null;
      state.cancelling = false;
      setAgentTyping(false);
      hideSurvey();
      clearHumanRequest();
      return renderAll();
    case 'agent_left':
      state.mode = 'bot';
      state.leftBy = (f.agent && f.agent.name) || state.agentName || 'The agent';
      state.agentName = null;
      state.queue = null;
      setAgentTyping(false);
      stopOwnTyping(false);
      clearHumanRequest();
      return renderAll();
    case 'typing':
      setAgentTyping(!!f.active);
      return renderTyping();
    case 'left_queue':
      // The server confirms `cancel_wait`: back with the bot.
      state.mode = 'bot';
      state.queue = null;
      state.cancelling = false;
      clearHumanRequest();
      return renderAll();
    case 'closed':
      hideOffline();
      state.mode = 'closed';
      for (const box of ui.messages.querySelectorAll('.tandem-feedback')) box.remove();
      state.agentName = null;
      state.queue = null;
      state.leftBy = null;
      state.cancelling = false;
      setAgentTyping(false);
      stopOwnTyping(false);
      clearHumanRequest();
      if (f.survey === true) {
        state.survey = 'open';
        state.surveyScore = 0;
        ui.surveyComment.value = '';
      }
      renderAll();
      if (!ui.survey.hidden) scrollToBottom();
      return;
    case 'rated':
      if (state.survey !== 'hidden') state.survey = 'thanks';
      return renderAll();
    case 'error':
      return onError(f);
    default:
      console.warn('[tandem] unknown frame type', f.type);
  }
}

function onMessage(f) {
  const line = fromServer(f);
  if (line.from === 'agent' || line.from === 'system') setAgentTyping(false);
  if (line.from === 'agent') {
    // A person is writing: whatever we thought, this is a human now.
    hideOffline();
    state.mode = 'assigned';
    state.queue = null;
    state.leftBy = null;
    if (line.author) state.agentName = line.author;
  } else if (line.from === 'bot' && state.mode === 'closed') {
    state.mode = 'bot'; // writing after `closed` re-opens the chat with the bot
  }
  clearHumanRequest();
  appendLine(line);
  if (!state.open && line.from !== 'visitor') state.unread += 1;
  renderAll();
}

function onError(f) {
  if (state.offline === 'sending' && !f.id && f.code !== 'not_queued' && f.code !== 'not_closed') {
    // The server refused the left message (errors about it carry no id).
    state.offline = 'open';
    state.offlineError =
      f.code === 'invalid_field'
        ? String(f.message || OFFLINE_ERRORS.invalid_field)
        : OFFLINE_ERRORS[f.code] || 'That message could not be sent. Please try again';
    renderAll();
    if (f.code === 'invalid_field') ui.offlineEmail.focus();
    return;
  }
  if (f.code === 'not_queued') {
    state.cancelling = false;
    renderAll();
    return;
  }
  if (f.code === 'not_closed' && state.survey === 'sending') {
    hideSurvey();
    renderAll();
    return;
  }
  if (state.survey === 'sending' && !f.id && (f.code === 'invalid_field' || f.code === 'too_large' || f.code === 'rate_limited')) {
    state.survey = 'open';
    showNotice(f.code === 'rate_limited' ? 'Please try again in a moment' : 'That rating could not be sent');
    renderAll();
    return;
  }
  const entry = f.id ? state.outbox.find((o) => o.id === f.id) : null;
  const line = f.id ? state.lines.find((l) => l.client_id === f.id) : null;

  if (f.code === 'rate_limited') {
    // Not stored; try again in a moment with the same id.
    if (entry) {
      const retry = () => {
        if (state.outbox.includes(entry)) sendOutboxEntry(entry);
      };
      setTimeout(retry, 1000 + Math.random() * 1000);
    } else {
      clearHumanRequest(); // most likely our request_human: let them press it again
      renderAll();
    }
    return;
  }
  if (f.code === 'empty_message') {
    if (entry) dropEntry(entry);
    if (line && line.el) {
      line.el.remove();
      state.lines.splice(state.lines.indexOf(line), 1);
    }
    return;
  }
  if (f.code === 'too_large') {
    if (entry) dropEntry(entry);
    if (line) {
      line.pending = false;
      line.failed = 'Not sent: too long';
      renderLineState(line);
    }
    showNotice('That message is too long');
    return;
  }
  // A message the server will never take (e.g. invalid_field): stop
  // resending it, so it does not loop on every reconnect.
  if (entry && f.code !== 'internal') {
    dropEntry(entry);
    if (line) {
      line.pending = false;
      line.failed = 'Not sent';
      renderLineState(line);
    }
  }
  console.warn('[tandem] server error', f.code, f.message);
}
