/* News Annotator: keyboard and selection for the review page. Only moves focus and clicks the
 * server-rendered buttons (htmx sends the forms); loads under the strict CSP (no eval, no inline code).
 *
 *   j / k      next / previous span          a / r   accept / reject the selected span
 *   c          comment on the selected span  Shift+A approve the submission
 *   n / p      next / previous submission    click a highlight to select its span
 *   b          adjust the selected span's boundaries (span_adjust.js: arrows, Tab, Enter, Escape)
 */
import { isTyping, stepIndex } from "./keyboard.js";
import { startAdjust } from "./span_adjust.js";

let selected = null;
let adjusting = null; // the span_adjust controller while the reviewer adjusts a span
document.documentElement.classList.add("can-adjust"); // shows the Adjust buttons; the number inputs work without

function spans() { return Array.from(document.querySelectorAll("#review-spans .review-span")); }
function spanItem(id) { return document.getElementById("span-" + id); }

function select(id, options) {
  const item = id ? spanItem(id) : null;
  document.querySelectorAll(".review-span.is-selected").forEach((el) => { el.classList.remove("is-selected"); });
  document.querySelectorAll("#review-text mark.is-focused").forEach((el) => { el.classList.remove("is-focused"); });
  selected = item ? String(id) : null;
  if (!item) return;
  item.classList.add("is-selected");
  document.querySelectorAll("#review-text mark.hl").forEach((mark) => {
    if (mark.dataset.ids.split(" ").indexOf(selected) >= 0) mark.classList.add("is-focused");
  });
  if (options && options.focus) item.focus({ preventScroll: true });
  item.scrollIntoView({ block: "nearest" });
  const mark = document.querySelector("#review-text mark.is-focused");
  if (mark && options && options.scrollText) mark.scrollIntoView({ block: "nearest" });
}

function announce(message) {
  const box = document.getElementById("review-announcer");
  if (box) box.textContent = message;
}

function stopAdjusting() {
  if (adjusting) adjusting.stop();
  adjusting = null;
  document.querySelectorAll(".review-span.is-adjusting").forEach((item) => {
    item.classList.remove("is-adjusting");
    item.querySelector("[data-adjust-help]").hidden = true;
  });
}

/* Adjust a span's boundaries with the shared control; saving fills the fix form's Start and End (code points)
 * and sends it, so the answer (or its refusal, on the span's card) comes back as any fix does. */
function adjust(id) {
  const item = id ? spanItem(id) : null;
  const form = item ? item.querySelector(".fix-form") : null;
  const text = document.getElementById("review-text");
  if (!form || !text) return false;
  stopAdjusting();
  select(id, { focus: true, scrollText: true });
  item.classList.add("is-adjusting");
  item.querySelector("[data-adjust-help]").hidden = false;
  adjusting = startAdjust(text, { start: Number(item.dataset.start), end: Number(item.dataset.end), edge: "end" }, {
    save(range) {
      stopAdjusting();
      form.elements.start.value = range.start;
      form.elements.end.value = range.end;
      announce("Saving the new boundaries.");
      form.requestSubmit();
    },
    cancel() {
      stopAdjusting();
      item.focus({ preventScroll: true });
    },
    announce,
  });
  return true;
}

function step(direction) {
  const items = spans();
  if (!items.length) return;
  const index = stepIndex(items.findIndex((item) => item.dataset.span === selected), direction, items.length);
  select(items[index].dataset.span, { focus: true, scrollText: true });
}

function press(selector) {
  const item = selected ? spanItem(selected) : null;
  const button = item ? item.querySelector(selector) : null;
  if (button) button.click();
  return Boolean(button);
}

function follow(id) {
  const link = document.getElementById(id);
  if (link) window.location.assign(link.href);
  return Boolean(link);
}

function shortcut(event) {
  switch (event.key) {
    case "j": step(1); return true;
    case "k": step(-1); return true;
    case "a": return press(".decide-accept");
    case "r": return press(".decide-reject");
    case "A": { const approve = document.getElementById("action-approve"); if (approve) approve.click(); return Boolean(approve); }
    case "b": return adjust(selected);
    case "c": {
      const input = selected && spanItem(selected) ? spanItem(selected).querySelector("[data-comment]") : null;
      if (input) input.focus();
      return Boolean(input);
    }
    case "n": return follow("next-submission");
    case "p": return follow("previous-submission");
    case "Escape": select(null); return true;
    default: return false;
  }
}

document.addEventListener("keydown", (event) => {
  if (!document.getElementById("review-workspace") || event.defaultPrevented || event.isComposing) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTyping(event.target)) {
    if (event.key === "Escape") event.target.blur();
    return;
  }
  if (shortcut(event)) event.preventDefault();
});

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-adjust], [data-adjust-save], [data-adjust-cancel]");
  if (button && button.matches("[data-adjust]")) { adjust(button.closest(".review-span").dataset.span); return; }
  if (button && adjusting) { if (button.matches("[data-adjust-save]")) adjusting.save(); else adjusting.cancel(); return; }
  if (adjusting) return; // the text and the cards stay put until the adjustment is saved or cancelled
  const mark = event.target.closest("#review-text mark.hl");
  if (mark) {
    const ids = mark.dataset.ids.split(" ");
    const at = ids.indexOf(selected);
    select(at >= 0 ? ids[(at + 1) % ids.length] : ids[ids.length - 1], { focus: true });
    return;
  }
  const item = event.target.closest(".review-span");
  if (item && !event.target.closest("button, a, input, select, textarea, summary")) select(item.dataset.span, {});
});

document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "review-workspace") stopAdjusting();
});

document.addEventListener("htmx:afterSwap", (event) => {
  if (event.target.id !== "review-workspace") return;
  const wanted = event.target.dataset.selected || selected;
  if (wanted) select(wanted, { focus: true });
});

const workspace = document.getElementById("review-workspace");
if (workspace && workspace.dataset.selected) select(workspace.dataset.selected, { focus: true, scrollText: true });
