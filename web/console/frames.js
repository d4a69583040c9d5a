/*
 * Frames from the server (web/console/frames.js; docs/protocol.md,
 * "Server → agent"): the dispatch to each concern's handler, `hello` (a new
 * socket: resend the outbox, restore Away), and errors.
 */

import { write } from '../shared/storage.js';
import { onCanned } from './canned.js';
import { send, sendReply } from './connection.js';
import { onConversation, onRated } from './conversation.js';
import { onClaimed, onClosed, onHandedOff, onRequeued } from './desk.js';
import { toast } from './dom.js';
import { onHistory } from './history.js';
import { onOfflineMessages } from './offline.js';
import { onAgents } from './presence.js';
import { onQueue } from './queue.js';
import { render } from './render.js';
import { announceSession } from './session.js';
import { KEY_NAME, isMine, saveOutbox, sessionStore, state } from './state.js';
import { onAck, onMessage, renderLineState } from './transcript.js';
import { onTyping } from './typing.js';

export function handleFrame(f) {
  switch (f.type) {
    case 'hello':
      return onHello(f);
    case 'queue':
      return onQueue(f);
    case 'conversation':
      return onConversation(f);
    case 'history':
      return onHistory(f);
    case 'message':
      return onMessage(f);
    case 'claimed':
      return onClaimed(f);
    case 'closed':
      return onClosed(f);
    case 'ack':
      return onAck(f);
    case 'handed_off':
      return onHandedOff(f);
    case 'typing':
      return onTyping(f);
    case 'rated':
      return onRated(f);
    case 'agents':
      return onAgents(f);
    case 'offline_messages':
      return onOfflineMessages(f);
    case 'canned':
      return onCanned(f);
    case 'requeued':
      return onRequeued(f);
    case 'error':
      return onError(f);
    default:
      console.warn('[tandem] unknown frame type', f.type);
  }
}

function onHello(f) {
  state.me = (f.agent && f.agent.name) || state.me;
  state.role = typeof f.role === 'string' ? f.role : null;
  write(sessionStore, KEY_NAME, state.me);
  state.conn = 'ready';
  state.attempt = 0;
  state.refusals = 0;
  state.claiming = null;
  state.closing = null;
  state.transferring = null;
  state.releasing = null;
  state.resolving.clear();
  state.typing.sent = false; // a new socket: the server forgot our typing
  // Replies that were in flight when the socket dropped. The server never
  // stores an id twice, so resending one it already has only re-acks it.
  for (const entry of state.outbox) sendReply(entry);
  // A new session starts `available`; keep the agent's choice of Away.
  state.myStatus = null;
  state.statusPending = false;
  if (state.wantStatus === 'away' && send({ type: 'status', status: 'away' })) state.statusPending = true;
  // The server re-sends `conversation` for held chats; refresh a queued one
  // we were looking at, since it may have moved on while we were away.
  const current = state.currentId && state.convs.get(state.currentId);
  if (current && !isMine(current)) send({ type: 'open', conversation_id: current.id });
  render();
  announceSession();
}

function onError(f) {
  const entry = f.id ? state.outbox.find((o) => o.id === f.id) : null;

  if (f.code === 'already_claimed') {
    toast('Someone else already took this conversation');
    const id = f.conversation_id || state.claiming || state.currentId;
    state.claiming = null;
    if (id) send({ type: 'open', conversation_id: id });
    render();
    return;
  }

  if (entry && f.code === 'rate_limited') {
    // Not stored; the same id goes again in a moment.
    setTimeout(() => {
      if (state.outbox.includes(entry)) sendReply(entry);
    }, 1000 + Math.random() * 1000);
    return;
  }

  if (entry || f.code === 'not_assigned') {
    // Replies the server will not take: stop resending them and say so.
    const convId = (entry && entry.conversation_id) || f.conversation_id;
    const doomed = state.outbox.filter((o) => (entry ? o === entry : o.conversation_id === convId));
    state.outbox = state.outbox.filter((o) => !doomed.includes(o));
    saveOutbox();
    const conv = convId && state.convs.get(convId);
    for (const o of doomed) {
      const line = conv && conv.lines.find((l) => l.client_id === o.id);
      if (line) {
        line.pending = false;
        line.failed = 'Not sent';
        renderLineState(line);
      }
    }
    // Our picture of who holds it is out of date: ask again.
    if (f.code === 'not_assigned' && convId) send({ type: 'open', conversation_id: convId });
  }

  if (state.transferring && (!f.conversation_id || f.conversation_id === state.transferring)) state.transferring = null;
  if (state.releasing && (!f.conversation_id || f.conversation_id === state.releasing)) state.releasing = null;
  if (state.claiming && (!f.conversation_id || f.conversation_id === state.claiming)) state.claiming = null;
  if (state.closing && (!f.conversation_id || f.conversation_id === state.closing)) state.closing = null;
  if (state.resolving.size && !f.conversation_id) state.resolving.clear();
  toast(f.message || 'Something went wrong (' + f.code + ')');
  render();
}
