"""Link types in the browser: an owner adds one with the mouse and one with the keyboard alone on the Labels
tab, and sees both listed with their ends."""

from __future__ import annotations

import pytest

from articles.links import link_types_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, element_id: str, limit: int = 300) -> None:
    """Press Tab until the element has the focus, as a keyboard user does."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def ends_shown(page, key: str) -> str:
    return " ".join(page.inner_text(f"#link-type-{key} .link-ends").split())


def test_an_owner_adds_link_types_by_mouse_and_by_keyboard(sign_in, team):
    project = team["project"]
    page = sign_in(team["owner"], next_url=f"/projects/{project.pk}/")
    page.click("nav.tabs >> text=Labels")
    page.wait_for_selector("#link-types #link-type-said_by")

    page.click("#lt-new-key")
    page.keyboard.type("disputes")
    page.click("#lt-new-name")
    page.keyboard.type("Disputes")
    page.fill("#lt-new-color", "#882255")
    page.click("#lt-new-from_labels-source")
    page.click("#lt-new-to_labels-claim")
    page.click("#link-type-form-new-submit")
    page.wait_for_selector("#link-type-disputes")
    assert "Link type “Disputes” added." in page.inner_text("#link-types .notices")
    assert page.get_attribute("#link-type-disputes line", "stroke") == "#882255"
    assert ends_shown(page, "disputes") == "From Source → to Claim"

    tab_to(page, "lt-new-key")
    page.keyboard.type("echoes")
    page.keyboard.press("Tab")
    page.keyboard.type("Echoes")
    tab_to(page, "lt-new-description")
    page.keyboard.type("A quote repeating a claim.")
    tab_to(page, "lt-new-from_labels-quote")
    page.keyboard.press("Space")
    tab_to(page, "lt-new-to_labels-claim")
    page.keyboard.press("Space")
    tab_to(page, "link-type-form-new-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#link-type-echoes")
    assert "A quote repeating a claim." in page.inner_text("#link-type-echoes")
    assert ends_shown(page, "echoes") == "From Quote → to Claim"
    keys = [each.key for each in link_types_of(project)]
    assert keys == ["said_by", "claimed_by", "backed_by", "held_by", "disputes", "echoes"]
    assert page.eval_on_selector_all("#link-type-list > li", "items => items.map(item => item.id)") == [
        f"link-type-{key}" for key in keys
    ]
