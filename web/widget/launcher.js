/*
 * The launcher (web/widget/launcher.js): the bubble that opens and closes
 * the panel (remembered for a reload in sessionStorage), and mounting the
 * widget on the host page, reconnecting at once when a conversation is
 * going on.
 */

import { read, write } from '../shared/storage.js';
import { connect } from './connection.js';
import { root, ui } from './dom.js';
import { renderAll } from './render.js';
import { KEY_OPEN, KEY_RESUME, config, local, session, state } from './state.js';
import { STYLESHEET } from './style.js';
import { renderTranscript, scrollToBottom } from './transcript.js';

function setOpen(open, { focus = true } = {}) {
  state.open = open;
  write(session, KEY_OPEN, open ? '1' : null);
  if (open) {
    state.unread = 0;
    if (state.conn === 'idle') connect();
  }
  renderAll();
  if (open) {
    scrollToBottom();
    if (focus) ui.input.focus({ preventScroll: true });
  } else if (focus) {
    ui.bubble.focus({ preventScroll: true });
  }
}

export function wireLauncher() {
  ui.bubble.addEventListener('click', () => setOpen(!state.open));
  ui.close.addEventListener('click', () => setOpen(false));
  ui.panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      setOpen(false);
    }
  });
}

/** Puts the widget on the page, once the page has a body. */
function mount() {
  // Included twice on one page (or two servers' copies): the first one wins.
  if (document.getElementById('tandem-root')) return;
  if (config.accent && window.CSS && window.CSS.supports('color', config.accent)) {
    root.style.setProperty('--tandem-accent', config.accent);
  }
  ui.title.textContent = config.title;
  ui.avatar.textContent = config.title.trim().charAt(0).toUpperCase() || 'S';
  const style = document.createElement('style');
  style.id = 'tandem-style';
  style.textContent = STYLESHEET;
  (document.head || document.documentElement).append(style);
  document.body.append(root);

  renderTranscript();
  renderAll();

  // An ongoing conversation continues after a reload: reconnect right away,
  // and reopen the panel if it was open (without stealing the page's focus).
  if (read(local, KEY_RESUME) || state.outbox.length) {
    connect();
    if (read(session, KEY_OPEN) === '1') setOpen(true, { focus: false });
  }
}

export function mountWhenReady() {
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}
