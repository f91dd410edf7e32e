/* The annotate page. A text selection (mouse or keyboard) becomes code-point offsets for the label toolbar;
 * annotations are selected by click or j/k; keyboard shortcuts drive the htmx forms. The server renders every
 * piece of HTML; this module only moves selection and focus and triggers requests. It loads under a strict
 * CSP: no eval, no inline handlers, positions are set through the CSSOM.
 */
import { drawCaret, moveCaret, placeCaret, topOfText } from "./caret.js";
import { isTyping, stepIndex } from "./keyboard.js";
import { initLinks, showLinksOf, startLinking } from "./links.js";
import { tidy, toCodePoints } from "./offsets.js";
import { showHandles, startAdjust } from "./span_adjust.js";
import { clearSuggestion, initSuggestions, leaveSuggestionForm, suggestionKey } from "./suggestions.js";

// Kept for the browser tests that compare this conversion with the server's at every offset.
window.annotatorOffsets = { toCodePoints, tidy };

const config = JSON.parse(document.getElementById("annotator-config").textContent);

let selectedId = null;
let pending = null;
let pointerDown = false;
let lastInput = "pointer";
let focusNoteOnLoad = false;
let listScroll = 0;
let focusedItem = null;
let fromWork = false;
let adjuster = null; // the drag handles (and, after "b", the keyboard mode) on the selected span
let here = []; // ids of the annotations covering the place last clicked or entered: the editor lists them
let focusCovering = false;
let linkOnLoad = false;
const textCache = { element: null, text: "" };

const $ = (id) => document.getElementById(id);
// The URLs come with 0 for the id ("/annotations/0/update/"): put the real one in its place.
const urlFor = (template, id) => template.replace(/\/0\//, "/" + encodeURIComponent(id) + "/");
const marksOf = (id) => document.querySelectorAll('#article-text mark[data-ids~="' + CSS.escape(id) + '"]');
const itemOf = (id) => document.querySelector('#ann-list [data-ann="' + CSS.escape(String(id)) + '"]');
const labelFor = (digit) => config.labels.find((label) => label.shortcut === digit);
// Read from the workspace on every use: submitting from this page locks the work without a reload.
const canAnnotate = () => Boolean($("workspace") && $("workspace").dataset.canAnnotate === "true");

function articleText(element) {
  if (textCache.element !== element) {
    textCache.element = element;
    textCache.text = element.textContent;
  }
  return textCache.text;
}

let announceTimer = 0;
function announce(message) {
  const box = $("announcer");
  if (!box) return;
  clearTimeout(announceTimer);
  box.textContent = "";
  announceTimer = setTimeout(() => { box.textContent = message; }, 80);
}

function shortText(text, limit) {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > limit ? flat.slice(0, limit - 1) + "…" : flat;
}

/* --- selection -> toolbar */

/** UTF-16 offset of a DOM position within `container`'s text (positions outside clamp to its ends). */
function textOffset(container, node, offset) {
  if (node !== container && !container.contains(node)) {
    const before = container.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_PRECEDING;
    return before ? 0 : container.textContent.length;
  }
  const range = document.createRange();
  range.setStart(container, 0);
  range.setEnd(node, offset);
  return range.toString().length;
}

function currentSpan() {
  const element = $("article-text");
  const selection = window.getSelection();
  if (!element || !selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(element)) return null;
  const text = articleText(element);
  const bounds = tidy(text, textOffset(element, range.startContainer, range.startOffset),
    textOffset(element, range.endContainer, range.endOffset));
  if (bounds[0] >= bounds[1]) return null;
  return {
    start: toCodePoints(text, bounds[0]),
    end: toCodePoints(text, bounds[1]),
    quote: text.slice(bounds[0], bounds[1]),
    range: range,
  };
}

function place(box, rect) {
  const width = box.offsetWidth;
  const height = box.offsetHeight;
  let top = rect.bottom + window.scrollY + 10;
  if (rect.bottom + height + 24 > window.innerHeight && rect.top > height + 90) {
    top = rect.top + window.scrollY - height - 10;
  }
  const maxLeft = document.documentElement.clientWidth + window.scrollX - width - 8;
  const left = Math.max(8 + window.scrollX, Math.min(rect.left + window.scrollX + rect.width / 2 - width / 2, maxLeft));
  box.style.top = Math.round(top) + "px";
  box.style.left = Math.round(left) + "px";
}

function showToolbar(span) {
  const bar = $("selection-toolbar");
  const form = $("create-form");
  if (!bar || !form) return;
  form.elements.start.value = span.start;
  form.elements.end.value = span.end;
  form.elements.quote.value = span.quote;
  bar.hidden = false;
  const rects = span.range.getClientRects();
  place(bar, rects.length ? rects[rects.length - 1] : span.range.getBoundingClientRect());
}

function hideToolbar() {
  const bar = $("selection-toolbar");
  if (bar) bar.hidden = true;
  pending = null;
}

let announceSelection = 0;
function onSelectionChange() {
  updateCaret();
  if (!canAnnotate()) return;
  const span = pointerDown ? null : currentSpan();
  if (!span) {
    const bar = $("selection-toolbar");
    if (bar && !bar.contains(document.activeElement)) hideToolbar();
    return;
  }
  pending = span;
  hideTip();
  showToolbar(span);
  clearTimeout(announceSelection);
  announceSelection = setTimeout(() => {
    announce("Selected: " + shortText(span.quote, 80) + ". Press a label number to annotate it, Escape to cancel.");
  }, 500);
}

let selectionFrame = 0;
document.addEventListener("selectionchange", () => {
  cancelAnimationFrame(selectionFrame);
  selectionFrame = requestAnimationFrame(onSelectionChange);
});
document.addEventListener("mousedown", (event) => {
  lastInput = "pointer";
  hideTip();
  if (event.target.closest("#selection-toolbar")) {
    event.preventDefault(); // keep the text selection while a label is clicked
    return;
  }
  pointerDown = event.button === 0 && Boolean(event.target.closest("#article-text"));
});
document.addEventListener("mouseup", () => {
  if (!pointerDown) return;
  pointerDown = false;
  onSelectionChange();
});
window.addEventListener("resize", () => { if (pending) showToolbar(pending); updateCaret(); });

/* --- keyboard caret inside the article text (caret.js draws it) */

function selectedMark() {
  const marks = selectedId ? marksOf(selectedId) : [];
  return marks.length ? marks[0] : null;
}

function updateCaret() {
  const caret = $("kbd-caret");
  const element = $("article-text");
  if (caret && element) drawCaret(caret, element, document.activeElement === element && lastInput === "key");
}

document.addEventListener("focusin", (event) => {
  const element = $("article-text");
  if (element && event.target === element && lastInput === "key") {
    const selection = window.getSelection();
    if (!selection.rangeCount || !element.contains(selection.focusNode)) placeCaret(element, selectedMark());
  }
  updateCaret();
});
document.addEventListener("focusout", () => { requestAnimationFrame(updateCaret); });

/* --- selecting annotations */

function scrollWithin(container, child) {
  if (!container || container.scrollHeight <= container.clientHeight) return;
  const outer = container.getBoundingClientRect();
  const inner = child.getBoundingClientRect();
  if (inner.top < outer.top) container.scrollTop += inner.top - outer.top - 8;
  else if (inner.bottom > outer.bottom) container.scrollTop += inner.bottom - outer.bottom + 8;
}

function showTip(mark) {
  const tip = $("hl-tip");
  if (!tip || !mark.title) return;
  tip.textContent = mark.title.split("; ").join("\n");
  tip.hidden = false;
  place(tip, mark.getClientRects()[0] || mark.getBoundingClientRect());
}

function hideTip() {
  const tip = $("hl-tip");
  if (tip) tip.hidden = true;
}

function loadEditor(id) {
  const query = here.includes(String(id)) ? "?here=" + encodeURIComponent(here.join(" ")) : "";
  htmx.ajax("GET", urlFor(config.annotationUrl, id) + query, { source: "#annotation-editor", target: "#annotation-editor", swap: "outerHTML" });
}

function clearEditor() {
  stopAdjusting();
  const editor = $("annotation-editor");
  const empty = $("editor-empty");
  if (editor && empty) editor.replaceWith(empty.content.cloneNode(true));
}

/* --- adjusting the selected span's boundaries (span_adjust.js draws the handles and reads the keys) */

function stopAdjusting() {
  if (adjuster) adjuster.stop();
  adjuster = null;
}

/** The selected span, if this user may change it now: its code-point offsets and the version to send. */
function adjustableSpan() {
  const editor = editorFor(selectedId);
  const form = editor && editor.querySelector("#editor-form");
  if (!form || !canAnnotate() || !$("article-text")) return null;
  return { start: Number(editor.dataset.start), end: Number(editor.dataset.end), version: form.elements.version.value };
}

function saveBoundaries(span) {
  const id = selectedId;
  return (range) => {
    announce("Saving the new boundaries…");
    workspaceRequest(urlFor(config.updateUrl, id), { version: span.version, start: range.start, end: range.end });
  };
}

/** Drag handles on the selected span, whenever its editor offers changes. */
function offerHandles() {
  stopAdjusting();
  const span = adjustableSpan();
  if (span) adjuster = showHandles($("article-text"), span, { save: saveBoundaries(span), announce: announce });
}

/** "b": move the selected span's end (Tab: its start) from the keyboard; Enter saves, Escape cancels. */
function adjustFromKeyboard() {
  const span = adjustableSpan();
  if (!span) return false;
  stopAdjusting();
  adjuster = startAdjust($("article-text"), { start: span.start, end: span.end, edge: "end" }, {
    save: saveBoundaries(span),
    cancel: () => { offerHandles(); announce("Boundaries unchanged."); },
    announce: announce,
  });
  return true;
}

function selectAnnotation(id, options) {
  options = options || {};
  if ((id ? String(id) : null) !== selectedId) stopAdjusting();
  selectedId = id ? String(id) : null;
  if (selectedId) clearSuggestion(); // one thing is selected at a time: an annotation or a suggestion
  here = options.here || [];
  document.querySelectorAll("#article-text mark.is-selected").forEach((mark) => { mark.classList.remove("is-selected"); });
  document.querySelectorAll(".ann-item.is-selected").forEach((item) => {
    item.classList.remove("is-selected");
    item.removeAttribute("aria-current");
  });
  const field = $("view-selected");
  if (field) field.value = selectedId || "";
  showLinksOf(selectedId);
  hideTip();
  if (!selectedId) return;
  const marks = marksOf(selectedId);
  marks.forEach((mark) => { mark.classList.add("is-selected"); });
  const item = itemOf(selectedId);
  if (item) {
    item.classList.add("is-selected");
    item.setAttribute("aria-current", "true");
    scrollWithin($("ann-scroll"), item);
  } else if (options.load !== false && $("annotation-list")) {
    showInList(selectedId);
  }
  if (options.scroll && marks.length) {
    const rect = marks[0].getBoundingClientRect();
    if (rect.top < topOfText() + 8 || rect.bottom > window.innerHeight - 8) marks[0].scrollIntoView({ block: "center" });
  }
  if (options.tip && marks.length) showTip(marks[0]);
  if (options.load !== false) loadEditor(selectedId);
  if (options.announce !== false) {
    const ids = $("article-text") ? textOrder() : [];
    const place = "Annotation " + (ids.indexOf(selectedId) + 1) + " of " + ids.length;
    announce(item ? place + ": " + item.textContent.replace(/\s+/g, " ").trim() : place);
  }
}

const orderCache = { element: null, ids: [] };

/** Annotation ids in text order, read from the highlights (the sidebar shows only a page of them). */
function textOrder() {
  const element = $("article-text");
  if (orderCache.element !== element) {
    const seen = new Set();
    element.querySelectorAll("mark[data-ids]").forEach((mark) => {
      mark.dataset.ids.split(" ").forEach((id) => { seen.add(id); });
    });
    orderCache.element = element;
    orderCache.ids = Array.from(seen);
  }
  return orderCache.ids;
}

function step(direction) {
  const ids = $("article-text") ? textOrder() : [];
  if (ids.length) selectAnnotation(ids[stepIndex(ids.indexOf(selectedId), direction, ids.length)], { scroll: true, tip: true });
}

function showInList(id) {
  htmx.ajax("GET", config.articleUrl + "?selected=" + encodeURIComponent(id),
    { source: "#annotation-list", target: "#annotation-list", swap: "outerHTML" });
}

function editorFor(id) {
  const editor = $("annotation-editor");
  return editor && id && editor.dataset.ann === String(id) ? editor : null;
}

function workspaceRequest(url, values) {
  htmx.ajax("POST", url, { source: "#annotate", target: "#workspace", swap: "outerHTML", values: values });
}

function applyLabel(digit) {
  const label = labelFor(digit);
  if (!label || !canAnnotate()) return false;
  const bar = $("selection-toolbar");
  const span = bar ? currentSpan() : null; // read now: the key may come before the next animation frame
  if (span) {
    pending = span;
    showToolbar(span);
  }
  if (pending && bar && !bar.hidden) {
    const button = bar.querySelector('button[value="' + CSS.escape(label.key) + '"]');
    if (button && !button.disabled) button.click();
    return true;
  }
  if (!selectedId) return false;
  const editor = editorFor(selectedId);
  const radio = editor && editor.querySelector('input[name="label"][value="' + CSS.escape(label.key) + '"]');
  if (radio) {
    if (!radio.checked) {
      radio.checked = true;
      radio.form.requestSubmit();
    }
  } else if (itemOf(selectedId)) {
    workspaceRequest(urlFor(config.updateUrl, selectedId), { label: label.key, version: itemOf(selectedId).dataset.version });
  }
  return true;
}

function deleteSelected() {
  if (!selectedId || !canAnnotate()) return false;
  const editor = editorFor(selectedId);
  const button = editor && editor.querySelector("#delete-button");
  if (button) button.click();
  else if (itemOf(selectedId)) workspaceRequest(urlFor(config.deleteUrl, selectedId), { version: itemOf(selectedId).dataset.version });
  return true;
}

function editNote() {
  if (!selectedId) return false;
  const editor = editorFor(selectedId);
  const note = editor && editor.querySelector("textarea[name=note]");
  if (note) note.focus();
  else focusNoteOnLoad = true;
  return true;
}

/** "l": link the selected annotation to another (links.js picks the target and type); waits for its editor. */
function linkSelected() {
  if (!selectedId || !canAnnotate()) return false;
  const editor = editorFor(selectedId);
  if (editor) return startLinking(editor);
  linkOnLoad = true;
  return true;
}

function cancel() {
  const selection = window.getSelection();
  if (pending || (selection && !selection.isCollapsed)) {
    if (selection) selection.collapseToEnd();
    hideToolbar();
    announce("Selection cancelled.");
  } else if (selectedId) {
    const item = itemOf(selectedId);
    selectAnnotation(null);
    clearEditor();
    if (item && document.activeElement === item) item.focus();
    announce("Annotation closed.");
  } else {
    hideTip();
  }
  return true;
}

/** Enter on the keyboard caret inside highlighted text: open the innermost annotation there and list every
 *  annotation covering that place in the editor, with the focus on the list to pick another. */
function openAtCaret() {
  const selection = window.getSelection();
  const node = selection && selection.rangeCount ? selection.focusNode : null;
  const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
  const mark = element && element.closest("#article-text mark.hl");
  if (!mark) return false;
  const ids = mark.dataset.ids.split(" ");
  focusCovering = ids.length > 1;
  selectAnnotation(ids[ids.length - 1], { here: ids.length > 1 ? ids : [], tip: ids.length === 1 });
  return true;
}

function toggleGuidelines() {
  const details = $("guidelines");
  if (!details) return false;
  details.open = !details.open;
  if (details.open) details.querySelector("summary").focus();
  return true;
}

/* Fade every label but one (or none again); the choice rides along with each request and in the URL. */
function focusLabel(key) {
  const input = $("view-focus");
  const next = input && input.value === key ? "" : key;
  if (input) input.value = next;
  const text = $("article-text");
  if (text) {
    text.dataset.focus = next;
    text.classList.toggle("is-focused", Boolean(next));
  }
  document.querySelectorAll("[data-focus-label]").forEach((button) => {
    button.setAttribute("aria-pressed", String(button.dataset.focusLabel === next));
  });
  const url = new URL(window.location.href);
  if (next) url.searchParams.set("focus", next);
  else url.searchParams.delete("focus");
  history.replaceState(history.state, "", url);
  const label = config.labels.find((item) => item.key === next);
  announce(label ? "Focused on " + label.name + "; other labels faded." : "All labels shown.");
}

function showHelp() {
  const dialog = $("help-dialog");
  if (dialog && !dialog.open) dialog.showModal();
  return true;
}

function shortcut(key) {
  if (suggestionKey(key)) return true; // s / S; and a, x, e, b, Escape while a suggestion is selected
  if (/^[1-9]$/.test(key)) return applyLabel(key);
  switch (key) {
    case "j": step(1); return true;
    case "k": step(-1); return true;
    case "Delete": case "Backspace": return deleteSelected();
    case "e": return editNote();
    case "u": { const undo = $("undo-button"); if (undo) undo.click(); return Boolean(undo); }
    case "Escape": return cancel();
    case "g": return toggleGuidelines();
    case "b": return adjustFromKeyboard();
    case "l": return linkSelected();
    case "?": return showHelp();
    default: return false;
  }
}

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.isComposing) return;
  lastInput = "key";
  const target = event.target;
  if (isTyping(target)) {
    if (event.key === "Escape" && target.closest("#annotation-editor")) {
      event.preventDefault();
      target.blur();
      const item = selectedId && itemOf(selectedId);
      if (item) item.focus({ preventScroll: true });
    } else if (event.key === "Escape" && target.closest("#suggestion-form")) {
      event.preventDefault();
      leaveSuggestionForm(target);
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.form && target.closest("#annotation-editor")) {
      event.preventDefault();
      target.form.requestSubmit();
    }
    return;
  }
  const element = $("article-text");
  if (element && target === element && moveCaret(event, element, selectedMark())) {
    updateCaret();
    return;
  }
  if (element && target === element && event.key === "Enter" && openAtCaret()) {
    event.preventDefault();
    return;
  }
  if (target.closest && target.closest(".covering-item") && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
    const items = Array.from(document.querySelectorAll(".covering-item"));
    const next = items[stepIndex(items.indexOf(target.closest(".covering-item")), event.key === "ArrowDown" ? 1 : -1, items.length)];
    if (next) next.focus();
    event.preventDefault();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) return;
  if (shortcut(event.key)) event.preventDefault();
});

document.addEventListener("click", (event) => {
  const action = event.target.closest("[data-action]");
  if (action && action.dataset.action === "help") { showHelp(); return; }
  if (action && action.dataset.action === "deselect") { event.preventDefault(); cancel(); return; }
  const focusToggle = event.target.closest("[data-focus-label]");
  if (focusToggle) { focusLabel(focusToggle.dataset.focusLabel); return; }
  const covered = event.target.closest(".covering-item");
  if (covered && event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
    event.preventDefault();
    focusCovering = lastInput === "key";
    selectAnnotation(covered.dataset.ann, { scroll: true, here: here });
    return;
  }
  const item = event.target.closest(".ann-item, .link-end");
  if (item && event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey) {
    event.preventDefault();
    selectAnnotation(item.dataset.ann, { scroll: true, tip: lastInput === "key" });
    return;
  }
  const mark = event.target.closest("#article-text mark.hl");
  const selection = window.getSelection();
  if (mark && (!selection || selection.isCollapsed)) {
    const ids = mark.dataset.ids.split(" ");
    const at = ids.indexOf(selectedId);
    selectAnnotation(at >= 0 ? ids[(at - 1 + ids.length) % ids.length] : ids[ids.length - 1], { here: ids.length > 1 ? ids : [] });
  }
});

document.addEventListener("change", (event) => {
  if (event.target.matches("#editor-form input[name=label]")) event.target.form.requestSubmit();
});

/* --- keep the page in step with each swap */

/* A write says which page of the sidebar list this page shows, so its answer can carry just what changed
 * (the server answers without it with the whole workspace). */
document.addEventListener("htmx:configRequest", (event) => {
  const list = $("annotation-list");
  if (event.detail.verb === "post" && list && list.dataset.bounds) event.detail.parameters.list_bounds = list.dataset.bounds;
  if (event.detail.verb === "post" && here.length) event.detail.parameters.here = here.join(" ");
});

const answersWithChanges = (detail) => Boolean(detail.xhr && detail.xhr.getResponseHeader("HX-Reswap") === "none");

document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (target && (target.id === "workspace" || target.id === "annotation-editor") && event.detail.shouldSwap) stopAdjusting();
  if (target && target.id === "annotation-editor") {
    const wanted = selectedId ? urlFor(config.annotationUrl, selectedId) : null;
    const path = event.detail.pathInfo && event.detail.pathInfo.requestPath;
    if (event.detail.requestConfig && event.detail.requestConfig.verb === "get" && path && !path.startsWith(wanted)) {
      event.detail.shouldSwap = false; // an editor for an annotation the user already moved away from
    }
  }
  if (target && target.id === "workspace") {
    const list = $("ann-scroll");
    listScroll = list ? list.scrollTop : 0;
    const focused = document.activeElement && document.activeElement.closest && document.activeElement.closest(".ann-item");
    focusedItem = focused ? focused.dataset.ann : null; // list items have no ids, so htmx cannot restore this focus
    const source = event.detail.requestConfig && event.detail.requestConfig.elt;
    fromWork = Boolean(source && source.closest && source.closest("#my-work")); // Start or Submit: keep focus there
    if (event.detail.shouldSwap && !answersWithChanges(event.detail)) {
      // htmx fires a clean-up event on every element it removes; with thousands of highlights and list
      // items that costs more than the whole request. The swap follows synchronously (nothing is painted
      // in between), so emptying the two big containers first only skips that work.
      ["article-text", "ann-list"].forEach((id) => { const element = $(id); if (element) element.replaceChildren(); });
    }
  }
});

document.addEventListener("htmx:afterSwap", (event) => {
  const swapped = event.target;
  orderCache.element = null; // highlights may have come or gone in any swap
  if (swapped.id === "workspace") {
    const list = $("ann-scroll");
    if (list) list.scrollTop = listScroll;
    hideToolbar();
    const state = $("notices") ? $("notices").dataset : {};
    selectAnnotation(state.selected || null, { load: false, announce: false, here: state.selected ? here : [] });
    if (state.created) {
      marksOf(state.created).forEach((mark) => { mark.classList.add("is-new"); });
    }
    const notices = $("notices");
    const stale = $("stale-message");
    const message = [notices ? notices.textContent : "", stale ? stale.textContent : ""].join(" ").replace(/\s+/g, " ").trim();
    if (message) announce(message);
    const quoteAdd = $("quote-add");
    if (quoteAdd) quoteAdd.hidden = !canAnnotate();
    const item = focusedItem && itemOf(focusedItem);
    const choice = document.querySelector("#quote-choices button");
    if (choice) choice.focus({ preventScroll: true }); // an ambiguous quote: pick the place from the keyboard
    else if (item) item.focus({ preventScroll: true });
    else if (fromWork && $("my-work")) $("my-work").focus({ preventScroll: true });
    else if (document.activeElement === document.body || !document.activeElement) {
      const undo = $("undo-button");
      const fallback = undo || $("article-text");
      if (fallback) fallback.focus({ preventScroll: true });
    }
    updateCaret();
    offerHandles();
  } else if (swapped.id === "annotation-list") {
    selectAnnotation(selectedId, { load: false, announce: false, here: here });
  } else if (swapped.id === "annotation-editor") {
    editorLoaded(swapped);
  }
});

/** A new editor panel: handles on its span if it may be changed, and the focus where the user was going. */
function editorLoaded(editor) {
  if (editor.dataset.ann === selectedId) offerHandles();
  if (linkOnLoad) {
    linkOnLoad = false;
    if (editor.dataset.ann === selectedId) startLinking(editor);
  } else if (focusNoteOnLoad) {
    focusNoteOnLoad = false;
    const note = editor.querySelector("textarea[name=note]");
    if (note) note.focus();
  } else if (focusCovering) {
    focusCovering = false;
    const current = editor.querySelector('.covering-item[aria-current="true"]');
    if (current) current.focus();
  }
}

document.addEventListener("htmx:afterRequest", (event) => {
  const form = event.detail.elt;
  const done = event.detail.successful && event.detail.xhr && event.detail.xhr.status < 400; // 422 keeps the typed quote
  if (done && form && form.closest && (form.closest("#quote-add") || form.matches("[data-quote-choice]"))) {
    const quoteForm = $("quote-add") && $("quote-add").querySelector("form");
    if (quoteForm) quoteForm.reset();
    if ($("quote-add")) $("quote-add").open = false;
  }
});

initLinks({ announce: announce });
initSuggestions({
  announce: announce,
  closeAnnotation: () => {
    if (!selectedId) return;
    selectAnnotation(null);
    clearEditor();
  },
});

const initial = $("notices");
if (initial && initial.dataset.selected) selectAnnotation(initial.dataset.selected, { load: false, scroll: true, announce: false });
