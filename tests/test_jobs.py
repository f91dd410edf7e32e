"""Background jobs (articles.jobs): status changes, idempotency, cancel, retries with backoff, the worker, pruning.

Most tests run jobs with the immediate backend (tests/settings.py); those about the queue switch to the
database backend and run `db_worker` in-process, on SQLite and (with DATABASE_URL) on PostgreSQL.
"""

from __future__ import annotations

import re
import socket
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import jobs
from articles.errors import AlreadyExists, InvalidInput
from articles.export_scope import ExportScope, export, parse_filters
from articles.exports import FORMATS
from articles.jobs import JobProgress, Runner, run_job, start_job
from articles.models import Job, JobKind, JobStatus
from articles.permissions import Action
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.usefixtures("job_results")  # result files in a directory of each test's own

BASE_URL = "http://testserver/"
STAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ][\d:.]+(?:Z|\+00:00)?")


def export_job(team, who="owner", **params):
    key = params.pop("idempotency_key", None)
    params.setdefault("base_url", BASE_URL)
    return start_job(team["project"], kind=JobKind.EXPORT, by=team[who], params=params, idempotency_key=key)


def stored(job: Job) -> bytes:
    with jobs.results().open(job.result_path, "rb") as handle:
        return handle.read()


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is a real network error (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch_closed_port(job: Job, progress: JobProgress) -> None:
    """A runner that reaches the network as an import from a web address would, and fails there."""
    progress.reset(total=1)
    socket.create_connection(("127.0.0.1", job.params["port"]), timeout=2).close()


STEPS_RUN: list[int] = []


def count_and_get_cancelled(job: Job, progress: JobProgress) -> None:
    """A runner of five steps whose starter cancels the job after step two (as from the page meanwhile)."""
    progress.reset(total=5)
    for step in range(1, 6):
        STEPS_RUN.append(step)
        progress.update(1)
        if step == 2:
            jobs.cancel_job(Job.objects.get(pk=job.pk), by=job.created_by)
        progress.check()
    jobs.store_result(job, ["never kept"], name="steps.txt", media_type="text/plain")


@pytest.fixture
def test_runners(monkeypatch):
    """Two more kinds of job, registered as the built-in ones are."""
    accept = lambda project, user, params: dict(params)  # noqa: E731
    STEPS_RUN.clear()
    monkeypatch.setitem(jobs.RUNNERS, "probe", Runner(Action.EXPORT, accept, fetch_closed_port))
    monkeypatch.setitem(jobs.RUNNERS, "steps", Runner(Action.EXPORT, accept, count_and_get_cancelled))


# An export job, from queued to succeeded ----------------------------------------------------------------


@pytest.mark.parametrize("key", list(FORMATS))
def test_an_export_job_stores_the_same_file_as_a_download_in_every_format(team, key):
    article = make_article(team["project"], by=team["owner"])
    make_annotation(article, author=team["owner"], label="claim", start=0, end=7)
    job, created = export_job(team, format=key)
    assert created and job.status == JobStatus.SUCCEEDED and job.attempts == 1
    scope = ExportScope(team["project"], team["owner"], None, parse_filters({}))
    download = "".join(export(scope, key, base_url=BASE_URL)).encode()
    assert STAMP.sub(b"T", stored(job)) == STAMP.sub(b"T", download)  # equal but for the moment of writing
    assert job.result_name.endswith("." + FORMATS[key].extension)
    assert job.result_type.startswith(FORMATS[key].media_type) and job.result_size == len(stored(job))


def test_the_job_moves_from_queued_to_running_to_succeeded_with_progress(team, queue):
    for _ in range(3):
        make_article(team["project"], by=team["owner"])
    job, _ = export_job(team)
    assert (job.status, job.attempts, job.started_at, job.done, job.total) == (JobStatus.QUEUED, 0, None, 0, None)
    task = DBTaskResult.objects.get()
    assert job.task_id == str(task.id) and task.args_kwargs == {"args": [job.pk], "kwargs": {}}

    assert run_job.call(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.status, job.attempts, job.done, job.total, job.percent) == (JobStatus.SUCCEEDED, 1, 3, 3, 100)
    assert job.created_at <= job.started_at <= job.finished_at
    assert job.result_expires_at == job.finished_at + timedelta(days=7) or (
        abs(job.result_expires_at - job.finished_at - timedelta(days=7)) < timedelta(seconds=1)
    )
    assert jobs.result_available(job) and job.error == ""


def test_filters_are_checked_when_the_job_starts_and_kept_as_read(team):
    with pytest.raises(InvalidInput) as refused:
        export_job(team, since="2024-05-02", until="2024-05-01")
    assert "until" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        export_job(team, format="pdf")
    assert "format" in refused.value.errors
    with pytest.raises(InvalidInput) as refused:
        export_job(team, colour="red")
    assert "colour" in refused.value.errors
    assert not Job.objects.exists()
    job, _ = export_job(team, format="csv", label=["claim"], status=["accepted"], until="2024-05-01")
    assert job.params == {
        "format": "csv",
        "label": ["claim"],
        "author": [],
        "status": ["accepted"],
        "since": None,
        "until": "2024-05-02T00:00:00Z",
        "include": [],
        "base_url": BASE_URL,
    }


def test_every_member_may_start_an_export_but_no_outsider(team):
    for role in ("reviewer", "annotator", "viewer"):
        job, _ = export_job(team, who=role)
        assert job.status == JobStatus.SUCCEEDED
    with pytest.raises(PermissionDenied):
        export_job(team, who="outsider")


def test_a_starter_who_left_before_it_ran_gets_a_failed_job_not_a_file(team, queue):
    job, _ = export_job(team, who="annotator")
    team["project"].memberships.filter(user=team["annotator"]).delete()
    run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "Your role in this project does not allow this."
    assert job.result_path == ""


# Idempotency ------------------------------------------------------------------------------------------


def test_the_same_request_twice_makes_one_job_and_one_file(team, job_results):
    first, created = export_job(team, idempotency_key="export-42", format="jsonl")
    again, created_again = export_job(team, idempotency_key="export-42", format="jsonl")
    assert (created, created_again) == (True, False) and again.pk == first.pk
    assert Job.objects.count() == 1
    assert len([path for path in job_results.rglob("*") if path.is_file()]) == 1


def test_a_key_reused_for_another_request_is_a_conflict(team):
    first, _ = export_job(team, idempotency_key="k1", format="json")
    with pytest.raises(AlreadyExists) as conflict:
        export_job(team, idempotency_key="k1", format="csv")
    assert conflict.value.existing.pk == first.pk
    with pytest.raises(InvalidInput) as taken:  # someone else's key: nothing about their job
        export_job(team, who="reviewer", idempotency_key="k1", format="json")
    assert taken.value.errors == {"idempotency_key": ["This key is already in use in this project; choose another."]}
    for bad in ("x" * 101, "tab\there", "é"):
        with pytest.raises(InvalidInput):
            export_job(team, idempotency_key=bad)
    assert Job.objects.count() == 1


def test_a_task_delivered_twice_runs_the_job_once(team, queue, job_results):
    job, _ = export_job(team)
    assert run_job.call(job.pk) == JobStatus.SUCCEEDED
    finished = Job.objects.get(pk=job.pk)
    assert run_job.call(job.pk) == "skipped"
    assert Job.objects.get(pk=job.pk).finished_at == finished.finished_at and finished.attempts == 1
    assert len([path for path in job_results.rglob("*") if path.is_file()]) == 1


def test_a_retry_replaces_what_an_earlier_attempt_left(team, queue, job_results):
    job, _ = export_job(team)
    leftover = job_results / f"jobs/{job.project_id}/{job.pk}"
    leftover.mkdir(parents=True)
    (leftover / "result").write_text("half a file from an attempt that died")
    run_job.call(job.pk)
    job.refresh_from_db()
    assert [path.name for path in leftover.iterdir()] == ["result"] and job.result_path.endswith("/result")
    assert stored(job).startswith(b"{") and job.result_name == f"desk-{timezone.now().date().isoformat()}.json"


# Cancelling -------------------------------------------------------------------------------------------


def test_a_cancelled_queued_job_never_runs(team, queue):
    job, _ = export_job(team)
    assert jobs.cancel_job(job, by=team["owner"]).status == JobStatus.CANCELLED
    assert run_job.call(job.pk) == "skipped"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.started_at) == (JobStatus.CANCELLED, 0, None)


def test_a_running_job_stops_at_its_next_step_once_cancelled(team, queue, test_runners, job_results):
    job, _ = start_job(team["project"], kind="steps", by=team["annotator"], params={})
    assert run_job.call(job.pk) == JobStatus.CANCELLED
    job.refresh_from_db()
    assert STEPS_RUN == [1, 2]  # progress is written at most twice a second: the page may show 1 of 5
    assert (job.status, job.total, job.result_path) == (JobStatus.CANCELLED, 5, "") and job.done <= 2
    assert not job_results.exists() or not [path for path in job_results.rglob("*") if path.is_file()]


def test_only_the_starter_or_an_owner_cancels_and_finished_jobs_stay(team, queue):
    job, _ = export_job(team, who="annotator")
    with pytest.raises(PermissionDenied):
        jobs.cancel_job(job, by=team["reviewer"])
    assert jobs.cancel_job(job, by=team["owner"]).status == JobStatus.CANCELLED
    done, _ = export_job(team, who="annotator")
    run_job.call(done.pk)
    assert jobs.cancel_job(Job.objects.get(pk=done.pk), by=team["annotator"]).status == JobStatus.SUCCEEDED


# Retries ----------------------------------------------------------------------------------------------


def test_a_network_error_is_retried_with_exponential_backoff_then_fails(team, queue, test_runners, settings):
    settings.JOB_MAX_ATTEMPTS, settings.JOB_RETRY_SECONDS = 3, 10
    job, _ = start_job(team["project"], kind="probe", by=team["owner"], params={"port": closed_port()})
    delays = []
    for attempt in (1, 2):
        before = timezone.now()
        assert run_job.call(job.pk) == JobStatus.QUEUED
        job.refresh_from_db()
        retry = DBTaskResult.objects.get(id=job.task_id)
        delays.append(round((retry.run_after - before).total_seconds()))
        assert job.attempts == attempt and "Attempt" in job.error and retry.status == "READY"
    assert delays == [10, 20]
    assert not DBTaskResult.objects.ready().filter(id=job.task_id).exists()  # waits for its moment
    assert run_job.call(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.attempts == 3 and job.error.startswith("A network or storage error: Connection refused")
    assert job.error.endswith("Gave up after 3 attempts.")
    assert DBTaskResult.objects.count() == 3  # the first task and two retries, no more


def test_backoff_doubles_up_to_an_hour(settings):
    settings.JOB_RETRY_SECONDS = 10
    assert [jobs.retry_delay(n) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert jobs.retry_delay(20) == 3600


def test_a_network_error_with_the_immediate_backend_retries_at_once(team, test_runners, settings):
    settings.JOB_MAX_ATTEMPTS = 2
    job, _ = start_job(team["project"], kind="probe", by=team["owner"], params={"port": closed_port()})
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2)


# The worker -------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_db_worker_runs_queued_jobs_once_each(team, queue, job_results):
    make_annotation(make_article(team["project"], by=team["owner"]), author=team["owner"], start=0, end=7)
    started = [export_job(team, who=role, format=key)[0] for role, key in (("owner", "w3c"), ("viewer", "csv"))]
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    for job in started:
        job.refresh_from_db()
        assert (job.status, job.attempts, job.done, job.total) == (JobStatus.SUCCEEDED, 1, 1, 1)
        assert stored(job)
    tasks = DBTaskResult.objects.values_list("status", "traceback")
    assert {status for status, _ in tasks} == {"SUCCESSFUL"}, [trace for _, trace in tasks]
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    assert Job.objects.filter(attempts=1).count() == 2


# Pruning ----------------------------------------------------------------------------------------------


def test_prune_deletes_expired_files_and_old_jobs(team, settings, capsys):
    settings.JOB_KEEP_DAYS = 30
    fresh, _ = export_job(team)
    expired, _ = export_job(team)
    old, _ = export_job(team)
    now = timezone.now()
    Job.objects.filter(pk=expired.pk).update(result_expires_at=now - timedelta(minutes=1))
    Job.objects.filter(pk=old.pk).update(finished_at=now - timedelta(days=31))
    call_command("prune_jobs")
    assert capsys.readouterr().out == "Deleted 2 result file(s) and 1 old job(s).\n"
    assert set(Job.objects.values_list("pk", flat=True)) == {fresh.pk, expired.pk}
    expired.refresh_from_db()
    assert expired.result_path == "" and not jobs.result_available(expired)
    assert not jobs.results().exists(old.result_path) and not jobs.results().exists(
        Job.objects.get(pk=expired.pk).result_path or "missing"
    )
    assert stored(Job.objects.get(pk=fresh.pk))
