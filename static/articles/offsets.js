/* Offsets in article text, without the DOM.
 *
 * The DOM counts UTF-16 code units; the server stores Unicode code points. A span never splits a
 * user-perceived character (an emoji sequence, a letter with combining marks, a surrogate pair) and
 * never starts or ends with white space. Pure functions: strings and numbers in, numbers out.
 */

const isHigh = (unit) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit) => unit >= 0xdc00 && unit <= 0xdfff;

// Grapheme clusters come from the browser where it can; without Intl.Segmenter only surrogate pairs are kept whole.
const graphemes = globalThis.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;
// A grapheme cluster this long is already absurd; looking this far either side finds the one around an index.
const CLUSTER_REACH = 32;

/** Convert a UTF-16 index into `text` to code points; inside a surrogate pair round down, as the server's Utf16Map does. */
export function toCodePoints(text, utf16) {
  let points = 0;
  for (let i = 0; i < utf16; i++) {
    if (isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1))) {
      if (i + 1 >= utf16) break;
      i++;
    }
    points++;
  }
  return points;
}

/** Move a UTF-16 boundary out of the character it splits: backward for a start, forward for an end. */
export function snapToGrapheme(text, index, forward) {
  if (index <= 0 || index >= text.length) return index;
  if (graphemes) {
    const from = Math.max(0, index - CLUSTER_REACH);
    const piece = graphemes.segment(text.slice(from, Math.min(text.length, index + CLUSTER_REACH))).containing(index - from);
    if (piece && from + piece.index !== index) {
      return forward ? from + piece.index + piece.segment.length : from + piece.index;
    }
    return index;
  }
  if (isLow(text.charCodeAt(index)) && isHigh(text.charCodeAt(index - 1))) return forward ? index + 1 : index - 1;
  return index;
}

/** Return [start, end] (UTF-16) grown to whole characters, then shrunk past leading and trailing white space. */
export function tidy(text, start, end) {
  start = snapToGrapheme(text, start, false);
  end = snapToGrapheme(text, end, true);
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return [start, end];
}
