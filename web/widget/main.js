/*
 * The widget's entry (web/widget/main.js), imported by the loader web/widget.js
 * with the options read from the embedding tag. It wires the parts and puts
 * the widget on the page, once per page.
 *
 * The modules, one concern each:
 *   state.js       the one state object, the outbox kept across reloads, options
 *   dom.js         the panel's markup and handles on its elements
 *   style.js       the stylesheet, scoped under #tandem-root
 *   launcher.js    the bubble that opens and closes the panel; mounting
 *   render.js      drawing the state: header, status line, buttons, composer
 *   transcript.js  the lines of the conversation and the "new conversation" divider
 *   history.js     older lines, a page at a time
 *   feedback.js    thumbs up / down under the bot's answers
 *   composer.js    what the visitor does: write, ask for a person, stop waiting
 *   typing.js      typing indicators, ours and the agent's
 *   connection.js  the socket, reconnects, and resending lines not yet acked
 *   frames.js      what each frame from the server does
 *   offline.js     the leave-a-message form when nobody can answer
 *   rating.js      the survey after a person closed the chat
 * and ../shared/ for what the console uses too (limits, storage, the socket).
 */

import { wireComposer } from './composer.js';
import { mountWhenReady, wireLauncher } from './launcher.js';
import { wireOffline } from './offline.js';
import { wireRating } from './rating.js';
import { config } from './state.js';

let started = false;

/** Starts the widget (once per page): reads the options, wires, mounts. */
export function start(options) {
  if (started) return;
  started = true;
  const scriptUrl = new URL(options.src);
  // Resolve relative to the script so a server mounted under a path prefix
  // (https://example.com/chat/widget.js) works too. ws:// or wss:// follows
  // the script's http:// or https://, not the host page's.
  const wsPath = new URL('ws/visitor', scriptUrl);
  config.wsUrl = (scriptUrl.protocol === 'https:' ? 'wss://' : 'ws://') + wsPath.host + wsPath.pathname;
  config.title = options.title || 'Support';
  config.accent = options.accent || null;
  wireLauncher();
  wireComposer();
  wireRating();
  wireOffline();
  mountWhenReady();
}
