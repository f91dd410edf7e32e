"""Watched articles: re-fetching an article's URL (by hand or on schedule) brings a changed text in as a revision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from articles import watches
from articles.errors import InvalidInput
from articles.jobs import run_job
from articles.models import Annotation, Article, ArticleRevision, Job, JobKind, JobStatus
from tests.api_client import api_as
from tests.factories import make_annotation, make_article
from tests.local_web_server import LocalWebServer

pytestmark = pytest.mark.django_db
OLD_TEXT = (
    "The harbour bridge will close for four weeks from April, the city’s transport office said on Monday.\n\n"
    "“Safety comes first,” said engineer Aiyana Lee."
)


@pytest.fixture
def server(settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    with LocalWebServer() as web:
        settings.URL_IMPORT_ALLOWED_PORTS = [web.port]
        yield web


def watched(team, url: str, *, published_days_ago: float | None = 1, **fields) -> Article:
    published = timezone.now() - timedelta(days=published_days_ago) if published_days_ago is not None else None
    text = fields.pop("text", OLD_TEXT + (f"\n\n({url})" if url else ""))  # each its own text
    return make_article(team["project"], text=text, url=url, published_at=published, **fields)


def test_a_refetch_brings_the_changed_page_in_as_a_revision_and_re_anchors(team, server):
    article = watched(team, server.url("/article"))
    quote = make_annotation(article, team["annotator"], label="quote", quote="“Safety comes first,”")
    job = watches.start_refetch(article, by=team["reviewer"])
    job.refresh_from_db()
    assert (job.kind, job.status, job.created_by) == (JobKind.REFETCH, JobStatus.SUCCEEDED, team["reviewer"])
    article.refresh_from_db()
    assert article.text_revision == 2 and "six weeks" in article.text
    revision = ArticleRevision.objects.get(article=article, number=2)
    assert (revision.source, revision.fetched_url, revision.created_by) == (
        "fetch",
        server.url("/article"),
        team["reviewer"],
    )
    assert revision.extractor_version.startswith("trafilatura ")
    quote.refresh_from_db()
    assert quote.anchor_status == "shifted" and article.text[quote.start : quote.end] == "“Safety comes first,”"
    again = watches.start_refetch(article, by=team["owner"])  # the page did not change since
    again.refresh_from_db()
    assert again.status == JobStatus.SUCCEEDED and again.pk != job.pk
    assert Article.objects.get(pk=article.pk).text_revision == 2


def test_who_may_refetch_and_what(team, server):
    article = watched(team, server.url("/article"))
    with pytest.raises(PermissionDenied):
        watches.start_refetch(article, by=team["annotator"])
    offline = watched(team, "", text="No address here.")
    with pytest.raises(InvalidInput):
        watches.start_refetch(offline, by=team["owner"])


def test_a_page_that_is_gone_fails_the_job_with_a_message_and_changes_nothing(team, server):
    article = watched(team, server.url("/missing"))
    job = watches.start_refetch(article, by=team["owner"])
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "could not be fetched" in job.error
    assert Article.objects.get(pk=article.pk).text_revision == 1


def test_the_schedule_is_hourly_then_daily_then_stops(team):
    project, now = team["project"], timezone.now()
    assert watches.interval(project, now - timedelta(hours=30), now) == watches.HOUR
    assert watches.interval(project, now - timedelta(days=10), now) == watches.DAY
    assert watches.interval(project, now - timedelta(days=31), now) is None
    project.watch_hourly_days = project.watch_daily_days = 0
    assert watches.interval(project, now, now) is None


def test_due_articles_are_those_whose_next_fetch_has_come(team):
    now = timezone.now()
    fresh = watched(team, "https://news.example.org/fresh")
    checked = watched(team, "https://news.example.org/checked")
    older = watched(team, "https://news.example.org/older", published_days_ago=10)
    older_waiting = watched(team, "https://news.example.org/older-waiting", published_days_ago=10)
    watched(team, "https://news.example.org/old", published_days_ago=40)
    watched(team, "", text="No address.")
    undated = watched(team, "https://news.example.org/undated", published_days_ago=None)
    Article.objects.filter(pk=checked.pk).update(watch_checked_at=now - timedelta(minutes=30))
    Article.objects.filter(pk=older.pk).update(watch_checked_at=now - timedelta(hours=25))
    Article.objects.filter(pk=older_waiting.pk).update(watch_checked_at=now - timedelta(hours=23))
    assert {a.pk for a in watches.due(now)} == {fresh.pk, older.pk, undated.pk}
    team["project"].watch_hourly_days = team["project"].watch_daily_days = 0
    team["project"].save()
    assert watches.due(now) == []


def test_a_pass_queues_each_due_refetch_once_as_a_job_owners_see(team, queue, server):
    article = watched(team, server.url("/article"))
    assert watches.queue_due() == 1
    assert watches.queue_due() == 0  # checked just now
    job = Job.objects.get(kind=JobKind.REFETCH)
    assert job.created_by is None and job.status == JobStatus.QUEUED
    assert api_as(team["owner"]).get(f"/api/v1/jobs/{job.pk}/").status_code == 200
    assert api_as(team["reviewer"]).get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert run_job.call(job.pk) == JobStatus.SUCCEEDED
    revision = ArticleRevision.objects.get(article=article, number=2)
    assert revision.created_by is None and revision.note == "Fetched again by the watch"
    assert Annotation.objects.filter(article=article).count() == 0


def test_ssrf10_a_refetch_goes_through_the_url_import_guard(team, settings):
    """A watched article whose address points inward is never fetched: the job fails with the generic message."""
    with LocalWebServer() as web:
        settings.URL_IMPORT_ALLOW_PRIVATE = False
        settings.URL_IMPORT_ALLOWED_PORTS = [web.port]
        article = watched(team, web.url("/article"))
        job = watches.start_refetch(article, by=team["owner"])
        job.refresh_from_db()
        assert job.status == JobStatus.FAILED and web.connections == 0
        assert "could not be fetched" in job.error and "127.0.0.1" not in job.error
    assert Article.objects.get(pk=article.pk).text_revision == 1
