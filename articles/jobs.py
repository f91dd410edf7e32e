"""Background jobs: start one, run it in a worker, follow its progress, cancel it, retry it, prune it.

A job is a Job row (what users see) plus one django-tasks task that carries only its id (`run_job`). The
task claims the job under a row lock, so a task delivered twice runs the job once; it then calls the
runner registered for the job's kind (articles.job_runners), which reports progress through a
`JobProgress` and stores its result through `store_result`. Every change of status after the claim is
a conditional update from `running`, so a cancel that lands while the runner works wins, and the
runner stops at its next progress report. Network errors (OSError, timeouts among them) put the job
back in the queue with exponential backoff until JOB_MAX_ATTEMPTS; any other error fails it with a
message for its starter. Starting a job needs an idempotency key, unique per project and kind: the same
request twice, or a retried one, finds the job already made and never stores anything twice.

A worker killed mid-run (SIGKILL, a lost machine) cannot say so, and its job would stay `running` for
ever. So a running job has a heartbeat: every progress write, and a thread of the worker every
HEARTBEAT_SECONDS while the runner works, note the time on the job; `recover` (command `recover_jobs`)
puts running jobs whose heartbeat is older than STALE_AFTER back in the queue as a new attempt, or fails
them after JOB_MAX_ATTEMPTS. The dead attempt loses the job (every write of an attempt is conditional on
its number), and its leftover file is replaced by the next attempt's, so a recovered job still stores
its result once.

A webhook delivery is a job too (kind `webhook_delivery`), but not run by `run_job`: articles.webhooks
sends it with its own task and writes the job along with the delivery. So `recover` and `prune` leave
those jobs to it (a stuck delivery is recovered there; its job lives as long as the hook's log keeps the
delivery), and cancelling one goes through the canceller it registers (`register_canceller`).
"""

from __future__ import annotations

import logging
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django_tasks import default_task_backend, task
from django_tasks.base import TaskResultStatus
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from articles.access import MAX_ID, require, role_in
from articles.errors import AlreadyExists, DomainError, InvalidInput
from articles.models import Job, JobKind, JobStatus, Project, Role
from articles.permissions import Action

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 100
MAX_RETRY_DELAY = 3600.0  # seconds: backoff doubles up to an hour
PROGRESS_INTERVAL = 0.5  # seconds between progress writes (each also checks for a cancel)
HEARTBEAT_SECONDS = 5.0  # a running job's worker shows it is alive at least this often
STALE_AFTER = 60.0  # seconds without a heartbeat before `recover` takes a running job's worker for dead


class JobCancelled(Exception):
    """Raised inside a runner at a progress report once its job was cancelled: the runner stops there."""


@dataclass(frozen=True)
class Runner:
    """What a kind of job needs: who may start it, how its parameters are checked, and the work itself."""

    action: Action
    check: Callable[[Project, Any, Mapping[str, Any]], dict[str, Any]]  # (project, user, params) -> params
    run: Callable[[Job, JobProgress], None]


RUNNERS: dict[str, Runner] = {}
CANCELLERS: dict[str, Callable[[Job], None]] = {}


def register(kind: str, runner: Runner) -> None:
    """Make `kind` startable; articles.job_runners registers the built-in kinds when the app is ready."""
    RUNNERS[kind] = runner


def register_canceller(kind: str, cancel: Callable[[Job], None]) -> None:
    """Cancel jobs of `kind` with `cancel(job)` instead of the plain update: for a kind whose work lives in rows
    of its own that must stop with the job, in one transaction (a webhook delivery)."""
    CANCELLERS[kind] = cancel


def results() -> Storage:
    """The storage result files live in (STORAGES["job_results"]); never served by URL."""
    return storages["job_results"]


# Starting --------------------------------------------------------------------------------------------------


def _runner(kind: str) -> Runner:
    if kind not in RUNNERS:
        raise InvalidInput.single("kind", f"Choose one of: {', '.join(sorted(RUNNERS))}.")
    return RUNNERS[kind]


def _key(idempotency_key: str | None) -> str:
    if idempotency_key is None or idempotency_key == "":
        return secrets.token_urlsafe(24)
    if not isinstance(idempotency_key, str) or len(idempotency_key) > MAX_KEY_LENGTH:
        raise InvalidInput.single("idempotency_key", f"Give a text of at most {MAX_KEY_LENGTH} characters.")
    if not idempotency_key.isprintable() or not idempotency_key.isascii():
        raise InvalidInput.single("idempotency_key", "Use printable ASCII characters only.")
    return idempotency_key


def _same_request(existing: Job, params: dict[str, Any], user) -> Job:
    """The job a repeated request made. The caller's key used for other parameters is a conflict (with their
    job); someone else's key is refused without a word about their job."""
    if existing.created_by_id != getattr(user, "pk", None):
        raise InvalidInput.single("idempotency_key", "This key is already in use in this project; choose another.")
    if existing.params != params:
        raise AlreadyExists(existing, "This idempotency key was already used for another request.")
    return existing


def start_job(
    project: Project, *, kind: str, by, params: Mapping[str, Any], idempotency_key: str | None = None
) -> tuple[Job, bool]:
    """Queue a job of `kind` in `project` for `by`; return it and whether it is new.

    The runner's action decides who may start it (articles.access.require); its parameters are checked
    before anything is stored (InvalidInput names the field). Without a key every call starts a job.
    """
    runner = _runner(kind)
    require(role_in(project, by), runner.action)
    return _start(project, kind, by, runner.check(project, by, params), _key(idempotency_key))


def start_scheduled_job(project: Project, *, kind: str, params: Mapping[str, Any], key: str) -> tuple[Job, bool]:
    """Queue a job the server starts on its own schedule (a watched article's re-fetch): no member started it,
    so its project's owners see it; `key` names the slot, so passes on several machines queue it once."""
    runner = _runner(kind)
    return _start(project, kind, None, runner.check(project, None, params), _key(key))


def _start(project: Project, kind: str, by, checked: dict[str, Any], key: str) -> tuple[Job, bool]:
    existing = Job.objects.filter(project=project, kind=kind, idempotency_key=key).first()
    if existing is not None:
        return _same_request(existing, checked, by), False
    try:
        with transaction.atomic():
            job = Job.objects.create(project=project, kind=kind, created_by=by, params=checked, idempotency_key=key)
            _enqueue(job)
    except IntegrityError:  # the same request, at the same moment, in another process
        existing = Job.objects.filter(project=project, kind=kind, idempotency_key=key).first()
        if existing is None:
            raise
        return _same_request(existing, checked, by), False
    job.refresh_from_db()
    return job, True


def _enqueue(job: Job, delay: float = 0.0) -> None:
    """Hand the job to the queue (after `delay` seconds, when the backend can wait) and note the task's id."""
    queued = run_job
    if delay and default_task_backend.supports_defer:
        queued = run_job.using(run_after=timezone.now() + timedelta(seconds=delay))
    result = queued.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


# Reading and cancelling ---------------------------------------------------------------------------------


def jobs_for(user):
    """Jobs `user` may see: their own in their projects, and all jobs of projects they own."""
    return Job.objects.visible_to(user).select_related("project", "created_by")


def job_for(user, job_id: object) -> Job:
    """One job `user` may see, else a 404 (unknown, foreign, malformed and out-of-range ids alike)."""
    try:
        pk = int(job_id)
    except (TypeError, ValueError):
        pk = 0
    job = jobs_for(user).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if job is None:
        raise Http404("No such job in your projects.")
    return job


def cancel_job(job: Job, *, by) -> Job:
    """Cancel a queued or running job (its starter or a project owner); a finished job stays as it is.

    A queued job never starts; a running one stops at its next progress report and keeps no result.
    """
    if job.created_by_id != getattr(by, "pk", None) and role_in(job.project, by) != Role.OWNER:
        raise PermissionDenied("Only the member who started a job, or an owner, may cancel it.")
    CANCELLERS.get(job.kind, _cancel)(job)
    job.refresh_from_db()
    return job


def _cancel(job: Job) -> None:
    Job.objects.filter(pk=job.pk, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
        status=JobStatus.CANCELLED, finished_at=timezone.now()
    )


# Running ------------------------------------------------------------------------------------------------


class JobProgress:
    """A runner's progress reports (tqdm's reset/update, so export_scope.export takes it as is).

    Reports are written at most every PROGRESS_INTERVAL seconds, each as an update of the running job
    that also finds out whether it was cancelled (JobCancelled). A runner inside its own transaction (an
    export's snapshot on PostgreSQL) could neither write there nor show others what it wrote, so its
    reports then go through a second connection, on a helper thread.
    """

    def __init__(self, job: Job):
        self.job = job
        self.done = 0
        self.total: int | None = None
        self._written_at = 0.0
        self._outer_atomic = connection.in_atomic_block  # a test's transaction, or the caller's
        self._helper: ThreadPoolExecutor | None = None

    def reset(self, total: int | None = None) -> None:
        self.done, self.total = 0, total
        self._write(force=True)

    def update(self, n: int = 1) -> None:
        self.done += n
        self._write()

    def check(self) -> None:
        """Stop here (JobCancelled) if the job was cancelled; reports check this too."""
        self._write(force=True)

    def _write(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written_at < PROGRESS_INTERVAL:
            return
        self._written_at = now
        done = self.done if self.total is None else min(self.done, self.total)
        if connection.in_atomic_block and not self._outer_atomic:
            if self._helper is None:
                self._helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"job-{self.job.pk}")
            updated = self._helper.submit(self._update, done).result()
        else:
            updated = self._update(done)
        if not updated:
            raise JobCancelled

    def _update(self, done: int) -> int:
        return _this_attempt(self.job).update(done=done, total=self.total, heartbeat_at=timezone.now())

    def close(self) -> None:
        if self._helper is not None:
            self._helper.submit(lambda: connection.close()).result()  # looked up there: the helper's own
            self._helper.shutdown()
            self._helper = None


def store_result(job: Job, chunks: Iterable[str | bytes], *, name: str, media_type: str) -> str:
    """Write a runner's output to the job's result file and note it on the job; return the stored path.

    The file is spooled to a temporary file first (memory stays flat), then saved under a path made only
    of the job's ids: a retry replaces what an earlier attempt may have left, so there is never a second
    copy. `name` is what a download is called.
    """
    storage = results()
    path = _result_file(job)
    with tempfile.TemporaryFile() as spool:
        for chunk in chunks:
            spool.write(chunk.encode() if isinstance(chunk, str) else chunk)
        size = spool.tell()
        spool.seek(0)
        if storage.exists(path):
            storage.delete(path)
        stored = storage.save(path, File(spool, name=name))
    job.result_path, job.result_name, job.result_type, job.result_size = stored, name, media_type, size
    return stored


def _result_file(job: Job) -> str:
    """Where every attempt of the job writes its result: one path, so a later attempt replaces an earlier one's."""
    return f"jobs/{job.project_id}/{job.pk}/result"


class Heartbeat:
    """Notes on the job, every HEARTBEAT_SECONDS while its runner works, that its worker is alive.

    Progress writes beat too, but a runner may spend long in one step (a big query, a slow server); this
    thread beats regardless, on its own database connection (closed when it stops). It stops beating
    once the attempt has lost the job (cancelled, or recovered as dead). A job run inside the caller's
    transaction (the immediate backend in tests) beats only with its progress writes: another
    connection would not see the row.
    """

    def __init__(self, job: Job):
        self._job = job
        self._interval = HEARTBEAT_SECONDS
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        if not connection.in_atomic_block:
            self._thread = threading.Thread(target=self._beat, name=f"job-{job.pk}-heartbeat", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        try:
            while not self._stopped.wait(self._interval):
                try:
                    if not _this_attempt(self._job).update(heartbeat_at=timezone.now()):
                        return
                except DatabaseError:  # the database is briefly away: try again at the next beat
                    logger.warning("Job %s: could not write its heartbeat", self._job.pk, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _this_attempt(job: Job):
    """The job while this attempt still owns it: running, and not cancelled or claimed again since."""
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)


def _claim(job_id: int) -> Job | None:
    """Mark the job running under a row lock; None when it is not queued (done, cancelled or taken)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.QUEUED:
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.error = ""
        job.save(update_fields=["status", "attempts", "started_at", "heartbeat_at", "error"])
    return job


def _finish(job: Job, status: str, **fields: Any) -> bool:
    """Move a running job to `status`; False when it was cancelled meanwhile (then nothing changes)."""
    return bool(_this_attempt(job).update(status=status, finished_at=timezone.now(), **fields))


def retry_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: JOB_RETRY_SECONDS, doubled after each attempt, at most an hour."""
    return min(MAX_RETRY_DELAY, settings.JOB_RETRY_SECONDS * 2 ** max(0, attempt - 1))


def _retry_or_fail(job: Job, error: OSError) -> None:
    reason = f"A network or storage error: {error.strerror or error.__class__.__name__}"
    if job.attempts >= settings.JOB_MAX_ATTEMPTS:
        _finish(job, JobStatus.FAILED, error=f"{reason}. Gave up after {job.attempts} attempts.")
        return
    delay = retry_delay(job.attempts)
    requeued = _this_attempt(job).update(
        status=JobStatus.QUEUED, error=f"{reason}. Attempt {job.attempts + 1} in {delay:g} s."
    )
    if requeued:
        _enqueue(job, delay)


def _message(error: Exception) -> str:
    if isinstance(error, InvalidInput):
        return " ".join(f"{field}: {message}" for field, messages in error.errors.items() for message in messages)
    return str(error)


def _discard_result(job: Job) -> None:
    """Delete the file this attempt stored, unless a later attempt has claimed the job since (this one's worker
    was taken for dead and `recover` queued the job again): all attempts share the path, so the file is theirs."""
    if job.result_path and not Job.objects.filter(pk=job.pk, attempts__gt=job.attempts).exists():
        results().delete(job.result_path)


@task()
def run_job(job_id: int) -> str:
    """The one task of every job: claim it, run its kind's runner, record how it ended.

    Returns the job's status afterwards (the task queue keeps it), or "skipped" for a job that was not
    waiting to run (already done, cancelled, or taken by a task delivered twice).
    """
    job = _claim(job_id)
    if job is None:
        return "skipped"
    progress = JobProgress(job)
    heartbeat = Heartbeat(job)
    try:
        _runner(job.kind).run(job, progress)
    except JobCancelled:
        _discard_result(job)
    except OSError as error:  # ConnectionError, TimeoutError, socket errors, storage I/O: worth another try
        _discard_result(job)
        _retry_or_fail(job, error)
    except (DomainError, PermissionDenied) as error:  # refused as asked: the message says why
        _discard_result(job)
        _finish(job, JobStatus.FAILED, error=_message(error))
    except Exception:
        logger.exception("Job %s (%s) failed", job.pk, job.kind)
        _discard_result(job)
        _finish(job, JobStatus.FAILED, error="The job stopped on an unexpected error; it is in the server's log.")
    else:
        expires = timezone.now() + timedelta(days=settings.JOB_RESULT_DAYS) if job.result_path else None
        fields = {
            "done": progress.total if progress.total is not None else progress.done,
            "total": progress.total if progress.total is not None else progress.done,
            "result_path": job.result_path,
            "result_name": job.result_name,
            "result_type": job.result_type,
            "result_size": job.result_size,
            "result_expires_at": expires,
        }
        if not _finish(job, JobStatus.SUCCEEDED, **fields):
            _discard_result(job)  # cancelled at the last moment: keep nothing
    finally:
        heartbeat.stop()
        progress.close()
    return Job.objects.filter(pk=job.pk).values_list("status", flat=True).first() or "deleted"


# Recovering jobs whose worker died ---------------------------------------------------------------------


class WorkerDied(Exception):
    """The error recorded on the queue's row of a task whose worker died (`recover` closes that row)."""


@dataclass(frozen=True)
class Recovered:
    requeued: int
    failed: int


def recover(stale_after: float = STALE_AFTER, now=None) -> Recovered:
    """Queue again every running job whose heartbeat is older than `stale_after` seconds; fail those that
    already had JOB_MAX_ATTEMPTS attempts. Return how many of each.

    The dead attempt counts as an attempt (it was counted when claimed), and the next one waits the same
    backoff as after a network error, so a job that kills its workers (say, out of memory) ends failed
    instead of taking down every worker in turn. Each change is one conditional update of the stale
    attempt, so passes running at once on several machines, or a worker's late heartbeat, never recover a
    job twice or take one from a live worker. `stale_after` must leave room for a few missed beats.
    """
    if stale_after < 3 * HEARTBEAT_SECONDS:
        raise ValueError(f"stale_after must be at least {3 * HEARTBEAT_SECONDS:g} s (three heartbeats).")
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=stale_after)
    stale = Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
    requeued = failed = 0
    running = (
        Job.objects.filter(stale, status=JobStatus.RUNNING)
        .exclude(kind=JobKind.WEBHOOK_DELIVERY)  # articles.webhooks.recover_deliveries recovers those
        .only("pk", "project_id", "attempts", "task_id")
    )
    for job in running:
        with transaction.atomic():
            if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                message = f"The worker running it stopped responding. Gave up after {job.attempts} attempts."
                if _this_attempt(job).filter(stale).update(status=JobStatus.FAILED, finished_at=now, error=message):
                    _close_dead_task(job.task_id, now)
                    results().delete(_result_file(job))  # whatever the dead attempt left
                    failed += 1
                continue
            delay = retry_delay(job.attempts)
            message = f"The worker running it stopped responding. Attempt {job.attempts + 1} in {delay:g} s."
            if _this_attempt(job).filter(stale).update(status=JobStatus.QUEUED, error=message):
                _close_dead_task(job.task_id, now)
                _enqueue(job, delay)
                requeued += 1
    if requeued or failed:
        logger.warning("Recovered jobs whose worker died: %d queued again, %d failed", requeued, failed)
    return Recovered(requeued=requeued, failed=failed)


def _close_dead_task(task_id: str, now) -> None:
    """Mark the queue's row of the dead attempt's task failed, as its worker would have: left `RUNNING` it
    would never be pruned (`prune_db_task_results` removes finished rows only)."""
    if task_id and isinstance(run_job.get_backend(), DatabaseBackend):
        DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
            traceback="The worker running this task stopped responding; its job was recovered (articles.jobs.recover).",
        )


# Results and pruning -----------------------------------------------------------------------------------


def result_available(job: Job) -> bool:
    """Whether the job's file can be downloaded now: it succeeded, has a file, and the file has not expired."""
    return (
        job.status == JobStatus.SUCCEEDED
        and bool(job.result_path)
        and (job.result_expires_at is None or job.result_expires_at > timezone.now())
    )


@dataclass(frozen=True)
class Pruned:
    files: int
    jobs: int


def prune(now=None) -> Pruned:
    """Delete result files past their days (the job stays, without its file) and finished jobs past JOB_KEEP_DAYS
    (but for webhook deliveries': they last as long as the hook's log keeps the delivery)."""
    now = now or timezone.now()
    storage = results()
    expired = Job.objects.filter(result_expires_at__lte=now).exclude(result_path="")
    files = 0
    for pk, path in expired.values_list("pk", "result_path").iterator():
        storage.delete(path)
        files += Job.objects.filter(pk=pk, result_path=path).update(result_path="", result_size=None)
    # A webhook delivery's job goes with its delivery, when the hook's log trims it (articles.webhooks.trim).
    old = Job.objects.filter(finished_at__lte=now - timedelta(days=settings.JOB_KEEP_DAYS)).exclude(
        kind=JobKind.WEBHOOK_DELIVERY
    )
    for path in old.exclude(result_path="").values_list("result_path", flat=True).iterator():
        storage.delete(path)
        files += 1
    jobs, _ = old.delete()
    return Pruned(files=files, jobs=jobs)
