/*
 * Typing indicators (web/widget/typing.js): ours, sent while the visitor
 * types to a person (throttled, with an idle timeout), and the agent's,
 * shown until they stop, send, or go quiet.
 */

import { TYPING_IDLE_MS, TYPING_MIN_GAP_MS, TYPING_REFRESH_MS, TYPING_SHOW_MS } from '../shared/limits.js';
import { sendFrame } from './connection.js';
import { ui } from './dom.js';
import { renderTyping } from './render.js';
import { state } from './state.js';

// Typing, ours: `active:true` when typing starts in a chat a person holds,
// `active:false` after a few idle seconds or on send; at most one frame per
// TYPING_MIN_GAP_MS, so a pending change waits for the gap to pass.
function sendTyping(active, refresh = false) {
  clearTimeout(state.typingRetryTimer);
  state.typingRetryTimer = null;
  if (state.typingSent === active && !refresh) return;
  const wait = state.typingSentAt + TYPING_MIN_GAP_MS - Date.now();
  if (wait > 0) {
    state.typingRetryTimer = setTimeout(() => {
      state.typingRetryTimer = null;
      // Still wanted? A stale "start" after the visitor stopped is dropped.
      const want = active && state.mode === 'assigned' && !!state.typingIdleTimer;
      sendTyping(want);
    }, wait);
    return;
  }
  if (active && state.mode !== 'assigned') return;
  if (!sendFrame({ type: 'typing', active })) return;
  state.typingSent = active;
  state.typingSentAt = Date.now();
}

export function onVisitorKeystroke() {
  if (state.mode !== 'assigned' || !ui.input.value.trim()) {
    stopOwnTyping(true);
    return;
  }
  clearTimeout(state.typingIdleTimer);
  state.typingIdleTimer = setTimeout(() => {
    state.typingIdleTimer = null;
    sendTyping(false);
  }, TYPING_IDLE_MS);
  if (!state.typingSent || Date.now() - state.typingSentAt >= TYPING_REFRESH_MS) sendTyping(true, true);
}

/** Typing is over (sent, idle, or the chat left the agent). */
export function stopOwnTyping(tell) {
  clearTimeout(state.typingIdleTimer);
  state.typingIdleTimer = null;
  if (tell && state.typingSent) sendTyping(false);
  else if (!tell) {
    clearTimeout(state.typingRetryTimer);
    state.typingRetryTimer = null;
    state.typingSent = false; // the server forgets it with the agent
  }
}

// Typing, the agent's: shown until `active:false`, a message, or silence.
export function setAgentTyping(active) {
  clearTimeout(state.agentTypingTimer);
  state.agentTypingTimer = null;
  state.agentTyping = active;
  if (active) {
    state.agentTypingTimer = setTimeout(() => {
      state.agentTyping = false;
      state.agentTypingTimer = null;
      renderTyping();
    }, TYPING_SHOW_MS);
  }
}
