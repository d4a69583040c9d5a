/*
 * Tandem console: the Admin area (web/console-admin.js), loaded by
 * console.html after console.js.
 *
 * For admins only: the header's "Admin" button (and Shift+A) opens a dialog
 * with three panels. Team: the accounts, adding one, resetting a password,
 * removing one. Bot: whether the intent files on disk are live (or the
 * file:line problems of a refused edit) and the questions the bot could not
 * answer in the last 7 days. Reports: the owner's figures for the last 24
 * hours, 7 or 30 days (GET /api/reports). It speaks the admin HTTP endpoints of
 * docs/protocol.md with the console's token; the server checks the role on
 * every request, this file only decides what to show.
 *
 * console.js tells this file who is signed in with a `tandem:session` event
 * on `document` ({token, name, role}, or a null token on sign-out). Kept in
 * its own file so the chat console and the owner's tools change apart.
 * Every piece of data is rendered with textContent, never as HTML.
 */
(function () {
  'use strict';

  const UNMATCHED_SINCE = '7d';
  const UNMATCHED_SHOWN = 20;

  const session = { token: null, name: null, role: null };
  const admin = {
    tab: 'team', // one of TABS
    team: [], // the latest GET /api/agents
    passwordFor: null, // name whose password form is open
    removing: null, // name whose removal awaits confirmation
    busy: false, // a team change is on its way
    returnFocus: null,
  };

  const TABS = ['team', 'bot', 'reports'];
  const REASONS_SHOWN = 8;

  const $ = (id) => document.getElementById(id);
  const ui = {};
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

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text; // text only, never HTML
    return node;
  }

  const isAdmin = () => !!session.token && session.role === 'admin';
  const isOpen = () => !ui.adminView.hidden;

  // ---------------------------------------------------------------------------
  // Talking to the server.

  /** Calls an admin endpoint; resolves to {ok, status, body}. */
  async function api(method, path, body) {
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

  const failure = (r) => (r.body && r.body.message) || 'That did not work (HTTP ' + r.status + ').';

  // ---------------------------------------------------------------------------
  // Opening and closing.

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

  // ---------------------------------------------------------------------------
  // Team.

  function teamStatus(text, tone) {
    ui.teamStatus.textContent = text || '';
    ui.teamStatus.dataset.tone = tone || 'ok';
    ui.teamStatus.hidden = !text;
  }

  async function loadTeam() {
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

  function renderTeam() {
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

  async function addAgent(event) {
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

  async function setPassword(event) {
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

  async function confirmRemove() {
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

  // ---------------------------------------------------------------------------
  // Bot.

  async function loadBot() {
    const [status, unmatched] = await Promise.all([
      api('GET', '/api/intents/status'),
      api('GET', '/api/intents/unmatched?since=' + UNMATCHED_SINCE),
    ]);
    renderBotStatus(status);
    renderUnmatched(unmatched);
  }

  function renderBotStatus(r) {
    ui.botErrors.replaceChildren();
    ui.botWarnings.replaceChildren();
    if (!r.ok || !r.body) {
      ui.botStatus.dataset.state = 'unknown';
      ui.botStatus.textContent = failure(r);
      return;
    }
    const s = r.body;
    const errors = Array.isArray(s.errors) ? s.errors : [];
    const warnings = Array.isArray(s.warnings) ? s.warnings : [];
    const loaded = new Date(s.loaded_at);
    const when = isNaN(loaded) ? '' : ' since ' + loaded.toLocaleString();
    if (errors.length) {
      ui.botStatus.dataset.state = 'broken';
      ui.botStatus.textContent =
        'Your last edit was refused: the bot still answers from the previous ' + s.intents +
        ' intents' + when + '. Fix these and save again:';
    } else {
      ui.botStatus.dataset.state = 'live';
      ui.botStatus.textContent = 'Live: the bot answers from the ' + s.intents + ' intents on disk' + when + '.';
    }
    for (const e of errors) ui.botErrors.append(el('li', 'bot-problem', e));
    for (const w of warnings) ui.botWarnings.append(el('li', 'bot-problem', w));
    ui.botErrors.hidden = !errors.length;
    ui.botWarnings.hidden = !warnings.length;
  }

  function renderUnmatched(r) {
    ui.botUnmatched.replaceChildren();
    if (!r.ok || !Array.isArray(r.body)) {
      ui.botUnmatchedEmpty.textContent = failure(r);
      ui.botUnmatchedEmpty.hidden = false;
      return;
    }
    const groups = r.body.slice(0, UNMATCHED_SHOWN);
    ui.botUnmatchedEmpty.textContent = 'No unanswered questions in the last 7 days.';
    ui.botUnmatchedEmpty.hidden = groups.length > 0;
    for (const g of groups) {
      const li = el('li', 'unmatched-group');
      const count = el('span', 'count unmatched-count', String(g.count));
      count.title = g.count === 1 ? 'asked once' : 'asked ' + g.count + ' times';
      const text = el('div', 'unmatched-text');
      text.append(el('span', 'unmatched-example', g.example));
      const variants = Array.isArray(g.variants) ? g.variants : [];
      if (variants.length) text.append(el('span', 'unmatched-variants', 'also: ' + variants.join(' · ')));
      const nearest = g.nearest_intent;
      if (nearest && typeof nearest.name === 'string') {
        const hint = el('span', 'unmatched-nearest', 'nearest intent: ' + nearest.name);
        hint.title = 'similarity ' + Number(nearest.similarity).toFixed(2) +
          ': add these wordings as its examples, or write a new intent';
        text.append(hint);
      }
      li.append(count, text);
      ui.botUnmatched.append(li);
    }
  }

  // ---------------------------------------------------------------------------
  // Reports.

  const plural = (n, one, many) => n + ' ' + (n === 1 ? one : many);

  /** "42 s", "3 min", "1 h 5 min"; "–" without a figure. */
  function duration(seconds) {
    if (typeof seconds !== 'number') return '–';
    if (seconds < 60) return seconds + ' s';
    const minutes = Math.round(seconds / 60);
    if (minutes < 60) return minutes + ' min';
    const rest = minutes % 60;
    return Math.floor(minutes / 60) + ' h' + (rest ? ' ' + rest + ' min' : '');
  }

  const percent = (share) => (share && typeof share.percent === 'number' ? share.percent + '%' : '');

  async function loadReports() {
    const since = ui.reportsPeriod.value || '7d';
    ui.adminPanelReports.setAttribute('aria-busy', 'true');
    const r = await api('GET', '/api/reports?since=' + encodeURIComponent(since));
    ui.adminPanelReports.removeAttribute('aria-busy');
    if (since !== ui.reportsPeriod.value) return; // the period changed meanwhile
    renderReport(r);
  }

  function renderReport(r) {
    const ok = r.ok && r.body && typeof r.body.conversations === 'number';
    ui.reportsStatus.textContent = ok ? '' : failure(r);
    ui.reportsStatus.hidden = ok;
    const rep = ok ? r.body : null;
    const bot = (rep && rep.bot_alone) || {};
    const person = (rep && rep.to_person) || {};
    const wait = (rep && rep.wait) || {};
    const handling = (rep && rep.handling) || {};
    const csat = (rep && rep.csat) || {};
    ui.reportConversations.textContent = rep ? String(rep.conversations) : '–';
    ui.reportBotAlone.textContent = rep ? String(bot.count) : '–';
    ui.reportBotAloneShare.textContent = percent(bot) && percent(bot) + ' of conversations';
    ui.reportToPerson.textContent = rep ? String(person.count) : '–';
    ui.reportReachedPerson.textContent = rep && person.count
      ? (percent(person) + ' of conversations; ' + rep.reached_person + ' taken by a person')
      : '';
    ui.reportWaitMedian.textContent = duration(wait.median_seconds);
    ui.reportWaitP90.textContent = typeof wait.p90_seconds === 'number'
      ? '9 in 10 within ' + duration(wait.p90_seconds) + ' (' + plural(wait.count, 'chat', 'chats') + ')'
      : '';
    ui.reportHandlingMedian.textContent = duration(handling.median_seconds);
    ui.reportHandlingP90.textContent = typeof handling.p90_seconds === 'number'
      ? '9 in 10 within ' + duration(handling.p90_seconds) + ' (' + plural(handling.count, 'chat', 'chats') + ')'
      : '';
    ui.reportCsatAverage.textContent = typeof csat.average === 'number' ? csat.average.toFixed(1) : '–';
    ui.reportCsatCount.textContent = rep ? plural(csat.count || 0, 'rating', 'ratings') : '';
    ui.reportUnanswered.textContent = rep ? String(rep.unanswered_questions) : '–';

    const reasons = rep && Array.isArray(rep.reasons) ? rep.reasons.slice(0, REASONS_SHOWN) : [];
    const reasonMax = Math.max(1, ...reasons.map((x) => x.count));
    ui.reportReasons.replaceChildren(
      ...reasons.map((x) => bar(x.label || x.code, x.count, reasonMax, x.example && 'For example: ' + x.example, x.code)),
    );
    ui.reportReasonsEmpty.hidden = !rep || reasons.length > 0;

    const dist = rep && Array.isArray(csat.distribution) ? csat.distribution : [0, 0, 0, 0, 0];
    const distMax = Math.max(1, ...dist);
    const rows = [];
    for (let score = 5; score >= 1; score--) {
      rows.push(bar(score + (score === 1 ? ' star' : ' stars'), dist[score - 1] || 0, distMax, null, String(score)));
    }
    ui.reportCsatDistribution.replaceChildren(...rows);
  }

  /** One row of a bar list: label, a CSS bar as long as count / max, count. */
  function bar(label, count, max, title, key) {
    const li = el('li', 'report-bar');
    li.dataset.key = key;
    const name = el('span', 'report-bar-label', label);
    if (title) name.title = title;
    const track = el('span', 'report-bar-track');
    track.setAttribute('aria-hidden', 'true');
    const fill = el('span', 'report-bar-fill');
    fill.style.width = Math.round((count / max) * 100) + '%';
    track.append(fill);
    li.append(name, track, el('span', 'report-bar-count', String(count)));
    return li;
  }

  // ---------------------------------------------------------------------------
  // Keyboard: Shift+A opens and closes; while open, Esc closes and the
  // console's letter shortcuts do not act behind the dialog.

  /** A text field has the keys (console.js decides what counts as one). */
  const inTextField = (target) => window.tandemConsole.inTextField(target);

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

  // ---------------------------------------------------------------------------
  // Wiring.

  document.addEventListener('tandem:session', (e) => {
    const d = e.detail || {};
    session.token = d.token || null;
    session.name = d.name || null;
    session.role = d.role || null;
    if (!session.token) admin.team = [];
    renderEntry();
  });
  document.addEventListener('keydown', onKey, true); // before console.js's own shortcuts
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
})();
