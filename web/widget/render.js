/*
 * Drawing the widget's state (web/widget/render.js): the bubble's unread
 * count, who answers (bot or person), the status line (connection, place in
 * line), the "Talk to a person" and "Stop waiting" buttons, typing, quick
 * replies, the composer's counter, and short notices. Each function draws
 * from `state` and can run any time.
 */

import { COUNTER_FROM, MAX_CHARS, charCount } from '../shared/limits.js';
import { sendText } from './composer.js';
import { ui } from './dom.js';
import { renderOffline } from './offline.js';
import { renderSurvey } from './rating.js';
import { state } from './state.js';

function formatWait(seconds) {
  if (typeof seconds !== 'number' || !isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return 'less than a minute';
  return 'about ' + Math.round(seconds / 60) + ' min';
}

export function renderAll() {
  renderBubble();
  renderWho();
  renderStatus();
  renderHuman();
  renderQuickReplies();
  renderComposer();
  renderTyping();
  renderSurvey();
  renderOffline();
}

function renderBubble() {
  ui.bubble.setAttribute('aria-expanded', String(state.open));
  ui.bubble.setAttribute('aria-label', state.open ? 'Close chat' : 'Open chat');
  ui.panel.hidden = !state.open;
  ui.unread.hidden = state.open || state.unread === 0;
  ui.unread.textContent = state.unread > 9 ? '9+' : String(state.unread);
}

/** The header line saying who is answering: the bot or a named person. */
function renderWho() {
  ui.who.textContent = '';
  if (state.mode === 'assigned') {
    const dot = document.createElement('span');
    dot.className = 'tandem-dot';
    dot.setAttribute('aria-hidden', 'true');
    const name = document.createElement('span');
    name.textContent = (state.agentName || 'A person') + ' (support team)';
    ui.who.append(dot, name);
    return;
  }
  const badge = document.createElement('span');
  badge.className = 'tandem-badge';
  badge.textContent = 'Bot';
  const text = document.createElement('span');
  text.textContent =
    state.mode === 'queued' ? 'Our assistant, until a person joins' : 'Automated assistant';
  ui.who.append(badge, text);
}

function statusLine() {
  if (state.conn === 'retrying' || (state.conn === 'connecting' && (state.everReady || state.attempt > 0))) {
    return { text: 'Reconnecting…', tone: '' };
  }
  if (state.conn === 'connecting') return { text: 'Connecting…', tone: '' };
  if (state.mode === 'queued') {
    const q = state.queue;
    if (!q || typeof q.position !== 'number') return { text: 'Waiting for a person…', tone: 'wait' };
    const wait = formatWait(q.estimated_wait_s);
    return { text: "You're number " + q.position + ' in line' + (wait ? ' · ' + wait : ''), tone: 'wait' };
  }
  if (state.mode === 'assigned') {
    return { text: (state.agentName || 'A person from our team') + ' joined the chat', tone: 'person' };
  }
  if (state.mode === 'closed') {
    return { text: 'This conversation has ended. Write again any time.', tone: '' };
  }
  if (state.mode === 'bot' && state.leftBy) {
    return { text: state.leftBy + ' handed the chat back to the bot', tone: '' };
  }
  return { text: '', tone: '' };
}

function renderStatus() {
  const { text, tone } = statusLine();
  ui.status.hidden = !text;
  if (ui.status.textContent !== text) ui.status.textContent = text;
  ui.status.dataset.tone = tone;
}

function renderHuman() {
  ui.human.hidden = state.mode === 'queued' || state.mode === 'assigned';
  ui.human.disabled = state.humanRequested || state.conn !== 'ready';
  ui.human.textContent = state.humanRequested ? 'Finding a person…' : 'Talk to a person';
  ui.cancelWait.hidden = state.mode !== 'queued';
  ui.cancelWait.disabled = state.cancelling || state.conn !== 'ready';
}

export function renderTyping() {
  const show = state.agentTyping && state.mode === 'assigned';
  ui.typing.hidden = !show;
  const text = show ? (state.agentName || 'The agent') + ' is typing…' : '';
  if (ui.typing.textContent !== text) ui.typing.textContent = text;
}

/** Quick replies belong to the newest line, and only if the bot wrote it. */
function currentQuickReplies() {
  for (let i = state.lines.length - 1; i >= 0; i--) {
    const line = state.lines[i];
    if (line.from === 'system') continue; // "agent left" and the like do not end a bot turn
    return line.from === 'bot' && Array.isArray(line.quick_replies) ? line.quick_replies : [];
  }
  return [];
}

function renderQuickReplies() {
  const replies = currentQuickReplies();
  const key = JSON.stringify(replies);
  if (ui.quick.dataset.key === key) return; // keep focus on an unchanged set
  ui.quick.dataset.key = key;
  ui.quick.textContent = '';
  for (const text of replies) {
    if (typeof text !== 'string' || !text.trim()) continue;
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'tandem-quick-reply';
    b.textContent = text;
    b.addEventListener('click', () => {
      sendText(text);
      ui.input.focus(); // the button itself is gone now
    });
    ui.quick.append(b);
  }
  ui.quick.hidden = ui.quick.childElementCount === 0;
}

export function renderComposer() {
  const text = ui.input.value;
  const n = charCount(text);
  const over = n > MAX_CHARS;
  ui.send.disabled = !text.trim() || over;
  ui.counter.hidden = n < COUNTER_FROM;
  ui.counter.textContent = n.toLocaleString() + ' / ' + MAX_CHARS.toLocaleString();
  ui.counter.dataset.over = String(over);
}

export function showNotice(text) {
  clearTimeout(state.noticeTimer);
  ui.notice.textContent = text;
  ui.notice.hidden = false;
  state.noticeTimer = setTimeout(() => {
    ui.notice.hidden = true;
  }, 6000);
}

export function autosize() {
  ui.input.style.height = 'auto';
  ui.input.style.height = Math.min(ui.input.scrollHeight + 2, 128) + 'px';
}
