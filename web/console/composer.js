/*
 * The reply box (web/console/composer.js): a reply to the visitor or a
 * private note (only agents see it), which one is allowed when, the draft
 * per conversation, and sending: the line goes into the outbox first, then
 * on the wire.
 */

import { COUNTER_FROM, MAX_CHARS, charCount } from '../shared/limits.js';
import { closePicker, updatePicker } from './canned.js';
import { sendReply } from './connection.js';
import { renderConversation } from './conversation.js';
import { toast, ui } from './dom.js';
import { draftFor, isMine, nextNoteId, nextReplyId, saveDraft, saveOutbox, state } from './state.js';
import { appendToTranscript, pendingLine } from './transcript.js';
import { onReplyKeystroke, stopTyping } from './typing.js';

/** Put a conversation's draft in the reply box (the box shows one at a time). */
export function restoreDraft(id) {
  ui.replyInput.value = draftFor(id);
  closePicker();
}

/** Notes: any agent on a queued conversation, the holder on an assigned one. */
export function mayNote(conv) {
  return !!conv && (conv.status === 'queued' || isMine(conv));
}

/** What the composer writes right now: a reply, a note, or nothing. */
export function composeKind(conv) {
  if (state.composeMode === 'note') return mayNote(conv) ? 'note' : null;
  return isMine(conv) ? 'reply' : null;
}

export function renderComposer() {
  const conv = state.currentId ? state.convs.get(state.currentId) : null;
  const text = ui.replyInput.value;
  const n = charCount(text);
  ui.replySend.disabled = !composeKind(conv) || !text.trim() || n > MAX_CHARS;
  ui.replyCounter.hidden = n < COUNTER_FROM;
  ui.replyCounter.textContent = n.toLocaleString() + ' / ' + MAX_CHARS.toLocaleString();
  ui.replyCounter.dataset.over = String(n > MAX_CHARS);
}

export function setComposeMode(mode) {
  if (state.composeMode === mode) return;
  if (mode === 'note') stopTyping(true);
  state.composeMode = mode;
  renderConversation();
  if (!ui.replyInput.disabled) ui.replyInput.focus();
}

export function sendFromReplyBox() {
  const conv = state.currentId && state.convs.get(state.currentId);
  const text = ui.replyInput.value;
  const kind = composeKind(conv);
  if (!kind || !text.trim()) return false;
  if (charCount(text) > MAX_CHARS) {
    toast('That ' + kind + ' is too long (' + MAX_CHARS.toLocaleString() + ' characters at most)');
    return false;
  }
  if (kind === 'reply') stopTyping(true);
  const entry = {
    id: kind === 'note' ? nextNoteId() : nextReplyId(),
    kind,
    conversation_id: conv.id,
    text,
    at: new Date().toISOString(),
  };
  state.outbox.push(entry);
  saveOutbox();
  const line = pendingLine(entry);
  conv.lines.push(line);
  appendToTranscript(conv, line);
  // Offline: it stays in the outbox and goes out after the next `hello`.
  sendReply(entry);
  ui.replyInput.value = '';
  saveDraft(conv.id, '');
  closePicker();
  renderComposer();
  ui.replyInput.focus();
  return true;
}

export function onReplyInput() {
  saveDraft(state.currentId, ui.replyInput.value);
  renderComposer();
  onReplyKeystroke();
  updatePicker();
}

export function focusComposer(mode) {
  const conv = state.currentId && state.convs.get(state.currentId);
  if (!conv) return false;
  if (mode === 'note' ? !mayNote(conv) : !isMine(conv)) return false;
  if (state.composeMode !== mode) setComposeMode(mode);
  if (ui.replyInput.disabled) return false;
  ui.replyInput.focus();
  return true;
}
