"""Dense articles in a real browser: pick the place of an ambiguous quote, focus one label."""

from __future__ import annotations

import pytest

from articles.models import Annotation
from tests.browser.conftest import wait_for_workspace
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "First the plan was praised. Then the plan was dropped. Later the plan came back."
SECOND = TEXT.index("the plan", 10)


@pytest.fixture
def desk(team):
    return make_article(team["project"], text=TEXT, title="The plan")


def open_article(sign_in, user, article, query: str = ""):
    page = sign_in(user, next_url=f"/articles/{article.pk}/{query}")
    page.wait_for_selector("#article-text")
    return page


def assert_second_place_annotated(page) -> None:
    wait_for_workspace(page, 1)
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end, annotation.label.key) == (SECOND, SECOND + 8, "claim")
    assert page.locator("#quote-choices").count() == 0


@pytest.mark.http_errors(422)
def test_an_ambiguous_quote_is_placed_with_the_mouse(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk)
    page.click("#quote-add summary")
    page.fill("#quote-text", "the plan")
    page.click("#quote-add button[type=submit]")
    page.wait_for_selector("#quote-choices")
    assert page.input_value("#quote-text") == "the plan"
    assert page.locator("#quote-choices button").count() == 3
    page.locator("#quote-choices button").nth(1).click()
    assert_second_place_annotated(page)


@pytest.mark.http_errors(422)
def test_an_ambiguous_quote_is_placed_from_the_keyboard(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk)
    page.focus("#quote-add summary")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("the plan")
    page.keyboard.press("Tab")  # the label
    page.keyboard.press("Tab")  # Add annotation
    page.keyboard.press("Enter")
    page.wait_for_selector("#quote-choices")
    page.wait_for_function("() => document.activeElement.matches('#quote-choices button')")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert_second_place_annotated(page)


def opacity(page, annotation: Annotation) -> float:
    return float(page.eval_on_selector(f'mark[data-ids~="{annotation.pk}"]', "m => getComputedStyle(m).opacity"))


def test_focusing_one_label_fades_the_others(sign_in, team, desk):
    claim = make_annotation(desk, team["annotator"], label="claim", start=0, end=5)
    source = make_annotation(desk, team["annotator"], label="source", start=SECOND, end=SECOND + 8)
    page = open_article(sign_in, team["annotator"], desk)
    assert (opacity(page, claim), opacity(page, source)) == (1, 1)
    page.click('[data-focus-label="claim"]')
    assert page.get_attribute('[data-focus-label="claim"]', "aria-pressed") == "true"
    assert opacity(page, claim) == 1 and opacity(page, source) < 0.5
    assert "focus=claim" in page.url
    page.reload()
    page.wait_for_selector("#article-text.is-focused")
    assert opacity(page, source) < 0.5
    page.focus('[data-focus-label="claim"]')
    page.keyboard.press("Enter")
    assert page.get_attribute('[data-focus-label="claim"]', "aria-pressed") == "false"
    assert opacity(page, source) == 1 and "focus=" not in page.url
    page.focus('[data-focus-label="source"]')
    page.keyboard.press("Space")
    assert opacity(page, claim) < 0.5 and opacity(page, source) == 1


def test_delete_stays_in_view_at_1280_by_900_with_a_claim_open(sign_in, team, desk, page):
    claim = make_annotation(desk, team["annotator"], label="claim", start=0, end=5, note="Checked twice.")
    make_annotation(desk, team["annotator"], label="source", start=SECOND, end=SECOND + 8)
    page.set_viewport_size({"width": 1280, "height": 900})
    open_article(sign_in, team["annotator"], desk, f"?selected={claim.pk}")
    page.wait_for_selector("#delete-button")
    page.screenshot(path="/tmp/annotate-1280x900.png")
    box = page.locator("#delete-button").bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 900
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1280
    middle = {"x": box["x"] + box["width"] / 2, "y": box["y"] + box["height"] / 2}
    assert page.evaluate("(p) => document.elementFromPoint(p.x, p.y).closest('#delete-button') !== null", middle)


NESTED = "The minister said taxes will fall next year."


@pytest.fixture
def nested(team):
    """Three annotations nested over "taxes": a quote, a claim inside it and an opinion on one word."""
    article = make_article(team["project"], text=NESTED, title="Nested")
    spans = [
        make_annotation(article, author=team["annotator"], label="quote", start=4, end=33),
        make_annotation(article, author=team["annotator"], label="claim", start=18, end=33),
        make_annotation(article, author=team["annotator"], label="opinion", start=18, end=23),
    ]
    return article, spans


def covering_items(page) -> list[str]:
    return page.eval_on_selector_all(".covering-item", "(links) => links.map((link) => link.dataset.ann)")


def test_clicking_nested_highlights_lists_every_annotation_there_to_pick_one(sign_in, team, nested):
    article, (quote, claim, opinion) = nested
    page = open_article(sign_in, team["annotator"], article)
    page.click("#article-text mark[data-ids~='%d'][data-ids~='%d']" % (claim.pk, opinion.pk))
    page.wait_for_selector("#covering")
    assert covering_items(page) == [str(quote.pk), str(claim.pk), str(opinion.pk)]
    assert page.get_attribute("#annotation-editor", "data-ann") == str(opinion.pk)  # the innermost first
    page.click(f".covering-item[data-ann='{claim.pk}']")
    page.wait_for_function("(id) => document.getElementById('annotation-editor').dataset.ann === id", arg=str(claim.pk))
    assert covering_items(page) == [str(quote.pk), str(claim.pk), str(opinion.pk)]  # still listed to pick again
    assert page.get_attribute(f".covering-item[data-ann='{claim.pk}']", "aria-current") == "true"


def test_enter_on_nested_text_lists_the_annotations_and_the_arrows_pick_one(sign_in, team, nested):
    article, (quote, claim, opinion) = nested
    page = open_article(sign_in, team["annotator"], article)
    page.focus(".labelbar [data-action=help]")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "article-text"
    for _ in range(NESTED.index("taxes") + 2):  # into "taxes", covered by all three
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.matches('.covering-item')")
    assert covering_items(page) == [str(quote.pk), str(claim.pk), str(opinion.pk)]
    assert page.evaluate("document.activeElement.dataset.ann") == str(opinion.pk)
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")  # the outer quote
    page.keyboard.press("Enter")
    page.wait_for_function("(id) => document.getElementById('annotation-editor').dataset.ann === id", arg=str(quote.pk))
    page.wait_for_function("() => document.activeElement.matches('.covering-item[aria-current=true]')")
    assert page.evaluate("document.activeElement.dataset.ann") == str(quote.pk)
