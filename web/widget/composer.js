/*
 * What the visitor does (web/widget/composer.js): write a line (it goes into
 * the outbox first, then on the wire), use a quick reply, ask for a person,
 * stop waiting.
 */

import { MAX_CHARS, charCount } from '../shared/limits.js';
import { connect, sendFrame, sendOutboxEntry } from './connection.js';
import { ui } from './dom.js';
import { hideSurvey } from './rating.js';
import { autosize, renderAll, renderComposer, showNotice } from './render.js';
import { nextClientId, saveOutbox, state } from './state.js';
import { appendLine, beginNewConversation, pendingLine } from './transcript.js';
import { onVisitorKeystroke, stopOwnTyping } from './typing.js';

export function sendText(raw) {
  const text = String(raw);
  if (!text.trim()) return;
  if (charCount(text) > MAX_CHARS) {
    showNotice('That message is too long');
    return;
  }
  const entry = { id: nextClientId(), text, at: new Date().toISOString() };
  state.outbox.push(entry);
  saveOutbox();
  stopOwnTyping(true);
  hideSurvey(); // writing again instead of rating: the survey has had its chance
  state.leftBy = null;
  beginNewConversation();
  appendLine(pendingLine(entry));
  // Not connected yet (or reconnecting): it stays in the outbox and goes out
  // after the next `welcome`.
  if (state.conn === 'idle') connect();
  else sendOutboxEntry(entry);
  renderAll();
}

function sendFromInput() {
  const text = ui.input.value;
  if (!text.trim() || charCount(text) > MAX_CHARS) {
    if (charCount(text) > MAX_CHARS) showNotice('That message is too long');
    return;
  }
  ui.input.value = '';
  autosize();
  sendText(text);
  ui.input.focus();
}

function requestHuman() {
  if (!sendFrame({ type: 'request_human' })) return;
  hideSurvey();
  beginNewConversation();
  state.humanRequested = true;
  // If the server answers with neither `queued` nor a message, give the
  // button back rather than leaving it stuck.
  clearTimeout(state.humanTimer);
  state.humanTimer = setTimeout(() => {
    state.humanRequested = false;
    renderAll();
  }, 8000);
  renderAll();
}

function cancelWait() {
  if (state.mode !== 'queued' || !sendFrame({ type: 'cancel_wait' })) return;
  state.cancelling = true;
  renderAll();
}

export function clearHumanRequest() {
  state.humanRequested = false;
  clearTimeout(state.humanTimer);
}

/** Send by button or Enter, ask for a person, stop waiting; typing shows. */
export function wireComposer() {
  ui.send.addEventListener('click', sendFromInput);
  ui.human.addEventListener('click', requestHuman);
  ui.cancelWait.addEventListener('click', cancelWait);
  ui.input.addEventListener('keydown', (e) => {
    // isComposing: Enter also confirms IME input (Japanese, Chinese...).
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendFromInput();
    }
  });
  ui.input.addEventListener('input', () => {
    autosize();
    renderComposer();
    onVisitorKeystroke();
  });
}
