"""Accessibility: axe-core finds no serious or critical problems, and the whole flow works from the keyboard."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles.models import Annotation
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Regional budget to grow\n\n"
    "The regional government will raise its budget by 4% next year, the finance minister said.\n\n"
    "Opposition leader Mark Hale called the plan “a reckless gamble”."
)


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']}: {violation['help']} ({len(violation['nodes'])} nodes)"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def annotated(team):
    article = make_article(team["project"], text=TEXT, title="Budget to grow", outlet="Herald", byline="Jane Doe")
    make_annotation(article, team["annotator"], label="claim", start=25, end=80, note="Check the figure.")
    make_annotation(article, team["annotator2"], label="quote", start=60, end=100)
    make_annotation(article, team["annotator"], label="opinion", start=TEXT.index("a reckless"), end=len(TEXT) - 2)
    return article


def test_the_project_page_has_no_serious_accessibility_violations(sign_in, team, annotated):
    page = sign_in(team["annotator"], next_url=f"/projects/{team['project'].pk}/")
    page.wait_for_selector("#article-list")
    assert serious_violations(page) == []


def test_the_annotate_page_has_no_serious_accessibility_violations(sign_in, team, annotated):
    page = sign_in(team["annotator"], next_url=f"/articles/{annotated.pk}/")
    page.wait_for_selector("#article-text")
    assert serious_violations(page) == []
    page.click("#ann-list .ann-item")
    page.wait_for_selector("#editor-form")
    page.click("#guidelines summary")
    assert serious_violations(page) == []


def test_the_whole_annotate_flow_works_without_a_mouse(page, team, annotated):
    page.goto("/accounts/login/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    page.focus("#id_username")
    page.keyboard.type(team["annotator"].get_username())
    page.keyboard.press("Tab")
    page.keyboard.type("correct-horse-battery")
    page.keyboard.press("Enter")
    page.wait_for_selector(".card-title a")
    page.focus(".card-title a")
    page.keyboard.press("Enter")
    page.wait_for_selector(".row-title")
    page.focus(".row-title")
    page.keyboard.press("Enter")
    page.wait_for_selector("#article-text")
    page.wait_for_load_state("load")  # annotate.js is a module: it runs after the HTML, and sees keys from then on

    for _ in range(30):  # Tab through the label bar to the text, as a keyboard user does
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "article-text":
            break
    assert page.evaluate("document.activeElement.id") == "article-text"
    assert page.is_visible("#kbd-caret")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Home")
    for _ in range(3):
        page.keyboard.press("Control+Shift+ArrowRight")
    page.wait_for_selector("#selection-toolbar:not([hidden])")
    page.keyboard.press("4")
    page.wait_for_function("() => document.querySelectorAll('#ann-list .ann-item').length === 4")
    created = Annotation.objects.filter(label__key="opinion").order_by("start").first()
    assert created.quote.startswith("The regional") and created.author == team["annotator"]

    page.keyboard.press("e")
    page.keyboard.type("Added from the keyboard")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#notices >> text=Saved.")
    created.refresh_from_db()
    assert created.note == "Added from the keyboard"

    page.keyboard.press("Escape")  # leave the note field
    page.keyboard.press("j")
    page.wait_for_function(
        f"() => !['', '{created.pk}'].includes(document.getElementById('annotation-editor').dataset.ann)"
    )
    following = page.evaluate("document.getElementById('annotation-editor').dataset.ann")
    assert following != str(created.pk)
    page.keyboard.press("k")
    page.wait_for_function(f"() => document.getElementById('annotation-editor').dataset.ann === '{created.pk}'")
    page.keyboard.press("1")  # relabel the selected annotation
    page.wait_for_function(
        "(id) => document.querySelector(`#ann-list [data-ann='${id}'] .ann-label`).textContent.includes('Claim')",
        arg=created.pk,
    )
    created.refresh_from_db()
    assert created.label.key == "claim"

    page.keyboard.press("Delete")
    page.wait_for_selector("#undo-button")
    assert not Annotation.objects.filter(pk=created.pk).exists()
    page.keyboard.press("u")
    page.wait_for_selector("#notices >> text=Annotation restored.")
    assert Annotation.objects.filter(pk=created.pk).exists()

    page.keyboard.press("Escape")
    assert page.get_attribute("#annotation-editor", "data-ann") == ""
    page.keyboard.press("?")
    assert page.evaluate("document.getElementById('help-dialog').open")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.getElementById('help-dialog').open")
