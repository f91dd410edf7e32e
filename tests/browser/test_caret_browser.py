"""The keyboard caret of the annotate page: tabbing into a long article starts at its first character,
clear of the sticky label bar; a reader who scrolled into the text starts at the first line they see."""

from __future__ import annotations

import pytest

from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TEXT = "\n\n".join(f"Paragraph {n}: " + "The council debated the tram plan once more. " * 6 for n in range(40))

# Where the keyboard caret is: the selection's UTF-16 offset in the text, and the drawn caret against the label bar.
CARET_JS = """() => {
  const text = document.getElementById("article-text");
  const selection = getSelection();
  const range = document.createRange();
  range.setStart(text, 0);
  range.setEnd(selection.focusNode, selection.focusOffset);
  const caret = document.getElementById("kbd-caret");
  return {
    offset: range.toString().length, shown: !caret.hidden, caretTop: caret.getBoundingClientRect().top,
    barBottom: document.querySelector(".labelbar").getBoundingClientRect().bottom, height: innerHeight,
  };
}"""


def tab_into_the_text(page) -> dict:
    """Focus the last control of the label bar, then press Tab once, as a keyboard user reaches the text."""
    page.focus(".labelbar [data-action=help]")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "article-text"
    return page.evaluate(CARET_JS)


def test_the_keyboard_caret_starts_at_the_first_character_of_a_long_article(sign_in, team):
    article = make_article(team["project"], text=LONG_TEXT)
    page = sign_in(team["annotator"], next_url=f"/articles/{article.pk}/")
    page.wait_for_load_state("load")
    caret = tab_into_the_text(page)
    assert caret["offset"] == 0
    assert caret["shown"] and caret["barBottom"] <= caret["caretTop"] < caret["height"]  # visible, not under the bar
    for _ in range(9):
        page.keyboard.press("Shift+ArrowRight")
    assert page.evaluate("getSelection().toString()") == "Paragraph"


def test_the_keyboard_caret_starts_at_the_first_visible_line_when_scrolled_into_the_text(sign_in, team):
    article = make_article(team["project"], text=LONG_TEXT)
    page = sign_in(team["annotator"], next_url=f"/articles/{article.pk}/")
    page.wait_for_load_state("load")
    page.evaluate("() => scrollBy(0, document.getElementById('article-text').getBoundingClientRect().top + 1500)")
    caret = tab_into_the_text(page)
    assert caret["offset"] > 1000
    assert caret["shown"] and caret["barBottom"] <= caret["caretTop"] < caret["barBottom"] + 80
