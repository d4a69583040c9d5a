/*
 * Signing in and out (web/console/session.js): the form (which creates the
 * first account on a fresh install, POST /api/agent/setup), starting a
 * session from a token, and forgetting everything on sign-out. Tells the
 * Admin area who is signed in with a `tandem:session` event.
 */

import { read, write } from '../shared/storage.js';
import { stopFlash } from './alerts.js';
import { closePicker } from './canned.js';
import { connect } from './connection.js';
import { ui } from './dom.js';
import { render } from './render.js';
import { closeHelp } from './shortcuts.js';
import { KEY_CURRENT, KEY_DRAFTS, KEY_NAME, KEY_OUTBOX, KEY_TOKEN, KEY_WANT_STATUS, loadOutbox, sessionStore, state } from './state.js';

export function renderAuth() {
  const signedIn = !!state.token;
  ui.loginView.hidden = signedIn;
  ui.app.hidden = !signedIn;
}

/** Tells the Admin area (admin/main.js) who is signed in (a null token: nobody). */
export function announceSession() {
  const detail = { token: state.token, name: state.me, role: state.role };
  document.dispatchEvent(new CustomEvent('tandem:session', { detail }));
}

// Signing in and out.

function showLoginError(text) {
  ui.loginError.textContent = text || '';
  ui.loginError.hidden = !text;
}

/**
 * First run: while no agent exists, the form creates the first account
 * (POST /api/agent/setup) instead of signing in.
 */
export async function checkSetup() {
  try {
    const res = await fetch('/api/agent/setup');
    const body = await res.json();
    setSetupMode(Boolean(res.ok && body && body.needed));
  } catch (_) {
    setSetupMode(false);
  }
}

function setSetupMode(on) {
  state.setupNeeded = on;
  document.getElementById('login-title').textContent = on
    ? 'Create the first agent account'
    : 'Sign in to the agent console';
  document.getElementById('setup-note').hidden = !on;
  document.getElementById('login-hint').hidden = on;
  ui.loginSubmit.textContent = on ? 'Create account' : 'Sign in';
  ui.loginPassword.autocomplete = on ? 'new-password' : 'current-password';
}

export async function login(event) {
  event.preventDefault();
  const name = ui.loginName.value.trim();
  const password = ui.loginPassword.value;
  if (!name || !password) {
    showLoginError('Enter your name and password.');
    return;
  }
  showLoginError('');
  ui.loginSubmit.disabled = true;
  ui.loginSubmit.textContent = 'Signing in…';
  try {
    const res = await fetch(state.setupNeeded ? '/api/agent/setup' : '/api/agent/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name, password }),
    });
    let body = null;
    try {
      body = await res.json();
    } catch (_) {
      body = null;
    }
    if (state.setupNeeded && res.status === 409) {
      // Someone else finished setup first: this is a normal sign-in now.
      setSetupMode(false);
    }
    if (!res.ok || !body || !body.token) {
      showLoginError((body && body.message) || 'Sign-in failed (HTTP ' + res.status + ').');
      ui.loginPassword.select();
      return;
    }
    ui.loginPassword.value = '';
    startSession(body.token, (body.agent && body.agent.name) || name);
  } catch (_) {
    showLoginError('Could not reach Tandem. Check your connection and try again.');
  } finally {
    ui.loginSubmit.disabled = false;
    setSetupMode(Boolean(state.setupNeeded && !state.token));
  }
}

export function startSession(token, name) {
  state.token = token;
  state.me = name;
  write(sessionStore, KEY_TOKEN, token);
  write(sessionStore, KEY_NAME, name);
  state.outbox = loadOutbox();
  state.restoreId = read(sessionStore, KEY_CURRENT);
  const want = read(sessionStore, KEY_WANT_STATUS);
  state.wantStatus = want === 'away' || want === 'available' ? want : null;
  render();
  connect();
}

export async function signOut() {
  const token = state.token;
  signOutLocally('');
  if (!token) return;
  try {
    await fetch('/api/agent/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + token } });
  } catch (_) {
    /* the token expires on its own; nothing more to do offline */
  }
}

/** Forget everything about the session and show the sign-in form. */
export function signOutLocally(message) {
  state.token = null; // first, so the socket's close handler does not reconnect
  const ws = state.ws;
  state.ws = null;
  if (ws) ws.close(1000, 'signed out');
  clearTimeout(state.retryTimer);
  stopFlash();
  write(sessionStore, KEY_TOKEN, null);
  write(sessionStore, KEY_NAME, null);
  write(sessionStore, KEY_OUTBOX, null);
  write(sessionStore, KEY_DRAFTS, null);
  write(sessionStore, KEY_CURRENT, null);
  write(sessionStore, KEY_WANT_STATUS, null);
  closePicker();
  closeHelp();
  Object.assign(state, {
    me: null,
    conn: 'idle',
    attempt: 0,
    retryTimer: null,
    refusals: 0,
    queue: [],
    seenQueueIds: new Set(),
    queueLoaded: false,
    freshIds: new Map(),
    convs: new Map(),
    mine: [],
    currentId: null,
    shownId: null,
    claiming: null,
    closing: null,
    outbox: [],
    online: [],
    composeMode: 'reply',
    transferOpen: false,
    transferring: null,
    releasing: null,
    offline: [],
    resolving: new Set(),
    role: null,
    canned: [],
    myStatus: null,
    wantStatus: null,
    statusPending: false,
    myLoad: null,
    restoreId: null,
    autoPicked: false,
  });
  for (const timer of state.visitorTyping.values()) clearTimeout(timer);
  state.visitorTyping = new Map();
  clearTimeout(state.typing.idleTimer);
  clearTimeout(state.typing.retryTimer);
  state.typing = { convId: null, sent: false, sentAt: 0, idleTimer: null, retryTimer: null };
  ui.replyInput.value = '';
  showLoginError(message);
  render();
  announceSession();
  ui.loginName.focus();
}
