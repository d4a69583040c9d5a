/*
 * The survey after a person closed the chat (web/widget/rating.js): one to
 * five stars and an optional comment, sent as `rate`.
 */

import { charCount } from '../shared/limits.js';
import { sendFrame } from './connection.js';
import { ui } from './dom.js';
import { showNotice } from './render.js';
import { state } from './state.js';

const MAX_COMMENT_CHARS = 1000; // the server's limit on a rating's comment

export function renderSurvey() {
  ui.survey.hidden = state.survey === 'hidden';
  const thanks = state.survey === 'thanks';
  ui.surveyForm.hidden = thanks;
  ui.surveyThanks.hidden = !thanks;
  for (const b of ui.surveyStars) {
    const n = Number(b.dataset.score);
    b.setAttribute('aria-pressed', String(n === state.surveyScore));
    b.dataset.lit = String(n <= state.surveyScore);
  }
  const sending = state.survey === 'sending';
  ui.surveySubmit.disabled = !state.surveyScore || sending || state.conn !== 'ready';
  ui.surveySubmit.textContent = sending ? 'Sending…' : 'Send rating';
  ui.surveyHint.textContent = state.surveyScore ? state.surveyScore + ' of 5' : '';
}

export function hideSurvey() {
  state.survey = 'hidden';
  state.surveyScore = 0;
}

function submitSurvey() {
  if (!state.surveyScore || state.survey !== 'open') return;
  const comment = ui.surveyComment.value.trim();
  if (charCount(comment) > MAX_COMMENT_CHARS) {
    showNotice('Please keep the comment under ' + MAX_COMMENT_CHARS.toLocaleString() + ' characters');
    return;
  }
  const frame = { type: 'rate', score: state.surveyScore };
  if (comment) frame.comment = comment;
  if (!sendFrame(frame)) {
    showNotice('Not connected. Please try again in a moment');
    return;
  }
  state.survey = 'sending';
  renderSurvey();
}

/** Stars pick a score; the button sends it. */
export function wireRating() {
  for (const b of ui.surveyStars) {
    b.addEventListener('click', () => {
      state.surveyScore = Number(b.dataset.score);
      renderSurvey();
    });
  }
  ui.surveySubmit.addEventListener('click', submitSurvey);
}
