/*
 * Redrawing the whole console from `state` (web/console/render.js); each
 * part also has its own render function for smaller changes.
 */

import { renderTitle } from './alerts.js';
import { renderConversation } from './conversation.js';
import { renderMyChats } from './my-chats.js';
import { renderOffline } from './offline.js';
import { renderTopbar } from './presence.js';
import { renderQueue } from './queue.js';
import { renderAuth } from './session.js';

export function render() {
  renderAuth();
  renderTopbar();
  renderQueue();
  renderMyChats();
  renderOffline();
  renderConversation();
  renderTitle();
}
