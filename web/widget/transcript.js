/*
 * The conversation's lines (web/widget/transcript.js): one element per line
 * (text always through textContent), the "sending…" / "Not sent" note on the
 * visitor's own lines, scrolling, and the divider above the visitor's next
 * conversation after a close.
 */

import { lineFromServer } from '../shared/socket.js';
import { ui } from './dom.js';
import { feedbackButtons } from './feedback.js';
import { moreButton } from './history.js';
import { hideSurvey } from './rating.js';
import { renderAll } from './render.js';
import { state } from './state.js';

function formatTime(iso) {
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

export function lineElement(line) {
  if (line.from === 'more') return moreButton(line);
  if (line.from === 'divider') {
    const divider = document.createElement('div');
    divider.className = 'tandem-divider';
    divider.setAttribute('role', 'separator');
    divider.textContent = line.text;
    line.el = divider;
    return divider;
  }
  const el = document.createElement('div');
  el.className = 'tandem-msg';
  el.setAttribute('data-from', line.from);
  if (line.client_id) el.dataset.clientId = line.client_id;
  if (line.at) el.title = formatTime(line.at);

  if (line.from === 'bot' || line.from === 'agent') {
    const meta = document.createElement('div');
    meta.className = 'tandem-meta';
    const author = document.createElement('span');
    author.className = 'tandem-author';
    author.textContent = line.author || (line.from === 'bot' ? 'Assistant' : 'Support team');
    meta.append(author);
    if (line.from === 'bot') {
      const badge = document.createElement('span');
      badge.className = 'tandem-badge';
      badge.textContent = 'Bot';
      meta.append(badge);
    }
    el.append(meta);
  }

  const text = document.createElement('div');
  text.className = 'tandem-text';
  text.textContent = line.text; // never innerHTML: this is someone's text
  el.append(text);
  // No thumbs in a closed conversation: there is nobody to tell any more.
  if (line.from === 'bot' && line.id && !line.earlier && state.mode !== 'closed') {
    el.append(feedbackButtons(line));
  }

  line.el = el;
  renderLineState(line);
  return el;
}

/** The "sending…" / "Not sent" note under one of the visitor's own lines. */
export function renderLineState(line) {
  const el = line.el;
  if (!el) return;
  el.classList.toggle('tandem-pending', !!line.pending && !line.failed);
  el.classList.toggle('tandem-failed', !!line.failed);
  let note = el.querySelector('.tandem-state');
  const text = line.failed ? line.failed : line.pending ? 'sending…' : '';
  if (!text) {
    if (note) note.remove();
    return;
  }
  if (!note) {
    note = document.createElement('div');
    note.className = 'tandem-state';
    el.append(note);
  }
  note.textContent = text;
}

export function nearBottom() {
  const m = ui.messages;
  return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
}

export function scrollToBottom() {
  ui.messages.scrollTop = ui.messages.scrollHeight;
}

/** Full redraw, used on `welcome` (the server's history replaces ours). */
export function renderTranscript() {
  ui.messages.textContent = '';
  if (state.lines.length === 0) {
    const empty = document.createElement('div');
    empty.className = 'tandem-empty';
    empty.textContent =
      'Ask us anything. Our assistant answers right away, and a person is one click away.';
    ui.messages.append(empty);
  }
  for (const line of state.lines) ui.messages.append(lineElement(line));
  scrollToBottom();
}

export function appendLine(line) {
  const stick = line.from === 'visitor' || nearBottom();
  const empty = ui.messages.querySelector('.tandem-empty');
  if (empty) empty.remove();
  state.lines.push(line);
  ui.messages.append(lineElement(line));
  if (stick) scrollToBottom();
}

/**
 * The visitor writes (or asks for a person) after a close: the server will
 * start their next conversation. The old transcript stays above a divider.
 */
export function beginNewConversation() {
  if (state.mode !== 'closed') return;
  state.mode = 'bot';
  state.newConversationPending = true;
  hideSurvey();
  appendDivider();
}

function appendDivider() {
  for (const line of state.lines) {
    if (line.earlier || line.from === 'divider') continue;
    line.earlier = true;
    const thumbs = line.el && line.el.querySelector('.tandem-feedback');
    if (thumbs) thumbs.remove(); // its ids belonged to the old conversation
  }
  appendLine({ from: 'divider', text: 'New conversation', at: new Date().toISOString() });
}

/** `new_conversation`: lines from now on belong to the visitor's next one. */
export function onNewConversation() {
  if (state.newConversationPending) state.newConversationPending = false;
  else appendDivider(); // another tab started it
  state.mode = 'bot';
  state.agentName = null;
  state.queue = null;
  state.leftBy = null;
  hideSurvey();
  renderAll();
}

export const fromServer = lineFromServer;

export function pendingLine(entry) {
  return {
    from: 'visitor',
    author: null,
    text: entry.text,
    at: entry.at,
    client_id: entry.id,
    pending: true,
    failed: '',
  };
}
