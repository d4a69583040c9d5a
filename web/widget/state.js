/*
 * The widget's state (web/widget/state.js): one object that handlers change
 * and render functions draw, the options from the embedding tag, the outbox
 * of lines not yet acknowledged (kept in localStorage, so a reload resends
 * them), and client ids for new lines.
 */

import { read, storage, write } from '../shared/storage.js';

export const KEY_RESUME = 'tandem.resume'; // localStorage: resume_token from `welcome`
const KEY_OUTBOX = 'tandem.outbox'; // localStorage: lines sent but not yet acked
export const KEY_OPEN = 'tandem.open'; // sessionStorage: was the panel open before a reload

export const local = storage('localStorage');
export const session = storage('sessionStorage');

/** Set once by `start` from the embedding tag (see widget.js). */
export const config = {
  /** ws:// or wss:// URL of the visitor socket, next to the script. */
  wsUrl: '',
  /** The name in the header (`data-title`). */
  title: 'Support',
  /** The accent colour (`data-color`), if any. */
  accent: null,
};

function loadOutbox() {
  try {
    const list = JSON.parse(read(local, KEY_OUTBOX) || '[]');
    return Array.isArray(list)
      ? list.filter((o) => o && typeof o.id === 'string' && typeof o.text === 'string')
      : [];
  } catch (_) {
    return [];
  }
}

export function saveOutbox() {
  write(local, KEY_OUTBOX, state.outbox.length ? JSON.stringify(state.outbox) : null);
}

export const state = {
  open: false,
  /** idle (never started) | connecting | ready (welcome received) | retrying */
  conn: 'idle',
  ws: null,
  attempt: 0,
  retryTimer: null,
  everReady: false,
  /** conversation status from the protocol: bot | queued | assigned | closed */
  mode: 'bot',
  agentName: null,
  /** {position, estimated_wait_s} while queued */
  queue: null,
  /**
   * rendered lines: {from, author, text, at, client_id, quick_replies,
   * pending, failed, el}; `from: 'divider'` marks where the visitor's next
   * conversation starts, and lines above it are `earlier` (read only)
   */
  lines: [],
  /** a divider was drawn for a conversation the server has not started yet */
  newConversationPending: false,
  /** own lines not yet acked, oldest first: {id, text, at}; persisted */
  outbox: loadOutbox(),
  humanRequested: false,
  humanTimer: null,
  unread: 0,
  noticeTimer: null,
  /** name of the agent who just handed the chat back to the bot, for the status line */
  leftBy: null,
  cancelling: false,
  /** the agent's `typing` indicator */
  agentTyping: false,
  agentTypingTimer: null,
  /** our own typing signal: last `active` sent, when, and the idle timer */
  typingSent: false,
  typingSentAt: 0,
  typingIdleTimer: null,
  typingRetryTimer: null,
  /** survey after a closed conversation: hidden | open | sending | thanks */
  survey: 'hidden',
  surveyScore: 0,
  /** leave-a-message form after `offline`: hidden | open | sending | thanks */
  offline: 'hidden',
  /** `offline` frame's reason (closed_hours | no_agents) and hours text */
  offlineReason: null,
  offlineHours: null,
  /** the email the message was left under, for the thanks line */
  offlineEmail: '',
  offlineError: '',
};

// Client ids only need to be unique within a conversation; a random part per
// page load plus a counter is enough and stays well under 64 characters.
const runId = Math.random().toString(36).slice(2, 10);
let idCounter = 0;

export const nextClientId = () => 'c-' + runId + '-' + ++idCounter;
