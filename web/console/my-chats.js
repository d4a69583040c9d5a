/*
 * The chats this agent holds (web/console/my-chats.js): the "My chats"
 * list with unread counts, and stepping through it (j / k).
 */

import { showConversation } from './conversation.js';
import { el, keepFocus, ui } from './dom.js';
import { conversation, conversationName, state } from './state.js';

function lastVisitorText(conv) {
  for (let i = conv.lines.length - 1; i >= 0; i--) {
    if (conv.lines[i].from === 'visitor') return conv.lines[i].text;
  }
  return '';
}

export function renderMyChats() {
  ui.myChatsCount.textContent = String(state.mine.length);
  keepFocus(ui.myChats, () => {
    ui.myChats.textContent = '';
    if (state.mine.length === 0) {
      ui.myChats.append(el('li', 'list-empty', 'Claim a conversation from the queue to start.'));
      return;
    }
    for (const id of state.mine) {
      const conv = conversation(id);
      const li = el('li');
      const b = el('button', 'chat-tab');
      b.type = 'button';
      b.dataset.conversationId = id;
      if (id === state.currentId) {
        b.classList.add('is-current');
        b.setAttribute('aria-current', 'true');
      }
      const top = el('span', 'chat-tab-top');
      top.append(el('span', 'chat-tab-name', conversationName(id)));
      if (conv.unread > 0) {
        const dot = el('span', 'unread', String(conv.unread));
        dot.setAttribute('aria-label', conv.unread + ' unread');
        top.append(dot);
      }
      b.append(top, el('span', 'chat-tab-preview', lastVisitorText(conv) || 'No messages yet'));
      b.addEventListener('click', () => showConversation(id));
      li.append(b);
      ui.myChats.append(li);
    }
  });
}

/** Next (+1) or previous (-1) chat in My chats, wrapping around. */
export function stepMyChats(dir) {
  const list = state.mine;
  if (!list.length) return false;
  const at = list.indexOf(state.currentId);
  const next = at < 0 ? (dir > 0 ? 0 : list.length - 1) : (at + dir + list.length) % list.length;
  showConversation(list[next]);
  return true;
}
