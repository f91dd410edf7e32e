"""Signing in and out, and the project page's live search, in a real browser."""

from __future__ import annotations

import pytest

from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_and_sign_out(sign_in, team):
    page = sign_in(team["annotator"])
    assert page.url.endswith("/")
    assert "annotator" in page.inner_text(".account")
    assert page.locator(".card-title").inner_text() == "Desk"
    page.click("text=Sign out")
    page.wait_for_url("**/accounts/login/")
    page.goto("/")
    assert "/accounts/login/?next=/" in page.url


def test_live_search_updates_the_list_in_place(sign_in, team):
    project = team["project"]
    make_article(project, title="Hospital opens in spring", text="The Riverside hospital opens in spring.")
    make_article(project, title="Tram plan debated", text="The council debated the tram plan.")
    page = sign_in(team["annotator"], next_url=f"/projects/{project.pk}/")
    page.evaluate("() => { window.sameDocument = true; }")
    page.fill("#id_q", "tram")
    page.wait_for_function("() => document.querySelectorAll('.row-title').length === 1")
    assert page.locator(".row-title").inner_text() == "Tram plan debated"
    assert page.evaluate("() => window.sameDocument") is True  # no page load: htmx swapped the list
    page.wait_for_url(f"**/projects/{project.pk}/?*q=tram*")
    page.select_option("#id_status", "approved")
    page.wait_for_function("() => document.querySelectorAll('.row-title').length === 0")
    assert "No articles found" in page.inner_text("#article-list")
