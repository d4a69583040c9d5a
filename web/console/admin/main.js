/*
 * The console's Admin area (web/console/admin/main.js); console/main.js
 * calls `startAdmin` first.
 *
 * For admins only: the header's "Admin" button (and Shift+A) opens a dialog
 * with three panels: Team (team.js), Bot (bot.js) and Reports (reports.js).
 * They speak the admin HTTP endpoints of docs/protocol.md with the console's
 * token (state.js); the server checks the role on every request, these
 * files only decide what to show. This file opens and closes the dialog,
 * switches tabs and owns its keys.
 *
 * The console tells the Admin area who is signed in with a `tandem:session`
 * event on `document` ({token, name, role}, or a null token on sign-out),
 * so the chat console and the owner's tools change apart. Every piece of
 * data is rendered with textContent, never as HTML.
 */

import { inTextField } from '../shortcuts.js';
import { loadBot } from './bot.js';
import { loadReports } from './reports.js';
import { $, TABS, admin, isAdmin, isOpen, session, ui } from './state.js';
import { addAgent, confirmRemove, loadTeam, renderTeam, setPassword } from './team.js';

function renderEntry() {
  const show = isAdmin();
  ui.adminOpen.hidden = !show;
  ui.shortcutAdminKey.hidden = !show;
  ui.shortcutAdminWhat.hidden = !show;
  if (!show && isOpen()) close();
}

function open() {
  if (!isAdmin() || isOpen()) return;
  admin.returnFocus = document.activeElement;
  ui.adminView.hidden = false;
  ui.adminOpen.setAttribute('aria-expanded', 'true');
  selectTab(admin.tab, true);
}

function close() {
  if (!isOpen()) return;
  ui.adminView.hidden = true;
  ui.adminOpen.setAttribute('aria-expanded', 'false');
  admin.passwordFor = null;
  admin.removing = null;
  const back = admin.returnFocus;
  admin.returnFocus = null;
  if (back && document.contains(back) && back.focus) back.focus();
}

const tabButton = (tab) => $('admin-tab-' + tab);

const tabPanel = (tab) => $('admin-panel-' + tab);

function selectTab(tab, focusTab) {
  admin.tab = tab;
  for (const t of TABS) {
    const selected = t === tab;
    tabButton(t).setAttribute('aria-selected', String(selected));
    tabButton(t).tabIndex = selected ? 0 : -1;
    tabPanel(t).hidden = !selected;
  }
  if (focusTab) tabButton(tab).focus();
  if (tab === 'team') loadTeam();
  else if (tab === 'bot') loadBot();
  else loadReports();
}

// Keyboard: Shift+A opens and closes; while open, Esc closes and the
// console's letter shortcuts do not act behind the dialog.

function onKey(e) {
  if (!isAdmin() || ui.app.hidden || e.defaultPrevented || e.isComposing) return;
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (!ui.shortcutsHelp.hidden) return; // the shortcuts list is on top: it has the keys
  if (!isOpen()) {
    if (e.key === 'A' && !inTextField(e.target)) {
      open();
      e.preventDefault();
    }
    return;
  }
  if (e.key === 'Escape') {
    if (inTextField(e.target)) e.target.blur();
    else close();
    e.preventDefault(); // handled here; the console's Esc must not act too
    return;
  }
  if (inTextField(e.target) || e.key === '?') return;
  if (e.key === 'A') {
    close();
    e.preventDefault();
  } else if (/^[a-z/]$/.test(e.key)) {
    e.preventDefault(); // j, k, c, … would act on the console behind the dialog
  }
}

/** Wires the Admin area into the console; console/main.js calls it first. */
export function startAdmin() {
  document.addEventListener('tandem:session', (e) => {
    const d = e.detail || {};
    session.token = d.token || null;
    session.name = d.name || null;
    session.role = d.role || null;
    if (!session.token) admin.team = [];
    renderEntry();
  });
  document.addEventListener('keydown', onKey, true); // before the console's own shortcuts
  ui.adminOpen.addEventListener('click', () => (isOpen() ? close() : open()));
  ui.adminClose.addEventListener('click', close);
  ui.adminView.addEventListener('click', (e) => {
    if (e.target === ui.adminView) close(); // the backdrop
  });
  ui.adminView.addEventListener('keydown', (e) => {
    // A modal dialog: Tab cycles through its own controls, not the console's.
    if (e.key !== 'Tab') return;
    const controls = Array.from(ui.adminView.querySelectorAll('button, input, select, [tabindex="0"]')).filter(
      (c) => !c.disabled && c.tabIndex >= 0 && c.offsetParent !== null,
    );
    if (!controls.length) return;
    const first = controls[0];
    const last = controls[controls.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      last.focus();
      e.preventDefault();
    } else if (!e.shiftKey && document.activeElement === last) {
      first.focus();
      e.preventDefault();
    }
  });
  for (const t of TABS) {
    tabButton(t).addEventListener('click', () => selectTab(t));
    tabButton(t).addEventListener('keydown', (e) => {
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        const step = e.key === 'ArrowRight' ? 1 : TABS.length - 1;
        selectTab(TABS[(TABS.indexOf(admin.tab) + step) % TABS.length], true);
        e.preventDefault();
      }
    });
  }
  ui.teamAddForm.addEventListener('submit', addAgent);
  ui.teamPasswordForm.addEventListener('submit', setPassword);
  ui.teamPasswordCancel.addEventListener('click', () => {
    admin.passwordFor = null;
    renderTeam();
  });
  ui.teamConfirmRemove.addEventListener('click', confirmRemove);
  ui.teamConfirmCancel.addEventListener('click', () => {
    admin.removing = null;
    renderTeam();
  });
  ui.botRefresh.addEventListener('click', loadBot);
  ui.reportsPeriod.addEventListener('change', loadReports);
  ui.reportsRefresh.addEventListener('click', loadReports);
  ui.adminOpen.setAttribute('aria-expanded', 'false');
  renderEntry();
}
