/*
 * Telling the agent something happened (web/console/alerts.js): the tab
 * title (queue count, blinking in a background tab), a short beep, and
 * desktop notifications, for new chats in the queue and chats that came to
 * this agent.
 */

import { write } from '../shared/storage.js';
import { openConversation } from './conversation.js';
import { ui } from './dom.js';
import { KEY_MUTED, localStore, state } from './state.js';

const BASE_TITLE = 'Tandem console';

export function renderNotifyControls() {
  ui.mute.setAttribute('aria-pressed', String(state.muted));
  ui.mute.textContent = state.muted ? 'Sound off' : 'Sound on';
  ui.mute.title = state.muted ? 'Unmute the sound for new chats (m)' : 'Mute the sound for new chats (m)';
  ui.enableNotifications.hidden = !('Notification' in window) || Notification.permission !== 'default';
}

function titleText() {
  const n = state.queueTotal;
  return (n ? '(' + n + ') ' : '') + BASE_TITLE;
}

export function renderTitle() {
  // While flashing, flashTitle owns document.title and restores it on stop.
  if (!state.titleFlash) document.title = titleText();
}

// New arrivals in the queue. One entry point, so desktop notifications or a
// sound can be added here later without touching the frame handling.

export function notifyArrivals(entries) {
  const now = Date.now();
  for (const entry of entries) state.freshIds.set(entry.conversation_id, now);
  // In view, the highlight in the queue is enough; in a background tab,
  // blink the title so the agent notices from elsewhere.
  const message = entries.length === 1 ? 'New chat waiting' : entries.length + ' new chats waiting';
  if (document.hidden) flashTitle(message);
  beep();
  const first = entries[0];
  notifyDesktop(message, (first && first.preview) || 'A visitor would like to talk to a person', () => {
    if (first) openConversation(first.conversation_id);
  });
}

// Sound: a short beep from an oscillator (no audio files). Browsers only
// let a page start audio after a user gesture, so the context is made (or
// resumed) on the first click or key, and a beep before that stays silent.
let audio = null;

export function unlockAudio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  try {
    if (!audio) audio = new Ctx();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
  } catch (_) {
    audio = null;
  }
}

function beep() {
  if (state.muted || !audio || audio.state !== 'running') return;
  try {
    const t = audio.currentTime;
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(880, t);
    osc.frequency.setValueAtTime(1175, t + 0.09);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.15, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(t);
    osc.stop(t + 0.25);
  } catch (_) {
    /* no sound then; the title and the highlight still tell */
  }
}

export function toggleMute() {
  state.muted = !state.muted;
  write(localStore, KEY_MUTED, state.muted ? '1' : '0');
  renderNotifyControls();
  if (!state.muted) {
    unlockAudio();
    beep(); // so the agent hears what it sounds like
  }
}

/** A desktop notification, only while the tab is hidden and if allowed. */
function notifyDesktop(title, body, onClick) {
  if (!document.hidden || !('Notification' in window) || Notification.permission !== 'granted') return;
  try {
    const n = new Notification(title, { body: String(body || ''), tag: 'tandem-console', renotify: true });
    n.onclick = () => {
      window.focus();
      n.close();
      if (onClick && state.token) onClick();
    };
  } catch (_) {
    /* some browsers only allow notifications from a service worker */
  }
}

/** Asked only from the header button's click: browsers want a user gesture. */
export function askNotificationPermission() {
  if (!('Notification' in window)) return;
  const done = () => renderNotifyControls();
  try {
    const answer = Notification.requestPermission(done);
    if (answer && typeof answer.then === 'function') answer.then(done, done);
  } catch (_) {
    done();
  }
}

/** Blink the tab title (keeping the queue count) until the tab is looked at. */
function flashTitle(message) {
  stopFlash();
  let on = true;
  const show = () => {
    const n = state.queueTotal;
    document.title = on ? (n ? '(' + n + ') ' : '') + '● ' + message : titleText();
  };
  state.titleFlash = setInterval(() => {
    on = !on;
    show();
  }, 1000);
  show();
}

/** Flash the title, beep and notify for a chat that came to this agent. */
export function notifyMe(message, onClick) {
  beep();
  notifyDesktop(message, 'Tandem console', onClick);
  flashTitle(message);
  clearTimeout(state.flashStopTimer);
  // In a background tab it blinks until looked at; in view, briefly.
  if (!document.hidden) state.flashStopTimer = setTimeout(stopFlash, 8000);
}

export function stopFlash() {
  clearTimeout(state.flashStopTimer);
  if (!state.titleFlash) return;
  clearInterval(state.titleFlash);
  state.titleFlash = null;
  document.title = titleText();
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) stopFlash();
});
