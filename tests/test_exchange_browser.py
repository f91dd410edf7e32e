"""In a real browser: download a project's export from its menu; import a file through preview and confirm."""

from __future__ import annotations

import json
import os

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles.models import Article
from tests.factories import PASSWORD, make_annotation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("EXCHANGE_SCREENSHOTS")  # a folder: save screenshots of each step there


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the current page."""
    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_an_owner_downloads_and_imports_through_the_pages(page, team, article, tmp_path):
    make_annotation(article, team["annotator"], label="claim", start=0, end=7)
    sign_in(page, team["owner"])
    page.goto(f"/projects/{team['project'].pk}/")
    page.get_by_text("Download", exact=True).first.click()
    page.select_option("#project-export-format", "jsonl")
    shot(page, "download-menu")
    assert serious_violations(page) == []
    with page.expect_download() as waiting:
        page.click(".export-menu button[type=submit]")
    download = waiting.value
    assert download.suggested_filename.endswith(".jsonl")
    lines = [json.loads(line) for line in open(download.path(), encoding="utf-8")]
    assert lines[0]["spans"] == [
        {
            "start": 0,
            "end": 7,
            "label": "claim",
            "attributes": {},
            "anchor_status": "exact",
            "anchored_revision": 1,
        }
    ]

    page.goto(f"/articles/{article.pk}/")
    page.locator(".export-menu summary").click()
    page.select_option("#article-export-format", "w3c")
    shot(page, "article-download-menu")
    assert serious_violations(page) == []
    with page.expect_download() as waiting:
        page.click(".export-menu button[type=submit]")
    assert json.loads(open(waiting.value.path(), encoding="utf-8").read())["total"] == 1
    page.goto(f"/projects/{team['project'].pk}/")

    source = tmp_path / "stories.jsonl"
    source.write_text(
        "\n".join(json.dumps({"title": f"Harbour story {n}", "text": f"The ferry {n} runs again."}) for n in range(2)),
        encoding="utf-8",
    )
    page.get_by_role("link", name="Import", exact=True).click()
    page.set_input_files("#id_files", str(source))
    shot(page, "import-form")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Preview or start import").click()
    page.wait_for_selector("#import-preview")
    shot(page, "import-preview")
    assert serious_violations(page) == []
    assert "Harbour story 1" in page.inner_text("#import-preview") and Article.objects.count() == 1
    page.get_by_role("button", name="Import 2 articles").click()
    page.wait_for_selector(".notice-success")
    shot(page, "import-done")
    assert "Imported 2 article(s)" in page.inner_text("#flash")
    assert Article.objects.filter(title__startswith="Harbour story").count() == 2
