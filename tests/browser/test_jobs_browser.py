"""In a real browser: prepare a project's export as a background job, watch its bar, download or cancel it.

With the mouse: "Prepare a file" opens the job page, which polls while a worker runs the job, shows the
download link when it is done and then stops polling. With the keyboard alone: prepare another file and
cancel it, the Cancel button keeping focus while the page polls around it.
"""

from __future__ import annotations

import csv
import time

import pytest

from articles.jobs import run_job
from articles.models import Job, JobStatus
from tests.factories import make_annotation

# Jobs wait in the database until the test runs them, as a worker would (tests/conftest.py: queue, job_results).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("queue", "job_results"),
]
PREPARE = ".export-menu button[form]"  # "Prepare a file"
MAX_TABS = 40


def is_focused(page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector)


def tab_to(page, selector: str) -> None:
    for _ in range(MAX_TABS):
        if is_focused(page, selector):
            return
        page.keyboard.press("Tab")
    assert is_focused(page, selector), f"Tab never reached {selector}"


def polls_of(page, job: Job) -> list[str]:
    """Collect the job page's htmx polls from now on."""
    polls: list[str] = []
    page.on("request", lambda request: request.url.endswith(f"/jobs/{job.pk}/") and polls.append(request.url))
    return polls


def test_prepare_a_file_with_the_mouse_then_watch_it_finish_and_download_it(sign_in, team, article):
    make_annotation(article, team["annotator"], label="claim", start=0, end=3)
    page = sign_in(team["annotator"], next_url=f"/projects/{team['project'].pk}/")
    page.locator(".export-menu summary").click()
    page.select_option("#project-export-format", "csv")
    page.click(PREPARE)
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get()
    assert page.locator("#job-status").inner_text().startswith("Status: Queued")
    assert page.locator("#job-status progress").is_visible()

    polls = polls_of(page, job)
    run_job.call(job.pk)  # the worker's turn
    page.locator("#job-download").wait_for(timeout=5_000)
    assert "Status: Succeeded · 1 of 1" in page.locator("#job-status").inner_text()
    assert page.locator("#job-status progress").get_attribute("value") == "1"
    assert page.locator("#job-cancel").count() == 0
    seen = len(polls)
    time.sleep(2.5)
    assert len(polls) == seen, "the page kept polling after the job was done"

    with page.expect_download() as waiting:
        page.click("#job-download")
    download = waiting.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(row["label"], row["quote"]) for row in rows] == [("claim", article.text[:3])]


def test_prepare_and_cancel_a_file_with_the_keyboard_alone(sign_in, team):
    page = sign_in(team["reviewer"], next_url=f"/projects/{team['project'].pk}/")
    tab_to(page, ".export-menu summary")
    page.keyboard.press("Enter")
    tab_to(page, PREPARE)
    page.keyboard.press("Enter")
    page.wait_for_url("**/jobs/*/")
    job = Job.objects.get()
    polls = polls_of(page, job)

    tab_to(page, "#job-cancel")
    page.wait_for_timeout(1_500)  # at least one poll replaces the region around the focused button
    assert polls and is_focused(page, "#job-cancel")
    page.keyboard.press("Enter")
    page.get_by_text("This job was cancelled; nothing was kept.").wait_for(timeout=5_000)
    assert "Status: Cancelled" in page.locator("#job-status").inner_text()
    assert Job.objects.get(pk=job.pk).status == JobStatus.CANCELLED
    seen = len(polls)
    page.wait_for_timeout(2_500)
    assert len(polls) == seen, "the page kept polling after the job was cancelled"
