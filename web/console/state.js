/*
 * The console's state (web/console/state.js): one object that frame handlers
 * change and render functions draw, the conversations it knows, and what
 * this tab keeps in sessionStorage across a reload: the token, replies not
 * yet acknowledged (the outbox), drafts per conversation, the chat shown.
 */

import { read, storage, write } from '../shared/storage.js';

export const KEY_TOKEN = 'tandem.agent.token'; // sessionStorage: a reload keeps you signed in
export const KEY_NAME = 'tandem.agent.name'; // sessionStorage: name to show before `hello`
export const KEY_OUTBOX = 'tandem.agent.outbox'; // sessionStorage: replies sent but not yet acked
export const KEY_DRAFTS = 'tandem.agent.drafts'; // sessionStorage: {conversation id: unsent reply box text}
export const KEY_CURRENT = 'tandem.agent.current'; // sessionStorage: the conversation shown, for a reload
export const KEY_WANT_STATUS = 'tandem.agent.status'; // sessionStorage: the status this agent chose
export const KEY_MUTED = 'tandem.console.muted'; // localStorage: "1" when the new-chat sound is off

/**
 * A conversation the console knows about: every one this agent holds, plus
 * whichever queued one is open in the main area.
 * @typedef {{id: string, status: string, assignedTo: ?string, reasons: Array,
 *   lines: Array, unread: number, loaded: boolean}} Conversation
 */

export const state = {
  token: null,
  me: null, // this agent's name, from login and `hello`
  ws: null,
  /** idle | connecting | ready (hello received) | retrying */
  conn: 'idle',
  attempt: 0,
  retryTimer: null,
  refusals: 0, // closes before `hello` while the server answers HTTP (see onSocketClosed)
  queue: [], // the latest `queue` frame's entries, oldest first
  queueTotal: 0, // how many wait in all (the frame carries only the head)
  seenQueueIds: new Set(), // every queue entry id seen since sign-in, to spot arrivals
  queueLoaded: false, // the first queue after sign-in is the status quo, not news
  freshIds: new Map(), // queue entry id -> time it arrived, for the highlight
  /** @type {Map<string, Conversation>} */
  convs: new Map(),
  mine: [], // ids of conversations this agent holds, in the order they came
  currentId: null, // conversation shown in the main area
  shownId: null, // conversation whose transcript is currently in the DOM
  claiming: null, // id of a claim in flight, so its button can say so
  closing: null, // id of a close in flight
  outbox: [], // own replies not yet acked: {id, conversation_id, text, at}
  titleFlash: null, // interval id while the title blinks for a new chat
  flashStopTimer: null,
  online: [], // names of signed-in agents, from the latest `agents` frame
  composeMode: 'reply', // reply | note
  transferOpen: false, // the transfer panel is showing (for currentId)
  transferring: null, // id of a transfer in flight
  releasing: null, // id of a release in flight
  visitorTyping: new Map(), // conversation id -> timer while the visitor types
  /** our own typing signal: {convId, sent, sentAt, idleTimer, retryTimer} */
  typing: { convId: null, sent: false, sentAt: 0, idleTimer: null, retryTimer: null },
  offline: [], // the latest `offline_messages` frame's entries, oldest first
  resolving: new Set(), // ids of left messages whose `resolve_offline` is in flight
  role: null, // `agent` or `admin`, from `hello`
  canned: [], // canned replies from the `canned` frame: {shortcut, text}
  picker: { open: false, items: [], index: 0, start: 0, end: 0 }, // the `/` picker
  myStatus: null, // `available` or `away`, the server's view (my `agents` entry)
  wantStatus: null, // what this agent last asked for, re-sent after a reconnect
  statusPending: false, // a `status` frame is on its way, not yet confirmed by `agents`
  myLoad: null, // {chats, max} from my `agents` entry
  muted: false,
  restoreId: null, // after a reload: the conversation that was shown
  autoPicked: false, // the conversation shown was picked for the agent, not by them
};

// Storage: sessionStorage for the session (a reload keeps it, closing the
// tab ends it), localStorage for choices that outlive it.
export const sessionStore = storage('sessionStorage');
export const localStore = storage('localStorage');

export function saveOutbox() {
  write(sessionStore, KEY_OUTBOX, state.outbox.length ? JSON.stringify(state.outbox) : null);
}

export function loadOutbox() {
  try {
    const list = JSON.parse(read(sessionStore, KEY_OUTBOX) || '[]');
    return Array.isArray(list)
      ? list.filter((o) => o && typeof o.id === 'string' && typeof o.text === 'string' && o.conversation_id)
      : [];
  } catch (_) {
    return [];
  }
}

// Drafts: what is in the reply box, per conversation, so a switch, a
// reconnect or a reload does not lose it.
function loadDrafts() {
  try {
    const drafts = JSON.parse(read(sessionStore, KEY_DRAFTS) || '{}');
    return drafts && typeof drafts === 'object' && !Array.isArray(drafts) ? drafts : {};
  } catch (_) {
    return {};
  }
}

export function draftFor(id) {
  const text = id ? loadDrafts()[id] : null;
  return typeof text === 'string' ? text : '';
}

export function saveDraft(id, text) {
  if (!id) return;
  const drafts = loadDrafts();
  if (text) drafts[id] = text;
  else if (id in drafts) delete drafts[id];
  else return;
  write(sessionStore, KEY_DRAFTS, Object.keys(drafts).length ? JSON.stringify(drafts) : null);
}

const randomId = () => Math.random().toString(36).slice(2, 10) + Date.now().toString(36).slice(-4);
let replyCounter = 0;
export const nextReplyId = () => 'a-' + randomId() + '-' + ++replyCounter;

export const nextNoteId = () => 'n-' + randomId() + '-' + ++replyCounter;

const shortId = (id) => String(id).replace(/[^a-zA-Z0-9]/g, '').slice(-6) || String(id);
/** conversation id -> visitor id, from queue entries and conversation views */
export const visitorOf = new Map();

/** A visitor keeps one name across their conversations. */
export const conversationName = (id) => 'Visitor · ' + shortId(visitorOf.get(id) || id);

export function isMine(conv) {
  return !!conv && conv.status === 'assigned' && conv.assignedTo === state.me;
}

export function conversation(id) {
  let conv = state.convs.get(id);
  if (!conv) {
    conv = { id, status: 'queued', assignedTo: null, reasons: [], lines: [], unread: 0, loaded: false, csat: null };
    state.convs.set(id, conv);
  }
  return conv;
}

export function addMine(id) {
  if (!state.mine.includes(id)) state.mine.push(id);
}

export function removeMine(id) {
  state.mine = state.mine.filter((x) => x !== id);
}
