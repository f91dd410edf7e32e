"""Adjusting a span on the annotate page, as a person does: dragging the handles of the selected highlight,
or the keyboard alone ("b", arrows, Tab, Enter); the create rules hold and only the changed parts are swapped."""

from __future__ import annotations

import pytest

from articles.annotation_write import create_annotation, update_annotation
from articles.models import Annotation
from tests.browser.test_span_adjust_browser import FAMILY, TEXT, at, char_point, edge_point
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk(team, sign_in):
    """The annotator's claim on "Family", and their annotate page open."""
    article = make_article(team["project"], text=TEXT, title="Family trip", by=team["owner"])
    span = create_annotation(article, author=team["annotator"], label="claim", start=0, end=6)
    page = sign_in(team["annotator"], next_url=f"/articles/{article.pk}/")
    page.wait_for_load_state("load")
    page.article, page.span = article, span
    return page


def stored(span) -> tuple[int, int]:
    fresh = Annotation.objects.get(pk=span.pk)
    return fresh.start, fresh.end


def open_from_keyboard(page, span) -> None:
    page.focus(f"#ann-list [data-ann='{span.pk}']")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#annotation-editor[data-ann='{span.pk}'] #editor-form")
    page.wait_for_selector(".adjust-handle")


def wait_for_boundaries(page, span, start: int, end: int) -> None:
    page.wait_for_function(
        "([s, e]) => { const editor = document.getElementById('annotation-editor');"
        " return editor.dataset.start === String(s) && editor.dataset.end === String(e); }",
        arg=[start, end],
    )
    assert stored(span) == (start, end)


def test_keyboard_only_b_moves_the_end_by_a_word_and_the_start_by_a_character(desk):
    page, span = desk, desk.span
    open_from_keyboard(page, span)
    page.keyboard.press("b")
    assert page.locator(".adjust-end.is-active").count() == 1
    page.keyboard.press("Control+ArrowRight")  # the end jumps over the family emoji, a whole word
    page.keyboard.press("Tab")  # now the start
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    wait_for_boundaries(page, span, 1, at(FAMILY) + len(FAMILY))
    assert page.locator(f"#article-text mark[data-ids~='{span.pk}']").first.text_content().startswith("amily")
    assert FAMILY in page.inner_text(f"#ann-list [data-ann='{span.pk}']")
    assert page.locator(".adjust-handle").count() == 2  # the handles come back on the saved span


def test_escape_leaves_the_span_as_it_was(desk):
    page, span = desk, desk.span
    open_from_keyboard(page, span)
    page.keyboard.press("b")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Delete")  # swallowed while adjusting: nothing is deleted
    page.keyboard.press("Escape")
    assert stored(span) == (0, 6) and Annotation.objects.count() == 1
    page.wait_for_function("() => document.getElementById('announcer').textContent === 'Boundaries unchanged.'")
    assert page.locator(".adjust-handle").count() == 2  # the handles stay for the mouse


def test_dragging_the_end_handle_with_the_mouse_saves_on_release(desk):
    page, span = desk, desk.span
    page.click(f"#ann-list [data-ann='{span.pk}']")
    page.wait_for_selector(".adjust-end")
    x, y = edge_point(page, "end")
    box = page.locator(".adjust-end").bounding_box()
    below = y - (box["y"] + box["height"] / 2)
    target = char_point(page, "went", 0.98, "article-text")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(target[0], target[1] + below, steps=6)
    page.mouse.up()
    wait_for_boundaries(page, span, 0, at("went") + 4)


@pytest.mark.http_errors(409)
def test_moving_onto_a_twin_is_refused_with_a_message(desk, team):
    page, span = desk, desk.span
    create_annotation(page.article, author=team["annotator"], label="claim", start=0, end=5)
    page.reload()
    page.wait_for_load_state("load")
    open_from_keyboard(page, span)
    page.keyboard.press("b")
    page.keyboard.press("ArrowLeft")  # "Famil": the twin's span
    page.keyboard.press("Enter")
    page.wait_for_selector("#notices .notice-error")
    assert "already" in page.inner_text("#notices") and stored(span) == (0, 6)


@pytest.mark.http_errors(412)
def test_a_stale_version_shows_who_changed_it(desk, team):
    page, span = desk, desk.span
    open_from_keyboard(page, span)
    update_annotation(Annotation.objects.get(pk=span.pk), by=team["owner"], changes={"note": "meanwhile"})
    page.keyboard.press("b")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Enter")
    page.wait_for_selector("#stale-message")
    assert "owner changed this annotation" in page.inner_text("#stale-message") and stored(span) == (0, 6)
