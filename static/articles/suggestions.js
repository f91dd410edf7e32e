/* Suggestions on the annotate page: spans the project's suggesters found, drawn as dashed outlines over the text,
 * picked by click or keyboard, then accepted (edited first, if need be) or rejected. No dependencies; positions
 * are set through the CSSOM, which the CSP allows.
 *
 * The server renders the offered suggestions as the sidebar's #suggestion-list (one button each: data-sug,
 * data-start and data-end in code points, data-label, data-label-name, data-speaker, data-link, and its
 * accessible name "Suggested quote: “…”, 90%") and one #suggestion-form, filled here for the selected one. The
 * outlines are drawn in #suggestion-layer (inside the reader, so they move with it) from those offsets, never
 * as elements inside the text, so the highlights below stay as they are, visible and clickable; a small "suggested …" tag on each
 * outline selects it, as does a click on its text outside a highlight.
 *
 *   initSuggestions({announce, closeAnnotation})   draw now and after every swap, resize or reflow
 *   suggestionKey(key)   s / S next / previous; with one selected: a accept, x reject, e edit, b move its ends,
 *                        Escape close; true if the key was taken
 *   clearSuggestion()    forget the selection (an annotation was selected instead)
 *   leaveSuggestionForm(field)   Escape in the form: back to the selected suggestion's button
 */
import { stepIndex } from "./keyboard.js";
import { toCodePoints } from "./offsets.js";
import { startAdjust } from "./span_adjust.js";

const OUTER = 3; // px around an outline's text; one nested in another suggestion keeps closer to its text
const INNER = 1;

let announce = () => {};
let closeAnnotation = () => {};
let selected = null; // the selected suggestion's id
let adjuster = null;
let frame = 0;
let observed = null;
const resizes = typeof ResizeObserver === "function" ? new ResizeObserver(() => scheduleDraw()) : null;

const $ = (id) => document.getElementById(id);
const items = () => Array.from(document.querySelectorAll("#suggestion-list .sug-item"));
const itemOf = (id) => document.querySelector('#suggestion-list .sug-item[data-sug="' + CSS.escape(String(id)) + '"]');

/* --- offsets: code points to UTF-16 to DOM positions */

/** UTF-16 indexes of the code-point offsets `points` in `text`, in one walk over it. */
function toUtf16All(text, points) {
  const wanted = Array.from(new Set(points)).sort((a, b) => a - b);
  const found = new Map();
  let units = 0, point = 0;
  for (const target of wanted) {
    while (point < target && units < text.length) {
      const unit = text.charCodeAt(units);
      const pair = unit >= 0xd800 && unit <= 0xdbff && units + 1 < text.length
        && text.charCodeAt(units + 1) >= 0xdc00 && text.charCodeAt(units + 1) <= 0xdfff;
      units += pair ? 2 : 1;
      point++;
    }
    found.set(target, units);
  }
  return found;
}

/** The text nodes of `container` with the UTF-16 index each starts at. */
function textNodes(container) {
  const nodes = [], starts = [];
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  let seen = 0, node;
  while ((node = walker.nextNode())) {
    nodes.push(node);
    starts.push(seen);
    seen += node.data.length;
  }
  return { nodes, starts };
}

/** [node, offset] of a UTF-16 index: a start belongs to the text after a node boundary, an end to the text before. */
function position(index, at, isStart) {
  const { nodes, starts } = index;
  let low = 0, high = nodes.length - 1, found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (isStart ? starts[middle] <= at : starts[middle] < at) { found = middle; low = middle + 1; } else high = middle - 1;
  }
  if (found < 0) return nodes.length ? [nodes[0], 0] : null;
  const node = nodes[found];
  return [node, Math.min(node.data.length, at - starts[found])];
}

/** The line boxes (viewport coordinates) of the text between two UTF-16 indexes: one per line it runs over. */
function lineBoxes(index, start, end) {
  const from = position(index, start, true);
  const to = position(index, end, false);
  if (!from || !to) return [];
  const range = document.createRange();
  range.setStart(...from);
  range.setEnd(...to);
  const lines = [];
  for (const rect of range.getClientRects()) {
    if (rect.width < 0.5 || rect.height <= 0) continue;
    const line = lines.find((each) => rect.top < each.bottom - 2 && rect.bottom > each.top + 2);
    if (line) {
      line.left = Math.min(line.left, rect.left);
      line.right = Math.max(line.right, rect.right);
      line.top = Math.min(line.top, rect.top);
      line.bottom = Math.max(line.bottom, rect.bottom);
    } else {
      lines.push({ left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom });
    }
  }
  return lines.sort((a, b) => a.top - b.top);
}

/* --- outlines */

/** A suggestion's span in code points: as suggested, or as the form now says for the selected one. */
function spanOf(item) {
  const span = { id: item.dataset.sug, start: Number(item.dataset.start), end: Number(item.dataset.end) };
  const form = $("suggestion-form");
  if (item.dataset.sug === selected && form && form.elements.suggestion.value === selected) {
    const start = Number(form.elements.start.value), end = Number(form.elements.end.value);
    if (Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start) Object.assign(span, { start, end });
  }
  return span;
}

function box(className, rect, pad, layer, origin) {
  const element = document.createElement("div");
  element.className = className;
  element.style.left = Math.round(rect.left - origin.left - pad) + "px";
  element.style.top = Math.round(rect.top - origin.top - pad) + "px";
  element.style.width = Math.round(rect.right - rect.left + 2 * pad) + "px";
  element.style.height = Math.round(rect.bottom - rect.top + 2 * pad) + "px";
  layer.append(element);
  return element;
}

function draw() {
  frame = 0;
  const text = $("article-text");
  const reader = text && text.closest(".reader");
  const list = items();
  let layer = $("suggestion-layer");
  if (!reader || !list.length) {
    if (layer) layer.remove();
    return;
  }
  if (resizes && observed !== text) {
    if (observed) resizes.unobserve(observed);
    resizes.observe(text);
    observed = text;
  }
  if (!layer) {
    layer = document.createElement("div");
    layer.id = "suggestion-layer";
    layer.className = "suggestion-layer";
    layer.setAttribute("aria-hidden", "true"); // the sidebar's list names each suggestion in words
    reader.append(layer);
  }
  layer.replaceChildren();
  const bounds = reader.getBoundingClientRect();
  const origin = { left: bounds.left + reader.clientLeft, top: bounds.top + reader.clientTop };
  const content = text.textContent;
  const spans = list.map((item) => ({ ...spanOf(item), item }));
  const units = toUtf16All(content, spans.flatMap((span) => [span.start, span.end]));
  const index = textNodes(text);
  for (const span of spans) {
    const nested = spans.some((other) => other !== span && other.start <= span.start && other.end >= span.end
      && (other.start < span.start || other.end > span.end));
    const pad = nested ? INNER : OUTER;
    const lines = lineBoxes(index, units.get(span.start), units.get(span.end));
    const label = span.item.dataset.label;
    const state = span.id === selected ? " is-selected" : "";
    lines.forEach((line, at) => {
      const ends = (at > 0 ? " is-continued" : "") + (at < lines.length - 1 ? " continues" : "");
      box(`sug-box lab-${label}${state}${ends}`, line, pad, layer, origin).dataset.sug = span.id;
    });
    if (lines.length) {
      const tag = document.createElement("span");
      tag.className = `sug-tag lab-${label}${state}`;
      tag.dataset.sug = span.id;
      tag.textContent = "suggested " + (span.item.dataset.labelName || label).toLowerCase();
      tag.title = span.item.getAttribute("aria-label") || "";
      tag.style.left = Math.round(lines[0].left - origin.left - pad) + "px";
      tag.style.top = Math.round(lines[0].top - origin.top - pad) + "px";
      layer.append(tag);
    }
  }
}

function scheduleDraw() {
  if (!frame) frame = requestAnimationFrame(draw);
}

/* --- selecting one */

function scrollWithin(container, child) {
  if (!container || container.scrollHeight <= container.clientHeight) return;
  const outer = container.getBoundingClientRect();
  const inner = child.getBoundingClientRect();
  if (inner.top < outer.top) container.scrollTop += inner.top - outer.top - 4;
  else if (inner.bottom > outer.bottom) container.scrollTop += inner.bottom - outer.bottom + 4;
}

/** Show the speaker field only for a label that has one (a disabled field is not sent). */
function speakerFor(form) {
  const option = form.elements.label.selectedOptions[0];
  const field = $("suggestion-speaker-field");
  const shown = Boolean(option && option.dataset.speaker);
  if (field) field.hidden = !shown;
  form.elements.speaker.disabled = !shown;
}

function fill(item) {
  const form = $("suggestion-form");
  if (!form) return;
  form.elements.suggestion.value = item.dataset.sug;
  form.elements.label.value = item.dataset.label;
  form.elements.start.value = item.dataset.start;
  form.elements.end.value = item.dataset.end;
  form.elements.speaker.value = item.dataset.speaker || "";
  speakerFor(form);
  const quote = item.querySelector(".sug-quote");
  $("suggestion-quote").textContent = quote ? quote.textContent : "";
  $("suggestion-link").textContent = item.dataset.link ? "Accepting it also links it: " + item.dataset.link + "." : "";
}

function stopAdjusting() {
  if (adjuster) adjuster.stop();
  adjuster = null;
}

function describe(item) {
  const all = items();
  return `Suggestion ${all.indexOf(item) + 1} of ${all.length}: ${item.getAttribute("aria-label")}.`;
}

/** Select a suggestion (or none): its outline stressed, its form filled (unless `fill` is false: the form shows
 *  what the user typed, refused), the annotation editor closed. */
export function selectSuggestion(id, options) {
  options = options || {};
  stopAdjusting();
  const item = id ? itemOf(id) : null;
  selected = item ? String(id) : null;
  items().forEach((each) => {
    each.classList.toggle("is-selected", each === item);
    if (each === item) each.setAttribute("aria-current", "true");
    else each.removeAttribute("aria-current");
  });
  const form = $("suggestion-form");
  if (!item) {
    if (form) form.hidden = true;
    draw();
    return;
  }
  closeAnnotation();
  if (options.fill !== false) fill(item);
  else if (form) speakerFor(form);
  if (form) form.hidden = false;
  scrollWithin($("suggestion-list"), item);
  draw();
  const first = document.querySelector('#suggestion-layer .sug-box[data-sug="' + CSS.escape(selected) + '"]');
  if (first && options.scroll) {
    const rect = first.getBoundingClientRect();
    if (rect.top < 80 || rect.bottom > window.innerHeight - 8) first.scrollIntoView({ block: "center" });
  }
  if (options.announce !== false) {
    announce(describe(item) + " Press a to accept, x to reject, e to edit it first, Escape to close.");
  }
}

export function clearSuggestion() {
  if (selected) selectSuggestion(null);
}

function step(direction) {
  const all = items();
  if (!all.length) {
    announce("No suggestions here.");
    return;
  }
  const at = all.findIndex((item) => item.dataset.sug === selected);
  selectSuggestion(all[stepIndex(at, direction, all.length)].dataset.sug, { scroll: true });
}

function acceptSelected() {
  const form = $("suggestion-form");
  const button = $("suggestion-accept");
  if (form && button && !button.disabled) form.requestSubmit(button);
}

function rejectSelected() {
  const button = $("suggestion-reject");
  if (button && !button.disabled) button.click();
}

function editSelected() {
  const form = $("suggestion-form");
  if (!form) return;
  const field = form.elements.speaker.disabled ? form.elements.label : form.elements.speaker;
  field.focus();
  if (field.select) field.select();
  announce("Edit the suggestion, then Enter accepts it; Escape goes back.");
}

/** "b": move the selected suggestion's ends in the text (span_adjust.js); Enter keeps them in the form. */
function adjustSelected() {
  const form = $("suggestion-form");
  const text = $("article-text");
  if (!form || !text) return;
  const span = spanOf(itemOf(selected));
  stopAdjusting();
  adjuster = startAdjust(text, { start: span.start, end: span.end, edge: "end" }, {
    save: (range) => {
      adjuster = null;
      form.elements.start.value = range.start;
      form.elements.end.value = range.end;
      draw();
      announce("Ends set. Press a to accept the suggestion with them.");
    },
    cancel: () => { adjuster = null; announce("Ends unchanged."); },
    announce: announce,
  });
}

export function suggestionKey(key) {
  if (key === "s" || key === "S") {
    if (!items().length) return false;
    step(key === "s" ? 1 : -1);
    return true;
  }
  if (!selected || !itemOf(selected)) return false;
  switch (key) {
    case "a": acceptSelected(); return true;
    case "x": rejectSelected(); return true;
    case "e": editSelected(); return true;
    case "b": adjustSelected(); return true;
    case "Escape": {
      const selection = window.getSelection();
      if (selection && !selection.isCollapsed) return false; // the text selection is cancelled first
      selectSuggestion(null);
      announce("Suggestion closed.");
      return true;
    }
    default: return false;
  }
}

export function leaveSuggestionForm(field) {
  field.blur();
  const item = selected && itemOf(selected);
  if (item) item.focus({ preventScroll: true });
}

/* --- after the server's answers */

function panelMessage() {
  const message = document.querySelector("#suggestions .suggestion-message");
  return message ? message.textContent.trim() : "";
}

/** A new panel: select what it asks for (a refused acceptance; after a rejection, the suggestion that followed). */
function panelSwapped(panel, whole) {
  const refused = panel.dataset.selected;
  const after = panel.dataset.after;
  const message = panelMessage();
  if (refused && itemOf(refused)) {
    selectSuggestion(refused, { fill: false, announce: false });
    if (message) announce(message);
    const error = panel.querySelector("#suggestion-error");
    if (error && !whole) error.setAttribute("tabindex", "-1");
    return;
  }
  if (after !== "" && after !== undefined) {
    const next = items().find((item) => Number(item.dataset.start) >= Number(after));
    selected = null;
    if (next) {
      selectSuggestion(next.dataset.sug, { scroll: true, announce: false });
      announce((message ? message + " " : "") + describe(next));
    } else {
      draw();
      announce((message ? message + " " : "") + "No more suggestions.");
    }
    if (!document.activeElement || document.activeElement === document.body) {
      const focus = (next && itemOf(next.dataset.sug)) || $("article-text");
      if (focus) focus.focus({ preventScroll: true });
    }
    return;
  }
  const again = selected && itemOf(selected) ? selected : null;
  selected = null;
  if (again) selectSuggestion(again, { announce: false });
  else draw();
  if (message && !whole) announce(message);
}

export function initSuggestions(options) {
  announce = options.announce || announce;
  closeAnnotation = options.closeAnnotation || closeAnnotation;
  document.addEventListener("click", (event) => {
    const target = event.target;
    const chosen = target.closest && target.closest(".sug-item, .sug-tag");
    if (chosen) {
      event.preventDefault();
      selectSuggestion(chosen.dataset.sug, { scroll: chosen.classList.contains("sug-tag") === false });
      return;
    }
    // A click on a suggestion's text outside any highlight selects it (the innermost, if several cover it).
    const text = $("article-text");
    const selection = window.getSelection();
    if (!text || !text.contains(target) || (target.closest && target.closest("mark.hl"))) return;
    if (selection && !selection.isCollapsed) return;
    const caret = document.caretRangeFromPoint ? document.caretRangeFromPoint(event.clientX, event.clientY) : null;
    if (!caret || !text.contains(caret.startContainer)) return;
    const range = document.createRange();
    range.setStart(text, 0);
    range.setEnd(caret.startContainer, caret.startOffset);
    const point = toCodePoints(text.textContent, range.toString().length);
    const covering = items().filter((item) => Number(item.dataset.start) <= point && point < Number(item.dataset.end));
    if (covering.length) {
      covering.sort((a, b) => (a.dataset.end - a.dataset.start) - (b.dataset.end - b.dataset.start));
      selectSuggestion(covering[0].dataset.sug);
    }
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches("#suggestion-form select[name=label]")) {
      speakerFor(event.target.form);
    }
  });
  document.addEventListener("input", (event) => {
    if (event.target.matches("#suggestion-form input[name=start], #suggestion-form input[name=end]")) scheduleDraw();
  });
  document.addEventListener("keydown", (event) => {
    // Enter on the label list accepts, as it does in the form's text fields.
    if (event.key === "Enter" && !event.isComposing && event.target.matches && event.target.matches("#suggestion-form select")) {
      event.preventDefault();
      acceptSelected();
    }
  });
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (target && (target.id === "workspace" || target.id === "suggestions") && event.detail.shouldSwap) stopAdjusting();
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const swapped = event.target;
    if (swapped.id === "workspace") {
      const panel = $("suggestions");
      if (panel) panelSwapped(panel, true);
      else selected = null;
    } else if (swapped.id === "suggestions") {
      panelSwapped(swapped, false);
    }
    scheduleDraw();
  });
  document.addEventListener("htmx:oobAfterSwap", scheduleDraw);
  window.addEventListener("resize", scheduleDraw);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(scheduleDraw);
  scheduleDraw();
}
