/*
 * Page helpers for the console (web/console/dom.js): `ui`, handles on the
 * elements of console.html by id; `el`, which builds an element with text
 * (never HTML); time formatting; keeping focus across a list redraw; the
 * frustration badge; toasts.
 */

export const ui = {};

for (const id of [
  'login-view', 'login-form', 'login-name', 'login-password', 'login-submit', 'login-error',
  'app', 'connection-status', 'agent-name', 'agent-avatar', 'signout',
  'queue', 'queue-count', 'my-chats', 'my-chats-count',
  'conversation', 'conversation-empty', 'conversation-view', 'conversation-title',
  'conversation-state', 'claim', 'close-conversation', 'reasons', 'transcript',
  'reply-input', 'reply-send', 'reply-counter', 'toasts',
  'transfer', 'release', 'transfer-panel', 'transfer-to', 'transfer-note', 'transfer-confirm',
  'transfer-cancel', 'transfer-empty', 'csat', 'visitor-typing', 'compose-modes', 'mode-reply',
  'mode-note', 'reply-hint', 'offline-section', 'offline-count', 'offline-messages',
  'canned-picker', 'status-toggle', 'my-load', 'mute', 'enable-notifications', 'shortcuts-open',
  'shortcuts-help', 'shortcuts-close',
  'earlier', 'earlier-summary', 'earlier-list',
]) {
  ui[id.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = document.getElementById(id);
}

ui.composer = document.querySelector('.composer');

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = text; // text only, never HTML
  return node;
}

/** "just now", "3 min", "1 h 5 min": how long since an RFC 3339 time. */
export function formatWaited(iso) {
  const ms = Date.now() - new Date(iso).getTime();
  if (!isFinite(ms)) return '';
  const min = Math.max(0, Math.floor(ms / 60000)); // clocks drift: never negative
  if (min < 1) return 'just now';
  if (min < 60) return min + ' min';
  const h = Math.floor(min / 60);
  return h + ' h' + (min % 60 ? ' ' + (min % 60) + ' min' : '');
}

export function formatClock(iso) {
  const d = new Date(iso);
  if (isNaN(d)) return '';
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

export function toast(text, tone = 'error') {
  const node = el('div', 'toast', text);
  node.dataset.tone = tone;
  node.setAttribute('role', tone === 'error' ? 'alert' : 'status');
  ui.toasts.append(node);
  setTimeout(() => node.classList.add('toast-leaving'), 4600);
  setTimeout(() => node.remove(), 5000);
}

/** Keep keyboard focus on the same list item when a list is redrawn. */
export function keepFocus(list, draw) {
  const active = document.activeElement;
  const focusedId = active && list.contains(active) ? active.dataset.conversationId : null;
  draw();
  if (focusedId) {
    const again = list.querySelector('[data-conversation-id="' + CSS.escape(focusedId) + '"]');
    if (again) again.focus();
  }
}

/** "just now" or "5 min ago": how long since a message was left. */
export function formatAgo(iso) {
  const waited = formatWaited(iso);
  return waited && waited !== 'just now' ? waited + ' ago' : waited;
}

/** A small score indicator: 0 to 100 %, coloured by how upset. */
export function frustrationBadge(value) {
  const v = typeof value === 'number' && isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
  const badge = el('span', 'frustration', Math.round(v * 100) + '%');
  badge.dataset.level = v >= 0.9 ? 'high' : v >= 0.5 ? 'mid' : 'low';
  badge.title = 'Frustration over the conversation: ' + v.toFixed(2);
  return badge;
}
