"""The whole job in the browser: an owner adds a member with the mouse, assigns two articles to them with the
filter boxes and checkboxes from the keyboard alone (Tab, Space, Enter), then spreads the unassigned work."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles.models import Assignment
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"


def serious_violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def tab_to(page, element_id: str, limit: int = 80) -> None:
    """Press Tab until the element with this id has the focus (fails if it never gets it)."""
    for _ in range(limit):
        if page.evaluate(FOCUSED_ID) == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_an_owner_adds_a_member_assigns_them_two_articles_by_keyboard_and_spreads_the_rest(page, sign_in, team):
    project, newcomer = team["project"], team["outsider"]
    titles = ["Budget vote delayed", "Weather warning", "Budget cuts explained", "Cup final report"]
    articles = {title: make_article(project, title=title) for title in titles}

    # With the mouse: add the newcomer as an annotator on the Members page.
    sign_in(team["owner"], next_url=f"/projects/{project.pk}/members/")
    page.click("#new-username")
    page.keyboard.type("outsider")
    page.select_option("#new-role", "annotator")
    page.click("#add-member-button")
    page.wait_for_selector("#member-outsider")
    assert "outsider joined as annotator" in page.inner_text("#member-list")
    page.click("nav.tabs >> text=Assign")
    page.wait_for_selector("#assignment-table")
    page.wait_for_load_state("load")  # the filter boxes are revealed by a module script
    assert serious_violations(page) == []

    # Keyboard only: filter the articles, check both "Budget" ones, filter the annotators, check the newcomer.
    tab_to(page, "article-filter")
    page.keyboard.type("budget")
    assert page.inner_text("#article-filter-status") == "2 of 4 shown · 0 checked"
    page.keyboard.press("Enter")  # jumps to the first article still shown, and does not submit
    assert page.evaluate(FOCUSED_ID) == f"pick-{articles['Budget vote delayed'].pk}"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_ID) == f"pick-{articles['Budget cuts explained'].pk}"
    page.keyboard.press("Space")
    assert page.inner_text("#article-filter-status") == "2 of 4 shown · 2 checked"
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_ID) == "annotator-filter"
    page.keyboard.type("outs")
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED_ID) == f"annotator-{newcomer.pk}"
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED_ID) == "assign-button"
    assert not Assignment.objects.exists()  # nothing was sent before the button
    page.keyboard.press("Enter")
    page.wait_for_selector("#assignment-table >> text=2 new assignments")
    assert set(Assignment.objects.values_list("article__title", "annotator__username")) == {
        ("Budget vote delayed", "outsider"),
        ("Budget cuts explained", "outsider"),
    }
    assert page.is_visible("#article-filter") and page.input_value("#article-filter") == ""  # revealed after the swap

    # Spreading is its own form further down: one annotator for every article that has none yet.
    page.fill("#per-article", "1")
    page.click("#spread-button")
    page.wait_for_selector("#assignment-table >> text=Spread 2 new assignments")
    given = dict(Assignment.objects.exclude(annotator=newcomer).values_list("article__title", "annotator__username"))
    assert given == {"Weather warning": "annotator", "Cup final report": "annotator2"}

    # The Members page now lists the newcomer's open work, each linked.
    page.click("nav.tabs >> text=Members")
    page.wait_for_selector("#member-outsider")
    row = page.locator("#member-outsider")
    assert row.locator(".work-counts").inner_text() == "2 assigned"
    row.locator(".open-work summary").click()
    assert row.locator(".open-work a").all_inner_texts() == ["Budget vote delayed", "Budget cuts explained"]
    assert serious_violations(page) == []


@pytest.mark.http_errors(422)
def test_an_unknown_username_is_explained_next_to_the_field(page, sign_in, team):
    sign_in(team["owner"], next_url=f"/projects/{team['project'].pk}/members/")
    page.fill("#new-username", "nobody-here")
    page.click("#add-member-button")
    error = page.wait_for_selector("#new-username-error")
    assert "“nobody-here”: No active user has this username." in error.inner_text()
    assert page.input_value("#new-username") == "nobody-here"
