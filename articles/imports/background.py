"""Imports that run as background jobs (articles.jobs): lists of web addresses, and large uploaded files.

`url_import`: up to MAX_ADDRESSES addresses, fetched one after another through the guarded fetcher
(articles.fetching) and each stored on its own, all or nothing for that address: its article and its
ImportItem (what became of it) are written in one transaction. So a retried job knows which addresses
are done and never fetches or stores one twice, and a duplicated job (or an address already imported)
finds the article by its text hash and reports it as already there. A network error on one address
(a refused, reset or timed-out connection, a temporary DNS failure, a 429 or 5xx answer) does not stop
the others: the pass goes on, and at its end the job raises OSError, which puts it back in the queue
with the job machinery's backoff (JOB_RETRY_SECONDS, doubled each time); the next attempt fetches only
the addresses still waiting. On the last attempt (JOB_MAX_ATTEMPTS) they are reported as failed. Any
other failure (refused by the SSRF guard, a 404, no article text in the page) is reported at once.

`file_import`: uploaded files above IMPORT_BACKGROUND_BYTES, staged in the database
(articles.imports.staging) by the web server and read, checked and stored by a worker, all or nothing,
as the direct path does; articles checked are its progress. A refused import fails the job with every
problem and its line at fault.

The report of either kind is the job's result file (JSON), and the import page shows it.
"""

from __future__ import annotations

import errno
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction

from articles.access import require, role_in
from articles.errors import DomainError, InvalidInput
from articles.fetching import FetchError, check_address, fetch
from articles.imports import read_page, staging
from articles.imports.committing import commit, run_import
from articles.imports.outcome import ImportFailed, ImportPlan
from articles.imports.planning import plan_import
from articles.jobs import JobProgress, results, store_result
from articles.models import ImportItem, ImportOutcome, Job, JobKind, Project
from articles.permissions import Action

URL_IMPORT = JobKind.URL_IMPORT
FILE_IMPORT = JobKind.FILE_IMPORT
KINDS = frozenset({URL_IMPORT, FILE_IMPORT})
MAX_ADDRESSES = 1000
MAX_ADDRESS_LENGTH = 2000
MAX_LISTED_PROBLEMS = 50
REPORT_NAME = "import-report.json"
REPORT_TYPE = "application/json"


class ImportRefused(DomainError):
    """A background file import refused as a whole: the job fails with every problem, each on its own line."""

    @classmethod
    def of(cls, plan: ImportPlan) -> ImportRefused:
        problems = [str(problem) for problem in plan.problems]
        lines = [f"Nothing was imported: {len(problems)} problem(s).", *problems[:MAX_LISTED_PROBLEMS]]
        if len(problems) > MAX_LISTED_PROBLEMS:
            lines.append(f"… and {len(problems) - MAX_LISTED_PROBLEMS} more.")
        return cls("\n".join(lines))


def addresses_in(text: str) -> list[str]:
    """The addresses of a list as typed: one per line, blank lines and surrounding spaces left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _unknown(params: Mapping[str, Any], allowed: frozenset[str]) -> None:
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InvalidInput({str(name)[:64]: ["Unknown field."] for name in unknown[:20]})


def check_url_import(project: Project, user, params: Mapping[str, Any]) -> dict[str, Any]:
    """The addresses as stored: 1 to MAX_ADDRESSES texts, each refused at once when it can never be fetched as
    written (malformed, not http(s), credentials, a port not allowed). Errors map `urls` to the index of each
    bad address and its message (InvalidInput), so a page can name the line and the API the item."""
    _unknown(params, frozenset({"urls"}))
    urls = params.get("urls")
    if not isinstance(urls, list) or not urls:
        raise InvalidInput.single("urls", "Give at least one web address.")
    if len(urls) > MAX_ADDRESSES:
        raise InvalidInput.single("urls", f"Import at most {MAX_ADDRESSES} web addresses at once ({len(urls)} given).")
    problems: dict[int, list[str]] = {}
    for index, url in enumerate(urls):
        if not isinstance(url, str) or not url.strip():
            problems[index] = ["Give a web address as text."]
        elif len(url) > MAX_ADDRESS_LENGTH:
            problems[index] = [f"A web address has at most {MAX_ADDRESS_LENGTH} characters."]
        else:
            try:
                check_address(url)
            except FetchError as error:
                problems[index] = [str(error)]
    if problems:
        raise InvalidInput({"urls": problems})
    return {"urls": [url.strip() for url in urls]}


def _items(job: Job) -> list[ImportItem]:
    """The job's addresses with what became of each; made on the first attempt, read again on a retry."""
    ImportItem.objects.bulk_create(
        [ImportItem(job=job, number=n, address=url) for n, url in enumerate(job.params["urls"], 1)],
        ignore_conflicts=True,
    )
    return list(ImportItem.objects.filter(job=job).order_by("number"))


def _record(item: ImportItem, outcome: str, *, message: str = "", article_id: int | None = None, title: str = ""):
    item.outcome, item.message, item.article_id, item.title = outcome, message, article_id, title[:500]
    item.save(update_fields=["outcome", "message", "article", "title", "attempts"])


def _store_page(item: ImportItem, page, project: Project, user) -> None:
    """Read a fetched page and store its article, or note why not, in one transaction with the item."""
    with transaction.atomic():
        plan = plan_import(project, [read_page(page)], by=user)
        if not plan.problems and plan.articles:
            try:
                commit(plan)  # in a savepoint: a refused INSERT leaves this transaction usable
            except ImportFailed:  # stored meanwhile by someone else: it is there now
                plan = plan_import(project, [read_page(page)], by=user)
        if plan.problems:
            _record(item, ImportOutcome.FAILED, message=plan.problems[0].message)
        elif plan.committed and plan.articles:
            _record(item, ImportOutcome.STORED, article_id=plan.articles[0].pk, title=plan.articles[0].title)
        else:
            skipped = plan.skipped[0]
            _record(
                item,
                ImportOutcome.DUPLICATE,
                message=skipped.reason,
                article_id=skipped.existing_id,
                title=skipped.title,
            )


def _import_address(item: ImportItem, project: Project, user, *, last_attempt: bool) -> bool:
    """Fetch and store one address; False when it met a network error and waits for the job's next attempt."""
    item.attempts += 1
    try:
        page = fetch(item.address)
    except FetchError as error:
        if error.transient and not last_attempt:
            ImportItem.objects.filter(pk=item.pk).update(attempts=item.attempts)
            return False
        _record(item, ImportOutcome.FAILED, message=str(error))
        return True
    _store_page(item, page, project, user)
    return True


def run_url_import(job: Job, progress: JobProgress) -> None:
    """Fetch and store each address still waiting; retry the unreachable ones with backoff; write the report."""
    project, user = job.project, job.created_by
    require(role_in(project, user), Action.IMPORT)
    items = _items(job)
    progress.reset(total=len(items))
    progress.update(sum(item.outcome != ImportOutcome.PENDING for item in items))
    last_attempt = job.attempts >= settings.JOB_MAX_ATTEMPTS
    waiting = 0
    for item in items:
        if item.outcome != ImportOutcome.PENDING:
            continue
        progress.check()  # a cancelled job fetches nothing more
        if _import_address(item, project, user, last_attempt=last_attempt):
            progress.update()
        else:
            waiting += 1
    if waiting:
        progress.check()  # the page shows how far this attempt got while the job waits for the next
        raise OSError(errno.EAGAIN, f"{waiting} of {len(items)} web address(es) could not be reached")
    store_result(job, [json.dumps(url_report(job), ensure_ascii=False)], name=REPORT_NAME, media_type=REPORT_TYPE)


def url_report(job: Job) -> dict[str, Any]:
    """What became of each address: stored, already there (duplicate), failed with the reason, or waiting."""
    items = list(ImportItem.objects.filter(job=job).order_by("number"))
    counts = {outcome: sum(item.outcome == outcome for item in items) for outcome in ImportOutcome.values}
    return {
        **counts,
        "addresses": [
            {
                "number": item.number,
                "url": item.address,
                "outcome": item.outcome,
                "article": item.article_id,
                "title": item.title,
                "message": item.message,
                "attempts": item.attempts,
            }
            for item in items
        ],
    }


def check_file_import(project: Project, user, params: Mapping[str, Any]) -> dict[str, Any]:
    """The staged files' token (theirs, in this project, still kept) and the site's article address prefix."""
    _unknown(params, frozenset({"staging", "own_prefix"}))
    token, prefix = params.get("staging"), params.get("own_prefix") or ""
    if not isinstance(token, str) or not staging.exists(token, user_id=user.pk, project_id=project.pk):
        raise InvalidInput.single("staging", "These files are no longer waiting; choose them again.")
    if not isinstance(prefix, str) or not prefix.startswith(("http://", "https://")):
        raise InvalidInput.single("own_prefix", "The site's address is missing.")
    return {"staging": token, "own_prefix": prefix}


def run_file_import(job: Job, progress: JobProgress) -> None:
    """Read, check and store the staged files all or nothing; the staging is deleted once the job is done
    with it (kept for a retry after a network or storage error)."""
    token = job.params["staging"]
    entries = staging.load(token, user_id=job.created_by_id, project_id=job.project_id)
    if entries is None:
        raise ImportRefused("The uploaded files are no longer kept; upload them again.")
    try:
        plan = run_import(
            job.project,
            staging.batches(entries),
            by=job.created_by,
            own_prefix=job.params["own_prefix"],
            progress=progress,
        )
        store_result(job, [json.dumps(plan.summary(), ensure_ascii=False)], name=REPORT_NAME, media_type=REPORT_TYPE)
    except OSError:
        raise  # the job is tried again, and reads the same files (the plan skips what a first try stored)
    except ImportFailed as failure:
        staging.discard(token)
        raise ImportRefused.of(failure.plan) from None
    except BaseException:
        staging.discard(token)
        raise
    staging.discard(token)


def stored_report(job: Job) -> dict[str, Any] | None:
    """The report a finished import job wrote (its result file), or None once the file has expired."""
    if not job.result_path:
        return None
    try:
        with results().open(job.result_path, "rb") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError):
        return None
