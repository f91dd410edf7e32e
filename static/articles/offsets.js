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

/** Convert a code-point offset into `text` to UTF-16 (the inverse of toCodePoints); past the end gives the length. */
export function toUtf16(text, points) {
  let units = 0;
  for (let p = 0; p < points && units < text.length; p++) {
    units += isHigh(text.charCodeAt(units)) && isLow(text.charCodeAt(units + 1)) ? 2 : 1;
  }
  return units;
}

const words = globalThis.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "word" }) : null;
const WORD_REACH = 256;

function nextGrapheme(text, index, direction) {
  if (direction > 0) return index >= text.length ? index : snapToGrapheme(text, index + 1, true);
  return index <= 0 ? index : snapToGrapheme(text, index - 1, false);
}

// A word for a span edge: what the segmenter calls one, or an emoji or other symbol; not white space or punctuation.
const isWord = (piece) => piece.isWordLike || /[^\s\p{P}]/u.test(piece.segment);

// The word stops after (direction 1) or before (-1) `index`: starts of words for a start edge, ends for an end edge.
function nextWordStop(text, index, direction, edge) {
  const stopOf = (piece, from) => from + piece.index + (edge === "end" ? piece.segment.length : 0);
  if (direction > 0) {
    for (let reach = WORD_REACH; ; reach *= 4) {
      const to = Math.min(text.length, index + reach);
      for (const piece of words.segment(text.slice(index, to))) {
        const stop = stopOf(piece, index);
        if (isWord(piece) && stop > index && (stop < to || to === text.length)) return stop;
      }
      if (to === text.length) return text.length;
    }
  }
  for (let reach = WORD_REACH; ; reach *= 4) {
    const from = Math.max(0, index - reach);
    let found = null;
    for (const piece of words.segment(text.slice(from, index))) {
      const stop = stopOf(piece, from);
      // The window's first piece may be the tail of a longer word: its start is no word start.
      if (isWord(piece) && stop < index && (piece.index > 0 || from === 0)) found = stop;
    }
    if (found !== null) return found;
    if (from === 0) return 0;
  }
}

/** Where a span's `edge` ("start" or "end", UTF-16 `index`) goes one `unit` ("grapheme" or "word") forward
 *  (direction 1) or back (-1). A start stops at word starts and an end at word ends; a character step passes
 *  white space, so an edge never rests on it. At an end of the text the index stays. */
export function stepEdge(text, index, direction, unit, edge) {
  if (unit === "word" && words) return nextWordStop(text, index, direction, edge);
  let next = nextGrapheme(text, index, direction);
  const blank = (at) => /\s/.test(edge === "start" ? text[at] || "" : text[at - 1] || "");
  while (blank(next) && next > 0 && next < text.length) next = nextGrapheme(text, next, direction);
  return next;
}
