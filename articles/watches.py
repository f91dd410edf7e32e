"""Watched articles: their URL fetched again, by hand or on a schedule, and a changed text brought in as a revision.

A re-fetch is a job (articles.jobs: queued, retried with backoff on network errors, cancellable); it
fetches the page through the URL import's guard (articles.fetching), extracts the article's text as a URL
import does (trafilatura), and adds it with articles.revisions.add_revision, which does nothing when the
text did not change.

The schedule: every hour for the project's `watch_hourly_days` after publication (or, without a date, after
the article was added), then daily until `watch_daily_days`; 0 and 0 stop watching. `queue_due` is one pass
of it, run by `manage.py recover_jobs` with the other periodic work; a pass on several machines at once
queues each re-fetch once (the job's idempotency key names the article and the slot).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import trafilatura
from django.db.models import F, Q
from django.utils import timezone

from articles.errors import InvalidInput
from articles.fetching import FetchError, fetch
from articles.imports.documents import read_html
from articles.jobs import JobProgress, Runner, register, start_job, start_scheduled_job
from articles.models import Article, Job, JobKind, Project, RevisionSource
from articles.permissions import Action
from articles.revisions import add_revision

EXTRACTOR_VERSION = f"trafilatura {trafilatura.__version__}"
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
MAX_PER_PASS = 500  # a pass queues at most this many re-fetches; the rest wait for the next pass


def _watched_article(project: Project, params: Mapping[str, Any]) -> Article:
    article_id = params.get("article")
    if set(params) - {"article"} or isinstance(article_id, bool) or not isinstance(article_id, int):
        raise InvalidInput.single("article", "Give the id of an article of this project.")
    article = Article.objects.filter(project=project, pk=article_id).defer("text").first()
    if article is None:
        raise InvalidInput.single("article", "Give the id of an article of this project.")
    if not article.url.startswith(("http://", "https://")):
        raise InvalidInput.single("article", "This article has no web address to fetch.")
    return article


def check_refetch(project: Project, user, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"article": _watched_article(project, params).pk}


def start_refetch(article: Article, *, by) -> Job:
    """Queue a re-fetch of the article's URL now (owners and reviewers); the same member's second click within
    the minute finds the first job."""
    job, _ = start_job(
        article.project,
        kind=JobKind.REFETCH,
        by=by,
        params={"article": article.pk},
        idempotency_key=f"{article.pk}:r{article.text_revision}:u{by.pk}:{timezone.now():%Y%m%d%H%M}",
    )
    return job


def run_refetch(job: Job, progress: JobProgress) -> None:
    """Fetch the page, extract its text and add it as a revision if it changed (network errors retry the job)."""
    article = _watched_article(job.project, job.params)
    progress.reset(total=1)
    try:
        page = fetch(article.url)
    except FetchError as error:
        if error.transient:
            raise OSError(str(error)) from error  # articles.jobs retries it with backoff
        raise InvalidInput.single("url", f"The page could not be fetched: {error}") from None
    batch = read_html(article.url, page.body, url=page.url)
    if batch.problems or not batch.articles:
        raise InvalidInput.single("text", "No article text was found on the page.")
    add_revision(
        article,
        by=job.created_by,
        text=batch.articles[0].text,
        source=RevisionSource.FETCH,
        note="Fetched again by the watch" if job.created_by is None else "",
        fetched_url=page.url[:2000],
        extractor_version=EXTRACTOR_VERSION,
    )
    Article.objects.filter(pk=article.pk).update(watch_checked_at=timezone.now())
    progress.update(1)


def interval(project: Project, published: datetime, now: datetime) -> timedelta | None:
    """How often an article published at `published` is fetched now, or None once it is no longer watched."""
    age = now - published
    if age < timedelta(days=project.watch_hourly_days):
        return HOUR
    if age < timedelta(days=max(project.watch_hourly_days, project.watch_daily_days)):
        return DAY
    return None


def due(now: datetime | None = None) -> list[Article]:
    """Watched articles whose next re-fetch is due (at most MAX_PER_PASS), those never checked first."""
    now = now or timezone.now()
    found: list[Article] = []
    watching = Project.objects.filter(Q(watch_hourly_days__gt=0) | Q(watch_daily_days__gt=0)).defer("guidelines")
    for project in watching.order_by("id"):
        since = now - timedelta(days=max(project.watch_hourly_days, project.watch_daily_days))
        candidates = (
            Article.objects.filter(project=project)
            .filter(Q(url__startswith="http://") | Q(url__startswith="https://"))
            .filter(Q(published_at__gte=since) | Q(published_at__isnull=True, created_at__gte=since))
            .filter(Q(watch_checked_at__isnull=True) | Q(watch_checked_at__lte=now - HOUR))
            .defer("text")
            .order_by(F("watch_checked_at").asc(nulls_first=True), "id")
        )
        for article in candidates[: MAX_PER_PASS - len(found)]:
            article.project = project
            every = interval(project, article.published_at or article.created_at, now)
            if every is not None and (article.watch_checked_at is None or article.watch_checked_at <= now - every):
                found.append(article)
        if len(found) >= MAX_PER_PASS:
            break
    return found


def queue_due(now: datetime | None = None) -> int:
    """Queue a re-fetch job for every watched article that is due; return how many were queued."""
    now = now or timezone.now()
    queued = 0
    for article in due(now):
        hourly = interval(article.project, article.published_at or article.created_at, now) == HOUR
        slot = now.strftime("%Y%m%d%H" if hourly else "%Y%m%d")
        _, new = start_scheduled_job(
            article.project, kind=JobKind.REFETCH, params={"article": article.pk}, key=f"{article.pk}:watch:{slot}"
        )
        Article.objects.filter(pk=article.pk).update(watch_checked_at=now)
        queued += new
    return queued


register(JobKind.REFETCH, Runner(action=Action.REVISE_ARTICLES, check=check_refetch, run=run_refetch))
