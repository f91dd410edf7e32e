"""In a real browser: download a project's CSV from its Download menu, with the mouse and with the keyboard alone.

Either way the file has a column per attribute field of the project's labels, so a spreadsheet reads them.
"""

from __future__ import annotations

import csv

import pytest

from tests.factories import make_annotation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SUBMIT = ".export-menu button[type=submit]"
MAX_TABS = 40


def annotate(article, author) -> None:
    make_annotation(article, author, label="claim", start=0, end=3, attributes={"verdict": "false", "desk": "Zoë"})
    make_annotation(article, author, label="source", start=4, end=7, attributes={"url": "https://gov.example/r"})


def rows_of(download) -> list[dict[str, str]]:
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def assert_attribute_columns(rows: list[dict[str, str]]) -> None:
    assert list(rows[0])[-6:] == ["check_worthiness", "verdict", "speaker", "name", "url", "other_attributes"]
    claim, source = rows
    assert (claim["label"], claim["verdict"], claim["other_attributes"]) == ("claim", "false", '{"desk":"Zoë"}')
    assert (source["label"], source["url"], source["verdict"]) == ("source", "https://gov.example/r", "")


def is_focused(page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector)


def tab_to(page, selector: str) -> None:
    """Press Tab until the element is focused, as a keyboard user moves through the page."""
    for _ in range(MAX_TABS):
        if is_focused(page, selector):
            return
        page.keyboard.press("Tab")
    assert is_focused(page, selector), f"Tab never reached {selector}"


def test_a_member_downloads_csv_with_attribute_columns_by_mouse_and_by_keyboard(sign_in, team, article):
    annotate(article, team["annotator"])
    page = sign_in(team["owner"], next_url=f"/projects/{team['project'].pk}/")

    page.locator(".export-menu summary").click()
    page.select_option("#project-export-format", "csv")
    with page.expect_download() as waiting:
        page.click(SUBMIT)
    assert_attribute_columns(rows_of(waiting.value))

    page.reload()
    tab_to(page, ".export-menu summary")
    page.keyboard.press("Enter")
    tab_to(page, "#project-export-format")
    for _ in range(5):  # a closed select takes the arrow keys: step down to CSV
        if page.input_value("#project-export-format") == "csv":
            break
        page.keyboard.press("ArrowDown")
    assert page.input_value("#project-export-format") == "csv"
    tab_to(page, SUBMIT)
    with page.expect_download() as waiting:
        page.keyboard.press("Enter")
    assert_attribute_columns(rows_of(waiting.value))
