/*
 * The queue list (web/console/queue.js): who waits, why, for how long and
 * how upset, with new arrivals highlighted (and announced, alerts.js).
 */

import { notifyArrivals, renderTitle } from './alerts.js';
import { send } from './connection.js';
import { openConversation } from './conversation.js';
import { el, formatAgo, formatClock, formatWaited, frustrationBadge, keepFocus, ui } from './dom.js';
import { conversationName, state, visitorOf } from './state.js';

const NEW_HIGHLIGHT_MS = 8000; // how long a new queue entry stays highlighted

export function renderQueue() {
  ui.queueCount.textContent = String(state.queueTotal);
  keepFocus(ui.queue, () => {
    ui.queue.textContent = '';
    if (state.queue.length === 0) {
      ui.queue.append(el('li', 'list-empty', 'Nobody is waiting'));
      return;
    }
    const now = Date.now();
    for (const entry of state.queue) {
      const li = el('li');
      const b = el('button', 'queue-entry');
      b.type = 'button';
      b.dataset.conversationId = entry.conversation_id;
      const fresh = state.freshIds.get(entry.conversation_id);
      if (fresh && now - fresh < NEW_HIGHLIGHT_MS) b.classList.add('is-new');
      if (entry.conversation_id === state.currentId) {
        b.classList.add('is-current');
        b.setAttribute('aria-current', 'true');
      }

      const top = el('span', 'queue-entry-top');
      const wait = el('span', 'queue-wait', formatWaited(entry.queued_at));
      wait.dataset.queuedAt = entry.queued_at;
      wait.title = 'Waiting since ' + formatClock(entry.queued_at);
      top.append(
        el('span', 'queue-name', conversationName(entry.conversation_id)),
        frustrationBadge(entry.frustration),
        wait,
      );

      const tags = el('span', 'tags');
      for (const reason of entry.reasons || []) {
        const tag = el('span', 'tag', reason.text || reason.code);
        tag.dataset.code = reason.code || '';
        if (reason.evidence) tag.title = '\u201C' + reason.evidence + '\u201D';
        tags.append(tag);
      }
      if (entry.earlier_conversations > 0) {
        const n = entry.earlier_conversations;
        const back = el('span', 'tag tag-returning', 'Returning · ' + n + ' earlier');
        back.title = 'This visitor had ' + n + ' conversation' + (n === 1 ? '' : 's') + ' before';
        tags.append(back);
      }
      const preview = el('span', 'queue-preview', entry.preview || '');
      // Why this entry stands where it does (waiting time, frustration).
      const order = el('span', 'queue-order', entry.order_reason || '');
      b.append(top, tags, preview, order);
      b.addEventListener('click', () => openConversation(entry.conversation_id));
      li.append(b);
      ui.queue.append(li);
    }
    const beyond = state.queueTotal - state.queue.length;
    if (beyond > 0) {
      ui.queue.append(el('li', 'list-more', beyond + ' more waiting'));
    }
  });
}

/** Refresh the "3 min" labels without redrawing the list. */
export function tickWaits() {
  for (const node of ui.offlineMessages.querySelectorAll('.offline-age')) {
    node.textContent = formatAgo(node.dataset.at);
  }
  for (const node of ui.queue.querySelectorAll('.queue-wait')) {
    node.textContent = formatWaited(node.dataset.queuedAt);
  }
  for (const node of ui.queue.querySelectorAll('.queue-entry.is-new')) {
    const fresh = state.freshIds.get(node.dataset.conversationId);
    if (!fresh || Date.now() - fresh >= NEW_HIGHLIGHT_MS) node.classList.remove('is-new');
  }
}

export function onQueue(f) {
  const entries = Array.isArray(f.entries) ? f.entries : [];
  const arrivals = entries.filter((e) => !state.seenQueueIds.has(e.conversation_id));
  for (const e of entries) {
    state.seenQueueIds.add(e.conversation_id);
    if (e.visitor_id) visitorOf.set(e.conversation_id, e.visitor_id);
  }
  state.queue = entries;
  state.queueTotal = Number.isInteger(f.total) ? Math.max(f.total, entries.length) : entries.length;
  if (state.queueLoaded && arrivals.length) notifyArrivals(arrivals);
  state.queueLoaded = true;

  // A queued chat we are looking at left the queue without us claiming it:
  // someone else took it (or it was closed). Ask for its current state.
  const current = state.currentId && state.convs.get(state.currentId);
  // Only the head of a long queue is sent: beyond it, absence says nothing.
  if (
    current &&
    current.status === 'queued' &&
    state.queueTotal === entries.length &&
    state.claiming !== current.id &&
    !entries.some((e) => e.conversation_id === current.id)
  ) {
    send({ type: 'open', conversation_id: current.id });
  }
  renderQueue();
  renderTitle();
}
