/*
 * The Admin area's state and its calls to the server
 * (web/console/admin/state.js): who is signed in (from `tandem:session`),
 * the open tab and team forms, handles on its elements, and `api`, which
 * calls an admin endpoint with the session's token.
 */

export const session = { token: null, name: null, role: null };

export const admin = {
  tab: 'team', // one of TABS
  team: [], // the latest GET /api/agents
  passwordFor: null, // name whose password form is open
  removing: null, // name whose removal awaits confirmation
  busy: false, // a team change is on its way
  returnFocus: null,
};

export const TABS = ['team', 'bot', 'reports'];

export const $ = (id) => document.getElementById(id);
export const ui = {};

for (const id of [
  'app', 'admin-open', 'admin-view', 'admin-close', 'admin-tab-team', 'admin-tab-bot',
  'admin-tab-reports', 'admin-panel-team', 'admin-panel-bot', 'admin-panel-reports', 'team-list', 'team-status', 'team-add-form',
  'team-add-name', 'team-add-password', 'team-add-role', 'team-add-submit', 'team-add-error',
  'team-password-form', 'team-password-title', 'team-password-input', 'team-password-cancel',
  'team-confirm', 'team-confirm-text', 'team-confirm-remove', 'team-confirm-cancel',
  'bot-refresh', 'bot-status', 'bot-errors', 'bot-warnings', 'bot-unmatched', 'bot-unmatched-empty',
  'reports-period', 'reports-refresh', 'reports-status', 'report-conversations', 'report-bot-alone',
  'report-bot-alone-share', 'report-to-person', 'report-reached-person', 'report-wait-median',
  'report-wait-p90', 'report-handling-median', 'report-handling-p90', 'report-csat-average', 'report-csat-count', 'report-unanswered', 'report-reasons',
  'report-reasons-empty', 'report-csat-distribution',
  'shortcut-admin-key', 'shortcut-admin-what', 'shortcuts-help',
]) {
  ui[id.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = $(id);
}

export const isAdmin = () => !!session.token && session.role === 'admin';

export const isOpen = () => !ui.adminView.hidden;

// Talking to the server.

/** Calls an admin endpoint; resolves to {ok, status, body}. */
export async function api(method, path, body) {
  const init = { method, headers: { Authorization: 'Bearer ' + session.token }, cache: 'no-store' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (_) {
    return { ok: false, status: 0, body: { message: 'Could not reach Tandem. Check your connection and try again.' } };
  }
  let parsed = null;
  try {
    parsed = res.status === 204 ? null : await res.json();
  } catch (_) {
    parsed = null;
  }
  if (res.status === 401) {
    parsed = { message: 'Your session has ended. Please sign in again.' };
  }
  return { ok: res.ok, status: res.status, body: parsed };
}

export const failure = (r) => (r.body && r.body.message) || 'That did not work (HTTP ' + r.status + ').';
