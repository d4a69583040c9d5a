/*
 * Web storage that never throws (web/shared/storage.js), for the widget and
 * the console. Any use of localStorage or sessionStorage may throw (blocked
 * cookies, private mode, full quota); the pages then simply forget across
 * reloads instead of breaking.
 */

/** `window[kind]` if it can be written to, else null. */
export function storage(kind) {
  try {
    const s = window[kind];
    s.setItem('tandem.probe', '1');
    s.removeItem('tandem.probe');
    return s;
  } catch (_) {
    return null;
  }
}

/** The value under `key`, or null. */
export function read(store, key) {
  try {
    return store ? store.getItem(key) : null;
  } catch (_) {
    return null;
  }
}

/** Stores `value` under `key`; null or undefined removes it. */
export function write(store, key, value) {
  try {
    if (!store) return;
    if (value == null) store.removeItem(key);
    else store.setItem(key, value);
  } catch (_) {
    /* quota or blocked: keep going with what is in memory */
  }
}
