/*
 * Typing indicators (web/console/typing.js): the visitor's, shown in the
 * chat they type in, and ours, sent while the agent writes a reply
 * (throttled, with an idle timeout).
 */

import { TYPING_IDLE_MS, TYPING_MIN_GAP_MS, TYPING_REFRESH_MS, TYPING_SHOW_MS } from '../shared/limits.js';
import { composeKind } from './composer.js';
import { send } from './connection.js';
import { ui } from './dom.js';
import { isMine, state } from './state.js';

export function renderVisitorTyping() {
  const conv = state.currentId ? state.convs.get(state.currentId) : null;
  ui.visitorTyping.hidden = !(conv && isMine(conv) && state.visitorTyping.has(conv.id));
}

export function onTyping(f) {
  const id = f.conversation_id;
  if (!id) return;
  if (f.active) {
    clearTimeout(state.visitorTyping.get(id));
    state.visitorTyping.set(
      id,
      setTimeout(() => {
        state.visitorTyping.delete(id);
        renderVisitorTyping();
      }, TYPING_SHOW_MS),
    );
  } else {
    clearVisitorTyping(id);
  }
  renderVisitorTyping();
}

export function clearVisitorTyping(id) {
  clearTimeout(state.visitorTyping.get(id));
  state.visitorTyping.delete(id);
  if (id === state.currentId) renderVisitorTyping();
}

// Typing, ours: `active:true` when a reply starts, `active:false` after a
// few idle seconds, on send, or when leaving the chat; at most one frame per
// TYPING_MIN_GAP_MS (a change inside the gap waits for it to pass).
function sendTyping(active, refresh = false) {
  const t = state.typing;
  clearTimeout(t.retryTimer);
  t.retryTimer = null;
  if (!t.convId || (t.sent === active && !refresh)) return;
  const wait = t.sentAt + TYPING_MIN_GAP_MS - Date.now();
  if (wait > 0) {
    t.retryTimer = setTimeout(() => {
      t.retryTimer = null;
      sendTyping(active && !!t.idleTimer); // a stale "start" is dropped
    }, wait);
    return;
  }
  const conv = state.convs.get(t.convId);
  if (!isMine(conv)) {
    // Not ours any more: the server would answer `not_assigned`, and it
    // forgets typing state with the hand-over anyway.
    t.sent = false;
    return;
  }
  if (!send({ type: 'typing', conversation_id: t.convId, active })) return;
  t.sent = active;
  t.sentAt = Date.now();
}

export function onReplyKeystroke() {
  const conv = state.currentId && state.convs.get(state.currentId);
  if (composeKind(conv) !== 'reply' || !ui.replyInput.value.trim()) {
    stopTyping(true);
    return;
  }
  const t = state.typing;
  if (t.convId !== conv.id) {
    stopTyping(true);
    t.convId = conv.id;
  }
  clearTimeout(t.idleTimer);
  t.idleTimer = setTimeout(() => {
    t.idleTimer = null;
    sendTyping(false);
  }, TYPING_IDLE_MS);
  if (!t.sent || Date.now() - t.sentAt >= TYPING_REFRESH_MS) sendTyping(true, true);
}

/** Stop our typing signal; `tell` sends `active:false` if the server has `true`. */
export function stopTyping(tell) {
  const t = state.typing;
  clearTimeout(t.idleTimer);
  t.idleTimer = null;
  if (tell && t.sent) {
    sendTyping(false); // may wait out the gap; keeps convId until sent
    return;
  }
  clearTimeout(t.retryTimer);
  t.retryTimer = null;
  t.sent = false;
  t.convId = null;
}
