"""A long article in a real browser: a create, an edit, a delete and an undo swap only what they change.

Elements the browser already shows are tagged with a JavaScript property before each write; a swapped
element is a new one without it, so the test sees exactly which parts of the page were replaced.
"""

from __future__ import annotations

import pytest

from articles.annotation_write import create_annotations
from articles.models import Annotation
from tests.browser.conftest import double_click_word
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARAGRAPH = "The council debated the tram plan once more, and the mayor said costs would fall by 2030. "
TEXT = "\n\n".join(f"Paragraph {n}: " + PARAGRAPH * 4 for n in range(40)) + "\n\nLast words: Zanzibar remains."

TAG = """() => {
  document.querySelectorAll("#article-text .tb, #ann-list > li").forEach((element) => { element.__kept = true; });
  document.getElementById("article-text").__kept = true;
}"""
NEW = """(selector) => Array.from(document.querySelectorAll(selector)).filter((e) => !e.__kept).map((e) => e.id)"""


def replaced_blocks(page) -> list[str]:
    return page.evaluate(NEW, "#article-text .tb")


def replaced_items(page) -> list[str]:
    return page.evaluate(NEW, "#ann-list > li")


@pytest.fixture
def long_article(team):
    """Forty paragraphs with 150 one-word annotations (the sidebar shows them 100 to a page)."""
    article = make_article(team["project"], text=TEXT, title="Tram plan")
    words = [index + 1 for index, char in enumerate(article.text) if char == " "]
    specs = [{"label": "claim", "start": words[4 * n], "end": words[4 * n + 1] - 1} for n in range(150)]
    create_annotations(article, specs, author=team["annotator"])
    return article


def count_shown(page) -> str:
    return page.inner_text("#list-head .count")


def test_creating_on_a_long_article_swaps_one_block_and_one_item(sign_in, team, long_article):
    page = sign_in(team["annotator"], next_url=f"/articles/{long_article.pk}/")
    page.wait_for_selector("#article-text")
    assert count_shown(page) == "150"
    page.evaluate(TAG)
    double_click_word(page, "Zanzibar")  # in the last paragraph: outside the sidebar's first page
    page.keyboard.press("3")
    page.wait_for_function("() => document.querySelector('#list-head .count').textContent === '151'")
    created = Annotation.objects.get(label__key="source")
    assert created.quote == "Zanzibar"
    assert page.evaluate("() => document.getElementById('article-text').__kept") is True
    replaced = replaced_blocks(page)
    assert len(replaced) == 1 and page.locator(f"#{replaced[0]} mark[data-ids~='{created.pk}']").count() == 1
    assert replaced_items(page) == []  # its item is on a page of the list not shown
    assert page.get_attribute("#annotation-editor", "data-ann") == str(created.pk)
    assert "1–100 of 151" in page.inner_text("#list-head")


def test_keyboard_edit_delete_and_undo_on_a_long_article_swap_only_their_parts(sign_in, team, long_article):
    first = Annotation.objects.in_text_order().first()
    page = sign_in(team["annotator"], next_url=f"/articles/{long_article.pk}/")
    page.wait_for_selector("#article-text")
    page.evaluate(TAG)
    page.focus(f"#ann-list [data-ann='{first.pk}']")
    page.keyboard.press("Enter")  # open it; the focus stays on the item
    page.wait_for_selector(f"#annotation-editor[data-ann='{first.pk}'] #delete-button")
    page.keyboard.press("4")  # relabel: opinion
    page.wait_for_selector(f"#ann-list [data-ann='{first.pk}'].lab-opinion")
    assert replaced_items(page) == [f"ann-li-{first.pk}"]
    assert replaced_blocks(page) == ["tb-0"]
    page.evaluate(TAG)
    page.keyboard.press("Delete")
    page.wait_for_selector("#undo-button")
    assert page.locator(f"#ann-li-{first.pk}").count() == 0 and count_shown(page) == "149"
    assert replaced_blocks(page) == ["tb-0"] and replaced_items(page) == []
    page.evaluate(TAG)
    page.keyboard.press("u")
    page.wait_for_selector(f"#ann-li-{first.pk}")
    assert count_shown(page) == "150"
    assert replaced_items(page) == [f"ann-li-{first.pk}"]
    assert Annotation.objects.get(pk=first.pk).label.key == "opinion"
