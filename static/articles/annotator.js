/* News Annotator: the one custom script of the site.
 *
 * Everywhere: failed htmx requests become readable messages in the page.
 * On the annotate page: a text selection (mouse or keyboard) becomes code-point offsets for the label
 * toolbar; annotations are selected by click or j/k; keyboard shortcuts drive the htmx forms. The server
 * renders every piece of HTML; this script only moves selection and focus and triggers requests.
 * It loads under a strict CSP: no eval, no inline handlers, positions are set through the CSSOM.
 */
(function () {
  "use strict";

  /* ------------------------------------------------------------------ messages for failed requests */

  function flash(message, kind) {
    const box = document.getElementById("flash");
    if (!box) return;
    const note = document.createElement("p");
    note.className = "notice notice-" + kind;
    note.setAttribute("role", kind === "error" ? "alert" : "status");
    note.textContent = message;
    box.replaceChildren(note);
  }

  function failureMessage(xhr) {
    const status = xhr.status;
    const body = typeof xhr.responseText === "string" ? xhr.responseText : "";
    if (status === 403 && /CSRF/i.test(body)) {
      return "Your session's security token is missing or expired. Reload the page, then try again.";
    }
    if (status === 403) return "You do not have permission to do that in this project.";
    if (status === 404) return "That no longer exists: it may have been deleted, or you lost access to it.";
    if (status === 413) return "That is larger than the server accepts.";
    if (status === 429) return "Too many requests at once. Wait a moment, then try again.";
    if (status >= 500) return "The server could not finish this (error " + status + "). Nothing was changed; try again.";
    return "The request failed (error " + status + ").";
  }

  document.addEventListener("htmx:responseError", function (event) {
    flash(failureMessage(event.detail.xhr), "error");
  });
  document.addEventListener("htmx:sendError", function () {
    flash("Could not reach the server. Check your connection, then try again.", "error");
  });
  document.addEventListener("htmx:beforeRequest", function () {
    const box = document.getElementById("flash");
    if (box) box.querySelectorAll(".notice-error").forEach(function (note) { note.remove(); });
  });

  /* ------------------------------------------------------------------ offsets: UTF-16 -> code points */

  const isHigh = function (unit) { return unit >= 0xd800 && unit <= 0xdbff; };
  const isLow = function (unit) { return unit >= 0xdc00 && unit <= 0xdfff; };

  /** The one place the browser converts offsets: a UTF-16 index into `text` (what the DOM counts)
   *  becomes Unicode code points (what the server stores). Inside a surrogate pair it rounds down,
   *  exactly like the server's Utf16Map. */
  function toCodePoints(text, utf16) {
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

  const graphemes = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  /** Move a UTF-16 boundary out of a user-perceived character (emoji sequence, accent, surrogate pair):
   *  starts move back, ends move forward, so a span never splits a character. */
  function snap(text, index, forward) {
    if (index <= 0 || index >= text.length) return index;
    if (graphemes) {
      const from = Math.max(0, index - 32);
      const piece = graphemes.segment(text.slice(from, Math.min(text.length, index + 32))).containing(index - from);
      if (piece && from + piece.index !== index) {
        return forward ? from + piece.index + piece.segment.length : from + piece.index;
      }
      return index;
    }
    if (isLow(text.charCodeAt(index)) && isHigh(text.charCodeAt(index - 1))) return forward ? index + 1 : index - 1;
    return index;
  }

  /** Return [start, end] (UTF-16) without leading or trailing white space and without split characters. */
  function tidy(text, start, end) {
    start = snap(text, start, false);
    end = snap(text, end, true);
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    return [start, end];
  }

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

  // Exposed so the browser tests can compare this conversion with the server's at every offset.
  window.annotatorOffsets = { toCodePoints: toCodePoints, tidy: tidy };

  /* ------------------------------------------------------------------ annotate page */

  const configElement = document.getElementById("annotator-config");
  if (!configElement) return;
  const config = JSON.parse(configElement.textContent);

  let selectedId = null;
  let pending = null;
  let pointerDown = false;
  let lastInput = "pointer";
  let focusNoteOnLoad = false;
  let listScroll = 0;
  let focusedItem = null;
  const textCache = { element: null, text: "" };

  const $ = function (id) { return document.getElementById(id); };
  const urlFor = function (template, id) { return template.replace(/\/0\/$/, "/" + encodeURIComponent(id) + "/"); };
  const marksOf = function (id) { return document.querySelectorAll('#article-text mark[data-ids~="' + CSS.escape(id) + '"]'); };
  const itemOf = function (id) { return document.querySelector('#ann-list [data-ann="' + CSS.escape(String(id)) + '"]'); };
  const labelFor = function (digit) { return config.labels.find(function (label) { return label.shortcut === digit; }); };

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
    announceTimer = setTimeout(function () { box.textContent = message; }, 80);
  }

  function shortText(text, limit) {
    const flat = text.replace(/\s+/g, " ").trim();
    return flat.length > limit ? flat.slice(0, limit - 1) + "…" : flat;
  }

  /* --- selection -> toolbar */

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
    if (!config.canAnnotate) return;
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
    announceSelection = setTimeout(function () {
      announce("Selected: " + shortText(span.quote, 80) + ". Press a label number to annotate it, Escape to cancel.");
    }, 500);
  }

  let selectionFrame = 0;
  document.addEventListener("selectionchange", function () {
    cancelAnimationFrame(selectionFrame);
    selectionFrame = requestAnimationFrame(onSelectionChange);
  });
  document.addEventListener("mousedown", function (event) {
    lastInput = "pointer";
    hideTip();
    if (event.target.closest("#selection-toolbar")) {
      event.preventDefault(); // keep the text selection while a label is clicked
      return;
    }
    pointerDown = event.button === 0 && Boolean(event.target.closest("#article-text"));
  });
  document.addEventListener("mouseup", function () {
    if (!pointerDown) return;
    pointerDown = false;
    onSelectionChange();
  });
  window.addEventListener("resize", function () { if (pending) showToolbar(pending); updateCaret(); });

  /* --- keyboard caret inside the article text (the text is not editable, so draw one) */

  const CARET_KEYS = {
    ArrowLeft: ["backward", "character"], ArrowRight: ["forward", "character"],
    ArrowUp: ["backward", "line"], ArrowDown: ["forward", "line"],
    Home: ["backward", "lineboundary"], End: ["forward", "lineboundary"],
  };

  function topOfText() {
    const bar = document.querySelector(".labelbar");
    return bar ? Math.max(0, bar.getBoundingClientRect().bottom) : 0;
  }

  function placeCaret(element) {
    const selection = window.getSelection();
    const box = element.getBoundingClientRect();
    let range = null;
    const marks = selectedId ? marksOf(selectedId) : [];
    if (marks.length) {
      range = document.createRange();
      range.setStart(marks[0], 0);
    } else if (document.caretRangeFromPoint && box.top < window.innerHeight) {
      range = document.caretRangeFromPoint(box.left + 2, Math.max(box.top, topOfText()) + 14);
    }
    if (!range || !element.contains(range.startContainer)) {
      range = document.createRange();
      range.setStart(element, 0);
    }
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

  function updateCaret() {
    const caret = $("kbd-caret");
    const element = $("article-text");
    if (!caret || !element) return;
    const selection = window.getSelection();
    const active = document.activeElement === element && lastInput === "key";
    const rect = active && selection.rangeCount && element.contains(selection.focusNode) ? caretRect(selection) : null;
    caret.hidden = !rect;
    if (!rect) return;
    caret.style.left = Math.round(rect.left + window.scrollX - 1) + "px";
    caret.style.top = Math.round(rect.top + window.scrollY) + "px";
    caret.style.height = Math.round(rect.height) + "px";
    if (rect.bottom > window.innerHeight - 24) window.scrollBy(0, rect.bottom - window.innerHeight + 96);
    else if (rect.top < topOfText() + 8) window.scrollBy(0, rect.top - topOfText() - 64);
  }

  function moveCaret(event, element) {
    const move = CARET_KEYS[event.key];
    if (!move || event.metaKey) return false;
    const selection = window.getSelection();
    if (!selection.rangeCount || !element.contains(selection.focusNode)) placeCaret(element);
    const before = [selection.anchorNode, selection.anchorOffset, selection.focusNode, selection.focusOffset];
    const unit = move[1] === "character" && (event.ctrlKey || event.altKey) ? "word" : move[1];
    selection.modify(event.shiftKey ? "extend" : "move", move[0], unit);
    if (!element.contains(selection.focusNode)) selection.setBaseAndExtent(before[0], before[1], before[2], before[3]);
    event.preventDefault();
    updateCaret();
    return true;
  }

  document.addEventListener("focusin", function (event) {
    const element = $("article-text");
    if (element && event.target === element && lastInput === "key") {
      const selection = window.getSelection();
      if (!selection.rangeCount || !element.contains(selection.focusNode)) placeCaret(element);
    }
    updateCaret();
  });
  document.addEventListener("focusout", function () { requestAnimationFrame(updateCaret); });

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
    htmx.ajax("GET", urlFor(config.annotationUrl, id), { source: "#annotation-editor", target: "#annotation-editor", swap: "outerHTML" });
  }

  function clearEditor() {
    const editor = $("annotation-editor");
    const empty = $("editor-empty");
    if (editor && empty) editor.replaceWith(empty.content.cloneNode(true));
  }

  function selectAnnotation(id, options) {
    options = options || {};
    selectedId = id ? String(id) : null;
    document.querySelectorAll("#article-text mark.is-selected").forEach(function (mark) { mark.classList.remove("is-selected"); });
    document.querySelectorAll(".ann-item.is-selected").forEach(function (item) {
      item.classList.remove("is-selected");
      item.removeAttribute("aria-current");
    });
    const field = $("view-selected");
    if (field) field.value = selectedId || "";
    hideTip();
    if (!selectedId) return;
    const marks = marksOf(selectedId);
    marks.forEach(function (mark) { mark.classList.add("is-selected"); });
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
      element.querySelectorAll("mark[data-ids]").forEach(function (mark) {
        mark.dataset.ids.split(" ").forEach(function (id) { seen.add(id); });
      });
      orderCache.element = element;
      orderCache.ids = Array.from(seen);
    }
    return orderCache.ids;
  }

  function step(direction) {
    const ids = $("article-text") ? textOrder() : [];
    if (!ids.length) return;
    let index = ids.indexOf(selectedId);
    if (index < 0) index = direction > 0 ? 0 : ids.length - 1;
    else index = Math.min(ids.length - 1, Math.max(0, index + direction));
    selectAnnotation(ids[index], { scroll: true, tip: true });
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
    if (!label || !config.canAnnotate) return false;
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
    if (!selectedId) return false;
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

  function toggleGuidelines() {
    const details = $("guidelines");
    if (!details) return false;
    details.open = !details.open;
    if (details.open) details.querySelector("summary").focus();
    return true;
  }

  function showHelp() {
    const dialog = $("help-dialog");
    if (dialog && !dialog.open) dialog.showModal();
    return true;
  }

  function shortcut(key) {
    if (/^[1-9]$/.test(key)) return applyLabel(key);
    switch (key) {
      case "j": step(1); return true;
      case "k": step(-1); return true;
      case "Delete": case "Backspace": return deleteSelected();
      case "e": return editNote();
      case "u": { const undo = $("undo-button"); if (undo) undo.click(); return Boolean(undo); }
      case "Escape": return cancel();
      case "g": return toggleGuidelines();
      case "?": return showHelp();
      default: return false;
    }
  }

  const TYPING = "input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]), textarea, select, [contenteditable]";

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.isComposing) return;
    lastInput = "key";
    const target = event.target;
    if (target.closest && target.closest(TYPING)) {
      if (event.key === "Escape" && target.closest("#annotation-editor")) {
        event.preventDefault();
        target.blur();
        const item = selectedId && itemOf(selectedId);
        if (item) item.focus({ preventScroll: true });
      } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.form && target.closest("#annotation-editor")) {
        event.preventDefault();
        target.form.requestSubmit();
      }
      return;
    }
    const element = $("article-text");
    if (element && target === element && moveCaret(event, element)) return;
    if (event.ctrlKey || event.metaKey || event.altKey || document.querySelector("dialog[open]")) return;
    if (shortcut(event.key)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    const action = event.target.closest("[data-action]");
    if (action && action.dataset.action === "help") { showHelp(); return; }
    if (action && action.dataset.action === "deselect") { event.preventDefault(); cancel(); return; }
    const item = event.target.closest(".ann-item");
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
      selectAnnotation(at >= 0 ? ids[(at - 1 + ids.length) % ids.length] : ids[ids.length - 1], {});
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("#editor-form input[name=label]")) event.target.form.requestSubmit();
  });

  /* --- keep the page in step with each swap */

  document.addEventListener("htmx:beforeSwap", function (event) {
    const target = event.detail.target;
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
      if (event.detail.shouldSwap) {
        // htmx fires a clean-up event on every element it removes; with thousands of highlights and list
        // items that costs more than the whole request. The swap follows synchronously (nothing is painted
        // in between), so emptying the two big containers first only skips that work.
        ["article-text", "ann-list"].forEach(function (id) { const element = $(id); if (element) element.replaceChildren(); });
      }
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    const swapped = event.target;
    if (swapped.id === "workspace") {
      const list = $("ann-scroll");
      if (list) list.scrollTop = listScroll;
      hideToolbar();
      selectAnnotation(swapped.dataset.selected || null, { load: false, announce: false });
      if (swapped.dataset.created) {
        marksOf(swapped.dataset.created).forEach(function (mark) { mark.classList.add("is-new"); });
      }
      const notices = $("notices");
      const stale = $("stale-message");
      const message = [notices ? notices.textContent : "", stale ? stale.textContent : ""].join(" ").replace(/\s+/g, " ").trim();
      if (message) announce(message);
      const item = focusedItem && itemOf(focusedItem);
      if (item) item.focus({ preventScroll: true });
      else if (document.activeElement === document.body || !document.activeElement) {
        const undo = $("undo-button");
        const fallback = undo || $("article-text");
        if (fallback) fallback.focus({ preventScroll: true });
      }
      updateCaret();
    } else if (swapped.id === "annotation-list") {
      selectAnnotation(selectedId, { load: false, announce: false });
    } else if (swapped.id === "annotation-editor" && focusNoteOnLoad) {
      focusNoteOnLoad = false;
      const note = swapped.querySelector("textarea[name=note]");
      if (note) note.focus();
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail.elt;
    if (event.detail.successful && form && form.closest && form.closest("#quote-add")) {
      form.reset();
      $("quote-add").open = false;
    }
  });

  const workspace = $("workspace");
  if (workspace && workspace.dataset.selected) selectAnnotation(workspace.dataset.selected, { load: false, scroll: true, announce: false });
})();
