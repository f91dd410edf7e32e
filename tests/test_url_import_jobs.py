"""URL imports as background jobs (articles.imports.background): one address or a list, fetched for real from
local HTTP servers on 127.0.0.1 (never the internet), each stored once however often the job runs or is retried.

Most tests queue jobs in the database backend and run them as a worker would (`run_job.call`), so a test sees
each attempt; one runs them with the immediate backend of the test settings, as the pages do in tests.
"""

from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from http.server import ThreadingHTTPServer

import lxml.html
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from articles import jobs
from articles.errors import InvalidInput
from articles.fetching import GENERIC_MESSAGE, MALFORMED_MESSAGE
from articles.imports import background
from articles.jobs import run_job, start_job
from articles.models import Article, ImportItem, Job, JobStatus
from tests.api_client import api_as, url
from tests.factories import make_project
from tests.local_web_server import LocalWebServer, _Handler

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    """Result files in the test's own directory; fresh URL-import rates (per user id, which SQLite reuses)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "job_results": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "results")},
        },
    }
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def server(settings):
    with LocalWebServer() as web:
        settings.URL_IMPORT_ALLOWED_PORTS = [web.port]
        yield web


def free_port() -> int:
    """A local port nothing listens on (yet): connecting to it is refused, a real network error."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving_on(port: int):
    """The local test server's pages, on a port chosen beforehand (the address that was refused before)."""
    web = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    web.daemon_threads, web.stopping = True, threading.Event()
    thread = threading.Thread(target=web.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield web
    finally:
        web.stopping.set()
        web.shutdown()
        web.server_close()


def start(team, urls, *, who="owner", key=None) -> tuple[Job, bool]:
    return start_job(
        team["project"], kind=background.URL_IMPORT, by=team[who], params={"urls": urls}, idempotency_key=key
    )


def outcomes(job: Job) -> list[tuple[str, str]]:
    return [(item.address, item.outcome) for item in ImportItem.objects.filter(job=job)]


def report_of(job: Job) -> dict:
    job.refresh_from_db()
    with jobs.results().open(job.result_path, "rb") as handle:
        return json.loads(handle.read())


def test_a_list_is_fetched_and_stored_one_by_one_with_progress_and_a_report(team, server, queue):
    urls = [server.url("/article"), server.url("/text"), server.url("/status?code=404"), server.url("/pdf")]
    job, created = start(team, urls)
    assert created and job.status == JobStatus.QUEUED and not Article.objects.exists()  # nothing in the request
    assert run_job.call(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.done, job.total, job.result_type) == (4, 4, "application/json")
    report = report_of(job)
    assert (report["stored"], report["duplicate"], report["failed"], report["pending"]) == (2, 0, 2, 0)
    stored = {a.url: a for a in Article.objects.filter(project=team["project"])}
    assert [(a["url"], a["outcome"], a["article"]) for a in report["addresses"]] == [
        (urls[0], "stored", stored[urls[0]].pk),
        (urls[1], "stored", stored[urls[1]].pk),
        (urls[2], "failed", None),
        (urls[3], "failed", None),
    ]
    assert report["addresses"][0]["title"] == "Harbour bridge to close for repairs"
    assert {a["message"] for a in report["addresses"][2:]} == {GENERIC_MESSAGE}  # SSRF-7: one message
    assert [a["attempts"] for a in report["addresses"]] == [1, 1, 1, 1]  # a 404 is not worth another try


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks, as it does in production
def test_the_worker_command_runs_a_job_the_page_started(client, team, server, queue):
    """The request only queues; `manage.py db_worker` (what `make run` and deployments start) does the fetching."""
    client.force_login(team["owner"])
    import_page(client, team["project"], url=f"{server.url('/article')}\n{server.url('/text')}")
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED and server.connections == 0
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.done, job.total) == (JobStatus.SUCCEEDED, 1, 2, 2)
    assert [a["outcome"] for a in report_of(job)["addresses"]] == ["stored", "stored"]
    assert server.connections == 2


def test_a_job_run_twice_or_started_twice_stores_each_article_once(team, server, queue):
    urls = [server.url("/article"), server.url("/text")]
    job, _ = start(team, urls, key="monday-list")
    assert start(team, urls, key="monday-list") == (Job.objects.get(pk=job.pk), False)  # the same request again
    assert run_job.call(job.pk) == JobStatus.SUCCEEDED
    assert run_job.call(job.pk) == "skipped"  # a task delivered twice
    assert Article.objects.count() == 2 and server.connections == 2

    again, created = start(team, [*urls, server.url("/chain/2")], key="tuesday-list")  # the same pages again
    assert created and run_job.call(again.pk) == JobStatus.SUCCEEDED
    report = report_of(again)
    assert [a["outcome"] for a in report["addresses"]] == ["duplicate"] * 3  # already there, not failures
    assert [a["article"] for a in report["addresses"]] == [
        Article.objects.get(url=urls[0]).pk,
        Article.objects.get(url=urls[1]).pk,
        Article.objects.get(url=urls[0]).pk,  # the redirect leads to the first article
    ]
    assert all(a["message"].startswith("Already in the project") for a in report["addresses"])
    assert Article.objects.count() == 2


def test_a_refused_connection_is_retried_with_backoff_and_done_addresses_are_not_fetched_again(
    team, server, queue, settings
):
    port = free_port()
    settings.URL_IMPORT_ALLOWED_PORTS = [server.port, port]
    settings.JOB_RETRY_SECONDS = 10
    late = f"http://127.0.0.1:{port}/text"
    urls = [server.url("/article"), late, server.url("/status?code=404")]
    job, _ = start(team, urls)

    assert run_job.call(job.pk) == JobStatus.QUEUED  # back in the queue, for the one unreachable address
    job.refresh_from_db()
    assert job.attempts == 1 and "1 of 3 web address(es) could not be reached" in job.error
    assert "Attempt 2 in 10 s" in job.error and job.done == 2
    assert outcomes(job) == [(urls[0], "stored"), (late, "pending"), (urls[2], "failed")]
    fetched = server.connections

    with serving_on(port):  # the site is back
        assert run_job.call(job.pk) == JobStatus.SUCCEEDED
    assert server.connections == fetched  # the stored and the failed addresses were not fetched again
    report = report_of(job)
    assert [(a["outcome"], a["attempts"]) for a in report["addresses"]] == [("stored", 1), ("stored", 2), ("failed", 1)]
    assert Article.objects.count() == 2


def test_an_address_that_stays_unreachable_is_reported_after_the_last_attempt(team, server, settings):
    """With the immediate backend the retries follow at once; the last attempt reports the address as failed
    and the job still succeeds with what it stored."""
    port = free_port()
    settings.URL_IMPORT_ALLOWED_PORTS = [server.port, port]
    settings.JOB_MAX_ATTEMPTS = 3
    job, _ = start(team, [f"http://127.0.0.1:{port}/text", server.url("/article")])
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.attempts == 3 and server.connections == 1
    report = report_of(job)
    assert [(a["outcome"], a["attempts"]) for a in report["addresses"]] == [("failed", 3), ("stored", 1)]
    assert report["addresses"][0]["message"] == GENERIC_MESSAGE


def test_an_address_stored_meanwhile_by_someone_else_counts_as_already_there(team, server, queue):
    first, _ = start(team, [server.url("/article")], key="first")
    second, _ = start(team, [server.url("/article")], key="second")
    run_job.call(second.pk)
    run_job.call(first.pk)
    assert [a["outcome"] for a in report_of(first)["addresses"]] == ["duplicate"]
    assert Article.objects.count() == 1


def test_a_cancelled_job_fetches_nothing(team, server, queue):
    job, _ = start(team, [server.url("/article")])
    jobs.cancel_job(job, by=team["owner"])
    assert run_job.call(job.pk) == "skipped" and server.connections == 0 and not Article.objects.exists()


def test_a_job_cancelled_while_running_keeps_what_it_stored_and_fetches_no_more(team, server, queue, monkeypatch):
    urls = [server.url("/article"), server.url("/text"), server.url("/chain/1")]
    job, _ = start(team, urls)
    real_fetch = background.fetch

    def fetch_then_cancel(address):
        page = real_fetch(address)
        jobs.cancel_job(Job.objects.get(pk=job.pk), by=team["owner"])  # from the page, meanwhile
        return page

    monkeypatch.setattr(background, "fetch", fetch_then_cancel)
    assert run_job.call(job.pk) == JobStatus.CANCELLED
    assert outcomes(job) == [(urls[0], "stored"), (urls[1], "pending"), (urls[2], "pending")]
    assert server.connections == 1 and Article.objects.get().url == urls[0]
    assert background.url_report(Job.objects.get(pk=job.pk))["pending"] == 2


def test_addresses_are_checked_before_anything_is_queued(team):
    with pytest.raises(InvalidInput) as caught:
        start(team, ["https://news.example/a", "http://exa mple.com/", "gopher://x/", ""])
    assert caught.value.errors == {
        "urls": {1: [MALFORMED_MESSAGE], 2: [GENERIC_MESSAGE], 3: ["Give a web address as text."]}
    }
    with pytest.raises(InvalidInput, match="at most 1000"):
        start(team, ["https://news.example/"] * 1001)
    with pytest.raises(InvalidInput):
        start(team, [])
    assert not Job.objects.exists()


# The API ----------------------------------------------------------------------------------------------


def test_the_api_starts_a_job_for_a_list_and_its_result_is_the_report(team, server, queue):
    client = api_as(team["owner"])
    target = url("api_project_import_url", team["project"].pk)
    body = {"urls": [server.url("/article"), server.url("/status?code=500")], "idempotency_key": "k1"}
    answer = client.post(target, body, format="json")
    assert answer.status_code == 202 and answer.json()["status"] == "queued" and answer.json()["result"] is None
    job_id = answer.json()["id"]
    assert client.post(target, body, format="json").status_code == 200  # the same request again: the same job
    conflict = client.post(target, {**body, "urls": [server.url("/text")]}, format="json")
    assert conflict.status_code == 409 and conflict.json()["existing"]["id"] == job_id

    run_job.call(job_id)  # the 500 is worth another try
    assert client.get(answer["Location"]).json()["status"] == "queued"
    Job.objects.filter(pk=job_id).update(attempts=4)  # so the next one is the last (JOB_MAX_ATTEMPTS = 5)
    run_job.call(job_id)
    followed = client.get(answer["Location"]).json()
    assert followed["status"] == "succeeded" and (followed["done"], followed["total"]) == (2, 2)
    report = json.loads(b"".join(client.get(followed["result"]).streaming_content))
    assert [a["outcome"] for a in report["addresses"]] == ["stored", "failed"]


def test_api_input_errors_name_the_item(team):
    client = api_as(team["owner"])
    target = url("api_project_import_url", team["project"].pk)
    answer = client.post(target, {"urls": ["https://news.example/", "http://exa mple.com/"]}, format="json")
    assert answer.status_code == 400 and answer.json() == {"urls": {"1": [MALFORMED_MESSAGE]}}
    assert client.post(target, {"urls": ["https://x.example/"] * 1001}, format="json").status_code == 400
    both = client.post(target, {"url": "https://x.example/", "urls": ["https://x.example/"]}, format="json")
    assert both.status_code == 400 and "url" in both.json()
    old = client.post(target, {"url": "https://x.example/", "dry_run": True}, format="json")
    assert old.status_code == 400 and old.json() == {"dry_run": ["Unknown field."]}
    assert not Job.objects.exists()


@pytest.mark.parametrize(("role", "code"), [("reviewer", 403), ("annotator", 403), ("viewer", 403), ("outsider", 404)])
def test_only_owners_import_and_outsiders_get_404(team, server, role, code):
    answer = api_as(team[role]).post(
        url("api_project_import_url", team["project"].pk), {"url": server.url("/article")}, format="json"
    )
    assert answer.status_code == code and not Job.objects.exists() and server.connections == 0


def test_an_import_job_is_seen_by_its_starter_and_owners_only(team, server, queue):
    job, _ = start(team, [server.url("/article")])
    for who, code in (("owner", 200), ("reviewer", 404), ("annotator", 404), ("outsider", 404)):
        assert api_as(team[who]).get(url("job-detail", job.pk)).status_code == code


# The import page ----------------------------------------------------------------------------------------


def import_page(client, project, **data):
    return client.post(reverse("project_import", args=[project.pk]), {"format": "auto", **data})


def test_the_page_starts_a_job_and_follows_it_until_its_report(client, team, server, queue):
    client.force_login(team["owner"])
    form = client.get(reverse("project_import", args=[team["project"].pk]))
    key = lxml.html.fromstring(form.content).xpath("//input[@name='idempotency_key']/@value")[0]
    urls = f"{server.url('/article')}\n\n  {server.url('/status?code=404')}  \n"
    response = import_page(client, team["project"], url=urls, idempotency_key=key)
    job = Job.objects.get()
    page_url = f"{reverse('project_import', args=[team['project'].pk])}?job={job.pk}"
    assert response.status_code == 302 and response["Location"] == page_url
    assert job.params == {"urls": [server.url("/article"), server.url("/status?code=404")]}
    assert import_page(client, team["project"], url=urls, idempotency_key=key)["Location"] == page_url  # sent twice

    waiting = client.get(page_url)
    tree = lxml.html.fromstring(waiting.content)
    assert tree.xpath("//section[@id='import-job']/@hx-trigger") == ["every 1s"]
    assert tree.xpath("//progress[@id='import-progress']")
    assert tree.xpath("string(//p[@class='job-state'])") == "Status: Queued"
    assert waiting["Cache-Control"] == "no-store" and not tree.xpath("//script[not(@src)]")

    run_job.call(job.pk)
    region = client.get(page_url, headers={"HX-Request": "true"})
    tree = lxml.html.fromstring(region.content.decode())
    assert tree.get("id") == "import-job" and tree.get("hx-trigger") is None  # done: polling stops
    assert tree.xpath("//progress/@value") == ["2"]
    assert tree.xpath("string(//p[@class='job-state'])") == "Status: Succeeded · 2 of 2"
    assert " ".join(tree.xpath("//p[@id='import-summary']//text()")).split() == (
        "Stored 1 · already there 0 · failed 1".split()
    )
    items = [" ".join(li.text_content().split()) for li in tree.xpath("//ol[@id='import-addresses']/li")]
    assert items[0].startswith(f"{server.url('/article')} — stored: Harbour bridge") and items[0].endswith("Open it")
    assert items[1] == f"{server.url('/status?code=404')} — failed. {GENERIC_MESSAGE}"


def test_the_page_names_the_line_at_fault_and_refuses_mixing_with_files(client, team):
    client.force_login(team["owner"])
    response = import_page(client, team["project"], url="https://news.example/a\nhttp://exa mple.com/")
    assert response.status_code == 422 and f"Line 2: {MALFORMED_MESSAGE}".encode() in response.content
    mixed = import_page(client, team["project"], url="https://news.example/a", text="A pasted story.")
    assert mixed.status_code == 422 and b"Import web addresses on their own" in mixed.content
    assert not Job.objects.exists()


def test_starting_from_the_page_is_rate_limited(client, team, settings):
    settings.URL_IMPORT_RATE = "2/min"
    client.force_login(team["owner"])
    statuses = [import_page(client, team["project"], url="gopher://x/").status_code for _ in range(3)]
    assert statuses == [422, 422, 422]
    assert b"Too many imports from the web" in import_page(client, team["project"], url="https://x.example/").content


def test_the_job_page_is_for_owners_of_its_project_only(client, team, server, queue):
    job, _ = start(team, [server.url("/article")])
    page_url = f"{reverse('project_import', args=[team['project'].pk])}?job={job.pk}"
    client.force_login(team["outsider"])
    assert client.get(page_url).status_code == 404
    client.force_login(team["reviewer"])
    assert client.get(page_url).status_code == 403
    elsewhere = make_project(team["owner"], name="Elsewhere")
    client.force_login(team["owner"])
    assert client.get(f"{reverse('project_import', args=[elsewhere.pk])}?job={job.pk}").status_code == 404
    assert client.get(f"{reverse('project_import', args=[team['project'].pk])}?job=nope").status_code == 404
    export, _ = start_job(team["project"], kind="export", by=team["owner"], params={"base_url": "http://testserver/"})
    assert client.get(f"{reverse('project_import', args=[team['project'].pk])}?job={export.pk}").status_code == 404
