/*
 * The widget's markup (web/widget/dom.js): the bubble and the panel, built
 * once from a static template, and `ui`, handles on the elements the other
 * modules draw into.
 */

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
export const root = document.createElement('div');
root.id = 'tandem-root';
root.innerHTML = TEMPLATE;

const $ = (id) => root.querySelector('#' + id);
export const ui = {
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
