"""A person sets up a project in the browser: creates it with the mouse, writes its guidelines with the
keyboard alone, and reads them rendered on the project page (no console error, no CSP violation)."""

from __future__ import annotations

import pytest

from articles.access import role_in
from articles.models import Project, Role
from articles.project_write import update_project
from tests.browser.test_accessibility_browser import serious_violations
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GUIDELINES = "## Claims\n\nTag **every** checkable claim.\n\n<script>alert('x')</script>"


def tab_to(page, selector: str, limit: int = 60) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user moves."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_a_user_creates_a_project_writes_guidelines_by_keyboard_and_reads_them_rendered(sign_in):
    user = make_user("founder")
    page = sign_in(user)
    page.get_by_role("link", name="New project").click()
    page.get_by_label("Name").click()
    page.keyboard.type("Election desk")
    page.get_by_role("button", name="Create project").click()
    page.wait_for_selector("h1:has-text('Election desk')")
    project = Project.objects.get(name="Election desk")
    assert role_in(project, user) == Role.OWNER

    tab_to(page, "a.tab[href$='/settings/']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#project-form")
    tab_to(page, "#id_guidelines")
    page.keyboard.type(GUIDELINES)
    tab_to(page, "input[name=guidelines_format]:checked")
    page.keyboard.press("ArrowDown")  # from "Plain text" to "Markdown", as radio groups do
    tab_to(page, "#project-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#project-guidelines")
    tab_to(page, "#project-guidelines summary")
    page.keyboard.press("Enter")
    guidelines = page.locator("#project-guidelines .guidelines-text")
    assert guidelines.locator("h2").inner_text() == "Claims"
    assert guidelines.locator("strong").inner_text() == "every"
    assert guidelines.locator("script").count() == 0
    assert Project.objects.get(pk=project.pk).guidelines_format == "markdown"


@pytest.mark.http_errors(422)
def test_the_settings_page_with_errors_has_no_serious_accessibility_violations(sign_in, team):
    project = team["project"]
    update_project(
        project, by=team["owner"], changes={"guidelines": "# Rules\n\n- one", "guidelines_format": "markdown"}
    )
    page = sign_in(team["owner"], next_url=f"/projects/{project.pk}/settings/")
    page.fill("#id_confirm_name", "Not the name")
    page.click("#project-delete button[type=submit]")
    page.wait_for_selector("#project-delete .field-error")
    assert serious_violations(page) == []
    assert Project.objects.filter(pk=project.pk).exists()
    page.goto(f"/projects/{project.pk}/")
    page.click("#project-guidelines summary")
    assert serious_violations(page) == []
