"""Jobs whose worker died (articles.jobs.recover, command `recover_jobs`): the heartbeat, queueing a dead
attempt's job again, giving up after JOB_MAX_ATTEMPTS, and a dead attempt that never stores anything.

A worker's death is staged as it looks in the database: the job claimed (what the worker did before it
was killed) and its heartbeat left to age. The real thing, with SIGKILL, runs in the rehearsal
(rehearsal/run, docs/deploy.md).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import jobs
from articles.jobs import JobCancelled, JobProgress, Runner, recover, run_job, start_job
from articles.models import Job, JobKind, JobStatus
from articles.permissions import Action

pytestmark = pytest.mark.usefixtures("job_results")  # result files in a directory of each test's own


def export_job(team) -> Job:
    job, _ = start_job(team["project"], kind=JobKind.EXPORT, by=team["owner"], params={"base_url": "http://t/"})
    return job


def died_running(job: Job, *, silent_for: float = 120.0) -> Job:
    """The job as a killed worker leaves it: claimed (running, the attempt counted), its heartbeat `silent_for`
    seconds old."""
    claimed = jobs._claim(job.pk)
    assert claimed is not None
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=silent_for))
    return Job.objects.get(pk=job.pk)


def files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# The heartbeat ------------------------------------------------------------------------------------------


def test_claiming_and_every_progress_write_beat(team, queue):
    job = died_running(export_job(team))
    progress = JobProgress(job)
    progress.reset(total=3)
    beat = Job.objects.get(pk=job.pk).heartbeat_at
    assert timezone.now() - beat < timedelta(seconds=5)
    assert recover(stale_after=60) == jobs.Recovered(requeued=0, failed=0)


SLOW_STEP_DONE = threading.Event()


def one_slow_step(job: Job, progress: JobProgress) -> None:
    """A runner stuck in one long step with no progress report (a big query, a slow server)."""
    progress.reset(total=1)
    time.sleep(0.7)
    SLOW_STEP_DONE.set()


@pytest.mark.django_db(transaction=True)
def test_the_worker_beats_while_a_step_takes_long_without_progress(team, queue, monkeypatch):
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.1)  # 7 chances in the 0.7 s step to beat twice
    monkeypatch.setitem(jobs.RUNNERS, "slow", Runner(Action.EXPORT, lambda p, u, params: dict(params), one_slow_step))
    outcome: list = []
    job, _ = start_job(team["project"], kind="slow", by=team["owner"], params={})
    started = timezone.now()
    thread = threading.Thread(target=lambda: outcome.append(run_job.call(job.pk)))
    thread.start()
    seen = set()
    while thread.is_alive():
        heartbeat = Job.objects.filter(pk=job.pk).values_list("heartbeat_at", flat=True).first()
        if heartbeat:
            seen.add(heartbeat)
        time.sleep(0.05)
    thread.join()
    assert outcome == [JobStatus.SUCCEEDED] and SLOW_STEP_DONE.is_set()
    # The claim and reset beat at once; the thread beat again (at least twice) during the 0.7 s step.
    assert len([beat for beat in seen if beat > started + timedelta(seconds=0.08)]) >= 2


# Recovering ---------------------------------------------------------------------------------------------


def test_a_job_whose_worker_died_is_queued_again_as_its_next_attempt(team, queue):
    job = died_running(export_job(team))
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
    DBTaskResult.objects.filter(id=job.task_id).update(status="RUNNING", worker_ids=["killed"])
    dead_task = job.task_id
    assert recover(stale_after=60) == jobs.Recovered(requeued=1, failed=0)
    closed = DBTaskResult.objects.get(id=dead_task)  # finished, so the queue's pruning removes it
    assert closed.status == "FAILED" and closed.exception_class_path == "articles.jobs.WorkerDied"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    assert job.error == "The worker running it stopped responding. Attempt 2 in 10 s."
    retry = DBTaskResult.objects.get(id=job.task_id)
    assert retry.args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert timedelta(seconds=9) < retry.run_after - timezone.now() <= timedelta(seconds=10)  # the usual backoff

    assert recover(stale_after=60) == jobs.Recovered(requeued=0, failed=0)  # a second pass finds nothing
    assert run_job.call(job.pk) == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (JobStatus.SUCCEEDED, 2, "")


def test_only_running_jobs_silent_for_longer_than_the_limit_are_recovered(team, queue):
    quiet = died_running(export_job(team), silent_for=30)
    dead = died_running(export_job(team), silent_for=90)
    never_beat = died_running(export_job(team))  # claimed by a worker from before the heartbeat
    Job.objects.filter(pk=never_beat.pk).update(heartbeat_at=None, started_at=timezone.now() - timedelta(hours=1))
    finished = died_running(export_job(team), silent_for=600)
    Job.objects.filter(pk=finished.pk).update(status=JobStatus.SUCCEEDED)
    queued = export_job(team)
    assert recover(stale_after=60) == jobs.Recovered(requeued=2, failed=0)
    status = dict(Job.objects.values_list("pk", "status"))
    assert status == {
        quiet.pk: JobStatus.RUNNING,
        dead.pk: JobStatus.QUEUED,
        never_beat.pk: JobStatus.QUEUED,
        finished.pk: JobStatus.SUCCEEDED,
        queued.pk: JobStatus.QUEUED,
    }


def test_after_the_last_attempt_it_fails_and_keeps_no_leftover_file(team, queue, settings, job_results):
    settings.JOB_MAX_ATTEMPTS = 2
    job = export_job(team)
    Job.objects.filter(pk=job.pk).update(attempts=1)
    job = died_running(job)
    leftover = job_results / f"jobs/{job.project_id}/{job.pk}/result"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("half a file")
    tasks_before = DBTaskResult.objects.count()
    assert recover(stale_after=60) == jobs.Recovered(requeued=0, failed=1)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2) and job.finished_at is not None
    assert job.error == "The worker running it stopped responding. Gave up after 2 attempts."
    assert files(job_results) == [] and DBTaskResult.objects.count() == tasks_before
    assert run_job.call(job.pk) == "skipped"


def test_a_dead_attempt_that_wakes_up_stores_nothing(team, queue, job_results):
    """A worker taken for dead (paused, cut off) that carries on finds its attempt gone at its next write."""
    job = died_running(export_job(team))
    zombie = Job.objects.get(pk=job.pk)
    progress = JobProgress(zombie)
    recover(stale_after=60)
    assert run_job.call(job.pk) == JobStatus.SUCCEEDED  # the next attempt, on another worker
    first = Job.objects.get(pk=job.pk)
    with pytest.raises(JobCancelled):
        progress.update(5)
    assert not jobs._finish(zombie, JobStatus.SUCCEEDED, result_path="elsewhere")
    zombie.result_path = first.result_path  # as if it had written its file after all: it keeps its hands off
    jobs._discard_result(zombie)
    assert Job.objects.get(pk=job.pk).result_path == first.result_path and len(files(job_results)) == 1
    assert jobs.results().exists(first.result_path)


def test_the_limit_leaves_room_for_missed_beats(db):
    with pytest.raises(ValueError):
        recover(stale_after=jobs.HEARTBEAT_SECONDS)


# The command --------------------------------------------------------------------------------------------


def test_recover_jobs_runs_one_pass_and_says_what_it_did(team, queue, capsys):
    died_running(export_job(team))
    call_command("recover_jobs", stale_after=60)
    assert capsys.readouterr().out == (
        "Queued 1 job(s) again and failed 0 whose worker stopped responding; "
        "queued 0 webhook delivery(ies) again; indexed 0 new article(s) for search; "
        "queued 0 re-fetch(es) of watched articles.\n"
    )
    with pytest.raises(CommandError):
        call_command("recover_jobs", stale_after=1)
    with pytest.raises(CommandError):
        call_command("recover_jobs", every=0)


def test_recover_jobs_repeats_every_few_seconds_until_stopped(team, queue, monkeypatch, capsys):
    waits: list[float] = []

    def stop_after_two_passes(self, timeout=None):
        waits.append(timeout)
        if len(waits) == 1:
            died_running(export_job(team))
        return len(waits) == 2

    monkeypatch.setattr(threading.Event, "wait", stop_after_two_passes)
    # Between passes the command drops broken connections; the test's transaction must stay open.
    monkeypatch.setattr("articles.management.commands.recover_jobs.close_old_connections", lambda: None)
    call_command("recover_jobs", stale_after=60, every=30)
    assert waits == [30, 30]
    assert capsys.readouterr().out == (
        "Queued 1 job(s) again and failed 0 whose worker stopped responding; "
        "queued 0 webhook delivery(ies) again; indexed 0 new article(s) for search; "
        "queued 0 re-fetch(es) of watched articles.\n"
    )
    assert Job.objects.get().status == JobStatus.QUEUED
