/* Single-key shortcuts shared by the annotate and review pages: when a key belongs to a form field, and
 * how j/k step through a list. */

const TYPING = "input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]), textarea, select, [contenteditable]";

/** Whether a key pressed on `target` is typing into a field (so it is text, not a shortcut). */
export function isTyping(target) {
  return Boolean(target.closest && target.closest(TYPING));
}

/** The index one step (+1 or -1) from `index` in a list of `count`, stopping at the ends; from nowhere (-1),
 *  forward starts at the first item and backward at the last. */
export function stepIndex(index, direction, count) {
  if (index < 0) return direction > 0 ? 0 : count - 1;
  return Math.min(count - 1, Math.max(0, index + direction));
}
