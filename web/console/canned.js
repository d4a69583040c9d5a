/*
 * Canned replies (web/console/canned.js): the `canned` frame's list, and
 * the picker that `/` opens in the reply box, filtered by what follows the
 * slash.
 */

import { composeKind, onReplyInput } from './composer.js';
import { el, ui } from './dom.js';
import { state } from './state.js';

const PICKER_MAX = 8; // canned replies shown at once

export function onCanned(f) {
  const replies = Array.isArray(f.replies) ? f.replies : [];
  state.canned = replies
    .filter((r) => r && typeof r.shortcut === 'string' && typeof r.text === 'string' && r.text)
    .map((r) => ({ shortcut: r.shortcut, text: r.text }));
  if (state.picker.open) updatePicker();
}

// Canned replies: `/` at the start of the box or after a space opens a
// picker, filtered by what follows the slash.

/** The `/query` just before the caret, or null. */
function slashQuery() {
  const box = ui.replyInput;
  if (box.disabled || box.selectionStart !== box.selectionEnd) return null;
  const caret = box.selectionStart;
  const m = /(^|\s)\/([^\s/]*)$/.exec(box.value.slice(0, caret));
  if (!m) return null;
  return { query: m[2], start: caret - m[2].length - 1, end: caret };
}

/** Shortcut prefix matches first, then the shortcut or text containing it. */
function matchCanned(query) {
  const q = query.toLowerCase();
  const prefix = [];
  const inside = [];
  for (const r of state.canned) {
    const shortcut = r.shortcut.toLowerCase();
    if (shortcut.startsWith(q)) prefix.push(r);
    else if (shortcut.includes(q) || r.text.toLowerCase().includes(q)) inside.push(r);
  }
  return prefix.concat(inside).slice(0, PICKER_MAX);
}

export function updatePicker() {
  const conv = state.currentId && state.convs.get(state.currentId);
  const found = state.canned.length && composeKind(conv) ? slashQuery() : null;
  const items = found ? matchCanned(found.query) : [];
  if (!items.length) {
    closePicker();
    return;
  }
  const p = state.picker;
  const chosen = p.open && p.items[p.index];
  p.open = true;
  p.items = items;
  p.index = Math.max(0, chosen ? items.indexOf(chosen) : 0);
  p.start = found.start;
  p.end = found.end;
  renderPicker();
}

export function closePicker() {
  const p = state.picker;
  if (!p.open && ui.cannedPicker.hidden) return;
  p.open = false;
  p.items = [];
  p.index = 0;
  renderPicker();
}

function renderPicker() {
  const p = state.picker;
  ui.cannedPicker.textContent = '';
  ui.cannedPicker.hidden = !p.open;
  ui.replyInput.setAttribute('aria-expanded', String(p.open));
  if (!p.open) {
    ui.replyInput.removeAttribute('aria-activedescendant');
    return;
  }
  p.items.forEach((r, i) => {
    const li = el('li', 'canned-item');
    li.id = 'canned-item-' + i;
    li.dataset.shortcut = r.shortcut;
    li.setAttribute('role', 'option');
    li.setAttribute('aria-selected', String(i === p.index));
    li.append(el('span', 'canned-shortcut', '/' + r.shortcut), el('span', 'canned-text', r.text));
    // mousedown would take the focus from the reply box (and close the picker).
    li.addEventListener('mousedown', (e) => e.preventDefault());
    li.addEventListener('click', () => insertCanned(i));
    ui.cannedPicker.append(li);
  });
  ui.replyInput.setAttribute('aria-activedescendant', 'canned-item-' + p.index);
  const active = ui.cannedPicker.children[p.index];
  if (active && active.scrollIntoView) active.scrollIntoView({ block: 'nearest' });
}

/** Replace the `/query` with the reply's text. */
function insertCanned(index) {
  const p = state.picker;
  const reply = p.items[index];
  if (!p.open || !reply) return;
  const box = ui.replyInput;
  const value = box.value;
  // The box may have changed since the picker was drawn: find the query again.
  const found = slashQuery() || { start: p.start, end: p.end };
  box.value = value.slice(0, found.start) + reply.text + value.slice(found.end);
  const caret = found.start + reply.text.length;
  box.setSelectionRange(caret, caret);
  closePicker();
  box.focus();
  onReplyInput();
}

/** Keys for the open picker; true when the key was its. */
export function pickerKeydown(e) {
  const p = state.picker;
  if (!p.open || e.isComposing) return false;
  if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
    const n = p.items.length;
    p.index = (p.index + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
    renderPicker();
  } else if ((e.key === 'Enter' && !e.shiftKey) || (e.key === 'Tab' && !e.shiftKey)) {
    insertCanned(p.index);
  } else if (e.key === 'Escape') {
    closePicker();
  } else {
    return false;
  }
  e.preventDefault();
  e.stopPropagation();
  return true;
}
