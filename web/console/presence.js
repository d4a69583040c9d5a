/*
 * The top bar (web/console/presence.js): who is signed in, the connection,
 * this agent's status (Available / Away, kept across reconnects) and load,
 * and who else is online (the `agents` frame).
 */

import { write } from '../shared/storage.js';
import { renderNotifyControls } from './alerts.js';
import { send } from './connection.js';
import { renderTransferPanel } from './desk.js';
import { ui } from './dom.js';
import { KEY_WANT_STATUS, sessionStore, state } from './state.js';

export function renderTopbar() {
  const name = state.me || '';
  ui.agentName.textContent = name;
  ui.agentAvatar.textContent = name.charAt(0).toUpperCase();
  const labels = { ready: 'Connected', retrying: 'Reconnecting…', connecting: 'Connecting…', idle: 'Offline' };
  const label = state.conn === 'connecting' && state.attempt > 0 ? 'Reconnecting…' : labels[state.conn];
  if (ui.connectionStatus.textContent !== label) ui.connectionStatus.textContent = label;
  ui.connectionStatus.dataset.state = state.conn === 'ready' ? 'connected' : 'reconnecting';
  ui.agentName.title = state.role === 'admin' ? 'Signed in as ' + name + ' (admin)' : '';
  renderPresence();
  renderNotifyControls();
}

/** My status (the server's view, or what I just asked for) and my load. */
function renderPresence() {
  // While a change is on its way, show where it is going, marked "…".
  const pending = state.statusPending && state.wantStatus !== state.myStatus;
  const status = (pending ? state.wantStatus : state.myStatus) || 'available';
  const away = status === 'away';
  ui.statusToggle.dataset.status = status;
  ui.statusToggle.setAttribute('aria-pressed', String(away));
  const label = (away ? 'Away' : 'Available') + (pending ? '…' : '');
  if (ui.statusToggle.textContent !== label) ui.statusToggle.textContent = label;
  ui.statusToggle.title = away
    ? 'You get no new chats. Click to become Available (a)'
    : 'You get new chats. Click to go Away (a)';
  ui.statusToggle.disabled = state.conn !== 'ready';
  const load = state.myLoad;
  ui.myLoad.hidden = !load;
  if (load) {
    ui.myLoad.textContent = load.max != null ? load.chats + '/' + load.max + ' chats' : load.chats + ' chats';
    ui.myLoad.dataset.full = String(load.max != null && load.chats >= load.max);
  }
}

export function onAgents(f) {
  const online = Array.isArray(f.online) ? f.online : [];
  state.online = online.map((a) => a && a.name).filter((n) => typeof n === 'string');
  const me = online.find((a) => a && a.name === state.me);
  if (me) {
    if (me.status === 'available' || me.status === 'away') {
      state.myStatus = me.status;
      if (me.status === state.wantStatus) state.statusPending = false;
      else if (!state.statusPending) {
        // Changed elsewhere (another tab): that is the agent's choice now.
        state.wantStatus = me.status;
        write(sessionStore, KEY_WANT_STATUS, me.status);
      }
    }
    const chats = Number(me.chats);
    const max = me.max_chats == null ? null : Number(me.max_chats);
    state.myLoad = isFinite(chats) ? { chats, max: isFinite(max) ? max : null } : null;
  }
  renderTransferPanel();
  renderPresence();
}

export function toggleStatus() {
  const pending = state.statusPending && state.wantStatus !== state.myStatus;
  const current = (pending ? state.wantStatus : state.myStatus) || 'available';
  const next = current === 'away' ? 'available' : 'away';
  if (!send({ type: 'status', status: next })) return;
  state.wantStatus = next;
  state.statusPending = true;
  write(sessionStore, KEY_WANT_STATUS, next);
  renderPresence();
}
