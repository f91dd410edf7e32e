/* Living articles: the orphan queue and the revisions page.
 *
 * On the orphan queue a passage selected in the article text (with the mouse, or from the keyboard: Tab into
 * the text, then Shift and the arrow keys, drawn by caret.js as on the annotate page) becomes code-point
 * offsets (offsets.js, the one conversion from the DOM's UTF-16) in the form of the annotation whose
 * "Re-attach here" is pressed. Without a selection the form sends the passage typed in its box, and without
 * JavaScript it works the same way. On both pages, after htmx swaps a region in, the focus goes to its
 * message so keyboard and screen-reader users hear the outcome. Loads under the strict CSP: no inline code.
 */
import { drawCaret, moveCaret, placeCaret } from "./caret.js";
import { tidy, toCodePoints } from "./offsets.js";

const $ = (id) => document.getElementById(id);
let chosen = null; // the passage selected in the text: { start, end } in code points and its quote
let lastInput = "pointer";

/** UTF-16 index of a selection boundary in the text, which the page renders as one text node. */
function indexIn(element, node, offset) {
  if (node === element.firstChild) return offset;
  if (node === element) return offset === 0 ? 0 : element.textContent.length;
  const before = element.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_PRECEDING;
  return before ? 0 : element.textContent.length;
}

function describe(quote) {
  const flat = quote.replace(/\s+/g, " ").trim();
  return flat.length > 90 ? flat.slice(0, 89) + "…" : flat;
}

function showChosen() {
  const status = $("reattach-selection");
  if (!status) return;
  status.hidden = false;
  status.textContent = chosen
    ? "Selected in the text: “" + describe(chosen.quote) + "” (characters " + chosen.start + "–" + chosen.end +
      "). Press “Re-attach here” on the annotation that belongs there."
    : "Nothing selected in the text.";
}

function readSelection() {
  const element = $("orphan-text");
  const selection = window.getSelection();
  if (!element || !selection || selection.rangeCount === 0) return;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(element)) return; // a selection elsewhere (a field, a button) keeps the chosen passage
  const text = element.textContent;
  if (selection.isCollapsed) {
    if (element.contains(range.startContainer) && chosen) {
      chosen = null;
      showChosen();
    }
    return;
  }
  const [from, to] = tidy(text, indexIn(element, range.startContainer, range.startOffset),
    indexIn(element, range.endContainer, range.endOffset));
  if (from >= to) return;
  chosen = { start: toCodePoints(text, from), end: toCodePoints(text, to), quote: text.slice(from, to) };
  showChosen();
}

function updateCaret() {
  const caret = $("kbd-caret");
  const element = $("orphan-text");
  if (caret && element) drawCaret(caret, element, document.activeElement === element && lastInput === "key");
}

let frame = 0;
document.addEventListener("selectionchange", () => {
  cancelAnimationFrame(frame);
  frame = requestAnimationFrame(() => { readSelection(); updateCaret(); });
});
document.addEventListener("mousedown", () => { lastInput = "pointer"; });
document.addEventListener("keydown", (event) => {
  lastInput = "key";
  const element = $("orphan-text");
  if (element && event.target === element && moveCaret(event, element, null)) updateCaret();
});
document.addEventListener("focusin", (event) => {
  const element = $("orphan-text");
  if (element && event.target === element && lastInput === "key") {
    const selection = window.getSelection();
    if (!selection.rangeCount || !element.contains(selection.focusNode)) placeCaret(element, null);
  }
  updateCaret();
});
document.addEventListener("focusout", () => { requestAnimationFrame(updateCaret); });

/* "Re-attach here": send the selected passage's offsets, unless a passage was typed in the box. */
document.addEventListener("submit", (event) => {
  const form = event.target.closest && event.target.closest(".reattach-form");
  if (!form) return;
  const typed = form.elements.quote.value.trim();
  form.elements.start.value = chosen && !typed ? chosen.start : "";
  form.elements.end.value = chosen && !typed ? chosen.end : "";
}, true); // before htmx reads the form

document.addEventListener("htmx:afterSwap", (event) => {
  const region = event.target;
  if (region.id === "orphan-workspace" && region.querySelector("#orphan-notice")) {
    chosen = null; // re-attached: the passage is used
    const selection = window.getSelection();
    if (selection) selection.removeAllRanges();
    showChosen();
  }
  const message = region.querySelector && region.querySelector("[data-focus-after-swap]");
  if (message) message.focus({ preventScroll: false });
});
