/*
 * What the server allows, and the typing timings both sides of a chat keep
 * (web/shared/limits.js). Imported by the widget and the console;
 * docs/protocol.md is the contract, these numbers follow it.
 */

/** The server's limit on a line's `text`, in characters. */
export const MAX_CHARS = 4000;
/** Show the character counter once the text gets this long. */
export const COUNTER_FROM = 3500;

/** Unicode characters, as the server counts them (not UTF-16 code units). */
export const charCount = (text) => Array.from(text).length;

// Typing signals (`typing` frames), the same on both sides.
/** Stop "typing" after this long without a key. */
export const TYPING_IDLE_MS = 3000;
/** Never more than one typing frame per this. */
export const TYPING_MIN_GAP_MS = 2000;
/** Still typing: say so again, before the other side's 6 s timeout. */
export const TYPING_REFRESH_MS = 4000;
/** Hide the other side's indicator when no refresh came for this long. */
export const TYPING_SHOW_MS = 6000;
