/*
 * Tandem agent console (web/console.js), loaded by console.html at /console.
 *
 * Speaks the agent side of the wire protocol in docs/protocol.md:
 * POST /api/agent/login and /api/agent/logout over HTTP, then one websocket
 * at /ws/agent?token=… for the queue, conversations and replies. That page is
 * the contract; this file only follows it.
 *
 * Shape: one `state` object, frame handlers that change it, and render
 * functions that draw it. Every piece of chat text is rendered with
 * textContent, never as HTML.
 */
(function () {
  'use strict';

  const KEY_TOKEN = 'tandem.agent.token'; // sessionStorage: a reload keeps you signed in
  const KEY_NAME = 'tandem.agent.name'; // sessionStorage: name to show before `hello`
  const KEY_OUTBOX = 'tandem.agent.outbox'; // sessionStorage: replies sent but not yet acked
  const KEY_DRAFTS = 'tandem.agent.drafts'; // sessionStorage: {conversation id: unsent reply box text}
  const KEY_CURRENT = 'tandem.agent.current'; // sessionStorage: the conversation shown, for a reload
  const KEY_WANT_STATUS = 'tandem.agent.status'; // sessionStorage: the status this agent chose
  const KEY_MUTED = 'tandem.console.muted'; // localStorage: "1" when the new-chat sound is off
  const PICKER_MAX = 8; // canned replies shown at once
  const BASE_TITLE = 'Tandem console';
  const MAX_CHARS = 4000; // the server's limit on `text`, in characters
  const COUNTER_FROM = 3500;
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10000;
  const NEW_HIGHLIGHT_MS = 8000; // how long a new queue entry stays highlighted
  const TYPING_IDLE_MS = 3000; // stop "typing" after this long without a key
  const TYPING_MIN_GAP_MS = 2000; // never more than one typing frame per this
  const TYPING_REFRESH_MS = 4000; // still typing: say so again, before the other side's 6 s timeout
  const TYPING_SHOW_MS = 6000; // hide "Visitor is typing…" without a refresh

  // ---------------------------------------------------------------------------
  // State.

  /**
   * A conversation the console knows about: every one this agent holds, plus
   * whichever queued one is open in the main area.
   * @typedef {{id: string, status: string, assignedTo: ?string, reasons: Array,
   *   lines: Array, unread: number, loaded: boolean}} Conversation
   */

  const state = {
    token: null,
    me: null, // this agent's name, from login and `hello`
    ws: null,
    /** idle | connecting | ready (hello received) | retrying */
    conn: 'idle',
    attempt: 0,
    retryTimer: null,
    refusals: 0, // closes before `hello` while the server answers HTTP (see onSocketClosed)
    queue: [], // the latest `queue` frame's entries, oldest first
    seenQueueIds: new Set(), // every queue entry id seen since sign-in, to spot arrivals
    queueLoaded: false, // the first queue after sign-in is the status quo, not news
    freshIds: new Map(), // queue entry id -> time it arrived, for the highlight
    /** @type {Map<string, Conversation>} */
    convs: new Map(),
    mine: [], // ids of conversations this agent holds, in the order they came
    currentId: null, // conversation shown in the main area
    shownId: null, // conversation whose transcript is currently in the DOM
    claiming: null, // id of a claim in flight, so its button can say so
    closing: null, // id of a close in flight
    outbox: [], // own replies not yet acked: {id, conversation_id, text, at}
    titleFlash: null, // interval id while the title blinks for a new chat
    flashStopTimer: null,
    online: [], // names of signed-in agents, from the latest `agents` frame
    composeMode: 'reply', // reply | note
    transferOpen: false, // the transfer panel is showing (for currentId)
    transferring: null, // id of a transfer in flight
    releasing: null, // id of a release in flight
    visitorTyping: new Map(), // conversation id -> timer while the visitor types
    /** our own typing signal: {convId, sent, sentAt, idleTimer, retryTimer} */
    typing: { convId: null, sent: false, sentAt: 0, idleTimer: null, retryTimer: null },
    offline: [], // the latest `offline_messages` frame's entries, oldest first
    resolving: new Set(), // ids of left messages whose `resolve_offline` is in flight
    role: null, // `agent` or `admin`, from `hello`
    canned: [], // canned replies from the `canned` frame: {shortcut, text}
    picker: { open: false, items: [], index: 0, start: 0, end: 0 }, // the `/` picker
    myStatus: null, // `available` or `away`, the server's view (my `agents` entry)
    wantStatus: null, // what this agent last asked for, re-sent after a reconnect
    statusPending: false, // a `status` frame is on its way, not yet confirmed by `agents`
    myLoad: null, // {chats, max} from my `agents` entry
    muted: false,
    restoreId: null, // after a reload: the conversation that was shown
    autoPicked: false, // the conversation shown was picked for the agent, not by them
  };

  const ui = {};
  for (const id of [
    'login-view', 'login-form', 'login-name', 'login-password', 'login-submit', 'login-error',
    'app', 'connection-status', 'agent-name', 'agent-avatar', 'signout',
    'queue', 'queue-count', 'my-chats', 'my-chats-count',
    'conversation', 'conversation-empty', 'conversation-view', 'conversation-title',
    'conversation-state', 'claim', 'close-conversation', 'reasons', 'transcript',
    'reply-input', 'reply-send', 'reply-counter', 'toasts',
    'transfer', 'release', 'transfer-panel', 'transfer-to', 'transfer-note', 'transfer-confirm',
    'transfer-cancel', 'transfer-empty', 'csat', 'visitor-typing', 'compose-modes', 'mode-reply',
    'mode-note', 'reply-hint', 'offline-section', 'offline-count', 'offline-messages',
    'canned-picker', 'status-toggle', 'my-load', 'mute', 'enable-notifications', 'shortcuts-open',
    'shortcuts-help', 'shortcuts-close',
    'earlier', 'earlier-summary', 'earlier-list',
  ]) {
    ui[id.replace(/-([a-z])/g, (_, c) => c.toUpperCase())] = document.getElementById(id);
  }

  ui.composer = document.querySelector('.composer');

  // ---------------------------------------------------------------------------
  // Small helpers.

  function sessionGet(key) {
    try {
      return sessionStorage.getItem(key);
    } catch (_) {
      return null;
    }
  }

  function sessionSet(key, value) {
    try {
      if (value == null) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, value);
    } catch (_) {
      /* storage blocked: the session just will not survive a reload */
    }
  }

  function saveOutbox() {
    sessionSet(KEY_OUTBOX, state.outbox.length ? JSON.stringify(state.outbox) : null);
  }

  function loadOutbox() {
    try {
      const list = JSON.parse(sessionGet(KEY_OUTBOX) || '[]');
      return Array.isArray(list)
        ? list.filter((o) => o && typeof o.id === 'string' && typeof o.text === 'string' && o.conversation_id)
        : [];
    } catch (_) {
      return [];
    }
  }

  function localGet(key) {
    try {
      return localStorage.getItem(key);
    } catch (_) {
      return null;
    }
  }

  function localSet(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch (_) {
      /* storage blocked: the choice lasts for this page only */
    }
  }

  // Drafts: what is in the reply box, per conversation, so a switch, a
  // reconnect or a reload does not lose it.
  function loadDrafts() {
    try {
      const drafts = JSON.parse(sessionGet(KEY_DRAFTS) || '{}');
      return drafts && typeof drafts === 'object' && !Array.isArray(drafts) ? drafts : {};
    } catch (_) {
      return {};
    }
  }

  function draftFor(id) {
    const text = id ? loadDrafts()[id] : null;
    return typeof text === 'string' ? text : '';
  }

  function saveDraft(id, text) {
    if (!id) return;
    const drafts = loadDrafts();
    if (text) drafts[id] = text;
    else if (id in drafts) delete drafts[id];
    else return;
    sessionSet(KEY_DRAFTS, Object.keys(drafts).length ? JSON.stringify(drafts) : null);
  }

  /** Put a conversation's draft in the reply box (the box shows one at a time). */
  function restoreDraft(id) {
    ui.replyInput.value = draftFor(id);
    closePicker();
  }

  const randomId = () => Math.random().toString(36).slice(2, 10) + Date.now().toString(36).slice(-4);
  let replyCounter = 0;
  const nextReplyId = () => 'a-' + randomId() + '-' + ++replyCounter;
  const nextNoteId = () => 'n-' + randomId() + '-' + ++replyCounter;

  /** Unicode characters, as the server counts them (not UTF-16 code units). */
  const charCount = (text) => Array.from(text).length;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text; // text only, never HTML
    return node;
  }

  /** "just now", "3 min", "1 h 5 min": how long since an RFC 3339 time. */
  function formatWaited(iso) {
    const ms = Date.now() - new Date(iso).getTime();
    if (!isFinite(ms)) return '';
    const min = Math.max(0, Math.floor(ms / 60000)); // clocks drift: never negative
    if (min < 1) return 'just now';
    if (min < 60) return min + ' min';
    const h = Math.floor(min / 60);
    return h + ' h' + (min % 60 ? ' ' + (min % 60) + ' min' : '');
  }

  function formatClock(iso) {
    const d = new Date(iso);
    if (isNaN(d)) return '';
    const sameDay = d.toDateString() === new Date().toDateString();
    return sameDay
      ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
      : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  }

  const shortId = (id) => String(id).replace(/[^a-zA-Z0-9]/g, '').slice(-6) || String(id);
  /** conversation id -> visitor id, from queue entries and conversation views */
  const visitorOf = new Map();
  /** A visitor keeps one name across their conversations. */
  const conversationName = (id) => 'Visitor · ' + shortId(visitorOf.get(id) || id);

  function isMine(conv) {
    return !!conv && conv.status === 'assigned' && conv.assignedTo === state.me;
  }

  function conversation(id) {
    let conv = state.convs.get(id);
    if (!conv) {
      conv = { id, status: 'queued', assignedTo: null, reasons: [], lines: [], unread: 0, loaded: false, csat: null };
      state.convs.set(id, conv);
    }
    return conv;
  }

  function addMine(id) {
    if (!state.mine.includes(id)) state.mine.push(id);
  }

  function removeMine(id) {
    state.mine = state.mine.filter((x) => x !== id);
  }

  // ---------------------------------------------------------------------------
  // Toasts.

  function toast(text, tone = 'error') {
    const node = el('div', 'toast', text);
    node.dataset.tone = tone;
    node.setAttribute('role', tone === 'error' ? 'alert' : 'status');
    ui.toasts.append(node);
    setTimeout(() => node.classList.add('toast-leaving'), 4600);
    setTimeout(() => node.remove(), 5000);
  }

  // ---------------------------------------------------------------------------
  // Rendering.

  function render() {
    renderAuth();
    renderTopbar();
    renderQueue();
    renderMyChats();
    renderOffline();
    renderConversation();
    renderTitle();
  }

  function renderAuth() {
    const signedIn = !!state.token;
    ui.loginView.hidden = signedIn;
    ui.app.hidden = !signedIn;
  }

  function renderTopbar() {
    const name = state.me || '';
    ui.agentName.textContent = name;
    ui.agentAvatar.textContent = name.charAt(0).toUpperCase();
    const labels = { ready: 'Connected', retrying: 'Reconnecting…', connecting: 'Connecting…', idle: 'Offline' };
    const label = state.conn === 'connecting' && state.attempt > 0 ? 'Reconnecting…' : labels[state.conn];
    if (ui.connectionStatus.textContent !== label) ui.connectionStatus.textContent = label;
    ui.connectionStatus.dataset.state = state.conn === 'ready' ? 'connected' : 'reconnecting';
    ui.agentName.title = state.role === 'admin' ? 'Signed in as ' + name + ' (admin)' : '';
    renderPresence();
    renderNotifyControls();
  }

  /** My status (the server's view, or what I just asked for) and my load. */
  function renderPresence() {
    // While a change is on its way, show where it is going, marked "…".
    const pending = state.statusPending && state.wantStatus !== state.myStatus;
    const status = (pending ? state.wantStatus : state.myStatus) || 'available';
    const away = status === 'away';
    ui.statusToggle.dataset.status = status;
    ui.statusToggle.setAttribute('aria-pressed', String(away));
    const label = (away ? 'Away' : 'Available') + (pending ? '…' : '');
    if (ui.statusToggle.textContent !== label) ui.statusToggle.textContent = label;
    ui.statusToggle.title = away
      ? 'You get no new chats. Click to become Available (a)'
      : 'You get new chats. Click to go Away (a)';
    ui.statusToggle.disabled = state.conn !== 'ready';
    const load = state.myLoad;
    ui.myLoad.hidden = !load;
    if (load) {
      ui.myLoad.textContent = load.max != null ? load.chats + '/' + load.max + ' chats' : load.chats + ' chats';
      ui.myLoad.dataset.full = String(load.max != null && load.chats >= load.max);
    }
  }

  function renderNotifyControls() {
    ui.mute.setAttribute('aria-pressed', String(state.muted));
    ui.mute.textContent = state.muted ? 'Sound off' : 'Sound on';
    ui.mute.title = state.muted ? 'Unmute the sound for new chats (m)' : 'Mute the sound for new chats (m)';
    ui.enableNotifications.hidden = !('Notification' in window) || Notification.permission !== 'default';
  }

  function titleText() {
    const n = state.queue.length;
    return (n ? '(' + n + ') ' : '') + BASE_TITLE;
  }

  function renderTitle() {
    // While flashing, flashTitle owns document.title and restores it on stop.
    if (!state.titleFlash) document.title = titleText();
  }

  /** Keep keyboard focus on the same list item when a list is redrawn. */
  function keepFocus(list, draw) {
    const active = document.activeElement;
    const focusedId = active && list.contains(active) ? active.dataset.conversationId : null;
    draw();
    if (focusedId) {
      const again = list.querySelector('[data-conversation-id="' + CSS.escape(focusedId) + '"]');
      if (again) again.focus();
    }
  }

  function renderQueue() {
    ui.queueCount.textContent = String(state.queue.length);
    keepFocus(ui.queue, () => {
      ui.queue.textContent = '';
      if (state.queue.length === 0) {
        ui.queue.append(el('li', 'list-empty', 'Nobody is waiting'));
        return;
      }
      const now = Date.now();
      for (const entry of state.queue) {
        const li = el('li');
        const b = el('button', 'queue-entry');
        b.type = 'button';
        b.dataset.conversationId = entry.conversation_id;
        const fresh = state.freshIds.get(entry.conversation_id);
        if (fresh && now - fresh < NEW_HIGHLIGHT_MS) b.classList.add('is-new');
        if (entry.conversation_id === state.currentId) {
          b.classList.add('is-current');
          b.setAttribute('aria-current', 'true');
        }

        const top = el('span', 'queue-entry-top');
        const wait = el('span', 'queue-wait', formatWaited(entry.queued_at));
        wait.dataset.queuedAt = entry.queued_at;
        wait.title = 'Waiting since ' + formatClock(entry.queued_at);
        top.append(
          el('span', 'queue-name', conversationName(entry.conversation_id)),
          frustrationBadge(entry.frustration),
          wait,
        );

        const tags = el('span', 'tags');
        for (const reason of entry.reasons || []) {
          const tag = el('span', 'tag', reason.text || reason.code);
          tag.dataset.code = reason.code || '';
          if (reason.evidence) tag.title = '\u201C' + reason.evidence + '\u201D';
          tags.append(tag);
        }
        if (entry.earlier_conversations > 0) {
          const n = entry.earlier_conversations;
          const back = el('span', 'tag tag-returning', 'Returning · ' + n + ' earlier');
          back.title = 'This visitor had ' + n + ' conversation' + (n === 1 ? '' : 's') + ' before';
          tags.append(back);
        }
        const preview = el('span', 'queue-preview', entry.preview || '');
        // Why this entry stands where it does (waiting time, frustration).
        const order = el('span', 'queue-order', entry.order_reason || '');
        b.append(top, tags, preview, order);
        b.addEventListener('click', () => openConversation(entry.conversation_id));
        li.append(b);
        ui.queue.append(li);
      }
    });
  }

  /** "just now" or "5 min ago": how long since a message was left. */
  function formatAgo(iso) {
    const waited = formatWaited(iso);
    return waited && waited !== 'just now' ? waited + ' ago' : waited;
  }

  /** Messages visitors left while nobody could answer; always the full list. */
  function renderOffline() {
    const entries = state.offline;
    ui.offlineCount.textContent = String(entries.length);
    const active = document.activeElement;
    const focused =
      active && ui.offlineMessages.contains(active) && active.dataset.action
        ? { id: active.closest('.offline-entry').dataset.id, action: active.dataset.action }
        : null;
    ui.offlineMessages.textContent = '';
    if (entries.length === 0) {
      ui.offlineMessages.append(el('li', 'list-empty', 'No messages'));
    }
    for (const entry of entries) {
      const li = el('li', 'offline-entry');
      li.dataset.id = entry.id;
      li.dataset.conversationId = entry.conversation_id;

      const top = el('div', 'offline-entry-top');
      const email = String(entry.email || '');
      const link = el('a', 'offline-email', email);
      // Set as a property, percent-encoded: the address can never add markup
      // or extra mailto: fields (?cc=, &body=).
      link.href = 'mailto:' + encodeURIComponent(email);
      link.title = 'Write to ' + email;
      const age = el('span', 'offline-age', formatAgo(entry.at));
      age.dataset.at = entry.at;
      age.title = 'Left ' + formatClock(entry.at);
      top.append(link, age);

      const text = el('p', 'offline-text', String(entry.text || ''));

      const actions = el('div', 'offline-actions');
      const open = el('button', 'btn btn-secondary offline-open', 'Open conversation');
      open.type = 'button';
      open.dataset.action = 'open';
      open.addEventListener('click', () => openConversation(entry.conversation_id));
      const done = el('button', 'btn btn-primary offline-resolve', state.resolving.has(entry.id) ? 'Marking…' : 'Done');
      done.type = 'button';
      done.dataset.action = 'resolve';
      done.title = 'Mark as handled: it leaves everyone\'s list';
      done.disabled = state.resolving.has(entry.id);
      done.addEventListener('click', () => resolveOffline(entry.id));
      actions.append(open, done);

      li.append(top, text, actions);
      ui.offlineMessages.append(li);
    }
    if (focused) {
      const item = ui.offlineMessages.querySelector('.offline-entry[data-id="' + CSS.escape(focused.id) + '"]');
      const again = item && item.querySelector('[data-action="' + focused.action + '"]');
      if (again && !again.disabled) again.focus();
    }
  }

  /** Refresh the "3 min" labels without redrawing the list. */
  function tickWaits() {
    for (const node of ui.offlineMessages.querySelectorAll('.offline-age')) {
      node.textContent = formatAgo(node.dataset.at);
    }
    for (const node of ui.queue.querySelectorAll('.queue-wait')) {
      node.textContent = formatWaited(node.dataset.queuedAt);
    }
    for (const node of ui.queue.querySelectorAll('.queue-entry.is-new')) {
      const fresh = state.freshIds.get(node.dataset.conversationId);
      if (!fresh || Date.now() - fresh >= NEW_HIGHLIGHT_MS) node.classList.remove('is-new');
    }
  }

  function lastVisitorText(conv) {
    for (let i = conv.lines.length - 1; i >= 0; i--) {
      if (conv.lines[i].from === 'visitor') return conv.lines[i].text;
    }
    return '';
  }

  function renderMyChats() {
    ui.myChatsCount.textContent = String(state.mine.length);
    keepFocus(ui.myChats, () => {
      ui.myChats.textContent = '';
      if (state.mine.length === 0) {
        ui.myChats.append(el('li', 'list-empty', 'Claim a conversation from the queue to start.'));
        return;
      }
      for (const id of state.mine) {
        const conv = conversation(id);
        const li = el('li');
        const b = el('button', 'chat-tab');
        b.type = 'button';
        b.dataset.conversationId = id;
        if (id === state.currentId) {
          b.classList.add('is-current');
          b.setAttribute('aria-current', 'true');
        }
        const top = el('span', 'chat-tab-top');
        top.append(el('span', 'chat-tab-name', conversationName(id)));
        if (conv.unread > 0) {
          const dot = el('span', 'unread', String(conv.unread));
          dot.setAttribute('aria-label', conv.unread + ' unread');
          top.append(dot);
        }
        b.append(top, el('span', 'chat-tab-preview', lastVisitorText(conv) || 'No messages yet'));
        b.addEventListener('click', () => showConversation(id));
        li.append(b);
        ui.myChats.append(li);
      }
    });
  }

  function describeStatus(conv) {
    if (conv.status === 'queued') return { text: 'Waiting in queue', tone: 'wait' };
    if (conv.status === 'closed') return { text: 'Closed', tone: 'muted' };
    if (conv.status === 'bot') return { text: 'With the bot', tone: 'muted' };
    if (isMine(conv)) return { text: "You're chatting", tone: 'live' };
    return { text: 'With ' + (conv.assignedTo || 'another agent'), tone: 'muted' };
  }

  /** A small score indicator: 0 to 100 %, coloured by how upset. */
  function frustrationBadge(value) {
    const v = typeof value === 'number' && isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
    const badge = el('span', 'frustration', Math.round(v * 100) + '%');
    badge.dataset.level = v >= 0.9 ? 'high' : v >= 0.5 ? 'mid' : 'low';
    badge.title = 'Frustration over the conversation: ' + v.toFixed(2);
    return badge;
  }

  function renderConversation() {
    const conv = state.currentId ? state.convs.get(state.currentId) : null;
    ui.conversationEmpty.hidden = !!conv;
    ui.conversationView.hidden = !conv;
    if (!conv) {
      state.shownId = null;
      return;
    }

    ui.conversationTitle.textContent = conversationName(conv.id);
    const status = describeStatus(conv);
    ui.conversationState.textContent = conv.loaded ? status.text : 'Loading…';
    ui.conversationState.dataset.tone = status.tone;

    // Banner at the top of the transcript: the frustration score over the
    // conversation, and why the bot handed it over, each reason with the
    // message that caused it.
    const reasons = (conv.reasons || []).filter((r) => r && (r.text || r.code));
    ui.reasons.hidden = !conv.loaded;
    ui.reasons.textContent = '';
    const score = el('div', 'reasons-score');
    score.append(el('strong', null, 'Frustration: '), frustrationBadge(conv.frustration));
    if (typeof conv.frustrationPeak === 'number' && conv.frustrationPeak > (conv.frustration || 0) + 0.005) {
      score.append(el('span', 'reasons-peak', ' peak ' + Math.round(conv.frustrationPeak * 100) + '%'));
    }
    ui.reasons.append(score);
    if (reasons.length) {
      ui.reasons.append(el('strong', null, 'Why it came to a person:'));
      const list = el('ul', 'reasons-list');
      for (const r of reasons) {
        const item = el('li', null);
        item.dataset.code = r.code || '';
        item.append(el('span', 'reason-text', r.text || r.code));
        if (r.evidence) item.append(el('q', 'reason-evidence', r.evidence));
        list.append(item);
      }
      ui.reasons.append(list);
    }

    ui.claim.hidden = conv.status !== 'queued';
    ui.claim.disabled = state.claiming === conv.id || state.conn !== 'ready';
    ui.claim.textContent = state.claiming === conv.id ? 'Claiming…' : 'Claim';

    // Closing is for the holder, or for a queued chat nobody needs to take.
    ui.closeConversation.hidden = !(isMine(conv) || conv.status === 'queued');
    ui.closeConversation.disabled = state.closing === conv.id || state.conn !== 'ready';

    const mine = isMine(conv);
    ui.transfer.hidden = !mine;
    ui.transfer.disabled = state.transferring === conv.id || state.conn !== 'ready';
    ui.transfer.textContent = state.transferring === conv.id ? 'Transferring…' : 'Transfer';
    ui.release.hidden = !mine;
    ui.release.disabled = state.releasing === conv.id || state.conn !== 'ready';
    ui.release.textContent = state.releasing === conv.id ? 'Handing back…' : 'Hand back to bot';
    if (!mine) state.transferOpen = false;
    renderTransferPanel();

    // Reply or private note.
    const canNote = mayNote(conv);
    ui.composeModes.hidden = !canNote;
    if (!canNote || (state.composeMode === 'note' && !canNote)) state.composeMode = 'reply';
    const noting = state.composeMode === 'note';
    ui.modeReply.setAttribute('aria-pressed', String(!noting));
    ui.modeNote.setAttribute('aria-pressed', String(noting));
    ui.modeReply.disabled = !mine;
    ui.composer.dataset.mode = noting ? 'note' : 'reply';
    ui.replySend.textContent = noting ? 'Add note' : 'Send';
    document.querySelector('label[for="reply-input"]').textContent = noting ? 'Private note' : 'Reply';

    const kind = composeKind(conv);
    ui.replyInput.disabled = !kind;
    ui.replyInput.placeholder = kind === 'note'
      ? 'Private note — only agents see it…'
      : kind === 'reply'
        ? 'Reply to the visitor…'
        : conv.status === 'queued'
          ? 'Claim this conversation to reply, or add a private note'
          : conv.status === 'closed'
            ? 'This conversation is closed'
            : 'Only the agent holding this conversation can reply';
    renderComposer();
    renderCsat(conv);
    renderEarlier(conv);
    renderVisitorTyping();

    if (state.shownId !== conv.id) renderTranscript(conv);
  }

  /** Notes: any agent on a queued conversation, the holder on an assigned one. */
  function mayNote(conv) {
    return !!conv && (conv.status === 'queued' || isMine(conv));
  }

  /** What the composer writes right now: a reply, a note, or nothing. */
  function composeKind(conv) {
    if (state.composeMode === 'note') return mayNote(conv) ? 'note' : null;
    return isMine(conv) ? 'reply' : null;
  }

  function renderComposer() {
    const conv = state.currentId ? state.convs.get(state.currentId) : null;
    const text = ui.replyInput.value;
    const n = charCount(text);
    ui.replySend.disabled = !composeKind(conv) || !text.trim() || n > MAX_CHARS;
    ui.replyCounter.hidden = n < COUNTER_FROM;
    ui.replyCounter.textContent = n.toLocaleString() + ' / ' + MAX_CHARS.toLocaleString();
    ui.replyCounter.dataset.over = String(n > MAX_CHARS);
  }

  function authorOf(line) {
    if (line.from === 'visitor') return 'Visitor';
    if (line.from === 'note') return 'Private note · ' + (line.author || 'agent');
    if (line.from === 'system') return '';
    if (line.from === 'agent') return line.author === state.me ? line.author + ' (you)' : line.author || 'Agent';
    return line.author || 'Bot';
  }

  function lineElement(line) {
    const li = el('li', 'msg');
    li.setAttribute('data-from', line.from);
    if (line.client_id) li.dataset.clientId = line.client_id;
    if (line.id != null) li.dataset.id = String(line.id);

    const meta = el('div', 'msg-meta');
    if (line.from !== 'system') meta.append(el('span', 'msg-author', authorOf(line)));
    if (line.from === 'bot') meta.append(el('span', 'badge', 'Bot'));
    if (line.from === 'note') li.title = 'Private note: only agents see it';
    if (line.at) {
      const time = el('time', 'msg-time', formatClock(line.at));
      time.dateTime = line.at;
      time.title = new Date(line.at).toLocaleString();
      meta.append(time);
    }
    li.append(meta, el('div', 'msg-text', line.text));

    // What the bot offered the visitor, for context.
    if (line.from === 'bot' && Array.isArray(line.quick_replies) && line.quick_replies.length) {
      const quick = el('div', 'msg-quick');
      quick.append(el('span', 'msg-quick-label', 'Offered:'));
      for (const q of line.quick_replies) quick.append(el('span', 'chip', String(q)));
      li.append(quick);
    }
    line.el = li;
    renderLineState(line);
    return li;
  }

  function renderTransferPanel() {
    const conv = state.currentId ? state.convs.get(state.currentId) : null;
    const open = state.transferOpen && isMine(conv);
    ui.transferPanel.hidden = !open;
    ui.transfer.setAttribute('aria-expanded', String(open));
    if (!open) return;
    const others = state.online.filter((n) => n !== state.me);
    const chosen = ui.transferTo.value;
    const key = others.join('\n');
    if (ui.transferTo.dataset.key !== key) {
      ui.transferTo.dataset.key = key;
      ui.transferTo.textContent = '';
      for (const name of others) {
        const option = el('option', null, name);
        option.value = name;
        ui.transferTo.append(option);
      }
      if (others.includes(chosen)) ui.transferTo.value = chosen;
    }
    ui.transferTo.hidden = others.length === 0;
    ui.transferEmpty.hidden = others.length > 0;
    ui.transferConfirm.disabled =
      others.length === 0 || state.transferring === conv.id || state.conn !== 'ready';
  }

  function renderCsat(conv) {
    const csat = conv && conv.csat;
    ui.csat.hidden = !csat;
    ui.csat.textContent = '';
    if (!csat) return;
    const score = Math.max(0, Math.min(5, Number(csat.score) || 0));
    const stars = el('span', 'csat-stars', '★'.repeat(score) + '☆'.repeat(5 - score));
    stars.setAttribute('aria-hidden', 'true');
    ui.csat.append(stars, el('strong', null, 'Rated ' + score + '/5'));
    if (csat.comment) ui.csat.append(el('span', 'csat-comment', ' — \u201c' + csat.comment + '\u201d'));
    if (csat.at) ui.csat.title = 'Rated ' + new Date(csat.at).toLocaleString();
  }

  /** The same visitor's earlier conversations, newest first; click to read one. */
  function renderEarlier(conv) {
    const earlier = (conv && conv.earlier) || [];
    ui.earlier.hidden = earlier.length === 0;
    ui.earlierList.textContent = '';
    if (earlier.length === 0) return;
    ui.earlierSummary.textContent =
      'Earlier conversations with this visitor (' + earlier.length + ')';
    for (const e of earlier) {
      const li = el('li');
      const b = el('button', 'earlier-entry');
      b.type = 'button';
      b.dataset.conversationId = e.conversation_id;
      const top = el('span', 'earlier-top');
      top.append(el('span', 'earlier-when', formatClock(e.created_at)));
      const who = e.agent ? 'with ' + e.agent : e.status === 'bot' ? 'bot only' : e.status;
      top.append(el('span', 'earlier-who', who));
      if (e.csat && e.csat.score) {
        const score = Math.max(0, Math.min(5, Number(e.csat.score) || 0));
        const stars = el('span', 'csat-stars', '★'.repeat(score) + '☆'.repeat(5 - score));
        stars.title = 'Rated ' + score + '/5' + (e.csat.comment ? ': \u201c' + e.csat.comment + '\u201d' : '');
        top.append(stars);
      }
      b.append(top, el('span', 'earlier-preview', e.preview || '(no messages)'));
      const reasons = (e.reasons || []).map((r) => r.text || r.code).filter(Boolean);
      if (reasons.length) b.append(el('span', 'earlier-reasons', reasons.join(' · ')));
      b.addEventListener('click', () => openConversation(e.conversation_id));
      li.append(b);
      ui.earlierList.append(li);
    }
  }

  function renderVisitorTyping() {
    const conv = state.currentId ? state.convs.get(state.currentId) : null;
    ui.visitorTyping.hidden = !(conv && isMine(conv) && state.visitorTyping.has(conv.id));
  }

  function renderLineState(line) {
    if (!line.el) return;
    line.el.classList.toggle('is-pending', !!line.pending && !line.failed);
    line.el.classList.toggle('is-failed', !!line.failed);
    let note = line.el.querySelector('.msg-state');
    const text = line.failed || (line.pending ? 'sending…' : '');
    if (!text) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = el('div', 'msg-state');
      line.el.append(note);
    }
    note.textContent = text;
  }

  function renderTranscript(conv) {
    state.shownId = conv.id;
    ui.transcript.textContent = '';
    if (!conv.loaded) {
      ui.transcript.append(el('li', 'transcript-note', 'Loading the conversation…'));
      return;
    }
    if (conv.moreHistory) ui.transcript.append(moreButton(conv));
    for (const line of conv.lines) ui.transcript.append(lineElement(line));
    if (conv.status === 'closed') ui.transcript.append(el('li', 'transcript-note', 'This conversation is closed.'));
    ui.transcript.scrollTop = ui.transcript.scrollHeight;
  }

  /** Older lines stay on the server until asked for (docs/protocol.md). */
  function moreButton(conv) {
    const li = el('li', 'transcript-note');
    const button = el('button', 'link-button', 'Show earlier messages');
    button.type = 'button';
    button.addEventListener('click', () => {
      const first = conv.lines.find((l) => l.id != null);
      if (!first) return;
      button.disabled = true;
      send({ type: 'history', conversation_id: conv.id, before: Number(first.id) });
    });
    li.append(button);
    return li;
  }

  /** `history`: older lines of a conversation, above what is shown. */
  function onHistory(f) {
    const conv = conversation(f.conversation_id);
    const older = (Array.isArray(f.messages) ? f.messages : []).map(fromServer);
    conv.lines = older.concat(conv.lines);
    conv.moreHistory = f.more === true;
    if (state.shownId !== conv.id) return;
    const t = ui.transcript;
    const fromBottom = t.scrollHeight - t.scrollTop;
    renderTranscript(conv);
    t.scrollTop = t.scrollHeight - fromBottom;
  }

  function appendToTranscript(conv, line) {
    if (state.shownId !== conv.id) return;
    const t = ui.transcript;
    const stick = line.from === 'agent' || line.from === 'note' || t.scrollHeight - t.scrollTop - t.clientHeight < 120;
    t.append(lineElement(line));
    if (stick) t.scrollTop = t.scrollHeight;
  }

  // ---------------------------------------------------------------------------
  // New arrivals in the queue. One entry point, so desktop notifications or a
  // sound can be added here later without touching the frame handling.

  function notifyArrivals(entries) {
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

  function unlockAudio() {
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

  function toggleMute() {
    state.muted = !state.muted;
    localSet(KEY_MUTED, state.muted ? '1' : '0');
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
  function askNotificationPermission() {
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
      const n = state.queue.length;
      document.title = on ? (n ? '(' + n + ') ' : '') + '● ' + message : titleText();
    };
    state.titleFlash = setInterval(() => {
      on = !on;
      show();
    }, 1000);
    show();
  }

  /** Flash the title, beep and notify for a chat that came to this agent. */
  function notifyMe(message, onClick) {
    beep();
    notifyDesktop(message, 'Tandem console', onClick);
    flashTitle(message);
    clearTimeout(state.flashStopTimer);
    // In a background tab it blinks until looked at; in view, briefly.
    if (!document.hidden) state.flashStopTimer = setTimeout(stopFlash, 8000);
  }

  function stopFlash() {
    clearTimeout(state.flashStopTimer);
    if (!state.titleFlash) return;
    clearInterval(state.titleFlash);
    state.titleFlash = null;
    document.title = titleText();
  }

  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) stopFlash();
  });

  // ---------------------------------------------------------------------------
  // Connection.

  function connect() {
    if (state.ws || state.retryTimer || !state.token) return;
    state.conn = 'connecting';
    renderTopbar();

    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    const url = scheme + location.host + '/ws/agent?token=' + encodeURIComponent(state.token);
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      console.warn('[tandem] cannot open websocket', err);
      scheduleReconnect();
      return;
    }
    state.ws = ws;
    let gotHello = false;

    ws.addEventListener('message', (event) => {
      if (state.ws !== ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (_) {
        console.warn('[tandem] ignoring a frame that is not JSON');
        return;
      }
      if (!frame || typeof frame.type !== 'string') return;
      if (frame.type === 'hello') gotHello = true;
      handleFrame(frame);
    });
    ws.addEventListener('close', () => {
      if (state.ws !== ws) return;
      state.ws = null;
      onSocketClosed(gotHello);
    });
  }

  /**
   * The browser does not tell us why an upgrade failed: a 401 for a dead
   * token and a server that is down look the same. So when the socket closes
   * before `hello`, ask the server for a plain page. If it answers, it is up
   * and it refused us, so the token is no good. Twice in a row, to not mistake
   * a server that came back between the two requests for a refusal.
   */
  async function onSocketClosed(gotHello) {
    if (!state.token) return; // signed out meanwhile
    if (gotHello) {
      state.refusals = 0;
      scheduleReconnect();
      return;
    }
    let serverUp = false;
    try {
      await fetch('/console', { method: 'GET', cache: 'no-store' });
      serverUp = true;
    } catch (_) {
      serverUp = false;
    }
    if (!state.token) return;
    if (!serverUp) {
      state.refusals = 0;
      scheduleReconnect();
      return;
    }
    state.refusals += 1;
    if (state.refusals >= 2) {
      signOutLocally('Your session has ended. Please sign in again.');
      return;
    }
    scheduleReconnect(300);
  }

  function scheduleReconnect(delayMs) {
    state.conn = 'retrying';
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** state.attempt);
    const delay = delayMs != null ? delayMs : base * (0.75 + Math.random() * 0.5); // jitter
    state.attempt += 1;
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      state.retryTimer = null;
      connect();
    }, delay);
    render();
  }

  window.addEventListener('online', () => {
    if (state.retryTimer) {
      clearTimeout(state.retryTimer);
      state.retryTimer = null;
      connect();
    }
  });

  function send(frame) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN || state.conn !== 'ready') return false;
    state.ws.send(JSON.stringify(frame));
    return true;
  }

  function sendReply(entry) {
    const type = entry.kind === 'note' ? 'note' : 'message';
    return send({ type, conversation_id: entry.conversation_id, id: entry.id, text: entry.text });
  }

  // ---------------------------------------------------------------------------
  // Frames from the server (docs/protocol.md, "Server → agent").

  function handleFrame(f) {
    switch (f.type) {
      case 'hello':
        return onHello(f);
      case 'queue':
        return onQueue(f);
      case 'conversation':
        return onConversation(f);
      case 'history':
        return onHistory(f);
      case 'message':
        return onMessage(f);
      case 'claimed':
        return onClaimed(f);
      case 'closed':
        return onClosed(f);
      case 'ack':
        return onAck(f);
      case 'handed_off':
        return onHandedOff(f);
      case 'typing':
        return onTyping(f);
      case 'rated':
        return onRated(f);
      case 'agents':
        return onAgents(f);
      case 'offline_messages':
        return onOfflineMessages(f);
      case 'canned':
        return onCanned(f);
      case 'requeued':
        return onRequeued(f);
      case 'error':
        return onError(f);
      default:
        console.warn('[tandem] unknown frame type', f.type);
    }
  }

  function onHello(f) {
    state.me = (f.agent && f.agent.name) || state.me;
    state.role = typeof f.role === 'string' ? f.role : null;
    sessionSet(KEY_NAME, state.me);
    state.conn = 'ready';
    state.attempt = 0;
    state.refusals = 0;
    state.claiming = null;
    state.closing = null;
    state.transferring = null;
    state.releasing = null;
    state.resolving.clear();
    state.typing.sent = false; // a new socket: the server forgot our typing
    // Replies that were in flight when the socket dropped. The server never
    // stores an id twice, so resending one it already has only re-acks it.
    for (const entry of state.outbox) sendReply(entry);
    // A new session starts `available`; keep the agent's choice of Away.
    state.myStatus = null;
    state.statusPending = false;
    if (state.wantStatus === 'away' && send({ type: 'status', status: 'away' })) state.statusPending = true;
    // The server re-sends `conversation` for held chats; refresh a queued one
    // we were looking at, since it may have moved on while we were away.
    const current = state.currentId && state.convs.get(state.currentId);
    if (current && !isMine(current)) send({ type: 'open', conversation_id: current.id });
    render();
    announceSession();
  }

  /** Tells console-admin.js who is signed in (a null token: nobody). */
  function announceSession() {
    const detail = { token: state.token, name: state.me, role: state.role };
    document.dispatchEvent(new CustomEvent('tandem:session', { detail }));
  }

  function onQueue(f) {
    const entries = Array.isArray(f.entries) ? f.entries : [];
    const arrivals = entries.filter((e) => !state.seenQueueIds.has(e.conversation_id));
    for (const e of entries) {
      state.seenQueueIds.add(e.conversation_id);
      if (e.visitor_id) visitorOf.set(e.conversation_id, e.visitor_id);
    }
    state.queue = entries;
    if (state.queueLoaded && arrivals.length) notifyArrivals(arrivals);
    state.queueLoaded = true;

    // A queued chat we are looking at left the queue without us claiming it:
    // someone else took it (or it was closed). Ask for its current state.
    const current = state.currentId && state.convs.get(state.currentId);
    if (
      current &&
      current.status === 'queued' &&
      state.claiming !== current.id &&
      !entries.some((e) => e.conversation_id === current.id)
    ) {
      send({ type: 'open', conversation_id: current.id });
    }
    renderQueue();
    renderTitle();
  }

  function onOfflineMessages(f) {
    state.offline = Array.isArray(f.entries) ? f.entries.filter((e) => e && e.id != null) : [];
    // Whatever was resolved is gone from the list; forget the rest's "in flight".
    const ids = new Set(state.offline.map((e) => e.id));
    for (const id of state.resolving) if (!ids.has(id)) state.resolving.delete(id);
    renderOffline();
  }

  function fromServer(m) {
    return {
      id: m.id,
      from: m.from,
      author: m.author || null,
      text: String(m.text == null ? '' : m.text),
      at: m.at,
      client_id: m.client_id || null,
      quick_replies: m.quick_replies,
      pending: false,
      failed: '',
    };
  }

  function pendingLine(entry) {
    return {
      id: null,
      from: entry.kind === 'note' ? 'note' : 'agent',
      author: state.me,
      text: entry.text,
      at: entry.at,
      client_id: entry.id,
      pending: true,
      failed: '',
    };
  }

  function onConversation(f) {
    const conv = conversation(f.conversation_id);
    conv.status = f.status;
    conv.assignedTo = f.assigned_to || null;
    conv.reasons = Array.isArray(f.reasons) ? f.reasons : [];
    conv.frustration = typeof f.frustration === 'number' ? f.frustration : 0;
    conv.frustrationPeak = typeof f.frustration_peak === 'number' ? f.frustration_peak : conv.frustration;
    conv.csat = f.csat || null;
    conv.earlier = Array.isArray(f.earlier) ? f.earlier : [];
    if (f.visitor_id) visitorOf.set(conv.id, f.visitor_id);
    for (const e of conv.earlier) visitorOf.set(e.conversation_id, f.visitor_id || conv.id);
    const history = Array.isArray(f.history) ? f.history : [];

    // The history is the truth. Our replies already in it are stored (their
    // ack may have been lost with an old socket); the rest stay pending.
    const stored = new Set(history.map((m) => m.client_id).filter(Boolean));
    const before = state.outbox.length;
    state.outbox = state.outbox.filter((o) => o.conversation_id !== conv.id || !stored.has(o.id));
    if (state.outbox.length !== before) saveOutbox();
    const pending = state.outbox.filter((o) => o.conversation_id === conv.id).map(pendingLine);
    conv.lines = history.map(fromServer).concat(pending);
    conv.moreHistory = f.more_history === true;
    conv.loaded = true;

    if (isMine(conv)) addMine(conv.id);
    else removeMine(conv.id);
    if (state.closing === conv.id && conv.status !== 'assigned') state.closing = null;
    if (state.claiming === conv.id && conv.status !== 'queued') state.claiming = null;
    if (state.transferring === conv.id && !isMine(conv)) state.transferring = null;
    if (state.releasing === conv.id && !isMine(conv)) state.releasing = null;
    if (!isMine(conv)) clearVisitorTyping(conv.id);

    // After a reload, show the chat that was shown (or else the first held
    // one rather than an empty page), with its draft.
    const restoring = state.restoreId === conv.id && state.currentId !== conv.id &&
      (!state.currentId || state.autoPicked);
    if (isMine(conv) && (!state.currentId || restoring)) {
      state.autoPicked = !restoring && state.restoreId != null;
      if (restoring) state.restoreId = null;
      state.currentId = conv.id;
      state.transferOpen = false;
      state.composeMode = 'reply';
      sessionSet(KEY_CURRENT, conv.id);
      restoreDraft(conv.id);
    }
    if (state.currentId === conv.id) {
      conv.unread = 0;
      state.shownId = null; // force a transcript redraw
    }
    render();
  }

  function onMessage(f) {
    if (!f.conversation_id) return;
    const known = state.convs.has(f.conversation_id);
    const conv = conversation(f.conversation_id);
    if (!known) {
      // A line for a chat we have not loaded: we hold it (the server only
      // sends lines for those), so fetch its history.
      conv.status = 'assigned';
      conv.assignedTo = state.me;
      addMine(conv.id);
      send({ type: 'open', conversation_id: conv.id });
    }

    if (f.id != null && conv.lines.some((l) => l.id != null && String(l.id) === String(f.id))) return;

    // Our own reply coming back: replace the pending line instead of doubling it.
    const own = f.client_id ? conv.lines.find((l) => l.client_id === f.client_id) : null;
    if (own) {
      Object.assign(own, fromServer(f)); // keeps own.el
      renderLineState(own);
      return;
    }

    const line = fromServer(f);
    if (line.from === 'visitor') clearVisitorTyping(conv.id);
    conv.lines.push(line);
    if (conv.loaded) appendToTranscript(conv, line);
    if (line.from === 'visitor' && conv.id !== state.currentId) conv.unread += 1;
    renderMyChats();
  }

  function onClaimed(f) {
    // Not asked for: auto-assigned from the queue, or transferred to us (it
    // was with another agent, or it never was in our queue).
    const prev = state.convs.get(f.conversation_id);
    const fromQueue = prev
      ? !(prev.status === 'assigned' && prev.assignedTo && prev.assignedTo !== state.me)
      : state.seenQueueIds.has(f.conversation_id);
    const conv = conversation(f.conversation_id);
    const wonClaim = state.claiming === conv.id;
    conv.status = 'assigned';
    conv.assignedTo = state.me;
    state.claiming = null;
    addMine(conv.id);
    if (wonClaim || !state.currentId || state.currentId === conv.id) {
      showConversation(conv.id);
    } else {
      // Not our claim: someone transferred it to us. Do not yank the agent
      // away from the chat they are in; it waits in "My chats", marked.
      conv.unread = Math.max(conv.unread, 1);
      render();
    }
    if (!wonClaim) {
      toast(fromQueue ? 'A chat from the queue was assigned to you' : 'A conversation was transferred to you', 'info');
      notifyMe(fromQueue ? 'Chat assigned to you' : 'Chat transferred to you', () => showConversation(conv.id));
    }
  }

  function onHandedOff(f) {
    const id = f.conversation_id;
    if (!id) return;
    const conv = state.convs.get(id);
    removeMine(id);
    clearVisitorTyping(id);
    if (state.typing.convId === id) stopTyping(false);
    if (state.transferring === id) state.transferring = null;
    if (state.releasing === id) state.releasing = null;
    saveDraft(id, '');
    const to = f.to || null;
    if (conv) {
      conv.status = to ? 'assigned' : 'bot';
      conv.assignedTo = to;
      if (state.currentId === id) {
        state.transferOpen = false;
        state.shownId = null;
      }
    }
    toast(to ? 'Transferred to ' + to : 'Handed back to the bot', 'info');
    render();
  }

  function onTyping(f) {
    const id = f.conversation_id;
    if (!id) return;
    if (f.active) {
      clearTimeout(state.visitorTyping.get(id));
      state.visitorTyping.set(
        id,
        setTimeout(() => {
          state.visitorTyping.delete(id);
          renderVisitorTyping();
        }, TYPING_SHOW_MS),
      );
    } else {
      clearVisitorTyping(id);
    }
    renderVisitorTyping();
  }

  function clearVisitorTyping(id) {
    clearTimeout(state.visitorTyping.get(id));
    state.visitorTyping.delete(id);
    if (id === state.currentId) renderVisitorTyping();
  }

  function onRated(f) {
    if (!f.conversation_id || !f.csat) return;
    const conv = conversation(f.conversation_id);
    conv.csat = f.csat;
    if (state.currentId === conv.id) renderCsat(conv);
    toast('A visitor rated your chat ' + f.csat.score + '/5', 'info');
  }

  function onAgents(f) {
    const online = Array.isArray(f.online) ? f.online : [];
    state.online = online.map((a) => a && a.name).filter((n) => typeof n === 'string');
    const me = online.find((a) => a && a.name === state.me);
    if (me) {
      if (me.status === 'available' || me.status === 'away') {
        state.myStatus = me.status;
        if (me.status === state.wantStatus) state.statusPending = false;
        else if (!state.statusPending) {
          // Changed elsewhere (another tab): that is the agent's choice now.
          state.wantStatus = me.status;
          sessionSet(KEY_WANT_STATUS, me.status);
        }
      }
      const chats = Number(me.chats);
      const max = me.max_chats == null ? null : Number(me.max_chats);
      state.myLoad = isFinite(chats) ? { chats, max: isFinite(max) ? max : null } : null;
    }
    renderTransferPanel();
    renderPresence();
  }

  function onCanned(f) {
    const replies = Array.isArray(f.replies) ? f.replies : [];
    state.canned = replies
      .filter((r) => r && typeof r.shortcut === 'string' && typeof r.text === 'string' && r.text)
      .map((r) => ({ shortcut: r.shortcut, text: r.text }));
    if (state.picker.open) updatePicker();
  }

  /** We took it but did not answer in time: it is back at the front of the queue. */
  function onRequeued(f) {
    const id = f.conversation_id;
    if (!id) return;
    removeMine(id);
    clearVisitorTyping(id);
    if (state.typing.convId === id) stopTyping(false);
    const conv = state.convs.get(id);
    if (conv) {
      conv.status = 'queued';
      conv.assignedTo = null;
      conv.unread = 0;
      if (state.currentId === id) {
        state.transferOpen = false;
        state.shownId = null;
        closePicker();
      }
    }
    toast("A chat went back to the queue because it wasn't answered in time", 'info');
    render();
  }

  function toggleStatus() {
    const pending = state.statusPending && state.wantStatus !== state.myStatus;
    const current = (pending ? state.wantStatus : state.myStatus) || 'available';
    const next = current === 'away' ? 'available' : 'away';
    if (!send({ type: 'status', status: next })) return;
    state.wantStatus = next;
    state.statusPending = true;
    sessionSet(KEY_WANT_STATUS, next);
    renderPresence();
  }

  function onClosed(f) {
    const conv = state.convs.get(f.conversation_id);
    removeMine(f.conversation_id);
    clearVisitorTyping(f.conversation_id);
    if (state.typing.convId === f.conversation_id) stopTyping(false);
    if (state.closing === f.conversation_id) state.closing = null;
    saveDraft(f.conversation_id, '');
    if (conv) {
      conv.status = 'closed';
      // Replies still in flight can no longer be delivered.
      for (const line of conv.lines) {
        if (line.pending) {
          line.pending = false;
          line.failed = 'Not sent: the conversation was closed';
          renderLineState(line);
        }
      }
      state.outbox = state.outbox.filter((o) => o.conversation_id !== conv.id);
      saveOutbox();
      if (state.currentId === conv.id) state.shownId = null; // redraw with the "closed" note
    }
    render();
  }

  function onAck(f) {
    const entry = state.outbox.find((o) => o.id === f.id);
    if (!entry) return;
    state.outbox = state.outbox.filter((o) => o !== entry);
    saveOutbox();
    const conv = state.convs.get(entry.conversation_id);
    const line = conv && conv.lines.find((l) => l.client_id === f.id);
    if (line) {
      line.pending = false;
      renderLineState(line);
    }
  }

  function onError(f) {
    const entry = f.id ? state.outbox.find((o) => o.id === f.id) : null;

    if (f.code === 'already_claimed') {
      toast('Someone else already took this conversation');
      const id = f.conversation_id || state.claiming || state.currentId;
      state.claiming = null;
      if (id) send({ type: 'open', conversation_id: id });
      render();
      return;
    }

    if (entry && f.code === 'rate_limited') {
      // Not stored; the same id goes again in a moment.
      setTimeout(() => {
        if (state.outbox.includes(entry)) sendReply(entry);
      }, 1000 + Math.random() * 1000);
      return;
    }

    if (entry || f.code === 'not_assigned') {
      // Replies the server will not take: stop resending them and say so.
      const convId = (entry && entry.conversation_id) || f.conversation_id;
      const doomed = state.outbox.filter((o) => (entry ? o === entry : o.conversation_id === convId));
      state.outbox = state.outbox.filter((o) => !doomed.includes(o));
      saveOutbox();
      const conv = convId && state.convs.get(convId);
      for (const o of doomed) {
        const line = conv && conv.lines.find((l) => l.client_id === o.id);
        if (line) {
          line.pending = false;
          line.failed = 'Not sent';
          renderLineState(line);
        }
      }
      // Our picture of who holds it is out of date: ask again.
      if (f.code === 'not_assigned' && convId) send({ type: 'open', conversation_id: convId });
    }

    if (state.transferring && (!f.conversation_id || f.conversation_id === state.transferring)) state.transferring = null;
    if (state.releasing && (!f.conversation_id || f.conversation_id === state.releasing)) state.releasing = null;
    if (state.claiming && (!f.conversation_id || f.conversation_id === state.claiming)) state.claiming = null;
    if (state.closing && (!f.conversation_id || f.conversation_id === state.closing)) state.closing = null;
    if (state.resolving.size && !f.conversation_id) state.resolving.clear();
    toast(f.message || 'Something went wrong (' + f.code + ')');
    render();
  }

  // ---------------------------------------------------------------------------
  // Agent actions.

  /** Show a conversation from the queue: ask the server for it. */
  function openConversation(id) {
    conversation(id);
    showConversation(id);
    send({ type: 'open', conversation_id: id });
  }

  /** Switch the main area; held chats are already in memory. */
  function showConversation(id) {
    if (state.currentId !== id) {
      stopTyping(true);
      state.currentId = id;
      state.shownId = null;
      state.transferOpen = false;
      state.composeMode = 'reply';
      state.autoPicked = false;
      sessionSet(KEY_CURRENT, id);
      restoreDraft(id);
    }
    const conv = conversation(id);
    conv.unread = 0;
    render();
    if (isMine(conv)) ui.replyInput.focus();
  }

  function resolveOffline(id) {
    if (state.resolving.has(id) || !send({ type: 'resolve_offline', id })) return;
    state.resolving.add(id);
    renderOffline();
  }

  function claim() {
    const id = state.currentId;
    if (!id || !send({ type: 'claim', conversation_id: id })) return;
    state.claiming = id;
    renderConversation();
  }

  function toggleTransfer() {
    const conv = state.currentId && state.convs.get(state.currentId);
    if (!isMine(conv)) return;
    state.transferOpen = !state.transferOpen;
    if (state.transferOpen) ui.transferNote.value = '';
    renderTransferPanel();
    if (state.transferOpen) (ui.transferTo.hidden ? ui.transferCancel : ui.transferTo).focus();
  }

  function confirmTransfer(event) {
    if (event) event.preventDefault();
    const conv = state.currentId && state.convs.get(state.currentId);
    const to = ui.transferTo.value;
    if (!isMine(conv) || !to || to === state.me) return;
    const note = ui.transferNote.value.trim();
    const frame = { type: 'transfer', conversation_id: conv.id, to };
    if (note) frame.note = note;
    stopTyping(true);
    if (!send(frame)) return;
    state.transferring = conv.id;
    renderConversation();
  }

  function release() {
    const conv = state.currentId && state.convs.get(state.currentId);
    if (!isMine(conv)) return;
    stopTyping(true);
    if (!send({ type: 'release', conversation_id: conv.id })) return;
    state.releasing = conv.id;
    renderConversation();
  }

  function setComposeMode(mode) {
    if (state.composeMode === mode) return;
    if (mode === 'note') stopTyping(true);
    state.composeMode = mode;
    renderConversation();
    if (!ui.replyInput.disabled) ui.replyInput.focus();
  }

  // Typing, ours: `active:true` when a reply starts, `active:false` after a
  // few idle seconds, on send, or when leaving the chat; at most one frame per
  // TYPING_MIN_GAP_MS (a change inside the gap waits for it to pass).
  function sendTyping(active, refresh = false) {
    const t = state.typing;
    clearTimeout(t.retryTimer);
    t.retryTimer = null;
    if (!t.convId || (t.sent === active && !refresh)) return;
    const wait = t.sentAt + TYPING_MIN_GAP_MS - Date.now();
    if (wait > 0) {
      t.retryTimer = setTimeout(() => {
        t.retryTimer = null;
        sendTyping(active && !!t.idleTimer); // a stale "start" is dropped
      }, wait);
      return;
    }
    const conv = state.convs.get(t.convId);
    if (!isMine(conv)) {
      // Not ours any more: the server would answer `not_assigned`, and it
      // forgets typing state with the hand-over anyway.
      t.sent = false;
      return;
    }
    if (!send({ type: 'typing', conversation_id: t.convId, active })) return;
    t.sent = active;
    t.sentAt = Date.now();
  }

  function onReplyKeystroke() {
    const conv = state.currentId && state.convs.get(state.currentId);
    if (composeKind(conv) !== 'reply' || !ui.replyInput.value.trim()) {
      stopTyping(true);
      return;
    }
    const t = state.typing;
    if (t.convId !== conv.id) {
      stopTyping(true);
      t.convId = conv.id;
    }
    clearTimeout(t.idleTimer);
    t.idleTimer = setTimeout(() => {
      t.idleTimer = null;
      sendTyping(false);
    }, TYPING_IDLE_MS);
    if (!t.sent || Date.now() - t.sentAt >= TYPING_REFRESH_MS) sendTyping(true, true);
  }

  /** Stop our typing signal; `tell` sends `active:false` if the server has `true`. */
  function stopTyping(tell) {
    const t = state.typing;
    clearTimeout(t.idleTimer);
    t.idleTimer = null;
    if (tell && t.sent) {
      sendTyping(false); // may wait out the gap; keeps convId until sent
      return;
    }
    clearTimeout(t.retryTimer);
    t.retryTimer = null;
    t.sent = false;
    t.convId = null;
  }

  function closeConversation() {
    const id = state.currentId;
    if (!id || !send({ type: 'close', conversation_id: id })) return;
    state.closing = id;
    renderConversation();
  }

  function sendFromReplyBox() {
    const conv = state.currentId && state.convs.get(state.currentId);
    const text = ui.replyInput.value;
    const kind = composeKind(conv);
    if (!kind || !text.trim()) return false;
    if (charCount(text) > MAX_CHARS) {
      toast('That ' + kind + ' is too long (' + MAX_CHARS.toLocaleString() + ' characters at most)');
      return false;
    }
    if (kind === 'reply') stopTyping(true);
    const entry = {
      id: kind === 'note' ? nextNoteId() : nextReplyId(),
      kind,
      conversation_id: conv.id,
      text,
      at: new Date().toISOString(),
    };
    state.outbox.push(entry);
    saveOutbox();
    const line = pendingLine(entry);
    conv.lines.push(line);
    appendToTranscript(conv, line);
    // Offline: it stays in the outbox and goes out after the next `hello`.
    sendReply(entry);
    ui.replyInput.value = '';
    saveDraft(conv.id, '');
    closePicker();
    renderComposer();
    ui.replyInput.focus();
    return true;
  }

  // ---------------------------------------------------------------------------
  // Canned replies: `/` at the start of the box or after a space opens a
  // picker, filtered by what follows the slash.

  /** The `/query` just before the caret, or null. */
  function slashQuery() {
    const box = ui.replyInput;
    if (box.disabled || box.selectionStart !== box.selectionEnd) return null;
    const caret = box.selectionStart;
    const m = /(^|\s)\/([^\s/]*)$/.exec(box.value.slice(0, caret));
    if (!m) return null;
    return { query: m[2], start: caret - m[2].length - 1, end: caret };
  }

  /** Shortcut prefix matches first, then the shortcut or text containing it. */
  function matchCanned(query) {
    const q = query.toLowerCase();
    const prefix = [];
    const inside = [];
    for (const r of state.canned) {
      const shortcut = r.shortcut.toLowerCase();
      if (shortcut.startsWith(q)) prefix.push(r);
      else if (shortcut.includes(q) || r.text.toLowerCase().includes(q)) inside.push(r);
    }
    return prefix.concat(inside).slice(0, PICKER_MAX);
  }

  function updatePicker() {
    const conv = state.currentId && state.convs.get(state.currentId);
    const found = state.canned.length && composeKind(conv) ? slashQuery() : null;
    const items = found ? matchCanned(found.query) : [];
    if (!items.length) {
      closePicker();
      return;
    }
    const p = state.picker;
    const chosen = p.open && p.items[p.index];
    p.open = true;
    p.items = items;
    p.index = Math.max(0, chosen ? items.indexOf(chosen) : 0);
    p.start = found.start;
    p.end = found.end;
    renderPicker();
  }

  function closePicker() {
    const p = state.picker;
    if (!p.open && ui.cannedPicker.hidden) return;
    p.open = false;
    p.items = [];
    p.index = 0;
    renderPicker();
  }

  function renderPicker() {
    const p = state.picker;
    ui.cannedPicker.textContent = '';
    ui.cannedPicker.hidden = !p.open;
    ui.replyInput.setAttribute('aria-expanded', String(p.open));
    if (!p.open) {
      ui.replyInput.removeAttribute('aria-activedescendant');
      return;
    }
    p.items.forEach((r, i) => {
      const li = el('li', 'canned-item');
      li.id = 'canned-item-' + i;
      li.dataset.shortcut = r.shortcut;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === p.index));
      li.append(el('span', 'canned-shortcut', '/' + r.shortcut), el('span', 'canned-text', r.text));
      // mousedown would take the focus from the reply box (and close the picker).
      li.addEventListener('mousedown', (e) => e.preventDefault());
      li.addEventListener('click', () => insertCanned(i));
      ui.cannedPicker.append(li);
    });
    ui.replyInput.setAttribute('aria-activedescendant', 'canned-item-' + p.index);
    const active = ui.cannedPicker.children[p.index];
    if (active && active.scrollIntoView) active.scrollIntoView({ block: 'nearest' });
  }

  /** Replace the `/query` with the reply's text. */
  function insertCanned(index) {
    const p = state.picker;
    const reply = p.items[index];
    if (!p.open || !reply) return;
    const box = ui.replyInput;
    const value = box.value;
    // The box may have changed since the picker was drawn: find the query again.
    const found = slashQuery() || { start: p.start, end: p.end };
    box.value = value.slice(0, found.start) + reply.text + value.slice(found.end);
    const caret = found.start + reply.text.length;
    box.setSelectionRange(caret, caret);
    closePicker();
    box.focus();
    onReplyInput();
  }

  /** Keys for the open picker; true when the key was its. */
  function pickerKeydown(e) {
    const p = state.picker;
    if (!p.open || e.isComposing) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const n = p.items.length;
      p.index = (p.index + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      renderPicker();
    } else if ((e.key === 'Enter' && !e.shiftKey) || (e.key === 'Tab' && !e.shiftKey)) {
      insertCanned(p.index);
    } else if (e.key === 'Escape') {
      closePicker();
    } else {
      return false;
    }
    e.preventDefault();
    e.stopPropagation();
    return true;
  }

  function onReplyInput() {
    saveDraft(state.currentId, ui.replyInput.value);
    renderComposer();
    onReplyKeystroke();
    updatePicker();
  }

  // ---------------------------------------------------------------------------
  // Keyboard shortcuts. Letters act only outside text fields; Esc leaves one.

  function inTextField(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable) return true;
    const tag = target.tagName;
    if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
    if (tag !== 'INPUT') return false;
    return !['button', 'checkbox', 'radio', 'submit', 'reset', 'range', 'color', 'file'].includes(target.type);
  }

  function helpOpen() {
    return !ui.shortcutsHelp.hidden;
  }

  let helpReturnFocus = null;

  function openHelp() {
    if (helpOpen()) return;
    helpReturnFocus = document.activeElement;
    ui.shortcutsHelp.hidden = false;
    ui.shortcutsOpen.setAttribute('aria-expanded', 'true');
    ui.shortcutsClose.focus();
  }

  function closeHelp() {
    if (!helpOpen()) return;
    ui.shortcutsHelp.hidden = true;
    ui.shortcutsOpen.setAttribute('aria-expanded', 'false');
    if (helpReturnFocus && document.contains(helpReturnFocus) && helpReturnFocus.focus) helpReturnFocus.focus();
    helpReturnFocus = null;
  }

  /** Next (+1) or previous (-1) chat in My chats, wrapping around. */
  function stepMyChats(dir) {
    const list = state.mine;
    if (!list.length) return false;
    const at = list.indexOf(state.currentId);
    const next = at < 0 ? (dir > 0 ? 0 : list.length - 1) : (at + dir + list.length) % list.length;
    showConversation(list[next]);
    return true;
  }

  function focusComposer(mode) {
    const conv = state.currentId && state.convs.get(state.currentId);
    if (!conv) return false;
    if (mode === 'note' ? !mayNote(conv) : !isMine(conv)) return false;
    if (state.composeMode !== mode) setComposeMode(mode);
    if (ui.replyInput.disabled) return false;
    ui.replyInput.focus();
    return true;
  }

  function onShortcutKey(e) {
    if (!state.token || ui.app.hidden || e.defaultPrevented || e.isComposing) return;
    if (e.key === 'Escape') {
      if (helpOpen()) {
        closeHelp();
        e.preventDefault();
      } else if (state.transferOpen && ui.transferPanel.contains(e.target)) {
        state.transferOpen = false;
        renderTransferPanel();
        ui.transfer.focus();
        e.preventDefault();
      } else if (inTextField(e.target)) {
        e.target.blur();
        e.preventDefault();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || inTextField(e.target)) return;
    if (helpOpen()) {
      if (e.key === '?') {
        closeHelp();
        e.preventDefault();
      }
      return; // a dialog is up: the console behind it does not react
    }
    const conv = state.currentId && state.convs.get(state.currentId);
    let handled = true;
    switch (e.key) {
      case '?':
        openHelp();
        break;
      case 'j':
        handled = stepMyChats(1);
        break;
      case 'k':
        handled = stepMyChats(-1);
        break;
      case 'q':
        if (state.queue.length) openConversation(state.queue[0].conversation_id);
        else handled = false;
        break;
      case 'c':
        if (conv && conv.status === 'queued' && !ui.claim.hidden && !ui.claim.disabled) claim();
        else handled = false;
        break;
      case 'r':
        handled = focusComposer('reply');
        break;
      case 'n':
        handled = focusComposer('note');
        break;
      case 't':
        if (isMine(conv) && !ui.transfer.disabled) toggleTransfer();
        else handled = false;
        break;
      case 'a':
        toggleStatus();
        break;
      case 'm':
        toggleMute();
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault(); // e.g. `r` must not type an "r" into the box it focused
  }

  // ---------------------------------------------------------------------------
  // Signing in and out.

  function showLoginError(text) {
    ui.loginError.textContent = text || '';
    ui.loginError.hidden = !text;
  }

  /**
   * First run: while no agent exists, the form creates the first account
   * (POST /api/agent/setup) instead of signing in.
   */
  async function checkSetup() {
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

  async function login(event) {
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

  function startSession(token, name) {
    state.token = token;
    state.me = name;
    sessionSet(KEY_TOKEN, token);
    sessionSet(KEY_NAME, name);
    state.outbox = loadOutbox();
    state.restoreId = sessionGet(KEY_CURRENT);
    const want = sessionGet(KEY_WANT_STATUS);
    state.wantStatus = want === 'away' || want === 'available' ? want : null;
    render();
    connect();
  }

  async function signOut() {
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
  function signOutLocally(message) {
    state.token = null; // first, so the socket's close handler does not reconnect
    const ws = state.ws;
    state.ws = null;
    if (ws) ws.close(1000, 'signed out');
    clearTimeout(state.retryTimer);
    stopFlash();
    sessionSet(KEY_TOKEN, null);
    sessionSet(KEY_NAME, null);
    sessionSet(KEY_OUTBOX, null);
    sessionSet(KEY_DRAFTS, null);
    sessionSet(KEY_CURRENT, null);
    sessionSet(KEY_WANT_STATUS, null);
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

  // ---------------------------------------------------------------------------
  // Wiring.

  ui.loginForm.addEventListener('submit', login);
  ui.signout.addEventListener('click', signOut);
  ui.claim.addEventListener('click', claim);
  ui.closeConversation.addEventListener('click', closeConversation);
  ui.replySend.addEventListener('click', sendFromReplyBox);
  ui.replyInput.addEventListener('input', onReplyInput);
  // The caret moved without typing (click, arrows): the `/query` may have changed.
  ui.replyInput.addEventListener('click', updatePicker);
  ui.replyInput.addEventListener('keyup', (e) => {
    if (e.key === 'ArrowLeft' || e.key === 'ArrowRight' || e.key === 'Home' || e.key === 'End') updatePicker();
  });
  ui.replyInput.addEventListener('blur', closePicker);
  ui.statusToggle.addEventListener('click', toggleStatus);
  ui.mute.addEventListener('click', toggleMute);
  ui.enableNotifications.addEventListener('click', askNotificationPermission);
  ui.shortcutsOpen.addEventListener('click', openHelp);
  ui.shortcutsClose.addEventListener('click', closeHelp);
  ui.shortcutsHelp.addEventListener('click', (e) => {
    if (e.target === ui.shortcutsHelp) closeHelp(); // the backdrop
  });
  ui.shortcutsHelp.addEventListener('keydown', (e) => {
    if (e.key === 'Tab') {
      e.preventDefault(); // one control in the dialog: keep the focus in it
      ui.shortcutsClose.focus();
    }
  });
  document.addEventListener('keydown', onShortcutKey);
  // Audio may only start after a gesture: get it ready on the first one.
  document.addEventListener('pointerdown', unlockAudio, true);
  document.addEventListener('keydown', unlockAudio, true);
  ui.transfer.addEventListener('click', toggleTransfer);
  ui.transferPanel.addEventListener('submit', confirmTransfer);
  ui.transferCancel.addEventListener('click', () => {
    state.transferOpen = false;
    renderTransferPanel();
    ui.transfer.focus();
  });
  ui.release.addEventListener('click', release);
  ui.modeReply.addEventListener('click', () => setComposeMode('reply'));
  ui.modeNote.addEventListener('click', () => setComposeMode('note'));
  ui.replyInput.addEventListener('keydown', (e) => {
    if (pickerKeydown(e)) return; // the canned picker has Up/Down/Enter/Tab/Esc
    // Enter and Ctrl/Cmd+Enter send; Shift+Enter is a new line. isComposing:
    // Enter also confirms IME input. Alt+Enter sends and moves to the next chat.
    if (e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
    e.preventDefault();
    const sent = sendFromReplyBox();
    if (sent && e.altKey && state.mine.length > 1) stepMyChats(1);
  });

  // What console-admin.js shares with this file (loaded after it).
  window.tandemConsole = Object.freeze({ inTextField });

  setInterval(tickWaits, 15000);
  state.muted = localGet(KEY_MUTED) === '1';
  ui.shortcutsOpen.setAttribute('aria-expanded', 'false');

  const storedToken = sessionGet(KEY_TOKEN);
  if (storedToken) {
    startSession(storedToken, sessionGet(KEY_NAME));
  } else {
    render();
    ui.loginName.focus();
    checkSetup();
  }
})();
