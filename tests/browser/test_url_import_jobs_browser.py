"""In a real browser: import web addresses as a background job from the import page, by mouse and by keyboard.

The addresses are pages of a local HTTP server on 127.0.0.1 (never the internet). The page shows the job's
progress bar while it waits for a worker (the test runs the job as a worker would), then the report of every
address: stored, already there or failed with the reason; then it stops polling. With the keyboard alone an
owner types the list, starts the import, cancels another one and opens an imported article from the report.
"""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from articles.fetching import GENERIC_MESSAGE
from articles.jobs import run_job
from articles.models import Article, Job, JobStatus
from tests.local_web_server import LocalWebServer
from tests.test_exchange_browser import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MAX_TABS = 40


@pytest.fixture(autouse=True)
def local_pages(queue, job_results, settings):
    """Jobs wait in the database until the test runs them, as a worker would; pages come from a local server."""
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    cache.clear()


@pytest.fixture
def web(settings):
    with LocalWebServer() as server:
        settings.URL_IMPORT_ALLOWED_PORTS = [server.port]
        yield server


def is_focused(page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector)


def tab_to(page, selector: str) -> None:
    for _ in range(MAX_TABS):
        if is_focused(page, selector):
            return
        page.keyboard.press("Tab")
    assert is_focused(page, selector), f"Tab never reached {selector}"


def polls_of(page) -> list[str]:
    polls: list[str] = []
    page.on("request", lambda request: "?job=" in request.url and polls.append(request.url))
    return polls


def test_import_a_list_with_the_mouse_and_watch_the_bar_and_the_report(sign_in, team, web):
    project = team["project"]
    page = sign_in(team["owner"], next_url=f"/projects/{project.pk}/")
    page.get_by_role("link", name="Import", exact=True).click()
    addresses = [web.url("/article"), web.url("/text"), web.url("/status?code=404"), web.url("/chain/1")]
    page.locator("#id_url").click()
    page.locator("#id_url").fill("\n".join(addresses))
    assert serious_violations(page) == []
    page.get_by_role("button", name="Preview or start import").click()
    page.wait_for_url("**/import/?job=*")
    job = Job.objects.get()
    assert page.locator(".job-state").inner_text() == "Status: Queued"
    assert page.locator("#import-progress").is_visible()
    assert serious_violations(page) == []
    assert not Article.objects.exists()  # nothing was fetched in the request

    polls = polls_of(page)
    assert run_job.call(job.pk) == JobStatus.SUCCEEDED  # the worker's turn
    page.locator("#import-summary").wait_for(timeout=5_000)
    assert page.locator(".job-state").inner_text() == "Status: Succeeded · 4 of 4"
    assert page.locator("#import-progress").get_attribute("value") == "4"
    assert " ".join(page.locator("#import-summary").inner_text().split()) == "Stored 2 · already there 1 · failed 1"
    rows = page.locator("#import-addresses li").all_inner_texts()
    assert rows[0].startswith(f"{addresses[0]} — stored: Harbour bridge to close for repairs")
    assert rows[1].startswith(f"{addresses[1]} — stored")
    assert rows[2] == f"{addresses[2]} — failed. {GENERIC_MESSAGE}"
    assert rows[3].startswith(f"{addresses[3]} — already there: Harbour bridge")  # the redirect led to it
    assert page.locator("#import-cancel").count() == 0
    assert serious_violations(page) == []
    seen = len(polls)
    time.sleep(2.5)
    assert len(polls) == seen, "the page kept polling after the job was done"
    assert Article.objects.count() == 2


def test_import_and_cancel_with_the_keyboard_alone(sign_in, team, web):
    project = team["project"]
    page = sign_in(team["owner"], next_url=f"/projects/{project.pk}/import/")
    tab_to(page, "#id_url")
    page.keyboard.type(web.url("/article"))
    page.keyboard.press("Enter")  # a new line in the list
    page.keyboard.type(web.url("/text"))
    tab_to(page, "#import-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/import/?job=*")
    job = Job.objects.get()
    assert job.params == {"urls": [web.url("/article"), web.url("/text")]}
    assert page.locator("#import-progress").is_visible()
    run_job.call(job.pk)
    page.locator("#import-summary").wait_for(timeout=5_000)
    assert " ".join(page.locator("#import-summary").inner_text().split()) == "Stored 2 · already there 0 · failed 0"

    tab_to(page, "#import-again")  # import more: this time cancel it before a worker takes it
    page.keyboard.press("Enter")
    page.wait_for_url("**/import/")
    tab_to(page, "#id_url")
    page.keyboard.type(web.url("/big?size=5000"))
    tab_to(page, "#import-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/import/?job=*")
    later = Job.objects.exclude(pk=job.pk).get()
    polls = polls_of(page)
    tab_to(page, "#import-cancel")
    page.wait_for_timeout(1_500)  # at least one poll replaces the region around the focused button
    assert polls
    page.keyboard.press("Enter")
    page.get_by_text("This import was cancelled").wait_for(timeout=5_000)
    assert Job.objects.get(pk=later.pk).status == JobStatus.CANCELLED
    assert run_job.call(later.pk) == "skipped" and Article.objects.count() == 2

    page.goto(f"/projects/{project.pk}/import/?job={job.pk}")
    tab_to(page, "#import-addresses a")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/articles/{Article.objects.get(url=web.url('/article')).pk}/")
    assert "Harbour bridge" in page.locator("h1").first.inner_text()
