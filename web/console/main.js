/*
 * The agent console's entry (web/console/main.js), loaded by console.html
 * as <script type="module">. It wires the page's controls to the modules
 * and starts: signed in from this tab's session, or the sign-in form.
 *
 * The console speaks the agent side of docs/protocol.md: POST
 * /api/agent/login and /api/agent/logout over HTTP, then one websocket at
 * /ws/agent?token=… for the queue, conversations and replies. Shape: one
 * `state` object, frame handlers that change it, render functions that draw
 * it; chat text is always rendered with textContent, never as HTML.
 *
 * The modules, one concern each:
 *   state.js         the state object, storage keys, outbox and drafts
 *   dom.js           element handles, building and formatting helpers, toasts
 *   render.js        redraws everything
 *   session.js       signing in (and first-run setup) and out
 *   connection.js    the socket, reconnects, telling a dead session from a dead server
 *   frames.js        what each frame from the server does (`hello`, errors)
 *   queue.js         the queue list and new arrivals in it
 *   my-chats.js      the chats this agent holds
 *   offline.js       messages visitors left while nobody could answer
 *   conversation.js  the conversation view: status, reasons, rating, earlier chats
 *   transcript.js    its lines, and replies coming back acknowledged
 *   history.js       older lines, a page at a time
 *   composer.js      the reply box: replies and private notes, drafts
 *   canned.js        the `/` picker of canned replies
 *   typing.js        typing indicators, ours and the visitor's
 *   desk.js          claiming, transferring, handing back and closing chats
 *   presence.js      the top bar: connection, Available / Away, load
 *   alerts.js        the title, sound and desktop notifications for new chats
 *   shortcuts.js     keyboard shortcuts and their help
 *   admin/           the Admin area, for admins (admin/main.js)
 * and ../shared/ for what the widget uses too (limits, storage, the socket).
 */

import { read } from '../shared/storage.js';
import { startAdmin } from './admin/main.js';
import { askNotificationPermission, toggleMute, unlockAudio } from './alerts.js';
import { closePicker, pickerKeydown, updatePicker } from './canned.js';
import { onReplyInput, sendFromReplyBox, setComposeMode } from './composer.js';
import { claim, closeConversation, confirmTransfer, release, renderTransferPanel, toggleTransfer } from './desk.js';
import { ui } from './dom.js';
import { stepMyChats } from './my-chats.js';
import { toggleStatus } from './presence.js';
import { tickWaits } from './queue.js';
import { render } from './render.js';
import { checkSetup, login, signOut, startSession } from './session.js';
import { closeHelp, onShortcutKey, openHelp } from './shortcuts.js';
import { KEY_MUTED, KEY_NAME, KEY_TOKEN, localStore, sessionStore, state } from './state.js';

// The Admin area listens for the session first (see admin/main.js).
startAdmin();

ui.loginForm.addEventListener('submit', login);
ui.signout.addEventListener('click', signOut);
ui.claim.addEventListener('click', claim);
ui.closeConversation.addEventListener('click', closeConversation);
ui.replySend.addEventListener('click', sendFromReplyBox);
ui.replyInput.addEventListener('input', onReplyInput);
// The caret moved without typing (click, arrows): the `/query` may have changed.
ui.replyInput.addEventListener('click', updatePicker);
ui.replyInput.addEventListener('keyup', (e) => {
  if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') updatePicker();
});

ui.replyInput.addEventListener('blur', closePicker);
ui.statusToggle.addEventListener('click', toggleStatus);
ui.mute.addEventListener('click', toggleMute);
ui.enableNotifications.addEventListener('click', askNotificationPermission);
ui.shortcutsOpen.addEventListener('click', openHelp);
ui.shortcutsClose.addEventListener('click', closeHelp);
ui.shortcutsHelp.addEventListener('click', (e) => {
  if (e.target === ui.shortcutsHelp) closeHelp(); // the backdrop
});

ui.shortcutsHelp.addEventListener('keydown', (e) => {
  if (e.key === 'Tab') {
    e.preventDefault(); // one control in the dialog: keep the focus in it
    ui.shortcutsClose.focus();
  }
});

document.addEventListener('keydown', onShortcutKey);
// Audio may only start after a gesture: get it ready on the first one.
document.addEventListener('pointerdown', unlockAudio, true);
document.addEventListener('keydown', unlockAudio, true);
ui.transfer.addEventListener('click', toggleTransfer);
ui.transferPanel.addEventListener('submit', confirmTransfer);
ui.transferCancel.addEventListener('click', () => {
  state.transferOpen = false;
  renderTransferPanel();
  ui.transfer.focus();
});

ui.release.addEventListener('click', release);
ui.modeReply.addEventListener('click', () => setComposeMode('reply'));
ui.modeNote.addEventListener('click', () => setComposeMode('note'));
ui.replyInput.addEventListener('keydown', (e) => {
  if (pickerKeydown(e)) return; // the canned picker has Up/Down/Enter/Tab/Esc
  // Enter and Ctrl/Cmd+Enter send; Shift+Enter is a new line. isComposing:
  // Enter also confirms IME input. Alt+Enter sends and moves to the next chat.
  if (e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
  e.preventDefault();
  const sent = sendFromReplyBox();
  if (sent && e.altKey && state.mine.length > 1) stepMyChats(1);
});

setInterval(tickWaits, 15000);
state.muted = read(localStore, KEY_MUTED) === '1';
ui.shortcutsOpen.setAttribute('aria-expanded', 'false');

const storedToken = read(sessionStore, KEY_TOKEN);
if (storedToken) {
  startSession(storedToken, read(sessionStore, KEY_NAME));
} else {
  render();
  ui.loginName.focus();
  checkSetup();
}
