/* News Annotator: keyboard and selection for the review page. Only moves focus and clicks the
 * server-rendered buttons (htmx sends the forms); loads under the strict CSP (no eval, no inline code).
 *
 *   j / k      next / previous span          a / r   accept / reject the selected span
 *   c          comment on the selected span  Shift+A approve the submission
 *   n / p      next / previous submission    click a highlight to select its span
 */
import { isTyping, stepIndex } from "./keyboard.js";

let selected = null;

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

document.addEventListener("htmx:afterSwap", (event) => {
  if (event.target.id !== "review-workspace") return;
  const wanted = event.target.dataset.selected || selected;
  if (wanted) select(wanted, { focus: true });
});

const workspace = document.getElementById("review-workspace");
if (workspace && workspace.dataset.selected) select(workspace.dataset.selected, { focus: true, scrollText: true });
