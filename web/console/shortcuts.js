/*
 * Keyboard shortcuts (web/console/shortcuts.js) and their help dialog (?).
 * Letters act only outside text fields; Esc leaves one.
 */

import { toggleMute } from './alerts.js';
import { focusComposer } from './composer.js';
import { openConversation } from './conversation.js';
import { claim, renderTransferPanel, toggleTransfer } from './desk.js';
import { ui } from './dom.js';
import { stepMyChats } from './my-chats.js';
import { toggleStatus } from './presence.js';
import { isMine, state } from './state.js';

export function inTextField(target) {
  if (!target || !target.tagName) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
}

function helpOpen() {
  return !ui.shortcutsHelp.hidden;
}

let helpReturnFocus = null;

export function openHelp() {
  if (helpOpen()) return;
  helpReturnFocus = document.activeElement;
  ui.shortcutsHelp.hidden = false;
  ui.shortcutsOpen.setAttribute('aria-expanded', 'true');
  ui.shortcutsClose.focus();
}

export function closeHelp() {
  if (!helpOpen()) return;
  ui.shortcutsHelp.hidden = true;
  ui.shortcutsOpen.setAttribute('aria-expanded', 'false');
  if (helpReturnFocus && document.contains(helpReturnFocus) && helpReturnFocus.focus) helpReturnFocus.focus();
  helpReturnFocus = null;
}

export function onShortcutKey(e) {
  if (!state.token || ui.app.hidden || e.defaultPrevented || e.isComposing) return;
  if (e.key === 'Escape') {
    if (helpOpen()) {
      closeHelp();
      e.preventDefault();
    } else if (state.transferOpen && ui.transferPanel.contains(e.target)) {
      state.transferOpen = false;
      renderTransferPanel();
      ui.transfer.focus();
      e.preventDefault();
    } else if (inTextField(e.target)) {
      e.target.blur();
      e.preventDefault();
    }
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey || inTextField(e.target)) return;
  if (helpOpen()) {
    if (e.key === '?') {
      closeHelp();
      e.preventDefault();
    }
    return; // a dialog is up: the console behind it does not react
  }
  const conv = state.currentId && state.convs.get(state.currentId);
  let handled = true;
  switch (e.key) {
    case '?':
      openHelp();
      break;
    case 'j':
      handled = stepMyChats(1);
      break;
    case 'k':
      handled = stepMyChats(-1);
      break;
    case 'q':
      if (state.queue.length) openConversation(state.queue[0].conversation_id);
      else handled = false;
      break;
    case 'c':
      if (conv && conv.status === 'queued' && !ui.claim.hidden && !ui.claim.disabled) claim();
      else handled = false;
      break;
    case 'r':
      handled = focusComposer('reply');
      break;
    case 'n':
      handled = focusComposer('note');
      break;
    case 't':
      if (isMine(conv) && !ui.transfer.disabled) toggleTransfer();
      else handled = false;
      break;
    case 'a':
      toggleStatus();
      break;
    case 'm':
      toggleMute();
      break;
    default:
      handled = false;
  }
  if (handled) e.preventDefault(); // e.g. `r` must not type an "r" into the box it focused
}
