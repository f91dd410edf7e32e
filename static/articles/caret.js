/* The keyboard caret of the annotate page. The article text is not editable, so the browser draws no caret
 * in it; this module places, moves and draws one (the #kbd-caret bar) so the text can be selected from the
 * keyboard. Positions are set through the CSSOM, which the CSP allows.
 */

const CARET_KEYS = {
  ArrowLeft: ["backward", "character"], ArrowRight: ["forward", "character"],
  ArrowUp: ["backward", "line"], ArrowDown: ["forward", "line"],
  Home: ["backward", "lineboundary"], End: ["forward", "lineboundary"],
};
// How far below the visible top to look for the first visible line: less than any line's height.
const LINE_INSET = 14;

/** The top of the visible text area: the bottom of the sticky label bar. */
export function topOfText() {
  const bar = document.querySelector(".labelbar");
  return bar ? Math.max(0, bar.getBoundingClientRect().bottom) : 0;
}

function startOf(element) {
  const range = document.createRange();
  const first = document.createTreeWalker(element, NodeFilter.SHOW_TEXT).nextNode();
  range.setStart(first || element, 0);
  return range;
}

/** Put a collapsed selection in `element`: at `mark` (the selected annotation) if given; else at the first
 *  character, unless the reader has scrolled past the beginning, then at the first line they can see. */
export function placeCaret(element, mark) {
  const selection = window.getSelection();
  const box = element.getBoundingClientRect();
  let range = null;
  if (mark) {
    range = document.createRange();
    range.setStart(mark, 0);
  } else if (box.top < 0 && box.bottom > topOfText() && document.caretRangeFromPoint) {
    // Only a top above the window means the reader scrolled past the beginning: focusing a long text scrolls
    // its top to the window's top, under the sticky bar, and the caret still belongs at its first character.
    range = document.caretRangeFromPoint(box.left + 2, topOfText() + LINE_INSET);
  }
  if (!range || !element.contains(range.startContainer)) range = startOf(element);
  range.collapse(true);
  selection.removeAllRanges();
  selection.addRange(range);
}

function caretRect(selection) {
  const range = document.createRange();
  range.setStart(selection.focusNode, selection.focusOffset);
  range.collapse(true);
  let rect = range.getClientRects()[0];
  if ((!rect || rect.height === 0) && selection.focusNode.nodeType === Node.TEXT_NODE &&
      selection.focusOffset < selection.focusNode.length) {
    range.setEnd(selection.focusNode, selection.focusOffset + 1);
    const next = range.getClientRects()[0];
    if (next) rect = { left: next.left, top: next.top, bottom: next.bottom, height: next.height };
  }
  return rect && rect.height ? rect : null;
}

/** Draw `caret` at the selection's focus in `element` when `shown`, scrolling it clear of the window's edges. */
export function drawCaret(caret, element, shown) {
  const selection = window.getSelection();
  const rect = shown && selection.rangeCount && element.contains(selection.focusNode) ? caretRect(selection) : null;
  caret.hidden = !rect;
  if (!rect) return;
  caret.style.left = Math.round(rect.left + window.scrollX - 1) + "px";
  caret.style.top = Math.round(rect.top + window.scrollY) + "px";
  caret.style.height = Math.round(rect.height) + "px";
  if (rect.bottom > window.innerHeight - 24) window.scrollBy(0, rect.bottom - window.innerHeight + 96);
  else if (rect.top < topOfText() + 8) window.scrollBy(0, rect.top - topOfText() - 64);
}

/** Move or extend the selection in `element` for an arrow, Home or End key (by word with Ctrl or Alt);
 *  return whether the key was one of them. The selection never leaves the text. */
export function moveCaret(event, element, mark) {
  const move = CARET_KEYS[event.key];
  if (!move || event.metaKey) return false;
  const selection = window.getSelection();
  if (!selection.rangeCount || !element.contains(selection.focusNode)) placeCaret(element, mark);
  const before = [selection.anchorNode, selection.anchorOffset, selection.focusNode, selection.focusOffset];
  const unit = move[1] === "character" && (event.ctrlKey || event.altKey) ? "word" : move[1];
  selection.modify(event.shiftKey ? "extend" : "move", move[0], unit);
  if (!element.contains(selection.focusNode)) selection.setBaseAndExtent(before[0], before[1], before[2], before[3]);
  event.preventDefault();
  return true;
}
