/*
 * Messages visitors left while nobody could answer (web/console/offline.js):
 * the list, a mailto: link for each, and marking one done
 * (`resolve_offline`).
 */

import { send } from './connection.js';
import { openConversation } from './conversation.js';
import { el, formatAgo, formatClock, ui } from './dom.js';
import { state } from './state.js';

/** Messages visitors left while nobody could answer; always the full list. */
export function renderOffline() {
  const entries = state.offline;
  ui.offlineCount.textContent = String(entries.length);
  const active = document.activeElement;
  const focused =
    active && ui.offlineMessages.contains(active) && active.dataset.action
      ? { id: active.closest('.offline-entry').dataset.id, action: active.dataset.action }
      : null;
  ui.offlineMessages.textContent = '';
  if (entries.length === 0) {
    ui.offlineMessages.append(el('li', 'list-empty', 'No messages'));
  }
  for (const entry of entries) {
    const li = el('li', 'offline-entry');
    li.dataset.id = entry.id;
    li.dataset.conversationId = entry.conversation_id;

    const top = el('div', 'offline-entry-top');
    const email = String(entry.email || '');
    const link = el('a', 'offline-email', email);
    // Set as a property, percent-encoded: the address can never add markup
    // or extra mailto: fields (?cc=, &body=).
    link.href = 'mailto:' + encodeURIComponent(email);
    link.title = 'Write to ' + email;
    const age = el('span', 'offline-age', formatAgo(entry.at));
    age.dataset.at = entry.at;
    age.title = 'Left ' + formatClock(entry.at);
    top.append(link, age);

    const text = el('p', 'offline-text', String(entry.text || ''));

    const actions = el('div', 'offline-actions');
    const open = el('button', 'btn btn-secondary offline-open', 'Open conversation');
    open.type = 'button';
    open.dataset.action = 'open';
    open.addEventListener('click', () => openConversation(entry.conversation_id));
    const done = el('button', 'btn btn-primary offline-resolve', state.resolving.has(entry.id) ? 'Marking…' : 'Done');
    done.type = 'button';
    done.dataset.action = 'resolve';
    done.title = 'Mark as handled: it leaves everyone\'s list';
    done.disabled = state.resolving.has(entry.id);
    done.addEventListener('click', () => resolveOffline(entry.id));
    actions.append(open, done);

    li.append(top, text, actions);
    ui.offlineMessages.append(li);
  }
  if (focused) {
    const item = ui.offlineMessages.querySelector('.offline-entry[data-id="' + CSS.escape(focused.id) + '"]');
    const again = item && item.querySelector('[data-action="' + focused.action + '"]');
    if (again && !again.disabled) again.focus();
  }
}

export function onOfflineMessages(f) {
  state.offline = Array.isArray(f.entries) ? f.entries.filter((e) => e && e.id != null) : [];
  // Whatever was resolved is gone from the list; forget the rest's "in flight".
  const ids = new Set(state.offline.map((e) => e.id));
  for (const id of state.resolving) if (!ids.has(id)) state.resolving.delete(id);
  renderOffline();
}

function resolveOffline(id) {
  if (state.resolving.has(id) || !send({ type: 'resolve_offline', id })) return;
  state.resolving.add(id);
  renderOffline();
}
