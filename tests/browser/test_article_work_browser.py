"""The whole job in the browser: start the work on the article page, annotate, ask a reviewer, submit with the
keyboard alone, and find the work locked (no label toolbar on a selection)."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from articles.assignment import assign
from articles.models import Annotation, Assignment, AssignmentState
from tests.browser.conftest import drag_over, wait_for_workspace
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Regional budget to grow by 4% next year\n\n"
    "The regional government will raise its budget by 4% next year, Finance Minister Elena Ortiz said, "
    "arguing that “taxes will fall for nine out of ten households”.\n\n"
    "Opposition leader Mark Hale called the plan “a reckless gamble”."
)
QUESTION = "Is a minister a source or a quote here?"


def tab_to(page, element_id: str, limit: int = 60) -> None:
    """Press Tab until the element has the focus, as a keyboard user does."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_an_annotator_does_the_whole_job_from_the_article_page(sign_in, team):
    article = make_article(team["project"], text=TEXT, title="Budget to grow")
    assign(team["project"], articles=[article.pk], annotators=[team["annotator"].pk], by=team["owner"])
    page = sign_in(team["annotator"], next_url=f"/articles/{article.pk}/")
    page.wait_for_selector("#my-work")
    assert "Assigned" in page.inner_text("#my-work")

    page.click("#work-start")
    page.wait_for_selector("#my-work .work-state-in_progress")
    assert page.locator("#work-start").count() == 0
    assert Assignment.objects.get().state == AssignmentState.IN_PROGRESS

    drag_over(page, "Finance Minister Elena Ortiz")
    page.click("#selection-toolbar button[value=source]")
    wait_for_workspace(page, 1)
    page.click("#flag-question")
    page.keyboard.type(QUESTION)
    page.click("#flag-button")
    page.wait_for_selector("#clear-flag-button")
    assert QUESTION in page.inner_text("#flag-form")
    annotation = Annotation.objects.get()
    assert annotation.is_flagged and annotation.question == QUESTION

    page.focus("#article-text")
    tab_to(page, "work-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#work-lock")
    assert "locked until a reviewer answers. A reviewer or owner can request changes." in page.inner_text("#work-lock")
    assert page.evaluate("() => document.activeElement.id") == "my-work"  # the keyboard user stays where they were
    assert Assignment.objects.get().state == AssignmentState.SUBMITTED
    assert page.locator("#flag-form, #editor-form, #work-submit").count() == 0
    assert page.is_hidden("#quote-add")

    page.set_default_timeout(1500)
    with pytest.raises(PlaywrightTimeoutError):  # the drag selects the text, but no toolbar comes up
        drag_over(page, "Opposition leader Mark Hale")
    assert page.is_hidden("#selection-toolbar")
    page.keyboard.press("1")
    page.keyboard.press("Delete")
    page.wait_for_timeout(300)
    assert list(Annotation.objects.values_list("pk", flat=True)) == [annotation.pk]

    page.reload()
    page.wait_for_selector("#work-lock")
    assert page.locator("#selection-toolbar").count() == 0
