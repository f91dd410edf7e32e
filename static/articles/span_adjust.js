/* Adjusting a span's boundaries in place: drag handles and a keyboard mode, one control for the annotate
 * and review pages. No dependencies; positions are set through the CSSOM, which the CSP allows.
 *
 * Offsets in and out are Unicode code points, end exclusive (as stored); the DOM's UTF-16 is converted only
 * through offsets.js. `container` is the element whose textContent is the article text exactly (highlights
 * are <mark> elements inside it). Every boundary lands on a grapheme-cluster boundary and start < end.
 *
 *   showHandles(container, {start, end}, {save, cancel?, announce?}) -> controller
 *     Mouse only: a handle at each edge. Dragging one previews the new range (the "adjust" CSS highlight)
 *     and the release calls save({start, end}); a release that changes nothing is ignored, and Escape
 *     during a drag puts the edge back.
 *   startAdjust(container, {start, end, edge = "end"}, {save, cancel, announce?}) -> controller
 *     The handles plus the keyboard mode: ←/→ move the active edge by a character (a grapheme cluster),
 *     Ctrl+←/→ or Alt+←/→ (macOS) by a word, Tab / Shift+Tab switch edge, Enter saves (nothing changed:
 *     cancels), Escape cancels.
 *     In right-to-left text the arrows follow the screen. Each move is announced ("End: …last words").
 *     While the mode is on it takes every key it names, and single-key shortcuts do nothing.
 *   controller.range       the previewed {start, end} in code points
 *   controller.save()      save as Enter does; controller.cancel() cancel as Escape does
 *   controller.stop()      remove handles, preview and listeners (idempotent); saving or cancelling stops it
 *     first. Stop it before replacing `container`; a new span needs a new controller.
 */
import { snapToGrapheme, stepEdge, toCodePoints, toUtf16 } from "./offsets.js";

const SAID = 40; // how many UTF-16 units of text an announcement quotes at the edge
const SWALLOWED = new Set(["Delete", "Backspace", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"]);

// [node, offset] of a UTF-16 index: a start belongs to the text after a node boundary, an end to the text before.
function position(container, index, isStart) {
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  let seen = 0, node, last = null;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (isStart ? index < seen + length : index <= seen + length) return [node, index - seen];
    seen += length;
    last = node;
  }
  return last ? [last, last.data.length] : [container, 0];
}

function rangeOf(container, start, end) {
  const range = document.createRange();
  range.setStart(...position(container, start, true));
  range.setEnd(...position(container, end, false));
  return range;
}

// The UTF-16 index of a DOM point in the container, or null outside it.
function indexOf(container, node, offset) {
  if (!node || !container.contains(node)) return null;
  const range = document.createRange();
  range.setStart(container, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

function indexAtPoint(container, x, y) {
  if (document.caretPositionFromPoint) {
    const at = document.caretPositionFromPoint(x, y);
    return at ? indexOf(container, at.offsetNode, at.offset) : null;
  }
  const range = document.caretRangeFromPoint ? document.caretRangeFromPoint(x, y) : null;
  return range ? indexOf(container, range.startContainer, range.startOffset) : null;
}

// The screen line box at a span edge: {x, top, height}, from the first character inside the edge.
function edgeBox(container, text, index, edge) {
  const inside = edge === "start" ? [index, snapToGrapheme(text, index + 1, true)] : [snapToGrapheme(text, index - 1, false), index];
  const range = rangeOf(container, inside[0], inside[1]);
  const rects = Array.from(range.getClientRects()).filter((rect) => rect.height > 0);
  const rect = edge === "start" ? rects[0] : rects[rects.length - 1];
  if (!rect) return null;
  const node = range.startContainer.parentElement || container;
  const rtl = getComputedStyle(node).direction === "rtl";
  return { x: (edge === "start") !== rtl ? rect.left : rect.right, top: rect.top, height: rect.height };
}

function makeHandle(edge) {
  const handle = document.createElement("span");
  handle.className = "adjust-handle adjust-" + edge;
  handle.dataset.edge = edge;
  handle.setAttribute("aria-hidden", "true"); // the keyboard mode is the accessible way; these are for the pointer
  handle.title = edge === "start" ? "Drag to move the start" : "Drag to move the end";
  document.body.append(handle);
  return handle;
}

function control(container, span, callbacks, withKeys) {
  const text = container.textContent;
  const original = { start: toUtf16(text, span.start), end: toUtf16(text, span.end) };
  let current = { ...original };
  let edge = span.edge === "start" ? "start" : "end";
  let drag = null;
  let stopped = false;
  const handles = { start: makeHandle("start"), end: makeHandle("end") };
  const announce = callbacks.announce || (() => {});

  function draw() {
    if (!container.isConnected) { stop(); return; }
    if (globalThis.CSS && CSS.highlights && globalThis.Highlight) {
      CSS.highlights.set("adjust", new Highlight(rangeOf(container, current.start, current.end)));
    }
    const frame = container.getBoundingClientRect();
    for (const which of ["start", "end"]) {
      const handle = handles[which];
      const box = edgeBox(container, text, current[which], which);
      handle.hidden = !box || box.top + box.height < frame.top || box.top > frame.bottom;
      if (handle.hidden) continue;
      handle.style.left = Math.round(box.x + window.scrollX) + "px";
      handle.style.top = Math.round(box.top + window.scrollY) + "px";
      handle.style.height = Math.round(box.height) + "px";
      handle.classList.toggle("is-active", withKeys && which === edge);
    }
  }

  // Bring the active edge into view: to the middle of a scrolling container, then of the window.
  function reveal() {
    let box = edgeBox(container, text, current[edge], edge);
    const frame = container.getBoundingClientRect();
    if (box && (box.top < frame.top || box.top + box.height > frame.bottom)) {
      container.scrollTop += box.top - frame.top - frame.height / 2;
      box = edgeBox(container, text, current[edge], edge);
    }
    if (box && (box.top < 0 || box.top + box.height > window.innerHeight)) window.scrollBy(0, box.top - window.innerHeight / 2);
  }

  function say() {
    const { start, end } = current;
    if (edge === "start") {
      const to = snapToGrapheme(text, Math.min(end, start + SAID), true);
      announce("Start: " + text.slice(start, to).trim() + (to < end ? "…" : ""));
    } else {
      const from = snapToGrapheme(text, Math.max(start, end - SAID), false);
      announce("End: " + (from > start ? "…" : "") + text.slice(from, end).trim());
    }
  }

  // Put the moving edge at `index` (snapped to a grapheme); refuse an empty or inverted span.
  function place(which, index) {
    const next = { ...current, [which]: snapToGrapheme(text, index, which === "end") };
    if (next.start >= next.end) return false;
    current = next;
    draw();
    return true;
  }

  const changed = () => current.start !== original.start || current.end !== original.end;
  const points = () => ({ start: toCodePoints(text, current.start), end: toCodePoints(text, current.end) });

  function save() {
    if (stopped) return;
    if (!changed()) { announce("Nothing changed."); cancel(); return; }
    const range = points();
    stop();
    callbacks.save(range);
  }

  function cancel() {
    if (stopped) return;
    stop();
    if (callbacks.cancel) callbacks.cancel();
  }

  function onKey(event) {
    if (event.isComposing || event.metaKey) return;
    const key = event.key;
    if (key === "ArrowLeft" || key === "ArrowRight") {
      const rtl = getComputedStyle(container).direction === "rtl";
      const direction = (key === "ArrowRight") !== rtl ? 1 : -1;
      const unit = event.ctrlKey || event.altKey ? "word" : "grapheme"; // Alt as on macOS, everywhere alike
      const moved = place(edge, stepEdge(text, current[edge], direction, unit, edge));
      if (moved) { reveal(); draw(); say(); }
      else announce(current[edge] === (direction > 0 ? text.length : 0) ? "At the end of the text." : "The span cannot be empty.");
    } else if (key === "Tab") {
      edge = edge === "start" ? "end" : "start";
      reveal();
      draw();
      say();
    } else if (key === "Enter") {
      save();
    } else if (key === "Escape") {
      announce("Adjusting cancelled; the span is as it was.");
      cancel();
    } else if (!(key.length === 1 && !event.ctrlKey && !event.altKey) && !SWALLOWED.has(key)) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  function onPointerDown(event) {
    if (event.button !== 0) return;
    event.preventDefault();
    const handle = event.currentTarget;
    const rect = handle.getBoundingClientRect();
    // Where in the handle it was grabbed, so the text under the line is hit, not the grip below it.
    drag = { edge: handle.dataset.edge, dy: event.clientY - (rect.top + rect.height / 2), before: { ...current } };
    document.documentElement.classList.add("is-dragging-edge");
    document.addEventListener("pointermove", onPointerMove);
    document.addEventListener("pointerup", onPointerUp);
    document.addEventListener("pointercancel", endDrag);
  }

  function onPointerMove(event) {
    const index = indexAtPoint(container, event.clientX, event.clientY - drag.dy);
    if (index === null) return;
    let at = index;
    const blank = drag.edge === "start" ? () => /\s/.test(text[at] || "") : () => /\s/.test(text[at - 1] || "");
    while (blank() && at > 0 && at < text.length) at += drag.edge === "start" ? 1 : -1; // no white space at an edge
    place(drag.edge, at);
  }

  function endDrag() {
    document.documentElement.classList.remove("is-dragging-edge");
    document.removeEventListener("pointermove", onPointerMove);
    document.removeEventListener("pointerup", onPointerUp);
    document.removeEventListener("pointercancel", endDrag);
    const before = drag && drag.before;
    drag = null;
    return before;
  }

  function onPointerUp() {
    const before = endDrag();
    if (current.start !== before.start || current.end !== before.end) save(); // a release changing nothing is ignored
  }

  function onDragKey(event) {
    if (!drag || event.key !== "Escape") return;
    current = endDrag();
    draw();
    event.preventDefault();
    event.stopImmediatePropagation(); // the keyboard mode, if on, stays on
  }

  function stop() {
    if (stopped) return;
    stopped = true;
    if (drag) endDrag();
    handles.start.remove();
    handles.end.remove();
    if (globalThis.CSS && CSS.highlights) CSS.highlights.delete("adjust");
    document.removeEventListener("keydown", onDragKey, true);
    document.removeEventListener("keydown", onKey, true);
    document.removeEventListener("scroll", draw, true);
    window.removeEventListener("resize", draw);
  }

  for (const handle of Object.values(handles)) handle.addEventListener("pointerdown", onPointerDown);
  document.addEventListener("keydown", onDragKey, true);
  if (withKeys) document.addEventListener("keydown", onKey, true);
  document.addEventListener("scroll", draw, true);
  window.addEventListener("resize", draw);
  draw();
  if (withKeys) { reveal(); draw(); say(); }
  return {
    get range() { return points(); },
    save,
    cancel,
    stop,
  };
}

/** Drag handles on the span `{start, end}` (code points) in `container`; a changing release calls save. */
export function showHandles(container, span, callbacks) {
  return control(container, span, callbacks, false);
}

/** The handles plus the keyboard mode on `edge` ("end" unless "start"); Enter saves, Escape cancels. */
export function startAdjust(container, span, callbacks) {
  return control(container, span, callbacks, true);
}
