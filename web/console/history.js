/*
 * History paging (web/console/history.js): a conversation arrives with its
 * newest lines; "Show earlier messages" asks for the page before them
 * (`history`) and they go on top, keeping the agent's scroll position.
 */

import { send } from './connection.js';
import { el, ui } from './dom.js';
import { conversation, state } from './state.js';
import { fromServer, renderTranscript } from './transcript.js';

/** Older lines stay on the server until asked for (docs/protocol.md). */
export function moreButton(conv) {
  const li = el('li', 'transcript-note');
  const button = el('button', 'link-button', 'Show earlier messages');
  button.type = 'button';
  button.addEventListener('click', () => {
    const first = conv.lines.find((l) => l.id != null);
    if (!first) return;
    button.disabled = true;
    send({ type: 'history', conversation_id: conv.id, before: Number(first.id) });
  });
  li.append(button);
  return li;
}

/** `history`: older lines of a conversation, above what is shown. */
export function onHistory(f) {
  const conv = conversation(f.conversation_id);
  const older = (Array.isArray(f.messages) ? f.messages : []).map(fromServer);
  conv.lines = older.concat(conv.lines);
  conv.moreHistory = f.more === true;
  if (state.shownId !== conv.id) return;
  const t = ui.transcript;
  const fromBottom = t.scrollHeight - t.scrollTop;
  renderTranscript(conv);
  t.scrollTop = t.scrollHeight - fromBottom;
}
