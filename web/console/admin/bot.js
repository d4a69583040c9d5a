/*
 * The Admin area's Bot panel (web/console/admin/bot.js): whether the intent
 * files on disk are live (or the file:line problems of a refused edit), and
 * the questions the bot could not answer in the last 7 days.
 */

import { el } from '../dom.js';
import { api, failure, ui } from './state.js';

const UNMATCHED_SINCE = '7d';
const UNMATCHED_SHOWN = 20;

export async function loadBot() {
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
