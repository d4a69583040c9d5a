/*
 * Passing chats around the desk (web/console/desk.js): claiming from the
 * queue, chats assigned or transferred to this agent, transferring (with a
 * note) to someone online, handing back to the bot, chats sent back to the
 * queue unanswered, and closing.
 */

import { notifyMe } from './alerts.js';
import { closePicker } from './canned.js';
import { send } from './connection.js';
import { renderConversation, showConversation } from './conversation.js';
import { el, toast, ui } from './dom.js';
import { render } from './render.js';
import { addMine, conversation, isMine, removeMine, saveDraft, saveOutbox, state } from './state.js';
import { renderLineState } from './transcript.js';
import { clearVisitorTyping, stopTyping } from './typing.js';

export function renderTransferPanel() {
  const conv = state.currentId ? state.convs.get(state.currentId) : null;
  const open = state.transferOpen && isMine(conv);
  ui.transferPanel.hidden = !open;
  ui.transfer.setAttribute('aria-expanded', String(open));
  if (!open) return;
  const others = state.online.filter((n) => n !== state.me);
  const chosen = ui.transferTo.value;
  const key = others.join('\n');
  if (ui.transferTo.dataset.key !== key) {
    ui.transferTo.dataset.key = key;
    ui.transferTo.textContent = '';
    for (const name of others) {
      const option = el('option', null, name);
      option.value = name;
      ui.transferTo.append(option);
    }
    if (others.includes(chosen)) ui.transferTo.value = chosen;
  }
  ui.transferTo.hidden = others.length === 0;
  ui.transferEmpty.hidden = others.length > 0;
  ui.transferConfirm.disabled =
    others.length === 0 || state.transferring === conv.id || state.conn !== 'ready';
}

export function onClaimed(f) {
  // Not asked for: auto-assigned from the queue, or transferred to us (it
  // was with another agent, or it never was in our queue).
  const prev = state.convs.get(f.conversation_id);
  const fromQueue = prev
    ? !(prev.status === 'assigned' && prev.assignedTo && prev.assignedTo !== state.me)
    : state.seenQueueIds.has(f.conversation_id);
  const conv = conversation(f.conversation_id);
  const wonClaim = state.claiming === conv.id;
  conv.status = 'assigned';
  conv.assignedTo = state.me;
  state.claiming = null;
  addMine(conv.id);
  if (wonClaim || !state.currentId || state.currentId === conv.id) {
    showConversation(conv.id);
  } else {
    // Not our claim: someone transferred it to us. Do not yank the agent
    // away from the chat they are in; it waits in "My chats", marked.
    conv.unread = Math.max(conv.unread, 1);
    render();
  }
  if (!wonClaim) {
    toast(fromQueue ? 'A chat from the queue was assigned to you' : 'A conversation was transferred to you', 'info');
    notifyMe(fromQueue ? 'Chat assigned to you' : 'Chat transferred to you', () => showConversation(conv.id));
  }
}

export function onHandedOff(f) {
  const id = f.conversation_id;
  if (!id) return;
  const conv = state.convs.get(id);
  removeMine(id);
  clearVisitorTyping(id);
  if (state.typing.convId === id) stopTyping(false);
  if (state.transferring === id) state.transferring = null;
  if (state.releasing === id) state.releasing = null;
  saveDraft(id, '');
  const to = f.to || null;
  if (conv) {
    conv.status = to ? 'assigned' : 'bot';
    conv.assignedTo = to;
    if (state.currentId === id) {
      state.transferOpen = false;
      state.shownId = null;
    }
  }
  toast(to ? 'Transferred to ' + to : 'Handed back to the bot', 'info');
  render();
}

/** We took it but did not answer in time: it is back at the front of the queue. */
export function onRequeued(f) {
  const id = f.conversation_id;
  if (!id) return;
  removeMine(id);
  clearVisitorTyping(id);
  if (state.typing.convId === id) stopTyping(false);
  const conv = state.convs.get(id);
  if (conv) {
    conv.status = 'queued';
    conv.assignedTo = null;
    conv.unread = 0;
    if (state.currentId === id) {
      state.transferOpen = false;
      state.shownId = null;
      closePicker();
    }
  }
  toast("A chat went back to the queue because it wasn't answered in time", 'info');
  render();
}

export function onClosed(f) {
  const conv = state.convs.get(f.conversation_id);
  removeMine(f.conversation_id);
  clearVisitorTyping(f.conversation_id);
  if (state.typing.convId === f.conversation_id) stopTyping(false);
  if (state.closing === f.conversation_id) state.closing = null;
  saveDraft(f.conversation_id, '');
  if (conv) {
    conv.status = 'closed';
    // Replies still in flight can no longer be delivered.
    for (const line of conv.lines) {
      if (line.pending) {
        line.pending = false;
        line.failed = 'Not sent: the conversation was closed';
        renderLineState(line);
      }
    }
    state.outbox = state.outbox.filter((o) => o.conversation_id !== conv.id);
    saveOutbox();
    if (state.currentId === conv.id) state.shownId = null; // redraw with the "closed" note
  }
  render();
}

export function claim() {
  const id = state.currentId;
  if (!id || !send({ type: 'claim', conversation_id: id })) return;
  state.claiming = id;
  renderConversation();
}

export function toggleTransfer() {
  const conv = state.currentId && state.convs.get(state.currentId);
  if (!isMine(conv)) return;
  state.transferOpen = !state.transferOpen;
  if (state.transferOpen) ui.transferNote.value = '';
  renderTransferPanel();
  if (state.transferOpen) (ui.transferTo.hidden ? ui.transferCancel : ui.transferTo).focus();
}

export function confirmTransfer(event) {
  if (event) event.preventDefault();
  const conv = state.currentId && state.convs.get(state.currentId);
  const to = ui.transferTo.value;
  if (!isMine(conv) || !to || to === state.me) return;
  const note = ui.transferNote.value.trim();
  const frame = { type: 'transfer', conversation_id: conv.id, to };
  if (note) frame.note = note;
  stopTyping(true);
  if (!send(frame)) return;
  state.transferring = conv.id;
  renderConversation();
}

export function release() {
  const conv = state.currentId && state.convs.get(state.currentId);
  if (!isMine(conv)) return;
  stopTyping(true);
  if (!send({ type: 'release', conversation_id: conv.id })) return;
  state.releasing = conv.id;
  renderConversation();
}

export function closeConversation() {
  const id = state.currentId;
  if (!id || !send({ type: 'close', conversation_id: id })) return;
  state.closing = id;
  renderConversation();
}
