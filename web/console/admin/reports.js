/*
 * The Admin area's Reports panel (web/console/admin/reports.js): the owner's
 * figures for the last 24 hours, 7 or 30 days (GET /api/reports), with bar
 * lists drawn in CSS.
 */

import { el } from '../dom.js';
import { api, failure, ui } from './state.js';

const REASONS_SHOWN = 8;

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

export async function loadReports() {
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
