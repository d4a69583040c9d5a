/*
 * The Admin area's Team panel (web/console/admin/team.js): the accounts,
 * adding one, resetting a password, removing one (confirmed first; never
 * oneself).
 */

import { el } from '../dom.js';
import { admin, api, failure, session, ui } from './state.js';

function teamStatus(text, tone) {
  ui.teamStatus.textContent = text || '';
  ui.teamStatus.dataset.tone = tone || 'ok';
  ui.teamStatus.hidden = !text;
}

export async function loadTeam() {
  const r = await api('GET', '/api/agents');
  if (!r.ok || !Array.isArray(r.body)) {
    teamStatus(failure(r), 'error');
    return;
  }
  admin.team = r.body;
  renderTeam();
}

function formatDate(iso) {
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleDateString([], { year: 'numeric', month: 'short', day: 'numeric' });
}

export function renderTeam() {
  ui.teamList.replaceChildren();
  for (const m of admin.team) {
    const li = el('li', 'team-member');
    li.dataset.name = m.name;
    const who = el('div', 'team-who');
    const avatar = el('span', 'agent-avatar', String(m.name).charAt(0).toUpperCase());
    avatar.setAttribute('aria-hidden', 'true');
    const name = el('span', 'team-name', m.name);
    const role = el('span', 'pill team-role', m.role === 'admin' ? 'Admin' : 'Agent');
    role.dataset.role = m.role;
    who.append(avatar, name, role);
    if (m.name === session.name) who.append(el('span', 'team-you', '(you)'));
    const meta = el('div', 'team-meta');
    const online = el('span', 'team-online', m.online ? 'Online' : 'Offline');
    online.dataset.online = String(!!m.online);
    meta.append(online, el('span', 'team-created', 'Added ' + formatDate(m.created_at)));
    const actions = el('div', 'team-actions');
    const reset = el('button', 'btn btn-quiet team-reset', 'Reset password');
    reset.type = 'button';
    reset.addEventListener('click', () => askPassword(m.name));
    const remove = el('button', 'btn btn-quiet team-remove', 'Remove');
    remove.type = 'button';
    remove.disabled = m.name === session.name || admin.busy;
    if (m.name === session.name) remove.title = 'You cannot remove your own account';
    remove.addEventListener('click', () => askRemove(m.name));
    actions.append(reset, remove);
    li.append(who, meta, actions);
    ui.teamList.append(li);
  }
  ui.teamPasswordForm.hidden = !admin.passwordFor;
  if (admin.passwordFor) ui.teamPasswordTitle.textContent = 'New password for ' + admin.passwordFor;
  ui.teamConfirm.hidden = !admin.removing;
  if (admin.removing) {
    ui.teamConfirmText.textContent =
      'Remove ' + admin.removing + '? They are signed out at once and can no longer sign in. ' +
      'Their past replies keep their name.';
  }
  ui.teamConfirmRemove.disabled = admin.busy;
  ui.teamAddSubmit.disabled = admin.busy;
}

export async function addAgent(event) {
  event.preventDefault();
  const name = ui.teamAddName.value.trim();
  const password = ui.teamAddPassword.value;
  const role = ui.teamAddRole.value === 'admin' ? 'admin' : 'agent';
  ui.teamAddError.hidden = true;
  if (!name || !password) {
    ui.teamAddError.textContent = 'Enter a name and a password.';
    ui.teamAddError.hidden = false;
    return;
  }
  admin.busy = true;
  renderTeam();
  const r = await api('POST', '/api/agents', { name, password, role });
  admin.busy = false;
  if (!r.ok) {
    ui.teamAddError.textContent = failure(r);
    ui.teamAddError.hidden = false;
    renderTeam();
    return;
  }
  ui.teamAddName.value = '';
  ui.teamAddPassword.value = '';
  ui.teamAddRole.value = 'agent';
  teamStatus(name + ' can now sign in' + (role === 'admin' ? ' as an admin.' : '.'));
  await loadTeam();
  ui.teamAddName.focus();
}

function askPassword(name) {
  admin.passwordFor = name;
  admin.removing = null;
  ui.teamPasswordInput.value = '';
  renderTeam();
  ui.teamPasswordInput.focus();
}

export async function setPassword(event) {
  event.preventDefault();
  const name = admin.passwordFor;
  if (!name) return;
  admin.busy = true;
  const r = await api('POST', '/api/agents/' + encodeURIComponent(name) + '/password', {
    password: ui.teamPasswordInput.value,
  });
  admin.busy = false;
  if (!r.ok) {
    teamStatus(failure(r), 'error');
    renderTeam();
    return;
  }
  admin.passwordFor = null;
  ui.teamPasswordInput.value = '';
  teamStatus('Password of ' + name + ' changed; their open consoles were signed out.');
  await loadTeam();
}

function askRemove(name) {
  admin.removing = name;
  admin.passwordFor = null;
  renderTeam();
  ui.teamConfirmCancel.focus();
}

export async function confirmRemove() {
  const name = admin.removing;
  if (!name) return;
  admin.busy = true;
  renderTeam();
  const r = await api('DELETE', '/api/agents/' + encodeURIComponent(name));
  admin.busy = false;
  admin.removing = null;
  if (!r.ok) teamStatus(failure(r), 'error');
  else teamStatus(name + ' was removed and signed out.');
  await loadTeam();
}
