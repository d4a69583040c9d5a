/*
 * A conversation's lines (web/console/transcript.js): one element per line
 * (text always through textContent), "sending…" / "Not sent" on our own
 * replies, new lines as they come, and our replies coming back stored or
 * acknowledged.
 */

import { lineFromServer } from '../shared/socket.js';
import { send } from './connection.js';
import { el, formatClock, ui } from './dom.js';
import { moreButton } from './history.js';
import { renderMyChats } from './my-chats.js';
import { addMine, conversation, saveOutbox, state } from './state.js';
import { clearVisitorTyping } from './typing.js';

function authorOf(line) {
  if (line.from === 'visitor') return 'Visitor';
  if (line.from === 'note') return 'Private note · ' + (line.author || 'agent');
  if (line.from === 'system') return '';
  if (line.from === 'agent') return line.author === state.me ? line.author + ' (you)' : line.author || 'Agent';
  return line.author || 'Bot';
}

function lineElement(line) {
  const li = el('li', 'msg');
  li.setAttribute('data-from', line.from);
  if (line.client_id) li.dataset.clientId = line.client_id;
  if (line.id != null) li.dataset.id = String(line.id);

  const meta = el('div', 'msg-meta');
  if (line.from !== 'system') meta.append(el('span', 'msg-author', authorOf(line)));
  if (line.from === 'bot') meta.append(el('span', 'badge', 'Bot'));
  if (line.from === 'note') li.title = 'Private note: only agents see it';
  if (line.at) {
    const time = el('time', 'msg-time', formatClock(line.at));
    time.dateTime = line.at;
    time.title = new Date(line.at).toLocaleString();
    meta.append(time);
  }
  li.append(meta, el('div', 'msg-text', line.text));

  // What the bot offered the visitor, for context.
  if (line.from === 'bot' && Array.isArray(line.quick_replies) && line.quick_replies.length) {
    const quick = el('div', 'msg-quick');
    quick.append(el('span', 'msg-quick-label', 'Offered:'));
    for (const q of line.quick_replies) quick.append(el('span', 'chip', String(q)));
    li.append(quick);
  }
  line.el = li;
  renderLineState(line);
  return li;
}

export function renderLineState(line) {
  if (!line.el) return;
  line.el.classList.toggle('is-pending', !!line.pending && !line.failed);
  line.el.classList.toggle('is-failed', !!line.failed);
  let note = line.el.querySelector('.msg-state');
  const text = line.failed || (line.pending ? 'sending…' : '');
  if (!text) {
    if (note) note.remove();
    return;
  }
  if (!note) {
    note = el('div', 'msg-state');
    line.el.append(note);
  }
  note.textContent = text;
}

export function renderTranscript(conv) {
  state.shownId = conv.id;
  ui.transcript.textContent = '';
  if (!conv.loaded) {
    ui.transcript.append(el('li', 'transcript-note', 'Loading the conversation…'));
    return;
  }
  if (conv.moreHistory) ui.transcript.append(moreButton(conv));
  for (const line of conv.lines) ui.transcript.append(lineElement(line));
  if (conv.status === 'closed') ui.transcript.append(el('li', 'transcript-note', 'This conversation is closed.'));
  ui.transcript.scrollTop = ui.transcript.scrollHeight;
}

export function appendToTranscript(conv, line) {
  if (state.shownId !== conv.id) return;
  const t = ui.transcript;
  const stick = line.from === 'agent' || line.from === 'note' || t.scrollHeight - t.scrollTop - t.clientHeight < 120;
  t.append(lineElement(line));
  if (stick) t.scrollTop = t.scrollHeight;
}

export const fromServer = lineFromServer;

export function pendingLine(entry) {
  return {
    id: null,
    from: entry.kind === 'note' ? 'note' : 'agent',
    author: state.me,
    text: entry.text,
    at: entry.at,
    client_id: entry.id,
    pending: true,
    failed: '',
  };
}

export function onMessage(f) {
  if (!f.conversation_id) return;
  const known = state.convs.has(f.conversation_id);
  const conv = conversation(f.conversation_id);
  if (!known) {
    // A line for a chat we have not loaded: we hold it (the server only
    // sends lines for those), so fetch its history.
    conv.status = 'assigned';
    conv.assignedTo = state.me;
    addMine(conv.id);
    send({ type: 'open', conversation_id: conv.id });
  }

  if (f.id != null && conv.lines.some((l) => l.id != null && String(l.id) === String(f.id))) return;

  // Our own reply coming back: replace the pending line instead of doubling it.
  const own = f.client_id ? conv.lines.find((l) => l.client_id === f.client_id) : null;
  if (own) {
    Object.assign(own, fromServer(f)); // keeps own.el
    renderLineState(own);
    return;
  }

  const line = fromServer(f);
  if (line.from === 'visitor') clearVisitorTyping(conv.id);
  conv.lines.push(line);
  if (conv.loaded) appendToTranscript(conv, line);
  if (line.from === 'visitor' && conv.id !== state.currentId) conv.unread += 1;
  renderMyChats();
}

export function onAck(f) {
  const entry = state.outbox.find((o) => o.id === f.id);
  if (!entry) return;
  state.outbox = state.outbox.filter((o) => o !== entry);
  saveOutbox();
  const conv = state.convs.get(entry.conversation_id);
  const line = conv && conv.lines.find((l) => l.client_id === f.id);
  if (line) {
    line.pending = false;
    renderLineState(line);
  }
}
