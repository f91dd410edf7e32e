"""Which rows an export holds, read from one consistent snapshot in a constant number of queries.

A scope is a project (or one article of it) seen by one user: only annotations visible to that user
(AnnotationQuerySet.visible_to), narrowed by filters (labels, authors, review status, creation date).
Every article in scope is exported, with its matching annotations; rows are streamed from two
server-side cursors (articles by id, annotations by article then text order) merged in Python, so
memory stays flat and the query count does not grow with the size of the project.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone as django_timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles.errors import InvalidInput
from articles.exports.columns import annotation_columns, article_columns
from articles.exports.records import (
    LABEL_COLUMNS,
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    LabelRecord,
    ProjectRecord,
)
from articles.models import Annotation, Article, Label, Project, ReviewStatus

CHUNK_SIZE = 2000
MAX_FILTER_VALUES = 50


@dataclass(frozen=True)
class ExportFilters:
    labels: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    def as_dict(self) -> dict:
        """The filters as JSON-ready data, for the export's header."""
        return {
            "label": list(self.labels),
            "author": list(self.authors),
            "status": list(self.statuses),
            "since": self.since.isoformat().replace("+00:00", "Z") if self.since else None,
            "until": self.until.isoformat().replace("+00:00", "Z") if self.until else None,
        }


@dataclass(frozen=True)
class ExportScope:
    project: Project
    user: object
    article: Article | None = None
    filters: ExportFilters = field(default_factory=ExportFilters)


def _values(query: Mapping, name: str) -> tuple[str, ...]:
    """Read a filter given as repeated parameters and/or comma-separated values."""
    raw = query.getlist(name) if hasattr(query, "getlist") else query.get(name) or []
    values = [raw] if isinstance(raw, str) else list(raw)
    items = tuple(dict.fromkeys(item.strip() for value in values for item in str(value).split(",") if item.strip()))
    if len(items) > MAX_FILTER_VALUES:
        raise InvalidInput.single(name, f"Give at most {MAX_FILTER_VALUES} values.")
    return items


def _moment(value: str, name: str, *, end_of_day: bool) -> datetime | None:
    """Parse an ISO date or date-time; a bare `until` date includes that whole day (UTC)."""
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if day is not None:
        moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time.min)
    if moment is None:
        raise InvalidInput.single(name, "Use an ISO 8601 date (2024-05-01) or date-time (2024-05-01T09:30:00Z).")
    if django_timezone.is_naive(moment):
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def parse_filters(query: Mapping) -> ExportFilters:
    """Read export filters from query parameters: label, author, status, since, until."""
    statuses = _values(query, "status")
    unknown = [status for status in statuses if status not in ReviewStatus.values]
    if unknown:
        raise InvalidInput.single("status", f"Choose from {', '.join(ReviewStatus.values)}.")
    since = _moment(str(query.get("since") or "").strip(), "since", end_of_day=False)
    until = _moment(str(query.get("until") or "").strip(), "until", end_of_day=True)
    if since and until and until <= since:
        raise InvalidInput.single("until", "until must be later than since.")
    return ExportFilters(_values(query, "label"), _values(query, "author"), statuses, since, until)


def annotations_in(scope: ExportScope) -> QuerySet:
    """The annotations an export holds: visible to the user, in scope, matching the filters."""
    query = Annotation.objects.filter(article__project=scope.project).visible_to(scope.user)
    if scope.article is not None:
        query = query.filter(article=scope.article)
    f = scope.filters
    if f.labels:
        query = query.filter(label__key__in=f.labels)
    if f.authors:
        query = query.filter(author__username__in=f.authors)
    if f.statuses:
        query = query.filter(status__in=f.statuses)
    if f.since:
        query = query.filter(created_at__gte=f.since)
    if f.until:
        query = query.filter(created_at__lt=f.until)
    return query


def articles_in(scope: ExportScope) -> QuerySet:
    query = Article.objects.filter(project=scope.project)
    return query.filter(pk=scope.article.pk) if scope.article is not None else query


def _text_order(annotation: AnnotationRecord) -> tuple[int, int, int]:
    return annotation.start, -annotation.end, annotation.id


@contextmanager
def consistent_snapshot() -> Iterator[None]:
    """Read everything from one snapshot (DATA-5): a read-only REPEATABLE READ transaction on PostgreSQL.

    Inside an existing transaction that transaction's view applies. SQLite exports read without one:
    its transactions here begin IMMEDIATE and would lock out writers for the whole download.
    """
    if connection.in_atomic_block or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def header_for(scope: ExportScope, *, base_url: str) -> ExportHeader:
    """Read the project, its labels and the counts of what follows (three queries)."""
    p = scope.project
    labels = Label.objects.filter(project=p).order_by("order", "id").values_list(*LABEL_COLUMNS)
    return ExportHeader(
        project=ProjectRecord(p.pk, p.name, p.slug, p.description, p.guidelines, p.organisation, p.visibility),
        labels=tuple(LabelRecord._make(row) for row in labels),
        base_url=base_url,
        exported_at=django_timezone.now(),
        article_id=scope.article.pk if scope.article is not None else None,
        filters=scope.filters.as_dict(),
        article_count=articles_in(scope).count(),
        annotation_count=annotations_in(scope).count(),
    )


def articles_with_annotations(scope: ExportScope, *, article_fields: Collection[str] | None = None,
                              annotation_fields: Collection[str] | None = None) -> Iterator[ArticleWithAnnotations]:
    """Yield (article, its annotations in text order), merging two streams ordered by article id.

    Only the named fields are read (the rest are None); None means every field.
    """
    articles = (
        articles_in(scope).order_by("id").values_list(*article_columns(article_fields)).iterator(chunk_size=CHUNK_SIZE)
    )
    annotations = (
        annotations_in(scope)
        .order_by("article_id", "start")  # the index's order: no sort of a million wide rows in the database
        .values_list(*annotation_columns(annotation_fields))
        .iterator(chunk_size=CHUNK_SIZE)
    )
    make_annotation = AnnotationRecord._make
    try:
        pending = next(annotations, None)
        for row in articles:
            article = ArticleRecord._make(row)
            mine: list[AnnotationRecord] = []
            while pending is not None and pending[1] <= article.id:
                if pending[1] == article.id:
                    mine.append(make_annotation(pending))
                pending = next(annotations, None)
            mine.sort(key=_text_order)  # ties on start: longer first, then by id (nearly sorted: linear)
            yield article, mine
    finally:  # a client that hangs up closes both server-side cursors at once (LOAD-3)
        annotations.close()
        articles.close()
