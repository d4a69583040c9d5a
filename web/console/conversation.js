/*
 * The conversation view (web/console/conversation.js): its title and state,
 * why it came to a person (reasons with their evidence, the frustration
 * score), the visitor's rating, their earlier conversations, which actions
 * show; opening a conversation and switching between them.
 */

import { write } from '../shared/storage.js';
import { composeKind, mayNote, renderComposer, restoreDraft } from './composer.js';
import { send } from './connection.js';
import { renderTransferPanel } from './desk.js';
import { el, formatClock, frustrationBadge, toast, ui } from './dom.js';
import { render } from './render.js';
import { KEY_CURRENT, addMine, conversation, conversationName, isMine, removeMine, saveOutbox, sessionStore, state, visitorOf } from './state.js';
import { fromServer, pendingLine, renderTranscript } from './transcript.js';
import { clearVisitorTyping, renderVisitorTyping, stopTyping } from './typing.js';

function describeStatus(conv) {
  if (conv.status === 'queued') return { text: 'Waiting in queue', tone: 'wait' };
  if (conv.status === 'closed') return { text: 'Closed', tone: 'muted' };
  if (conv.status === 'bot') return { text: 'With the bot', tone: 'muted' };
  if (isMine(conv)) return { text: "You're chatting", tone: 'live' };
  return { text: 'With ' + (conv.assignedTo || 'another agent'), tone: 'muted' };
}

export function renderConversation() {
  const conv = state.currentId ? state.convs.get(state.currentId) : null;
  ui.conversationEmpty.hidden = !!conv;
  ui.conversationView.hidden = !conv;
  if (!conv) {
    state.shownId = null;
    return;
  }

  ui.conversationTitle.textContent = conversationName(conv.id);
  const status = describeStatus(conv);
  ui.conversationState.textContent = conv.loaded ? status.text : 'Loading…';
  ui.conversationState.dataset.tone = status.tone;

  // Banner at the top of the transcript: the frustration score over the
  // conversation, and why the bot handed it over, each reason with the
  // message that caused it.
  const reasons = (conv.reasons || []).filter((r) => r && (r.text || r.code));
  ui.reasons.hidden = !conv.loaded;
  ui.reasons.textContent = '';
  const score = el('div', 'reasons-score');
  score.append(el('strong', null, 'Frustration: '), frustrationBadge(conv.frustration));
  if (typeof conv.frustrationPeak === 'number' && conv.frustrationPeak > (conv.frustration || 0) + 0.005) {
    score.append(el('span', 'reasons-peak', ' peak ' + Math.round(conv.frustrationPeak * 100) + '%'));
  }
  ui.reasons.append(score);
  if (reasons.length) {
    ui.reasons.append(el('strong', null, 'Why it came to a person:'));
    const list = el('ul', 'reasons-list');
    for (const r of reasons) {
      const item = el('li', null);
      item.dataset.code = r.code || '';
      item.append(el('span', 'reason-text', r.text || r.code));
      if (r.evidence) item.append(el('q', 'reason-evidence', r.evidence));
      list.append(item);
    }
    ui.reasons.append(list);
  }

  ui.claim.hidden = conv.status !== 'queued';
  ui.claim.disabled = state.claiming === conv.id || state.conn !== 'ready';
  ui.claim.textContent = state.claiming === conv.id ? 'Claiming…' : 'Claim';

  // Closing is for the holder, or for a queued chat nobody needs to take.
  ui.closeConversation.hidden = !(isMine(conv) || conv.status === 'queued');
  ui.closeConversation.disabled = state.closing === conv.id || state.conn !== 'ready';

  const mine = isMine(conv);
  ui.transfer.hidden = !mine;
  ui.transfer.disabled = state.transferring === conv.id || state.conn !== 'ready';
  ui.transfer.textContent = state.transferring === conv.id ? 'Transferring…' : 'Transfer';
  ui.release.hidden = !mine;
  ui.release.disabled = state.releasing === conv.id || state.conn !== 'ready';
  ui.release.textContent = state.releasing === conv.id ? 'Handing back…' : 'Hand back to bot';
  if (!mine) state.transferOpen = false;
  renderTransferPanel();

  // Reply or private note.
  const canNote = mayNote(conv);
  ui.composeModes.hidden = !canNote;
  if (!canNote || (state.composeMode === 'note' && !canNote)) state.composeMode = 'reply';
  const noting = state.composeMode === 'note';
  ui.modeReply.setAttribute('aria-pressed', String(!noting));
  ui.modeNote.setAttribute('aria-pressed', String(noting));
  ui.modeReply.disabled = !mine;
  ui.composer.dataset.mode = noting ? 'note' : 'reply';
  ui.replySend.textContent = noting ? 'Add note' : 'Send';
  document.querySelector('label[for="reply-input"]').textContent = noting ? 'Private note' : 'Reply';

  const kind = composeKind(conv);
  ui.replyInput.disabled = !kind;
  ui.replyInput.placeholder = kind === 'note'
    ? 'Private note — only agents see it…'
    : kind === 'reply'
      ? 'Reply to the visitor…'
      : conv.status === 'queued'
        ? 'Claim this conversation to reply, or add a private note'
        : conv.status === 'closed'
          ? 'This conversation is closed'
          : 'Only the agent holding this conversation can reply';
  renderComposer();
  renderCsat(conv);
  renderEarlier(conv);
  renderVisitorTyping();

  if (state.shownId !== conv.id) renderTranscript(conv);
}

function renderCsat(conv) {
  const csat = conv && conv.csat;
  ui.csat.hidden = !csat;
  ui.csat.textContent = '';
  if (!csat) return;
  const score = Math.max(0, Math.min(5, Number(csat.score) || 0));
  const stars = el('span', 'csat-stars', '★'.repeat(score) + '☆'.repeat(5 - score));
  stars.setAttribute('aria-hidden', 'true');
  ui.csat.append(stars, el('strong', null, 'Rated ' + score + '/5'));
  if (csat.comment) ui.csat.append(el('span', 'csat-comment', ' — \u201c' + csat.comment + '\u201d'));
  if (csat.at) ui.csat.title = 'Rated ' + new Date(csat.at).toLocaleString();
}

/** The same visitor's earlier conversations, newest first; click to read one. */
function renderEarlier(conv) {
  const earlier = (conv && conv.earlier) || [];
  ui.earlier.hidden = earlier.length === 0;
  ui.earlierList.textContent = '';
  if (earlier.length === 0) return;
  ui.earlierSummary.textContent =
    'Earlier conversations with this visitor (' + earlier.length + ')';
  for (const e of earlier) {
    const li = el('li');
    const b = el('button', 'earlier-entry');
    b.type = 'button';
    b.dataset.conversationId = e.conversation_id;
    const top = el('span', 'earlier-top');
    top.append(el('span', 'earlier-when', formatClock(e.created_at)));
    const who = e.agent ? 'with ' + e.agent : e.status === 'bot' ? 'bot only' : e.status;
    top.append(el('span', 'earlier-who', who));
    if (e.csat && e.csat.score) {
      const score = Math.max(0, Math.min(5, Number(e.csat.score) || 0));
      const stars = el('span', 'csat-stars', '★'.repeat(score) + '☆'.repeat(5 - score));
      stars.title = 'Rated ' + score + '/5' + (e.csat.comment ? ': \u201c' + e.csat.comment + '\u201d' : '');
      top.append(stars);
    }
    b.append(top, el('span', 'earlier-preview', e.preview || '(no messages)'));
    const reasons = (e.reasons || []).map((r) => r.text || r.code).filter(Boolean);
    if (reasons.length) b.append(el('span', 'earlier-reasons', reasons.join(' · ')));
    b.addEventListener('click', () => openConversation(e.conversation_id));
    li.append(b);
    ui.earlierList.append(li);
  }
}

export function onConversation(f) {
  const conv = conversation(f.conversation_id);
  conv.status = f.status;
  conv.assignedTo = f.assigned_to || null;
  conv.reasons = Array.isArray(f.reasons) ? f.reasons : [];
  conv.frustration = typeof f.frustration === 'number' ? f.frustration : 0;
  conv.frustrationPeak = typeof f.frustration_peak === 'number' ? f.frustration_peak : conv.frustration;
  conv.csat = f.csat || null;
  conv.earlier = Array.isArray(f.earlier) ? f.earlier : [];
  if (f.visitor_id) visitorOf.set(conv.id, f.visitor_id);
  for (const e of conv.earlier) visitorOf.set(e.conversation_id, f.visitor_id || conv.id);
  const history = Array.isArray(f.history) ? f.history : [];

  // The history is the truth. Our replies already in it are stored (their
  // ack may have been lost with an old socket); the rest stay pending.
  const stored = new Set(history.map((m) => m.client_id).filter(Boolean));
  const before = state.outbox.length;
  state.outbox = state.outbox.filter((o) => o.conversation_id !== conv.id || !stored.has(o.id));
  if (state.outbox.length !== before) saveOutbox();
  const pending = state.outbox.filter((o) => o.conversation_id === conv.id).map(pendingLine);
  conv.lines = history.map(fromServer).concat(pending);
  conv.moreHistory = f.more_history === true;
  conv.loaded = true;

  if (isMine(conv)) addMine(conv.id);
  else removeMine(conv.id);
  if (state.closing === conv.id && conv.status !== 'assigned') state.closing = null;
  if (state.claiming === conv.id && conv.status !== 'queued') state.claiming = null;
  if (state.transferring === conv.id && !isMine(conv)) state.transferring = null;
  if (state.releasing === conv.id && !isMine(conv)) state.releasing = null;
  if (!isMine(conv)) clearVisitorTyping(conv.id);

  // After a reload, show the chat that was shown (or else the first held
  // one rather than an empty page), with its draft.
  const restoring = state.restoreId === conv.id && state.currentId !== conv.id &&
    (!state.currentId || state.autoPicked);
  if (isMine(conv) && (!state.currentId || restoring)) {
    state.autoPicked = !restoring && state.restoreId != null;
    if (restoring) state.restoreId = null;
    state.currentId = conv.id;
    state.transferOpen = false;
    state.composeMode = 'reply';
    write(sessionStore, KEY_CURRENT, conv.id);
    restoreDraft(conv.id);
  }
  if (state.currentId === conv.id) {
    conv.unread = 0;
    state.shownId = null; // force a transcript redraw
  }
  render();
}

export function onRated(f) {
  if (!f.conversation_id || !f.csat) return;
  const conv = conversation(f.conversation_id);
  conv.csat = f.csat;
  if (state.currentId === conv.id) renderCsat(conv);
  toast('A visitor rated your chat ' + f.csat.score + '/5', 'info');
}

/** Show a conversation from the queue: ask the server for it. */
export function openConversation(id) {
  conversation(id);
  showConversation(id);
  send({ type: 'open', conversation_id: id });
}

/** Switch the main area; held chats are already in memory. */
export function showConversation(id) {
  if (state.currentId !== id) {
    stopTyping(true);
    state.currentId = id;
    state.shownId = null;
    state.transferOpen = false;
    state.composeMode = 'reply';
    state.autoPicked = false;
    write(sessionStore, KEY_CURRENT, id);
    restoreDraft(id);
  }
  const conv = conversation(id);
  conv.unread = 0;
  render();
  if (isMine(conv)) ui.replyInput.focus();
}
