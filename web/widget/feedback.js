/*
 * Thumbs up / down under the bot's answers (web/widget/feedback.js): the
 * `feedback` frame. A thumbs down tells Tandem the answer did not help; the
 * bot apologises and offers a person.
 */

import { sendFrame } from './connection.js';

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
export function feedbackButtons(line) {
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
