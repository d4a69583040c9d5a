/*
 * Tandem chat widget (web/widget.js).
 *
 * Embed it on any page with one tag:
 *
 *   <script src="https://support.example.com/widget.js" defer></script>
 *
 * Optional attributes on that tag: data-title="Support" (the name in the
 * header) and data-color="#23666f" (the accent colour).
 *
 * It speaks the visitor side of the wire protocol in docs/protocol.md
 * (GET /ws/visitor[?resume=TOKEN]); that page is the contract, this file only
 * follows it. Because it runs on other people's sites, everything lives inside
 * this IIFE (no globals), every CSS selector is scoped under #tandem-root, and
 * all chat text is rendered with textContent, never as HTML.
 */
(function () {
  'use strict';

  // Included twice on one page: the first copy wins.
  if (document.getElementById('tandem-root')) return;

  // document.currentScript is only set while this file first runs, so read
  // everything we need from the tag now.
  const script = document.currentScript;
  const scriptUrl = new URL((script && script.src) || '/widget.js', location.href);
  // Resolve relative to the script so a server mounted under a path prefix
  // (https://example.com/chat/widget.js) works too. ws:// or wss:// follows
  // the script's http:// or https://, not the host page's.
  const wsPath = new URL('ws/visitor', scriptUrl);
  const WS_URL = (scriptUrl.protocol === 'https:' ? 'wss://' : 'ws://') + wsPath.host + wsPath.pathname;
  const TITLE = (script && script.dataset.title) || 'Support';
  const ACCENT = script && script.dataset.color;

  const MAX_COMMENT_CHARS = 1000; // the server's limit on a rating's comment
  const TYPING_IDLE_MS = 3000; // stop "typing" after this long without a key
  const TYPING_MIN_GAP_MS = 2000; // never more than one typing frame per this
  const TYPING_REFRESH_MS = 4000; // still typing: say so again, before the other side's 6 s timeout
  const TYPING_SHOW_MS = 6000; // hide the agent's indicator without a refresh
  const MAX_CHARS = 4000; // the server's limit on `text`, in characters
  const COUNTER_FROM = 3500; // show the counter once the text gets this long
  const KEY_RESUME = 'tandem.resume'; // localStorage: resume_token from `welcome`
  const KEY_OUTBOX = 'tandem.outbox'; // localStorage: lines sent but not yet acked
  const KEY_OPEN = 'tandem.open'; // sessionStorage: was the panel open before a reload
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 10000;

  // ---------------------------------------------------------------------------
  // Storage. Any of these may throw (blocked cookies, private mode, full
  // quota); the widget then simply forgets across reloads instead of breaking.

  function storage(kind) {
    try {
      const s = window[kind];
      s.setItem('tandem.probe', '1');
      s.removeItem('tandem.probe');
      return s;
    } catch (_) {
      return null;
    }
  }
  const local = storage('localStorage');
  const session = storage('sessionStorage');

  function read(store, key) {
    try {
      return store ? store.getItem(key) : null;
    } catch (_) {
      return null;
    }
  }

  function write(store, key, value) {
    try {
      if (!store) return;
      if (value == null) store.removeItem(key);
      else store.setItem(key, value);
    } catch (_) {
      /* quota or blocked: keep going with what is in memory */
    }
  }

  function loadOutbox() {
    try {
      const list = JSON.parse(read(local, KEY_OUTBOX) || '[]');
      return Array.isArray(list)
        ? list.filter((o) => o && typeof o.id === 'string' && typeof o.text === 'string')
        : [];
    } catch (_) {
      return [];
    }
  }

  function saveOutbox() {
    write(local, KEY_OUTBOX, state.outbox.length ? JSON.stringify(state.outbox) : null);
  }

  // ---------------------------------------------------------------------------
  // State. One object; handlers change it, render functions draw it.

  const state = {
    open: false,
    /** idle (never started) | connecting | ready (welcome received) | retrying */
    conn: 'idle',
    ws: null,
    attempt: 0,
    retryTimer: null,
    everReady: false,
    /** conversation status from the protocol: bot | queued | assigned | closed */
    mode: 'bot',
    agentName: null,
    /** {position, estimated_wait_s} while queued */
    queue: null,
    /**
     * rendered lines: {from, author, text, at, client_id, quick_replies,
     * pending, failed, el}; `from: 'divider'` marks where the visitor's next
     * conversation starts, and lines above it are `earlier` (read only)
     */
    lines: [],
    /** a divider was drawn for a conversation the server has not started yet */
    newConversationPending: false,
    /** own lines not yet acked, oldest first: {id, text, at}; persisted */
    outbox: loadOutbox(),
    humanRequested: false,
    humanTimer: null,
    unread: 0,
    noticeTimer: null,
    /** name of the agent who just handed the chat back to the bot, for the status line */
    leftBy: null,
    cancelling: false,
    /** the agent's `typing` indicator */
    agentTyping: false,
    agentTypingTimer: null,
    /** our own typing signal: last `active` sent, when, and the idle timer */
    typingSent: false,
    typingSentAt: 0,
    typingIdleTimer: null,
    typingRetryTimer: null,
    /** survey after a closed conversation: hidden | open | sending | thanks */
    survey: 'hidden',
    surveyScore: 0,
    /** leave-a-message form after `offline`: hidden | open | sending | thanks */
    offline: 'hidden',
    /** `offline` frame's reason (closed_hours | no_agents) and hours text */
    offlineReason: null,
    offlineHours: null,
    /** the email the message was left under, for the thanks line */
    offlineEmail: '',
    offlineError: '',
  };

  // Client ids only need to be unique within a conversation; a random part per
  // page load plus a counter is enough and stays well under 64 characters.
  const runId = Math.random().toString(36).slice(2, 10);
  let idCounter = 0;
  const nextClientId = () => 'c-' + runId + '-' + ++idCounter;

  // ---------------------------------------------------------------------------
  // Styles. Everything is scoped under #tandem-root; the reset below keeps the
  // host page's element rules (button, textarea, div...) from leaking in.

  const CSS = `
#tandem-root{all:initial}
#tandem-root,#tandem-root *,#tandem-root *::before,#tandem-root *::after{box-sizing:border-box;margin:0;padding:0;border:0;background:none;box-shadow:none;float:none;font:inherit;color:inherit;letter-spacing:normal;word-spacing:normal;text-transform:none;text-indent:0;text-shadow:none;text-decoration:none;text-align:inherit;width:auto;height:auto;min-width:0;max-width:none;min-height:0;max-height:none;list-style:none;opacity:1;transform:none;filter:none}
#tandem-root{--tandem-accent:#23666f;--tandem-accent-ink:#fff;--tandem-ink:#1d2530;--tandem-muted:#5d6876;--tandem-line:#e3e7ec;--tandem-bot:#f1f3f6;--tandem-agent:#e7f3ee;--tandem-agent-ink:#1c5a41;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:14px;line-height:1.45;color:var(--tandem-ink);text-align:left;direction:ltr;-webkit-font-smoothing:antialiased}
#tandem-root [hidden]{display:none!important}
#tandem-root button{cursor:pointer;user-select:none;-webkit-tap-highlight-color:transparent}
#tandem-root button:disabled{cursor:default}
#tandem-root :focus{outline:none}
#tandem-root :focus-visible{outline:2px solid var(--tandem-accent);outline-offset:2px}
#tandem-root .tandem-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
#tandem-root .tandem-icon{display:block;width:24px;height:24px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}

#tandem-root #tandem-bubble{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;justify-content:center;width:56px;height:56px;border-radius:50%;background:var(--tandem-accent);color:var(--tandem-accent-ink);box-shadow:0 6px 20px rgba(16,24,40,.22),0 2px 6px rgba(16,24,40,.12);transition:transform .15s ease,box-shadow .15s ease}
#tandem-root #tandem-bubble:hover{transform:translateY(-1px);box-shadow:0 8px 24px rgba(16,24,40,.26),0 2px 6px rgba(16,24,40,.14)}
#tandem-root #tandem-bubble .tandem-icon{width:26px;height:26px}
#tandem-root #tandem-bubble .tandem-icon-close{display:none}
#tandem-root #tandem-bubble[aria-expanded="true"] .tandem-icon-chat{display:none}
#tandem-root #tandem-bubble[aria-expanded="true"] .tandem-icon-close{display:block}
#tandem-root .tandem-unread{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#c2410c;color:#fff;font-size:12px;font-weight:600;line-height:20px;text-align:center;border:2px solid #fff}

#tandem-root #tandem-panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;display:flex;flex-direction:column;width:376px;height:min(600px,calc(100vh - 112px));background:#fff;border-radius:16px;overflow:hidden;box-shadow:0 18px 50px rgba(16,24,40,.22),0 4px 12px rgba(16,24,40,.10);border:1px solid rgba(16,24,40,.06);animation:tandem-in .18s ease-out}
@keyframes tandem-in{from{opacity:0;transform:translateY(8px) scale(.98)}to{opacity:1;transform:none}}

#tandem-root .tandem-header{flex:none;display:flex;align-items:center;gap:12px;padding:14px 14px 14px 16px;background:var(--tandem-accent);color:var(--tandem-accent-ink)}
#tandem-root .tandem-avatar{flex:none;display:flex;align-items:center;justify-content:center;width:36px;height:36px;border-radius:50%;background:rgba(255,255,255,.18);font-weight:600;font-size:15px}
#tandem-root .tandem-heading{flex:1;min-width:0}
#tandem-root .tandem-title{display:block;font-size:16px;font-weight:600;line-height:1.25}
#tandem-root .tandem-who{display:flex;align-items:center;gap:6px;margin-top:2px;font-size:12.5px;opacity:.92;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#tandem-root .tandem-who .tandem-badge{background:rgba(255,255,255,.2);color:inherit}
#tandem-root .tandem-dot{flex:none;display:inline-block;width:8px;height:8px;border-radius:50%;background:#6ee7a8}
#tandem-root .tandem-close{flex:none;display:flex;align-items:center;justify-content:center;width:32px;height:32px;border-radius:8px;color:inherit}
#tandem-root .tandem-close:hover{background:rgba(255,255,255,.14)}
#tandem-root .tandem-close .tandem-icon{width:20px;height:20px}

#tandem-root .tandem-status{flex:none;display:block;padding:8px 16px;background:#f6f8fa;border-bottom:1px solid var(--tandem-line);color:var(--tandem-muted);font-size:12.5px;text-align:center}
#tandem-root .tandem-status[data-tone="wait"]{background:#fff8eb;color:#7a4b00}
#tandem-root .tandem-status[data-tone="person"]{background:var(--tandem-agent);color:var(--tandem-agent-ink)}

#tandem-root .tandem-messages{flex:1;display:flex;flex-direction:column;gap:10px;padding:16px;overflow-y:auto;overscroll-behavior:contain}
#tandem-root .tandem-empty{flex:none;margin:auto 8px;color:var(--tandem-muted);text-align:center;font-size:13px}
#tandem-root .tandem-msg{flex:none;display:flex;flex-direction:column;align-items:flex-start;max-width:85%;align-self:flex-start}
#tandem-root .tandem-meta{display:flex;align-items:center;gap:6px;margin:0 0 3px 2px;font-size:11.5px;color:var(--tandem-muted)}
#tandem-root .tandem-author{font-weight:600;color:var(--tandem-ink)}
#tandem-root .tandem-badge{display:inline-block;padding:0 6px;border-radius:6px;background:#e4e8ee;color:#3c4654;font-size:10.5px;font-weight:600;line-height:17px;letter-spacing:.02em;text-transform:uppercase}
#tandem-root .tandem-text{display:block;padding:9px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
#tandem-root .tandem-msg[data-from="bot"] .tandem-text{background:var(--tandem-bot);border-top-left-radius:4px}
#tandem-root .tandem-feedback{display:flex;gap:2px;margin-top:2px}
#tandem-root .tandem-feedback-button{border:0;background:transparent;color:inherit;cursor:pointer;line-height:0;padding:3px 4px;border-radius:6px;opacity:.5}
#tandem-root .tandem-feedback-button:hover:not(:disabled),#tandem-root .tandem-feedback-button[aria-pressed="true"]{opacity:1}
#tandem-root .tandem-feedback-button:disabled{cursor:default}
#tandem-root .tandem-feedback-button:focus-visible{outline:2px solid var(--tandem-accent,#2563eb);outline-offset:1px}
#tandem-root .tandem-msg[data-from="agent"] .tandem-text{background:var(--tandem-agent);border-top-left-radius:4px}
#tandem-root .tandem-msg[data-from="agent"] .tandem-author{color:var(--tandem-agent-ink)}
#tandem-root .tandem-msg[data-from="visitor"]{align-self:flex-end;align-items:flex-end}
#tandem-root .tandem-msg[data-from="visitor"] .tandem-text{background:var(--tandem-accent);color:var(--tandem-accent-ink);border-top-right-radius:4px}
#tandem-root .tandem-msg[data-from="system"]{align-self:center;align-items:center;max-width:92%}
#tandem-root .tandem-msg[data-from="system"] .tandem-text{padding:2px 8px;background:none;color:var(--tandem-muted);font-size:12px;text-align:center}
#tandem-root .tandem-more{display:block;margin:4px auto 8px;padding:4px 10px;border:1px solid var(--tandem-line);border-radius:12px;background:transparent;color:var(--tandem-muted);font:inherit;font-size:12px;cursor:pointer}
#tandem-root .tandem-divider{display:flex;align-items:center;gap:8px;margin:6px 0;color:var(--tandem-muted);font-size:11.5px}
#tandem-root .tandem-divider::before,#tandem-root .tandem-divider::after{content:"";flex:1;border-top:1px solid var(--tandem-line)}
#tandem-root .tandem-msg.tandem-pending .tandem-text{opacity:.55}
#tandem-root .tandem-msg.tandem-failed .tandem-text{opacity:.55;outline:1px dashed #b42318;outline-offset:-1px}
#tandem-root .tandem-state{margin:3px 4px 0;font-size:11px;color:var(--tandem-muted)}
#tandem-root .tandem-msg.tandem-failed .tandem-state{color:#b42318}

#tandem-root .tandem-quick-replies{flex:none;display:flex;flex-wrap:wrap;justify-content:flex-end;gap:6px;padding:0 16px 10px}
#tandem-root .tandem-quick-reply{display:inline-block;padding:6px 12px;border-radius:16px;border:1px solid var(--tandem-accent);color:var(--tandem-accent);background:#fff;font-size:13px;line-height:1.3;text-align:left}
#tandem-root .tandem-quick-reply:hover{background:var(--tandem-accent);color:var(--tandem-accent-ink)}

#tandem-root .tandem-typing{flex:none;display:block;padding:0 18px 6px;color:var(--tandem-muted);font-size:12px;font-style:italic}
#tandem-root .tandem-survey{flex:none;display:block;margin:0 16px 10px;padding:12px;border:1px solid var(--tandem-line);border-radius:12px;background:#fafbfc}
#tandem-root .tandem-survey-q{display:block;font-weight:600;margin-bottom:8px}
#tandem-root .tandem-stars{display:flex;gap:4px;margin-bottom:8px}
#tandem-root .tandem-rate{display:flex;align-items:center;justify-content:center;width:36px;height:36px;border-radius:8px;border:1px solid #cfd6de;background:#fff;color:#b8c0cc;font-size:20px;line-height:1}
#tandem-root .tandem-rate:hover,#tandem-root .tandem-rate[data-lit="true"]{color:#e0a100;border-color:#e0a100}
#tandem-root .tandem-rate[aria-pressed="true"]{background:#fff8e1}
#tandem-root .tandem-survey-comment{display:block;width:100%;height:56px;padding:6px 10px;border:1px solid #cfd6de;border-radius:8px;background:#fff;font-size:13px;line-height:18px;resize:none;white-space:pre-wrap}
#tandem-root .tandem-survey-comment:focus{border-color:var(--tandem-accent)}
#tandem-root .tandem-survey-actions{display:flex;align-items:center;justify-content:space-between;gap:8px;margin-top:8px}
#tandem-root .tandem-survey-hint{font-size:11.5px;color:var(--tandem-muted)}
#tandem-root .tandem-survey-submit{padding:6px 14px;border-radius:8px;background:var(--tandem-accent);color:var(--tandem-accent-ink);font-weight:600;font-size:13px}
#tandem-root .tandem-survey-submit:disabled{background:#c8d0d9}
#tandem-root .tandem-survey-thanks{display:block;text-align:center;color:var(--tandem-agent-ink);font-weight:600}
#tandem-root .tandem-offline{flex:none;display:block;margin:0 16px 10px;padding:12px;border:1px solid #f0dcb4;border-radius:12px;background:#fffaf0;max-height:60%;overflow-y:auto}
#tandem-root .tandem-offline-notice{display:block;margin-bottom:8px;color:#5c3a00;font-size:13px}
#tandem-root .tandem-offline-form{display:block}
#tandem-root .tandem-offline-label{display:block;margin:0 0 3px 2px;font-size:12px;font-weight:600;color:var(--tandem-muted)}
#tandem-root .tandem-offline-email,#tandem-root .tandem-offline-text{display:block;width:100%;padding:6px 10px;border:1px solid #cfd6de;border-radius:8px;background:#fff;color:var(--tandem-ink);font-size:13px;line-height:18px}
#tandem-root .tandem-offline-email{height:34px}
#tandem-root .tandem-offline-text{height:64px;margin-top:8px;resize:none;white-space:pre-wrap}
#tandem-root .tandem-offline-email:focus,#tandem-root .tandem-offline-text:focus{border-color:var(--tandem-accent)}
#tandem-root .tandem-offline-email[aria-invalid="true"]{border-color:#b42318}
#tandem-root .tandem-offline-error{display:block;margin:4px 2px 0;color:#b42318;font-size:12px}
#tandem-root .tandem-offline-actions{display:flex;align-items:center;justify-content:flex-end;gap:8px;margin-top:8px}
#tandem-root .tandem-offline-dismiss{padding:6px 8px;border-radius:8px;color:var(--tandem-muted);font-size:13px}
#tandem-root .tandem-offline-dismiss:hover{background:#f3eee4;color:var(--tandem-ink)}
#tandem-root .tandem-offline-submit{padding:6px 14px;border-radius:8px;background:var(--tandem-accent);color:var(--tandem-accent-ink);font-weight:600;font-size:13px}
#tandem-root .tandem-offline-submit:disabled{background:#c8d0d9}
#tandem-root .tandem-offline-thanks{display:block;color:var(--tandem-agent-ink);font-weight:600;overflow-wrap:anywhere}
#tandem-root .tandem-cancel-wait{padding:4px 8px;margin-left:-8px;border-radius:8px;color:#7a4b00;font-weight:600;font-size:12.5px}
#tandem-root .tandem-cancel-wait:hover{background:#fff8eb}
#tandem-root .tandem-notice{flex:none;display:block;margin:0 16px 8px;padding:6px 10px;border-radius:8px;background:#fdf0ef;color:#912018;font-size:12.5px}

#tandem-root .tandem-composer{flex:none;display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid var(--tandem-line)}
#tandem-root .tandem-input{flex:1;display:block;width:100%;height:40px;max-height:128px;padding:9px 12px;border:1px solid #cfd6de;border-radius:12px;background:#fff;color:var(--tandem-ink);font-size:14px;line-height:20px;resize:none;overflow-y:auto;white-space:pre-wrap}
#tandem-root .tandem-input::placeholder{color:#8a94a3;opacity:1}
#tandem-root .tandem-input:focus{border-color:var(--tandem-accent);box-shadow:0 0 0 3px rgba(35,102,111,.15)}
#tandem-root .tandem-input:focus-visible{outline:none}
#tandem-root .tandem-send{flex:none;display:flex;align-items:center;justify-content:center;width:40px;height:40px;border-radius:12px;background:var(--tandem-accent);color:var(--tandem-accent-ink)}
#tandem-root .tandem-send:disabled{background:#c8d0d9}
#tandem-root .tandem-send .tandem-icon{width:20px;height:20px}

#tandem-root .tandem-footer{flex:none;display:flex;align-items:center;gap:8px;padding:0 14px 10px;font-size:12px;color:var(--tandem-muted)}
#tandem-root .tandem-human{padding:4px 8px;margin-left:-8px;border-radius:8px;color:var(--tandem-accent);font-weight:600;font-size:12.5px}
#tandem-root .tandem-human:hover{background:#eef4f5}
#tandem-root .tandem-human:disabled{color:var(--tandem-muted);background:none}
#tandem-root .tandem-counter{font-variant-numeric:tabular-nums}
#tandem-root .tandem-counter[data-over="true"]{color:#b42318;font-weight:600}
#tandem-root .tandem-brand{margin-left:auto;font-size:11px;color:#98a2b3}

@media (max-width:480px){
#tandem-root #tandem-panel{inset:0;right:0;bottom:0;width:100%;height:100%;border-radius:0;border:0}
#tandem-root #tandem-bubble[aria-expanded="true"]{display:none}
#tandem-root .tandem-input{font-size:16px}
}
@media (prefers-reduced-motion:reduce){
#tandem-root #tandem-panel{animation:none}
#tandem-root #tandem-bubble{transition:none}
}
`;

  // Static skeleton only: no text from the host page, the server or the
  // visitor ever goes through innerHTML.
  const ICON_CHAT =
    '<svg class="tandem-icon tandem-icon-chat" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M5 4.5h14a1.5 1.5 0 0 1 1.5 1.5v9a1.5 1.5 0 0 1-1.5 1.5h-8l-4.5 3.5v-3.5H5A1.5 1.5 0 0 1 3.5 15V6A1.5 1.5 0 0 1 5 4.5z"/></svg>';
  const ICON_CLOSE =
    '<svg class="tandem-icon tandem-icon-close" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6 6l12 12M18 6L6 18"/></svg>';
  const ICON_SEND =
    '<svg class="tandem-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M5 12h13M12 5l7 7-7 7"/></svg>';

  const TEMPLATE = `
<button id="tandem-bubble" type="button" aria-label="Open chat" aria-expanded="false" aria-controls="tandem-panel">${ICON_CHAT}${ICON_CLOSE}<span class="tandem-unread" hidden></span></button>
<div id="tandem-panel" role="dialog" aria-labelledby="tandem-title" hidden>
  <div class="tandem-header">
    <div class="tandem-avatar" aria-hidden="true"></div>
    <div class="tandem-heading">
      <div id="tandem-title" class="tandem-title" role="heading" aria-level="2"></div>
      <div id="tandem-who" class="tandem-who"></div>
    </div>
    <button id="tandem-close" class="tandem-close" type="button" aria-label="Close chat">${ICON_CLOSE}</button>
  </div>
  <div id="tandem-status" class="tandem-status" role="status" hidden></div>
  <div id="tandem-messages" class="tandem-messages" role="log" aria-live="polite" aria-label="Conversation"></div>
  <div id="tandem-typing" class="tandem-typing" aria-live="polite" hidden></div>
  <div id="tandem-offline" class="tandem-offline" role="group" aria-labelledby="tandem-offline-notice" hidden>
    <div id="tandem-offline-notice" class="tandem-offline-notice" aria-live="polite"></div>
    <form class="tandem-offline-form" novalidate>
      <label class="tandem-offline-label" for="tandem-offline-email">Your email</label>
      <input id="tandem-offline-email" class="tandem-offline-email" type="email" name="email" required autocomplete="email" spellcheck="false" placeholder="you@example.com" aria-describedby="tandem-offline-error">
      <div id="tandem-offline-error" class="tandem-offline-error" role="alert" hidden></div>
      <label class="tandem-sr" for="tandem-offline-text">Your message</label>
      <textarea id="tandem-offline-text" class="tandem-offline-text" name="text" maxlength="4000" placeholder="How can we help?"></textarea>
      <div class="tandem-offline-actions">
        <button id="tandem-offline-dismiss" class="tandem-offline-dismiss" type="button">Not now</button>
        <button id="tandem-offline-submit" class="tandem-offline-submit" type="submit">Leave message</button>
      </div>
    </form>
    <div id="tandem-offline-thanks" class="tandem-offline-thanks" role="status" hidden></div>
  </div>
  <div id="tandem-survey" class="tandem-survey" role="group" aria-labelledby="tandem-survey-q" hidden>
    <div class="tandem-survey-form">
      <span id="tandem-survey-q" class="tandem-survey-q">How did we do?</span>
      <div class="tandem-stars" role="group" aria-label="Your rating">
        <button type="button" class="tandem-rate" data-score="1" aria-label="1 of 5" aria-pressed="false">★</button>
        <button type="button" class="tandem-rate" data-score="2" aria-label="2 of 5" aria-pressed="false">★</button>
        <button type="button" class="tandem-rate" data-score="3" aria-label="3 of 5" aria-pressed="false">★</button>
        <button type="button" class="tandem-rate" data-score="4" aria-label="4 of 5" aria-pressed="false">★</button>
        <button type="button" class="tandem-rate" data-score="5" aria-label="5 of 5" aria-pressed="false">★</button>
      </div>
      <label class="tandem-sr" for="tandem-survey-comment">Comment (optional)</label>
      <textarea id="tandem-survey-comment" class="tandem-survey-comment" maxlength="1000" placeholder="Anything to add? (optional)"></textarea>
      <div class="tandem-survey-actions">
        <span class="tandem-survey-hint" aria-live="polite"></span>
        <button id="tandem-survey-submit" class="tandem-survey-submit" type="button" disabled>Send rating</button>
      </div>
    </div>
    <div id="tandem-survey-thanks" class="tandem-survey-thanks" role="status" hidden>Thanks for your feedback!</div>
  </div>
  <div id="tandem-quick-replies" class="tandem-quick-replies" role="group" aria-label="Suggested replies" hidden></div>
  <div id="tandem-notice" class="tandem-notice" role="alert" hidden></div>
  <div class="tandem-composer">
    <label class="tandem-sr" for="tandem-input">Your message</label>
    <textarea id="tandem-input" class="tandem-input" rows="1" placeholder="Write a message…" aria-describedby="tandem-counter"></textarea>
    <button id="tandem-send" class="tandem-send" type="button" aria-label="Send message" disabled>${ICON_SEND}</button>
  </div>
  <div class="tandem-footer">
    <button id="tandem-human" class="tandem-human" type="button">Talk to a person</button>
    <button id="tandem-cancel-wait" class="tandem-cancel-wait" type="button" hidden>Stop waiting</button>
    <span id="tandem-counter" class="tandem-counter" hidden></span>
    <span class="tandem-brand">Powered by Tandem</span>
  </div>
</div>`;

  const root = document.createElement('div');
  root.id = 'tandem-root';
  root.innerHTML = TEMPLATE;
  if (ACCENT && window.CSS && CSS.supports('color', ACCENT)) {
    root.style.setProperty('--tandem-accent', ACCENT);
  }

  const $ = (id) => root.querySelector('#' + id);
  const ui = {
    bubble: $('tandem-bubble'),
    unread: root.querySelector('.tandem-unread'),
    panel: $('tandem-panel'),
    title: $('tandem-title'),
    avatar: root.querySelector('.tandem-avatar'),
    who: $('tandem-who'),
    close: $('tandem-close'),
    status: $('tandem-status'),
    messages: $('tandem-messages'),
    quick: $('tandem-quick-replies'),
    notice: $('tandem-notice'),
    input: $('tandem-input'),
    send: $('tandem-send'),
    human: $('tandem-human'),
    counter: $('tandem-counter'),
    cancelWait: $('tandem-cancel-wait'),
    typing: $('tandem-typing'),
    survey: $('tandem-survey'),
    surveyForm: root.querySelector('.tandem-survey-form'),
    surveyStars: Array.from(root.querySelectorAll('.tandem-rate')),
    surveyComment: $('tandem-survey-comment'),
    surveySubmit: $('tandem-survey-submit'),
    surveyHint: root.querySelector('.tandem-survey-hint'),
    surveyThanks: $('tandem-survey-thanks'),
    offline: $('tandem-offline'),
    offlineNotice: $('tandem-offline-notice'),
    offlineForm: root.querySelector('.tandem-offline-form'),
    offlineEmail: $('tandem-offline-email'),
    offlineError: $('tandem-offline-error'),
    offlineText: $('tandem-offline-text'),
    offlineSubmit: $('tandem-offline-submit'),
    offlineDismiss: $('tandem-offline-dismiss'),
    offlineThanks: $('tandem-offline-thanks'),
  };
  ui.title.textContent = TITLE;
  ui.avatar.textContent = TITLE.trim().charAt(0).toUpperCase() || 'S';

  // ---------------------------------------------------------------------------
  // Formatting helpers.

  /** Unicode characters, as the server counts them (not UTF-16 code units). */
  const charCount = (text) => Array.from(text).length;

  function formatWait(seconds) {
    if (typeof seconds !== 'number' || !isFinite(seconds) || seconds < 0) return '';
    if (seconds < 60) return 'less than a minute';
    return 'about ' + Math.round(seconds / 60) + ' min';
  }

  function formatTime(iso) {
    const d = new Date(iso);
    return isNaN(d) ? '' : d.toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
  }

  // ---------------------------------------------------------------------------
  // Rendering.

  function renderAll() {
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

  function renderTyping() {
    const show = state.agentTyping && state.mode === 'assigned';
    ui.typing.hidden = !show;
    const text = show ? (state.agentName || 'The agent') + ' is typing…' : '';
    if (ui.typing.textContent !== text) ui.typing.textContent = text;
  }

  function renderSurvey() {
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

  /** What the `offline` notice says: honest about why nobody answers. */
  function offlineNoticeText() {
    if (state.offlineReason === 'closed_hours') {
      const hours = typeof state.offlineHours === 'string' ? state.offlineHours.trim() : '';
      return 'Our team is away right now.' + (hours ? " We're here " + hours + '.' : '');
    }
    return "Nobody from our team is signed in right now. You can keep waiting, or leave your email and we'll write back.";
  }

  function renderOffline() {
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

  function renderComposer() {
    const text = ui.input.value;
    const n = charCount(text);
    const over = n > MAX_CHARS;
    ui.send.disabled = !text.trim() || over;
    ui.counter.hidden = n < COUNTER_FROM;
    ui.counter.textContent = n.toLocaleString() + ' / ' + MAX_CHARS.toLocaleString();
    ui.counter.dataset.over = String(over);
  }

  function lineElement(line) {
    if (line.from === 'more') {
      // Older lines stay on the server until asked for (docs/protocol.md).
      const more = document.createElement('button');
      more.type = 'button';
      more.className = 'tandem-more';
      more.textContent = 'Show earlier messages';
      more.addEventListener('click', () => {
        const first = state.lines.find((l) => l.id && !l.earlier);
        if (!first) return;
        more.disabled = true;
        sendFrame({ type: 'history', before: Number(first.id) });
      });
      line.el = more;
      return more;
    }
    if (line.from === 'divider') {
      const divider = document.createElement('div');
      divider.className = 'tandem-divider';
      divider.setAttribute('role', 'separator');
      divider.textContent = line.text;
      line.el = divider;
      return divider;
    }
    const el = document.createElement('div');
    el.className = 'tandem-msg';
    el.setAttribute('data-from', line.from);
    if (line.client_id) el.dataset.clientId = line.client_id;
    if (line.at) el.title = formatTime(line.at);

    if (line.from === 'bot' || line.from === 'agent') {
      const meta = document.createElement('div');
      meta.className = 'tandem-meta';
      const author = document.createElement('span');
      author.className = 'tandem-author';
      author.textContent = line.author || (line.from === 'bot' ? 'Assistant' : 'Support team');
      meta.append(author);
      if (line.from === 'bot') {
        const badge = document.createElement('span');
        badge.className = 'tandem-badge';
        badge.textContent = 'Bot';
        meta.append(badge);
      }
      el.append(meta);
    }

    const text = document.createElement('div');
    text.className = 'tandem-text';
    text.textContent = line.text; // never innerHTML: this is someone's text
    el.append(text);
    // No thumbs in a closed conversation: there is nobody to tell any more.
    if (line.from === 'bot' && line.id && !line.earlier && state.mode !== 'closed') {
      el.append(feedbackButtons(line));
    }

    line.el = el;
    renderLineState(line);
    return el;
  }

  // Thumb icons drawn as SVG (Feather icons, MIT) rather than emoji, so they
  // show on machines without an emoji font.
  const THUMB_UP_PATH =
    'M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3';
  const THUMB_DOWN_PATH =
    'M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17';

  function thumbIcon(d) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '14');
    svg.setAttribute('height', '14');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('fill', 'none');
    svg.setAttribute('stroke', 'currentColor');
    svg.setAttribute('stroke-width', '2');
    svg.setAttribute('stroke-linecap', 'round');
    svg.setAttribute('stroke-linejoin', 'round');
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', d);
    svg.append(path);
    return svg;
  }

  /**
   * Thumbs up / down under a bot line: the `feedback` frame
   * (docs/protocol.md). A thumbs down tells Tandem the answer did not help;
   * the bot apologises and offers a person.
   */
  function feedbackButtons(line) {
    const box = document.createElement('div');
    box.className = 'tandem-feedback';
    for (const [helpful, path, label] of [
      [true, THUMB_UP_PATH, 'This answer helped'],
      [false, THUMB_DOWN_PATH, 'This answer did not help'],
    ]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'tandem-feedback-button';
      b.dataset.helpful = String(helpful);
      b.append(thumbIcon(path));
      b.title = label;
      b.setAttribute('aria-label', label);
      b.setAttribute('aria-pressed', String(line.feedback === helpful));
      b.disabled = line.feedback != null;
      b.addEventListener('click', () => {
        if (line.feedback != null) return;
        if (!sendFrame({ type: 'feedback', message_id: line.id, helpful })) return;
        line.feedback = helpful;
        for (const other of box.querySelectorAll('button')) {
          other.disabled = true;
          other.setAttribute('aria-pressed', String(other === b));
        }
      });
      box.append(b);
    }
    return box;
  }

  /** The "sending…" / "Not sent" note under one of the visitor's own lines. */
  function renderLineState(line) {
    const el = line.el;
    if (!el) return;
    el.classList.toggle('tandem-pending', !!line.pending && !line.failed);
    el.classList.toggle('tandem-failed', !!line.failed);
    let note = el.querySelector('.tandem-state');
    const text = line.failed ? line.failed : line.pending ? 'sending…' : '';
    if (!text) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = document.createElement('div');
      note.className = 'tandem-state';
      el.append(note);
    }
    note.textContent = text;
  }

  function nearBottom() {
    const m = ui.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < 80;
  }

  function scrollToBottom() {
    ui.messages.scrollTop = ui.messages.scrollHeight;
  }

  /** Full redraw, used on `welcome` (the server's history replaces ours). */
  function renderTranscript() {
    ui.messages.textContent = '';
    if (state.lines.length === 0) {
      const empty = document.createElement('div');
      empty.className = 'tandem-empty';
      empty.textContent =
        'Ask us anything. Our assistant answers right away, and a person is one click away.';
      ui.messages.append(empty);
    }
    for (const line of state.lines) ui.messages.append(lineElement(line));
    scrollToBottom();
  }

  function appendLine(line) {
    const stick = line.from === 'visitor' || nearBottom();
    const empty = ui.messages.querySelector('.tandem-empty');
    if (empty) empty.remove();
    state.lines.push(line);
    ui.messages.append(lineElement(line));
    if (stick) scrollToBottom();
  }

  /**
   * The visitor writes (or asks for a person) after a close: the server will
   * start their next conversation. The old transcript stays above a divider.
   */
  function beginNewConversation() {
    if (state.mode !== 'closed') return;
    state.mode = 'bot';
    state.newConversationPending = true;
    hideSurvey();
    appendDivider();
  }

  function appendDivider() {
    for (const line of state.lines) {
      if (line.earlier || line.from === 'divider') continue;
      line.earlier = true;
      const thumbs = line.el && line.el.querySelector('.tandem-feedback');
      if (thumbs) thumbs.remove(); // its ids belonged to the old conversation
    }
    appendLine({ from: 'divider', text: 'New conversation', at: new Date().toISOString() });
  }

  /** `new_conversation`: lines from now on belong to the visitor's next one. */
  function onNewConversation() {
    if (state.newConversationPending) state.newConversationPending = false;
    else appendDivider(); // another tab started it
    state.mode = 'bot';
    state.agentName = null;
    state.queue = null;
    state.leftBy = null;
    hideSurvey();
    renderAll();
  }

  function showNotice(text) {
    clearTimeout(state.noticeTimer);
    ui.notice.textContent = text;
    ui.notice.hidden = false;
    state.noticeTimer = setTimeout(() => {
      ui.notice.hidden = true;
    }, 6000);
  }

  function autosize() {
    ui.input.style.height = 'auto';
    ui.input.style.height = Math.min(ui.input.scrollHeight + 2, 128) + 'px';
  }

  // ---------------------------------------------------------------------------
  // Connection. One socket at a time; reconnect with jittered exponential
  // backoff, always resuming with the stored token.

  function connect() {
    if (state.ws || state.retryTimer) return;
    state.conn = 'connecting';
    renderAll();

    const token = read(local, KEY_RESUME);
    const url = token ? WS_URL + '?resume=' + encodeURIComponent(token) : WS_URL;
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (err) {
      console.warn('[tandem] cannot open websocket', err);
      scheduleReconnect();
      return;
    }
    state.ws = ws;

    ws.addEventListener('message', (event) => {
      if (state.ws !== ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch (_) {
        console.warn('[tandem] ignoring a frame that is not JSON');
        return;
      }
      if (frame && typeof frame.type === 'string') handleFrame(frame);
    });
    ws.addEventListener('close', () => {
      if (state.ws !== ws) return;
      state.ws = null;
      scheduleReconnect();
    });
    // `error` is always followed by `close`, which does the work.
  }

  function scheduleReconnect() {
    state.conn = 'retrying';
    const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** state.attempt);
    const delay = base * (0.75 + Math.random() * 0.5); // jitter spreads a reconnect storm after a restart
    state.attempt += 1;
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => {
      state.retryTimer = null;
      connect();
    }, delay);
    renderAll();
  }

  // Back online: do not sit out the rest of a long backoff.
  window.addEventListener('online', () => {
    if (state.retryTimer) {
      clearTimeout(state.retryTimer);
      state.retryTimer = null;
      connect();
    }
  });

  function sendFrame(frame) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN || state.conn !== 'ready') return false;
    state.ws.send(JSON.stringify(frame));
    return true;
  }

  function sendOutboxEntry(entry) {
    return sendFrame({ type: 'message', id: entry.id, text: entry.text });
  }

  // ---------------------------------------------------------------------------
  // Frames from the server (docs/protocol.md, "Server → visitor").

  function handleFrame(f) {
    switch (f.type) {
      case 'welcome':
        return onWelcome(f);
      case 'ack':
        return onAck(f);
      case 'message':
        return onMessage(f);
      case 'queued':
        state.mode = 'queued';
        state.leftBy = null;
        hideSurvey();
        state.queue = { position: f.position, estimated_wait_s: f.estimated_wait_s };
        clearHumanRequest();
        return renderAll();
      case 'offline':
        return onOffline(f);
      case 'new_conversation':
        return onNewConversation();
      case 'history':
        return onHistory(f);
      case 'message_left':
        if (state.offline === 'sending' || state.offline === 'open') {
          state.offline = 'thanks';
          state.offlineError = '';
          ui.offlineText.value = '';
        }
        return renderAll();
      case 'agent_joined':
        hideOffline(); // a person is here: no need to leave a message
        state.mode = 'assigned';
        state.agentName = (f.agent && f.agent.name) || null;
        state.queue = null;
        state.leftBy = null;
        state.cancelling = false;
        setAgentTyping(false);
        hideSurvey();
        clearHumanRequest();
        return renderAll();
      case 'agent_left':
        state.mode = 'bot';
        state.leftBy = (f.agent && f.agent.name) || state.agentName || 'The agent';
        state.agentName = null;
        state.queue = null;
        setAgentTyping(false);
        stopOwnTyping(false);
        clearHumanRequest();
        return renderAll();
      case 'typing':
        setAgentTyping(!!f.active);
        return renderTyping();
      case 'left_queue':
        // The server confirms `cancel_wait`: back with the bot.
        state.mode = 'bot';
        state.queue = null;
        state.cancelling = false;
        clearHumanRequest();
        return renderAll();
      case 'closed':
        hideOffline();
        state.mode = 'closed';
        for (const box of ui.messages.querySelectorAll('.tandem-feedback')) box.remove();
        state.agentName = null;
        state.queue = null;
        state.leftBy = null;
        state.cancelling = false;
        setAgentTyping(false);
        stopOwnTyping(false);
        clearHumanRequest();
        if (f.survey === true) {
          state.survey = 'open';
          state.surveyScore = 0;
          ui.surveyComment.value = '';
        }
        renderAll();
        if (!ui.survey.hidden) scrollToBottom();
        return;
      case 'rated':
        if (state.survey !== 'hidden') state.survey = 'thanks';
        return renderAll();
      case 'error':
        return onError(f);
      default:
        console.warn('[tandem] unknown frame type', f.type);
    }
  }

  function onOffline(f) {
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

  function hideOffline() {
    if (state.offline === 'hidden') return;
    state.offline = 'hidden';
    state.offlineError = '';
  }

  function fromServer(m) {
    return {
      id: m.id || null,
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
      from: 'visitor',
      author: null,
      text: entry.text,
      at: entry.at,
      client_id: entry.id,
      pending: true,
      failed: '',
    };
  }

  /** `history`: older lines go where the "Show earlier" button was. */
  function onHistory(f) {
    const at = state.lines.findIndex((l) => l.from === 'more');
    if (at < 0) return;
    const older = (Array.isArray(f.messages) ? f.messages : []).map(fromServer);
    if (f.more === true) older.unshift({ from: 'more' });
    state.lines.splice(at, 1, ...older);
    // Keep the visitor's place: the transcript grows above what they read.
    const fromBottom = ui.messages.scrollHeight - ui.messages.scrollTop;
    ui.messages.textContent = '';
    for (const line of state.lines) ui.messages.append(lineElement(line));
    ui.messages.scrollTop = ui.messages.scrollHeight - fromBottom;
  }

  function onWelcome(f) {
    if (f.resume_token) write(local, KEY_RESUME, f.resume_token);
    const history = Array.isArray(f.history) ? f.history : [];

    // Lines the server already has (it stored them, but the ack got lost with
    // the old socket) leave the outbox; the rest are resent with the same ids.
    const stored = new Set(history.map((m) => m.client_id).filter(Boolean));
    state.outbox = state.outbox.filter((o) => !stored.has(o.id));
    saveOutbox();

    state.mode = f.status || 'bot';
    state.agentName = null;
    state.leftBy = null;
    state.cancelling = false;
    state.typingSent = false;
    setAgentTyping(false);
    if (state.mode !== 'closed') hideSurvey();
    else if (f.survey === true && state.survey === 'hidden') {
      // Closed by a person and not rated yet: the survey survives a reload.
      state.survey = 'open';
      state.surveyScore = 0;
      ui.surveyComment.value = '';
    }
    if (state.mode === 'assigned') {
      // welcome does not name the agent; the latest agent line does.
      for (let i = history.length - 1; i >= 0; i--) {
        if (history[i].from === 'agent' && history[i].author) {
          state.agentName = history[i].author;
          break;
        }
      }
    }
    if (state.mode !== 'queued') state.queue = null;
    if (state.mode === 'assigned') hideOffline();
    // A form that was sending when the socket dropped: let them send again.
    if (state.offline === 'sending') state.offline = 'open';

    // The previous conversation (when this one followed it) stays in view
    // above a divider, read only, as it was before the reload.
    const earlier = Array.isArray(f.earlier) ? f.earlier : [];
    state.lines = earlier.map((m) => Object.assign(fromServer(m), { earlier: true }));
    if (state.lines.length > 0) {
      state.lines.push({ from: 'divider', text: 'New conversation', at: history.length ? history[0].at : null });
    }
    if (f.more_history === true) state.lines.push({ from: 'more' });
    state.lines = state.lines.concat(history.map(fromServer));
    // Lines still to send to a closed conversation will start the next one.
    state.newConversationPending = false;
    if (state.outbox.length > 0) {
      beginNewConversation();
      state.lines = state.lines.concat(state.outbox.map(pendingLine));
    }
    renderTranscript();

    state.conn = 'ready';
    state.everReady = true;
    state.attempt = 0;
    for (const entry of state.outbox) sendOutboxEntry(entry);
    renderAll();
  }

  function onAck(f) {
    const i = state.outbox.findIndex((o) => o.id === f.id);
    if (i >= 0) {
      state.outbox.splice(i, 1);
      saveOutbox();
    }
    const line = state.lines.find((l) => l.client_id === f.id);
    if (line && line.pending) {
      line.pending = false;
      renderLineState(line);
    }
  }

  function onMessage(f) {
    const line = fromServer(f);
    if (line.from === 'agent' || line.from === 'system') setAgentTyping(false);
    if (line.from === 'agent') {
      // A person is writing: whatever we thought, this is a human now.
      hideOffline();
      state.mode = 'assigned';
      state.queue = null;
      state.leftBy = null;
      if (line.author) state.agentName = line.author;
    } else if (line.from === 'bot' && state.mode === 'closed') {
      state.mode = 'bot'; // writing after `closed` re-opens the chat with the bot
    }
    clearHumanRequest();
    appendLine(line);
    if (!state.open && line.from !== 'visitor') state.unread += 1;
    renderAll();
  }

  function onError(f) {
    if (state.offline === 'sending' && !f.id && f.code !== 'not_queued' && f.code !== 'not_closed') {
      // The server refused the left message (errors about it carry no id).
      state.offline = 'open';
      state.offlineError =
        f.code === 'invalid_field'
          ? String(f.message || OFFLINE_ERRORS.invalid_field)
          : OFFLINE_ERRORS[f.code] || 'That message could not be sent. Please try again';
      renderAll();
      if (f.code === 'invalid_field') ui.offlineEmail.focus();
      return;
    }
    if (f.code === 'not_queued') {
      state.cancelling = false;
      renderAll();
      return;
    }
    if (f.code === 'not_closed' && state.survey === 'sending') {
      hideSurvey();
      renderAll();
      return;
    }
    if (state.survey === 'sending' && !f.id && (f.code === 'invalid_field' || f.code === 'too_large' || f.code === 'rate_limited')) {
      state.survey = 'open';
      showNotice(f.code === 'rate_limited' ? 'Please try again in a moment' : 'That rating could not be sent');
      renderAll();
      return;
    }
    const entry = f.id ? state.outbox.find((o) => o.id === f.id) : null;
    const line = f.id ? state.lines.find((l) => l.client_id === f.id) : null;

    if (f.code === 'rate_limited') {
      // Not stored; try again in a moment with the same id.
      if (entry) {
        const retry = () => {
          if (state.outbox.includes(entry)) sendOutboxEntry(entry);
        };
        setTimeout(retry, 1000 + Math.random() * 1000);
      } else {
        clearHumanRequest(); // most likely our request_human: let them press it again
        renderAll();
      }
      return;
    }
    if (f.code === 'empty_message') {
      if (entry) dropEntry(entry);
      if (line && line.el) {
        line.el.remove();
        state.lines.splice(state.lines.indexOf(line), 1);
      }
      return;
    }
    if (f.code === 'too_large') {
      if (entry) dropEntry(entry);
      if (line) {
        line.pending = false;
        line.failed = 'Not sent: too long';
        renderLineState(line);
      }
      showNotice('That message is too long');
      return;
    }
    // A message the server will never take (e.g. invalid_field): stop
    // resending it, so it does not loop on every reconnect.
    if (entry && f.code !== 'internal') {
      dropEntry(entry);
      if (line) {
        line.pending = false;
        line.failed = 'Not sent';
        renderLineState(line);
      }
    }
    console.warn('[tandem] server error', f.code, f.message);
  }

  const OFFLINE_ERRORS = {
    invalid_field: 'Please check your email address',
    missing_field: 'Please fill in your email and a message',
    empty_message: 'Please write a message',
    too_large: 'That message is too long',
    rate_limited: 'Please try again in a moment',
    internal: 'Something went wrong on our side. Please try again',
  };

  function dropEntry(entry) {
    state.outbox = state.outbox.filter((o) => o !== entry);
    saveOutbox();
  }

  // ---------------------------------------------------------------------------
  // Visitor actions.

  function sendText(raw) {
    const text = String(raw);
    if (!text.trim()) return;
    if (charCount(text) > MAX_CHARS) {
      showNotice('That message is too long');
      return;
    }
    const entry = { id: nextClientId(), text, at: new Date().toISOString() };
    state.outbox.push(entry);
    saveOutbox();
    stopOwnTyping(true);
    hideSurvey(); // writing again instead of rating: the survey has had its chance
    state.leftBy = null;
    beginNewConversation();
    appendLine(pendingLine(entry));
    // Not connected yet (or reconnecting): it stays in the outbox and goes out
    // after the next `welcome`.
    if (state.conn === 'idle') connect();
    else sendOutboxEntry(entry);
    renderAll();
  }

  function sendFromInput() {
    const text = ui.input.value;
    if (!text.trim() || charCount(text) > MAX_CHARS) {
      if (charCount(text) > MAX_CHARS) showNotice('That message is too long');
      return;
    }
    ui.input.value = '';
    autosize();
    sendText(text);
    ui.input.focus();
  }

  function requestHuman() {
    if (!sendFrame({ type: 'request_human' })) return;
    hideSurvey();
    beginNewConversation();
    state.humanRequested = true;
    // If the server answers with neither `queued` nor a message, give the
    // button back rather than leaving it stuck.
    clearTimeout(state.humanTimer);
    state.humanTimer = setTimeout(() => {
      state.humanRequested = false;
      renderAll();
    }, 8000);
    renderAll();
  }

  function cancelWait() {
    if (state.mode !== 'queued' || !sendFrame({ type: 'cancel_wait' })) return;
    state.cancelling = true;
    renderAll();
  }

  // Typing, ours: `active:true` when typing starts in a chat a person holds,
  // `active:false` after a few idle seconds or on send; at most one frame per
  // TYPING_MIN_GAP_MS, so a pending change waits for the gap to pass.
  function sendTyping(active, refresh = false) {
    clearTimeout(state.typingRetryTimer);
    state.typingRetryTimer = null;
    if (state.typingSent === active && !refresh) return;
    const wait = state.typingSentAt + TYPING_MIN_GAP_MS - Date.now();
    if (wait > 0) {
      state.typingRetryTimer = setTimeout(() => {
        state.typingRetryTimer = null;
        // Still wanted? A stale "start" after the visitor stopped is dropped.
        const want = active && state.mode === 'assigned' && !!state.typingIdleTimer;
        sendTyping(want);
      }, wait);
      return;
    }
    if (active && state.mode !== 'assigned') return;
    if (!sendFrame({ type: 'typing', active })) return;
    state.typingSent = active;
    state.typingSentAt = Date.now();
  }

  function onVisitorKeystroke() {
    if (state.mode !== 'assigned' || !ui.input.value.trim()) {
      stopOwnTyping(true);
      return;
    }
    clearTimeout(state.typingIdleTimer);
    state.typingIdleTimer = setTimeout(() => {
      state.typingIdleTimer = null;
      sendTyping(false);
    }, TYPING_IDLE_MS);
    if (!state.typingSent || Date.now() - state.typingSentAt >= TYPING_REFRESH_MS) sendTyping(true, true);
  }

  /** Typing is over (sent, idle, or the chat left the agent). */
  function stopOwnTyping(tell) {
    clearTimeout(state.typingIdleTimer);
    state.typingIdleTimer = null;
    if (tell && state.typingSent) sendTyping(false);
    else if (!tell) {
      clearTimeout(state.typingRetryTimer);
      state.typingRetryTimer = null;
      state.typingSent = false; // the server forgets it with the agent
    }
  }

  // Typing, the agent's: shown until `active:false`, a message, or silence.
  function setAgentTyping(active) {
    clearTimeout(state.agentTypingTimer);
    state.agentTypingTimer = null;
    state.agentTyping = active;
    if (active) {
      state.agentTypingTimer = setTimeout(() => {
        state.agentTyping = false;
        state.agentTypingTimer = null;
        renderTyping();
      }, TYPING_SHOW_MS);
    }
  }

  function hideSurvey() {
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

  function clearHumanRequest() {
    state.humanRequested = false;
    clearTimeout(state.humanTimer);
  }

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

  ui.bubble.addEventListener('click', () => setOpen(!state.open));
  ui.close.addEventListener('click', () => setOpen(false));
  ui.panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      setOpen(false);
    }
  });
  ui.send.addEventListener('click', sendFromInput);
  ui.human.addEventListener('click', requestHuman);
  ui.cancelWait.addEventListener('click', cancelWait);
  for (const b of ui.surveyStars) {
    b.addEventListener('click', () => {
      state.surveyScore = Number(b.dataset.score);
      renderSurvey();
    });
  }
  ui.surveySubmit.addEventListener('click', submitSurvey);
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
  ui.input.addEventListener('keydown', (e) => {
    // isComposing: Enter also confirms IME input (Japanese, Chinese...).
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendFromInput();
    }
  });
  ui.input.addEventListener('input', () => {
    autosize();
    renderComposer();
    onVisitorKeystroke();
  });

  // ---------------------------------------------------------------------------
  // Start.

  function mount() {
    const style = document.createElement('style');
    style.id = 'tandem-style';
    style.textContent = CSS;
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

  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
})();
