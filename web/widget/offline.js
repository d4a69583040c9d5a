/*
 * The leave-a-message form (web/widget/offline.js): shown after an `offline`
 * frame (outside business hours, or nobody signed in), honest about why,
 * and sent as `leave_message`.
 */

import { MAX_CHARS, charCount } from '../shared/limits.js';
import { clearHumanRequest } from './composer.js';
import { sendFrame } from './connection.js';
import { ui } from './dom.js';
import { renderAll } from './render.js';
import { state } from './state.js';
import { nearBottom, scrollToBottom } from './transcript.js';

/** What the `offline` notice says: honest about why nobody answers. */
function offlineNoticeText() {
  if (state.offlineReason === 'closed_hours') {
    const hours = typeof state.offlineHours === 'string' ? state.offlineHours.trim() : '';
    return 'Our team is away right now.' + (hours ? " We're here " + hours + '.' : '');
  }
  return "Nobody from our team is signed in right now. You can keep waiting, or leave your email and we'll write back.";
}

export function renderOffline() {
  ui.offline.hidden = state.offline === 'hidden';
  if (ui.offline.hidden) return;
  const thanks = state.offline === 'thanks';
  const notice = thanks ? '' : offlineNoticeText();
  if (ui.offlineNotice.textContent !== notice) ui.offlineNotice.textContent = notice;
  ui.offlineNotice.hidden = thanks;
  ui.offlineForm.hidden = thanks;
  ui.offlineThanks.hidden = !thanks;
  const thanksText = thanks ? "Thanks — we'll reply to " + state.offlineEmail + '.' : '';
  if (ui.offlineThanks.textContent !== thanksText) ui.offlineThanks.textContent = thanksText;
  ui.offlineDismiss.textContent = thanks ? 'Close' : 'Not now';
  // The thanks line gets its own close button: move the dismiss button there.
  if (thanks && ui.offlineDismiss.parentNode !== ui.offline) ui.offline.append(ui.offlineDismiss);
  if (!thanks && ui.offlineDismiss.parentNode === ui.offline) ui.offlineSubmit.before(ui.offlineDismiss);
  const sending = state.offline === 'sending';
  ui.offlineSubmit.disabled = sending || state.conn !== 'ready';
  ui.offlineSubmit.textContent = sending ? 'Sending…' : 'Leave message';
  ui.offlineEmail.readOnly = sending;
  ui.offlineText.readOnly = sending;
  ui.offlineError.hidden = !state.offlineError;
  if (ui.offlineError.textContent !== state.offlineError) ui.offlineError.textContent = state.offlineError;
  ui.offlineEmail.setAttribute('aria-invalid', String(!!state.offlineError));
}

export function onOffline(f) {
  state.offlineReason = f.reason === 'closed_hours' ? 'closed_hours' : 'no_agents';
  state.offlineHours = typeof f.hours === 'string' ? f.hours : null;
  // Already left a message on this page: keep the thanks rather than ask again.
  if (state.offline !== 'thanks' && state.offline !== 'sending') {
    state.offline = 'open';
    state.offlineError = '';
  }
  clearHumanRequest();
  renderAll();
  if (state.open && nearBottom()) scrollToBottom();
}

export function hideOffline() {
  if (state.offline === 'hidden') return;
  state.offline = 'hidden';
  state.offlineError = '';
}

export const OFFLINE_ERRORS = {
  invalid_field: 'Please check your email address',
  missing_field: 'Please fill in your email and a message',
  empty_message: 'Please write a message',
  too_large: 'That message is too long',
  rate_limited: 'Please try again in a moment',
  internal: 'Something went wrong on our side. Please try again',
};

function submitOffline(e) {
  if (e) e.preventDefault();
  if (state.offline !== 'open') return;
  const email = ui.offlineEmail.value.trim();
  const text = ui.offlineText.value.trim();
  let problem = '';
  if (!email) problem = 'Please enter your email';
  else if (!ui.offlineEmail.checkValidity()) problem = 'Please enter a valid email address';
  else if (!text) problem = 'Please write a message';
  else if (charCount(text) > MAX_CHARS) problem = 'That message is too long';
  if (problem) {
    state.offlineError = problem;
    renderOffline();
    (problem.indexOf('message') >= 0 ? ui.offlineText : ui.offlineEmail).focus();
    return;
  }
  if (!sendFrame({ type: 'leave_message', email, text })) {
    state.offlineError = 'Not connected. Please try again in a moment';
    renderOffline();
    return;
  }
  state.offline = 'sending';
  state.offlineEmail = email;
  state.offlineError = '';
  renderOffline();
}

/** The form sends; "Not now" puts it away; typing clears the error. */
export function wireOffline() {
  ui.offlineForm.addEventListener('submit', submitOffline);
  ui.offlineDismiss.addEventListener('click', () => {
    hideOffline();
    renderAll();
    ui.input.focus();
  });
  ui.offlineEmail.addEventListener('input', () => {
    if (state.offlineError) {
      state.offlineError = '';
      renderOffline();
    }
  });
}
