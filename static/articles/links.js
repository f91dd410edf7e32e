/* Links between spans on the annotate page: the connectors drawn between linked highlights, and the mode that
 * picks a link's target and type from the keyboard or the mouse. No dependencies; positions are set through
 * the CSSOM and SVG attributes, which the CSP allows.
 *
 * The server renders the article's links as #link-map (one <li> a link: data-from, data-to annotation ids,
 * data-color, data-name) and the selected annotation's link panel (#link-panel: its links in words and the
 * Link button, whose choices come as #link-form: one fieldset of type buttons per label it may link to, each
 * listing its candidates).
 * Highlights are found by annotation id (mark[data-ids~=id]), never by offsets.
 *
 *   initLinks({announce})   draw now and after every swap, resize or reflow; handle the panel's buttons
 *   showLinksOf(id)         stress the connectors of the selected annotation
 *   startLinking(editor)    the picking mode for the editor's annotation; false if it offers no Link
 *     The choices are loaded first (the Link button's data-choices: #link-form, keys pressed meanwhile
 *     wait for it). j / k move through the candidate highlights (text order, starting next to the source),
 *     Enter or a click chooses one; then 1…n (or a click) picks the type and the form is sent; the note
 *     field shown before the type buttons (Shift+Tab) adds an optional note, Enter in it goes on to them. Escape
 *     cancels. While the mode is on it takes every single-key shortcut, so nothing else happens to the
 *     selection.
 *   stopLinking()           leave the mode (idempotent)
 */
import { topOfText } from "./caret.js";
import { isTyping, stepIndex } from "./keyboard.js";

const SVG = "http://www.w3.org/2000/svg";
const COLOR = /^#[0-9a-fA-F]{6}$/;
const GAP = 12; // px between the text and the nearest connector
const LANE = 13; // px between connectors side by side in the margin: room for a type's name beside each
const SAME_LINE = 4; // px: ends this close in height are on one line, joined directly above it
const ABOVE = 5; // px above a highlight's line box, in the leading, where a connector meets it

let announce = () => {};
let current = null; // the selected annotation's id
let picking = null; // the picking mode's state while it is on
let frame = 0;
let observed = null;
const resizes = typeof ResizeObserver === "function" ? new ResizeObserver(() => scheduleDraw()) : null;

const $ = (id) => document.getElementById(id);
const marksOf = (id) => document.querySelectorAll('#article-text mark[data-ids~="' + CSS.escape(String(id)) + '"]');
const idsOf = (value) => (value || "").split(" ").filter(Boolean);

function quoteOf(id, limit) {
  const text = Array.from(marksOf(id), (mark) => mark.textContent).join("").replace(/\s+/g, " ").trim();
  return text.length > limit ? text.slice(0, limit - 1) + "…" : text;
}

/* --- connectors */

function layer(reader) {
  let svg = $("link-layer");
  if (!svg) {
    svg = document.createElementNS(SVG, "svg");
    svg.id = "link-layer";
    svg.setAttribute("class", "link-layer");
    svg.setAttribute("aria-hidden", "true"); // the editor's link list says the same in words
    svg.setAttribute("focusable", "false");
    document.body.append(svg);
  }
  const box = reader.getBoundingClientRect();
  svg.style.left = Math.round(box.left + window.scrollX) + "px";
  svg.style.top = Math.round(box.top + window.scrollY) + "px";
  svg.setAttribute("width", String(Math.round(box.width)));
  svg.setAttribute("height", String(Math.round(box.height)));
  return { svg, left: Math.round(box.left), top: Math.round(box.top) };
}

/** Where a connector meets an annotation: the start of its first line box (the end of it in right-to-left text). */
function endOf(id, rtl) {
  const marks = marksOf(id);
  if (!marks.length) return null;
  const rect = Array.from(marks[0].getClientRects()).find((each) => each.width > 0 && each.height > 0);
  if (!rect) return null;
  const inset = Math.min(6, rect.width / 2);
  return { x: rtl ? rect.right - inset : rect.left + inset, top: rect.top };
}

function element(name, attributes, parent) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (parent) parent.append(node);
  return node;
}

/** Give each connector the innermost lane of the margin free along its height (shorter ones nearer the text). */
function lanes(drawn) {
  const taken = [];
  drawn.sort((a, b) => (a.low - a.high) - (b.low - b.high) || a.high - b.high);
  for (const each of drawn) {
    let lane = 0;
    while ((taken[lane] || []).some((other) => each.high <= other.low + 2 && other.high <= each.low + 2)) lane++;
    (taken[lane] = taken[lane] || []).push(each);
    each.lane = lane;
  }
}

/** Colour the swatches of the link panel from their data-color (through the CSSOM, which the CSP allows). */
function paintSwatches() {
  document.querySelectorAll(".link-swatch[data-color]").forEach((swatch) => {
    if (COLOR.test(swatch.dataset.color)) swatch.style.setProperty("--link-color", swatch.dataset.color);
  });
}

function draw() {
  frame = 0;
  paintSwatches();
  const text = $("article-text");
  const map = $("link-map");
  const reader = text && text.closest(".reader");
  if (!text || !map || !reader || !map.children.length) {
    const old = $("link-layer");
    if (old) old.remove();
    return;
  }
  if (resizes && observed !== text) {
    if (observed) resizes.unobserve(observed);
    resizes.observe(text);
    observed = text;
  }
  const rtl = getComputedStyle(text).direction === "rtl";
  const { svg, left, top } = layer(reader);
  const bounds = text.getBoundingClientRect();
  const edge = rtl ? bounds.right + GAP : bounds.left - GAP;
  const drawn = [];
  for (const item of map.children) {
    const from = endOf(item.dataset.from, rtl);
    const to = endOf(item.dataset.to, rtl);
    if (!from || !to) continue; // an end hidden by a filter, or without a place in the text
    const low = Math.max(from.top, to.top) - ABOVE;
    const high = Math.min(from.top, to.top) - ABOVE;
    drawn.push({ item, from, to, low, high, inline: low - high < SAME_LINE, lane: 0 });
  }
  lanes(drawn.filter((each) => !each.inline));
  const groups = drawn.map(({ item, from, to, lane, inline }) => {
    const x = edge + (rtl ? 1 : -1) * lane * LANE - left;
    const a = { x: from.x - left, y: from.top - top, line: from.top - top - ABOVE };
    const b = { x: to.x - left, y: to.top - top, line: to.top - top - ABOVE };
    const color = COLOR.test(item.dataset.color) ? item.dataset.color : "#5f6773";
    const group = element("g", {
      class: "link-connector",
      "data-link": item.dataset.link,
      "data-from": item.dataset.from,
      "data-to": item.dataset.to,
      "data-ends": [a.x, a.y, b.x, b.y].map(Math.round).join(" "),
    });
    // Up into the leading above the source's line, out to the margin, along it, back in above the target's
    // line and down onto it; two ends on one line are joined straight across above it.
    const path = inline
      ? `M${a.x},${a.y} V${a.line} H${b.x} V${b.y - 3}`
      : `M${a.x},${a.y} V${a.line} H${x} V${b.line} H${b.x} V${b.y - 3}`;
    element("path", { d: path, fill: "none", stroke: color, "stroke-width": 1.6, "stroke-linejoin": "round" }, group);
    element("circle", { cx: a.x, cy: a.y - 1, r: 2.2, fill: color }, group);
    element("path", { d: `M${b.x - 3.5},${b.y - 5} L${b.x + 3.5},${b.y - 5} L${b.x},${b.y} Z`, fill: color }, group);
    // The type's name: along the margin line, or above the line joining two ends on one line.
    const name = inline
      ? { x: (a.x + b.x) / 2, y: a.line - 2 }
      : { x: x + (rtl ? 5 : -5), y: (a.line + b.line) / 2, turn: true };
    const label = element("text", { x: name.x, y: name.y, fill: color, "text-anchor": "middle" }, group);
    if (name.turn) label.setAttribute("transform", `rotate(-90 ${name.x} ${name.y})`);
    label.setAttribute("dominant-baseline", name.turn ? "middle" : "auto");
    label.textContent = item.dataset.name || "";
    return group;
  });
  svg.replaceChildren(...groups);
  stress();
}

/** Redraw at the next frame (many swaps and resizes may come before it). */
function scheduleDraw() {
  if (!frame) frame = requestAnimationFrame(draw);
}

function stress() {
  const svg = $("link-layer");
  if (!svg) return;
  svg.classList.toggle("has-current", Boolean(current && svg.querySelector(`[data-from="${current}"], [data-to="${current}"]`)));
  for (const group of svg.children) {
    group.classList.toggle("is-current", Boolean(current) && (group.dataset.from === current || group.dataset.to === current));
  }
}

export function showLinksOf(id) {
  current = id ? String(id) : null;
  stress();
}

/* --- picking a target, then a type */

/** Annotation ids in text order, read from the highlights. */
function textOrder() {
  const seen = new Set();
  document.querySelectorAll("#article-text mark[data-ids]").forEach((mark) => { idsOf(mark.dataset.ids).forEach((id) => seen.add(id)); });
  return Array.from(seen);
}

function status(message) {
  if (!picking) return;
  picking.prompt.hidden = false;
  picking.prompt.textContent = message;
  announce(message);
}

function labelNameOf(id) {
  const group = picking.groups.find((each) => idsOf(each.dataset.candidates).includes(id));
  return group ? group.dataset.labelName : "";
}

function markCandidates() {
  document.querySelectorAll("#article-text mark.is-link-candidate, #article-text mark.is-link-current").forEach((mark) => {
    mark.classList.remove("is-link-candidate", "is-link-current");
  });
  if (!picking) return;
  if (picking.step === "target") {
    picking.order.forEach((id) => { marksOf(id).forEach((mark) => { mark.classList.add("is-link-candidate"); }); });
  }
  const chosen = picking.step === "type" ? picking.target : picking.order[picking.index];
  if (chosen) marksOf(chosen).forEach((mark) => { mark.classList.add("is-link-current"); });
}

function move(direction) {
  const { order } = picking;
  if (picking.index < 0) {
    // From the source: forward to the first candidate after it, backward to the last one before it.
    // None that way: from the other end, as j and k do from no selection.
    const all = textOrder();
    const at = all.indexOf(picking.source);
    const before = order.filter((id) => all.indexOf(id) < at).length; // the candidates before the source
    if (direction > 0) picking.index = before < order.length ? before : 0;
    else picking.index = before > 0 ? before - 1 : order.length - 1;
  } else {
    picking.index = stepIndex(picking.index, direction, order.length);
  }
  const id = order[picking.index];
  markCandidates();
  const marks = marksOf(id);
  if (marks.length) {
    const rect = marks[0].getBoundingClientRect();
    if (rect.top < topOfText() + 8 || rect.bottom > window.innerHeight - 8) marks[0].scrollIntoView({ block: "center" });
  }
  status(`Link target ${picking.index + 1} of ${order.length}: ‘${quoteOf(id, 60)}’ (${labelNameOf(id)}). Enter to choose, j or k for another, Escape to cancel.`);
}

function chooseTarget(id) {
  const group = picking.groups.find((each) => idsOf(each.dataset.candidates).includes(id));
  if (!group) return;
  picking.step = "type";
  picking.target = id;
  picking.form.elements.to.value = id;
  picking.groups.forEach((each) => { each.hidden = each !== group; });
  picking.buttons = Array.from(group.querySelectorAll(".link-type-choice"));
  const note = picking.form.querySelector("#link-note-field");
  if (note) note.hidden = false; // before the type buttons: Shift+Tab reaches it
  markCandidates();
  const types = picking.buttons.map((button, index) => (index + 1) + " " + button.textContent.replace(/\s+\d+\s*$/, "").trim());
  const noting = note ? " Shift+Tab first to add a note." : "";
  status(`Link ‘${quoteOf(picking.source, 40)}’ to ‘${quoteOf(id, 40)}’ (${group.dataset.labelName}): press the type's number: ${types.join(", ")}.${noting} Escape cancels.`);
  if (picking.buttons.length) {
    picking.buttons[0].focus({ preventScroll: true });
    picking.buttons[0].scrollIntoView({ block: "nearest" }); // within the editor, which may scroll
  }
}

function chooseType(number) {
  const button = picking.buttons[number - 1];
  if (!button) return;
  button.click(); // the form is sent with this type (its submit ends the mode)
}

const QUEUED = /^([jk1-9]|Enter)$/; // keys pressed while the choices load: replayed once they are there, as clicks

/** One key of the mode; true if it was the mode's. */
function handle(key, target) {
  if (key === "Escape") {
    stopLinking();
    announce("Linking cancelled.");
    const button = $("link-button");
    if (button) button.focus({ preventScroll: true });
  } else if (picking.step === "loading" && QUEUED.test(key)) {
    picking.queue.push(key);
  } else if (picking.step === "target" && (key === "j" || key === "k")) {
    move(key === "j" ? 1 : -1);
  } else if (picking.step === "target" && key === "Enter") {
    if (picking.index >= 0) chooseTarget(picking.order[picking.index]);
    else status("Press j or k to move to a target first, or click one.");
  } else if (picking.step === "type" && /^[1-9]$/.test(key)) {
    chooseType(Number(key));
  } else if (picking.step === "type" && key === "Enter" && target && target.closest && target.closest(".link-type-choice")) {
    return false; // the focused type button is pressed as usual
  } else if (!(key.length === 1 || key === "Delete" || key === "Backspace" || key === "Enter")) {
    return false; // Tab, arrows and the rest keep their usual meaning
  }
  return true;
}

/** A key in the note field: Enter goes on to the type buttons (it would send the form with whichever type
 *  comes first, even a hidden one), Escape cancels as anywhere in the mode; the rest is typing. */
function noteKey(key) {
  if (key === "Enter" && picking.buttons.length) {
    picking.buttons[0].focus({ preventScroll: true });
    status("Note kept. Press the type's number, or Tab to a type and Enter.");
    return true;
  }
  return key === "Escape" && handle(key, null);
}

function onKey(event) {
  if (!picking || event.isComposing || event.ctrlKey || event.metaKey || event.altKey) return;
  const note = event.target && event.target.id === "link-note";
  if (note ? !noteKey(event.key) : isTyping(event.target) || !handle(event.key, event.target)) return;
  event.preventDefault();
  event.stopPropagation();
}

function onClick(event) {
  if (!picking) return;
  const mark = event.target.closest && event.target.closest("#article-text mark.hl");
  if (!mark || picking.step === "type") return;
  event.preventDefault();
  event.stopPropagation(); // the highlight is the link's target, not a new selection
  if (picking.step === "loading") picking.queue.push(idsOf(mark.dataset.ids));
  else pickFrom(idsOf(mark.dataset.ids));
}

/** A click on a highlight covering `ids`: its innermost candidate becomes the target. */
function pickFrom(ids) {
  const found = ids.filter((id) => picking.order.includes(id));
  if (found.length) chooseTarget(found[found.length - 1]);
  else status("That highlight cannot be this link's target: choose an outlined one, or press Escape.");
}

function onSubmit(event) {
  if (picking && event.target === picking.form) finish();
}

/** Leave the mode: listeners off, candidates plain again; a form being sent stays as it is. */
function finish() {
  if (!picking) return;
  const state = picking;
  picking = null;
  document.removeEventListener("keydown", onKey, true);
  document.removeEventListener("click", onClick, true);
  document.removeEventListener("submit", onSubmit, true);
  document.documentElement.classList.remove("is-linking");
  if (state.cancel) state.cancel.hidden = true;
  markCandidates();
}

export function stopLinking() {
  if (!picking) return;
  const { choices, prompt } = picking;
  finish();
  choices.replaceChildren();
  prompt.hidden = true;
  prompt.textContent = "";
}

/** The choices are in: the candidates, in text order, are outlined and the keys pressed meanwhile replayed. */
function ready() {
  const form = picking.choices.querySelector("#link-form");
  if (!form) {
    const none = picking.choices.querySelector(".link-none");
    status(none ? none.textContent.trim() : "Nothing to link to.");
    finish();
    return;
  }
  const groups = Array.from(form.querySelectorAll(".link-types"));
  const allowed = new Set(groups.flatMap((group) => idsOf(group.dataset.candidates)));
  Object.assign(picking, { form, groups, order: textOrder().filter((id) => allowed.has(id)), step: "target" });
  const names = Array.from(new Set(groups.map((group) => group.dataset.labelName))).join(" or ");
  if (!picking.order.length) {
    status(`Nothing to link to: no ${names} is highlighted in the text.`);
    finish();
    return;
  }
  markCandidates();
  status(`Link ‘${quoteOf(picking.source, 40)}’ to a ${names}: ${picking.order.length} in the text, outlined. Press j or k to move through them and Enter to choose, or click one. Escape cancels.`);
  // Keys and clicks made while the choices were on their way, in order.
  const queue = picking.queue.splice(0);
  queue.forEach((entry) => {
    if (picking && typeof entry === "string") handle(entry, null);
    else if (picking && picking.step === "target") pickFrom(entry);
  });
}

export function startLinking(editor) {
  const panel = editor && editor.querySelector("#link-panel");
  const button = panel && panel.querySelector("#link-button");
  if (!button) return false;
  stopLinking();
  const state = {
    step: "loading", queue: [], source: panel.dataset.ann, index: -1, target: null, form: null, groups: [], order: [],
    buttons: [], choices: panel.querySelector("#link-choices"), prompt: panel.querySelector("#link-prompt"),
    cancel: panel.querySelector("#link-cancel"),
  };
  picking = state;
  document.addEventListener("keydown", onKey, true);
  document.addEventListener("click", onClick, true);
  document.addEventListener("submit", onSubmit, true);
  document.documentElement.classList.add("is-linking");
  state.cancel.hidden = false;
  htmx.ajax("GET", button.dataset.choices, { source: button, target: state.choices, swap: "innerHTML" }).then(
    () => { if (picking === state) ready(); },
    () => { if (picking === state) stopLinking(); },
  );
  return true;
}

/* --- after the panel's answer: say what happened, and put the focus where the work goes on */

function panelSwapped(panel) {
  const message = panel.querySelector(".link-message");
  if (message) announce(message.textContent.trim());
  const created = panel.dataset.created && $("link-item-" + panel.dataset.created);
  const reviewed = panel.dataset.reviewed && $("link-item-" + panel.dataset.reviewed);
  const target = (created && (created.querySelector(".link-remove") || created.querySelector(".link-end")))
    || (reviewed && (reviewed.querySelector(".link-review") || reviewed.querySelector(".link-end")))
    || (message && message.id === "link-error" && $("link-button"))
    || $("link-button") || panel;
  if (target === panel) panel.setAttribute("tabindex", "-1");
  target.focus({ preventScroll: true });
}

export function initLinks(options) {
  announce = (options && options.announce) || announce;
  document.addEventListener("click", (event) => {
    const action = event.target.closest && event.target.closest("[data-action=link], [data-action=link-cancel]");
    if (!action) return;
    event.preventDefault();
    if (action.dataset.action === "link") startLinking(action.closest("#annotation-editor"));
    else { stopLinking(); announce("Linking cancelled."); }
  });
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    const away = target && (target.id === "workspace" || target.id === "annotation-editor" || target.id === "link-panel");
    if (picking && event.detail.shouldSwap && away) stopLinking();
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id === "link-panel") panelSwapped(event.target);
    scheduleDraw();
  });
  document.addEventListener("htmx:oobAfterSwap", scheduleDraw);
  window.addEventListener("resize", scheduleDraw);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(scheduleDraw);
  scheduleDraw();
}
