"""The project tabs look like tabs on every project page, the project page itself included."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The computed look of each tab link: tabs are padded, undecorated, laid out in a row and marked when current.
TABS_JS = """() => Array.from(document.querySelectorAll("nav.tabs .tab")).map((tab) => {
  const style = getComputedStyle(tab);
  return { label: tab.textContent, padding: style.paddingLeft, underline: style.textDecorationLine,
           mark: style.borderBottomStyle, row: getComputedStyle(tab.parentElement).display };
})"""


@pytest.mark.parametrize("path", ["", "review/"])
def test_the_project_tabs_are_styled_as_tabs_not_plain_links(sign_in, team, path):
    project = team["project"]
    page = sign_in(team["owner"], next_url=f"/projects/{project.pk}/{path}")
    page.wait_for_selector("nav.tabs")
    tabs = page.evaluate(TABS_JS)
    assert [tab["label"] for tab in tabs][:2] == ["Articles", "Review"]
    for tab in tabs:
        assert (tab["padding"], tab["underline"], tab["mark"], tab["row"]) == ("14px", "none", "solid", "flex"), tab
    first, second = (page.locator("nav.tabs .tab").nth(n).bounding_box() for n in (0, 1))
    assert second["x"] >= first["x"] + first["width"] + 4  # separated by the gap, not run together
