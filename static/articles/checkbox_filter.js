/* Filter boxes for long checkbox lists (the Assign page): typing narrows the visible items, Enter jumps to
 * the first one still shown, Escape clears. Checked items hidden by the filter stay checked and are still sent.
 *
 * Markup: <div data-filter-for="LIST_ID" hidden><input type="search">...<p aria-live="polite"></p></div>
 * and items with data-filter-text inside #LIST_ID. Without JavaScript the box stays hidden and every item shows.
 * Works on content htmx swaps in later (events are delegated; new boxes are revealed on htmx:load).
 */

function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

function itemsOf(box) {
  const list = document.getElementById(box.dataset.filterFor);
  return list ? Array.from(list.querySelectorAll("[data-filter-text]")) : [];
}

function describe(box, items) {
  const status = box.querySelector("[aria-live]");
  if (!status) return;
  const shown = items.filter((item) => !item.hidden).length;
  const checked = items.filter((item) => item.querySelector("input[type=checkbox]:checked"));
  const hiddenChecked = checked.filter((item) => item.hidden).length;
  let text = `${shown} of ${items.length} shown · ${checked.length} checked`;
  if (hiddenChecked) text += ` (${hiddenChecked} hidden by the filter)`;
  status.textContent = text;
}

function apply(box) {
  const words = fold(box.querySelector("input[type=search]").value).split(/\s+/).filter(Boolean);
  const items = itemsOf(box);
  for (const item of items) {
    const text = fold(item.dataset.filterText);
    item.hidden = !words.every((word) => text.includes(word));
  }
  describe(box, items);
}

function firstShownCheckbox(box) {
  const item = itemsOf(box).find((candidate) => !candidate.hidden);
  return item ? item.querySelector("input[type=checkbox]") : null;
}

function reveal(root) {
  const boxes = root.matches && root.matches("[data-filter-for]") ? [root] : [];
  boxes.push(...root.querySelectorAll("[data-filter-for]"));
  for (const box of boxes) {
    box.hidden = false;
    apply(box);
  }
}

document.addEventListener("input", (event) => {
  const box = event.target.closest("[data-filter-for]");
  if (box) apply(box);
});

document.addEventListener("change", (event) => {
  const item = event.target.type === "checkbox" && event.target.closest("[data-filter-text]");
  if (!item) return;
  for (const box of document.querySelectorAll("[data-filter-for]")) {
    const list = document.getElementById(box.dataset.filterFor);
    if (list && list.contains(item)) describe(box, itemsOf(box));
  }
});

document.addEventListener("keydown", (event) => {
  const box = event.target.closest && event.target.closest("[data-filter-for]");
  if (!box || event.target.type !== "search") return;
  if (event.key === "Enter") {
    event.preventDefault(); // Enter in a filter box must not submit the form around it
    const checkbox = firstShownCheckbox(box);
    if (checkbox) checkbox.focus();
  } else if (event.key === "Escape" && event.target.value) {
    event.preventDefault();
    event.target.value = "";
    apply(box);
  }
});

document.addEventListener("htmx:load", (event) => reveal(event.detail.elt));
reveal(document);
