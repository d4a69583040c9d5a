/*
 * History paging (web/widget/history.js): `welcome` carries the newest
 * lines; the "Show earlier messages" button asks for the page before them
 * (a `history` frame) and the answer goes in its place, keeping the
 * visitor's scroll position.
 */

import { sendFrame } from './connection.js';
import { ui } from './dom.js';
import { state } from './state.js';
import { fromServer, lineElement } from './transcript.js';

/** The "Show earlier messages" button, standing where older lines will go. */
export function moreButton(line) {
  // Older lines stay on the server until asked for (docs/protocol.md).
  const more = document.createElement('button');
  more.type = 'button';
  more.className = 'tandem-more';
  more.textContent = 'Show earlier messages';
  more.addEventListener('click', () => {
    const first = state.lines.find((l) => l.id && !l.earlier);
    if (!first) return;
    more.disabled = true;
    sendFrame({ type: 'history', before: Number(first.id) });
  });
  line.el = more;
  return more;
}

/** `history`: older lines go where the "Show earlier" button was. */
export function onHistory(f) {
  const at = state.lines.findIndex((l) => l.from === 'more');
  if (at < 0) return;
  const older = (Array.isArray(f.messages) ? f.messages : []).map(fromServer);
  if (f.more === true) older.unshift({ from: 'more' });
  state.lines.splice(at, 1, ...older);
  // Keep the visitor's place: the transcript grows above what they read.
  const fromBottom = ui.messages.scrollHeight - ui.messages.scrollTop;
  ui.messages.textContent = '';
  for (const line of state.lines) ui.messages.append(lineElement(line));
  ui.messages.scrollTop = ui.messages.scrollHeight - fromBottom;
}
