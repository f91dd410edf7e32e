"""Which rows an export holds, read from one consistent snapshot in a constant number of queries.

A scope is a project (or one article of it) seen by one user: only annotations visible to that user
(AnnotationQuerySet.visible_to), narrowed by filters (labels, authors, review status, creation date).
Every article in scope is exported, with its matching annotations; rows are streamed from two
server-side cursors (articles by id, annotations by article then text order) merged in Python, so
memory stays flat and the query count does not grow with the size of the project. Formats that write
links read them from a third cursor, merged the same way: only links the user may see whose two ends are
both exported (links_in). Filters are checked completely in parse_filters, before a download sends its
first byte.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from django.db import connection, transaction
from django.db.models import CharField, F, Func, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, NullIf
from django.utils import timezone as django_timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles.errors import InvalidInput
from articles.exports import ANNOTATIONS, TABLES, WHAT, format_for
from articles.exports.records import (
    LABEL_COLUMNS,
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    LabelRecord,
    LinkRecord,
    LinkTypeRecord,
    ProjectRecord,
)
from articles.links import link_types_of
from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    EventAction,
    Label,
    Link,
    LinkType,
    Project,
    ReviewStatus,
)

CHUNK_SIZE = 2000
MAX_FILTER_VALUES = 50
MAX_VALUE_LENGTH = 150  # the longest username; label keys are shorter
# Every query parameter an export takes; parse_filters checks all but `format`, which picks the writer.
EXPORT_PARAMETERS = frozenset({"format", "page", "label", "author", "status", "since", "until", "include", "what"})
INCLUDE_VALUES = ("orphaned",)
# Control characters (NUL among them: PostgreSQL refuses it in text) and lone surrogates (undecodable argv).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass(frozen=True)
class ExportFilters:
    labels: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    page: int | None = None  # which page of the collection was asked for; it holds every row
    orphaned: bool = False  # include=orphaned: also the annotations a revision left without a place
    what: str = ANNOTATIONS  # what=links: the table of links instead of the annotations (CSV only)

    def as_dict(self) -> dict:
        """The filters as JSON-ready data, for the export's header."""
        return {
            "label": list(self.labels),
            "author": list(self.authors),
            "status": list(self.statuses),
            "since": self.since.isoformat().replace("+00:00", "Z") if self.since else None,
            "until": self.until.isoformat().replace("+00:00", "Z") if self.until else None,
            "include": ["orphaned"] if self.orphaned else [],
        }


@dataclass(frozen=True)
class ExportScope:
    project: Project
    user: object
    article: Article | None = None
    filters: ExportFilters = field(default_factory=ExportFilters)


def _checked(value: str, name: str) -> str:
    """Refuse what no label, username or date holds, so it never reaches the database mid-download."""
    if _UNPRINTABLE.search(value):
        raise InvalidInput.single(name, "Control characters (such as NUL) are not allowed.")
    if len(value) > MAX_VALUE_LENGTH:
        raise InvalidInput.single(name, f"Give values of at most {MAX_VALUE_LENGTH} characters.")
    return value


def _raw(query: Mapping, name: str) -> list[str]:
    raw = query.getlist(name) if hasattr(query, "getlist") else query.get(name) or []
    return [_checked(str(value), name) for value in ([raw] if isinstance(raw, str) else raw)]


def _values(query: Mapping, name: str) -> tuple[str, ...]:
    """Read a filter given as repeated parameters and/or comma-separated values."""
    items = tuple(
        dict.fromkeys(item.strip() for value in _raw(query, name) for item in value.split(",") if item.strip())
    )
    if len(items) > MAX_FILTER_VALUES:
        raise InvalidInput.single(name, f"Give at most {MAX_FILTER_VALUES} values.")
    return items


def _single(query: Mapping, name: str) -> str:
    """Read a parameter that takes one value."""
    values = [value.strip() for value in _raw(query, name) if value.strip()]
    if len(values) > 1:
        raise InvalidInput.single(name, f"Give {name} once.")
    return values[0] if values else ""


def _moment(value: str, name: str, *, end_of_day: bool) -> datetime | None:
    """Parse an ISO date or date-time in UTC; a bare `until` date includes that whole day."""
    if not value:
        return None
    try:  # a date first: parse_datetime also reads "2024-05-01", as its midnight
        day = parse_date(value)
        moment = None if day else parse_datetime(value)
    except ValueError:
        day = moment = None
    if moment is None and day is None:
        raise InvalidInput.single(name, "Use an ISO 8601 date (2024-05-01) or date-time (2024-05-01T09:30:00Z).")
    try:
        if day is not None:
            moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time.min)
        if django_timezone.is_naive(moment):
            return moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc)
    except OverflowError:
        raise InvalidInput.single(name, "Use a date between the years 1 and 9999.") from None


def _page(value: str) -> int | None:
    """An export is one page (the W3C collection's `first` and `last`): page=1, or no page at all."""
    if not value:
        return None
    if not value.isdecimal() or int(value) != 1:
        raise InvalidInput.single("page", "An export is one page: give page=1 or leave it out.")
    return 1


def _what(query: Mapping) -> str:
    """What the export lists: annotations, or for a format with such a table (CSV) the links."""
    what = _single(query, "what") or ANNOTATIONS
    if what not in WHAT:
        raise InvalidInput.single("what", f"Choose {' or '.join(WHAT)}.")
    key = _single(query, "format") or "json"  # the default format of every surface
    if what != ANNOTATIONS and (key, what) not in TABLES:
        formats = " or ".join(f"format={table_key}" for table_key, table_what in TABLES if table_what == what)
        raise InvalidInput.single("what", f"what={what} is only for {formats}.")
    return what


def parse_filters(query: Mapping) -> ExportFilters:
    """Read and check every export parameter but `format` (which picks the writer; `what` is checked against it):
    label, author, status, since, until, page, include, what."""
    statuses = _values(query, "status")
    unknown = [status for status in statuses if status not in ReviewStatus.values]
    if unknown:
        raise InvalidInput.single("status", f"Choose from {', '.join(ReviewStatus.values)}.")
    since = _moment(_single(query, "since"), "since", end_of_day=False)
    until = _moment(_single(query, "until"), "until", end_of_day=True)
    if since and until and until <= since:
        raise InvalidInput.single("until", "until must be later than since.")
    page = _page(_single(query, "page"))
    include = _values(query, "include")
    if set(include) - set(INCLUDE_VALUES):
        raise InvalidInput.single("include", "The only value is orphaned.")
    return ExportFilters(
        _values(query, "label"),
        _values(query, "author"),
        statuses,
        since,
        until,
        page,
        orphaned=bool(include),
        what=_what(query),
    )


def annotations_in(scope: ExportScope) -> QuerySet:
    """The annotations an export holds: visible to the user, in scope, matching the filters."""
    query = Annotation.objects.filter(article__project=scope.project).visible_to(scope.user)
    if scope.article is not None:
        query = query.filter(article=scope.article)
    f = scope.filters
    if not f.orphaned:
        query = query.anchored()
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


def links_in(scope: ExportScope) -> QuerySet:
    """The links an export holds: those the user may see (the annotations' rule, by the link's author) whose two
    ends are both exported annotations (annotations_in). Filters choose annotations and links follow their ends,
    whatever their own author or status (each link says its status): a link never points outside the export."""
    exported = annotations_in(scope).values("pk")
    query = Link.objects.filter(article__project=scope.project).visible_to(scope.user)
    if scope.article is not None:
        query = query.filter(article=scope.article)
    return query.filter(from_annotation__in=exported, to_annotation__in=exported)


def articles_in(scope: ExportScope) -> QuerySet:
    query = Article.objects.filter(project=scope.project)
    return query.filter(pk=scope.article.pk) if scope.article is not None else query


# How rows are read: each record field as a database expression, chosen per format. A format reads only
# the fields it writes; the others come back as NULL, so every row still fits the same record type.
# Timestamps are rendered by the database as RFC 3339 UTC text and attributes come as their JSON text:
# a million rows then cost no datetime or JSON objects in Python (the export benchmark's finding).
ALWAYS = {"id", "article_id", "start", "end"}  # needed to merge and to order by text
TIMESTAMPS = {"published_at", "created_at", "updated_at"}
RELATED = {"label": "label__key", "author": "author__username"}
LINK_SOURCES = {"from_id": "from_annotation_id", "to_id": "to_annotation_id", "type": "type__key", **RELATED}


class UtcTimestamp(Func):
    """A timestamp column as text like 2026-03-02T07:15:00.123456Z, formatted by the database."""

    output_field = CharField()
    template = "%(expressions)s"  # other databases hand back datetimes, which the writers format

    def as_postgresql(self, compiler, connection, **extra):
        extra["template"] = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        return self.as_sql(compiler, connection, **extra)

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores UTC as "YYYY-MM-DD HH:MM:SS[.ffffff]" text on SQLite.
        extra["template"] = "REPLACE(%(expressions)s, ' ', 'T') || 'Z'"
        return self.as_sql(compiler, connection, **extra)


def _column(name: str, wanted: Collection[str]):
    if name not in wanted:
        return Value(None, output_field=TextField())
    if name in TIMESTAMPS:
        return UtcTimestamp(name)
    if name == "attributes":
        return Cast("attributes", TextField())
    if name == "original_quote":  # NULL when the wording never changed: most rows send nothing more
        return NullIf("original_quote", "quote")
    if name == "reviewed_at":  # the latest review decision (the history's `reviewed` events; NULL: none yet)
        decisions = AnnotationEvent.objects.filter(annotation_id=OuterRef("id"), action=EventAction.REVIEWED)
        return UtcTimestamp(Subquery(decisions.order_by("-created_at", "-id").values("created_at")[:1]))
    return F(RELATED.get(name, name))


def article_columns(fields: Collection[str] | None = None) -> list:
    """Expressions for every ArticleRecord field; those not in `fields` read as NULL."""
    wanted = set(ArticleRecord._fields) if fields is None else {*fields, "id"}
    return [_column(name, wanted) for name in ArticleRecord._fields]


def annotation_columns(fields: Collection[str] | None = None) -> list:
    """Expressions for every AnnotationRecord field; those not in `fields` read as NULL."""
    wanted = set(AnnotationRecord._fields) if fields is None else {*fields, *ALWAYS}
    return [_column(name, wanted) for name in AnnotationRecord._fields]


def link_columns() -> list:
    """Expressions for every LinkRecord field (links are few and narrow: every format reads them whole)."""
    return [
        UtcTimestamp(name) if name in TIMESTAMPS else F(LINK_SOURCES.get(name, name)) for name in LinkRecord._fields
    ]


def _link_type(link_type: LinkType) -> LinkTypeRecord:
    """A link type as links.link_types_of reads it (with the label keys of its ends), as a record."""
    return LinkTypeRecord(
        link_type.key,
        link_type.name,
        link_type.color,
        link_type.description,
        link_type.order,
        tuple(link_type.from_keys),
        tuple(link_type.to_keys),
    )


def _text_order(annotation: AnnotationRecord) -> tuple[bool, int, int, int]:
    """Text order, orphans (no offsets) last."""
    if annotation.start is None:
        return True, 0, 0, annotation.id
    return False, annotation.start, -annotation.end, annotation.id


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


def header_for(scope: ExportScope, *, base_url: str, link_fields: Collection[str] = ()) -> ExportHeader:
    """Read the project, its labels and the counts of what follows (three queries); and what `link_fields` names:
    `link_types` (three more queries), `link_count` (how many links follow: one)."""
    p = scope.project
    labels = Label.objects.filter(project=p).order_by("order", "id").values_list(*LABEL_COLUMNS)
    project = ProjectRecord(
        p.pk,
        p.name,
        p.slug,
        p.description,
        p.guidelines,
        p.organisation,
        p.visibility,
        p.factcheck_url_pattern,
        str(p.public_uuid),
    )
    return ExportHeader(
        project=project,
        labels=tuple(LabelRecord._make(row) for row in labels),
        base_url=base_url,
        exported_at=django_timezone.now(),
        article_id=scope.article.pk if scope.article is not None else None,
        filters=scope.filters.as_dict(),
        page=scope.filters.page,
        article_count=articles_in(scope).count(),
        annotation_count=annotations_in(scope).count(),
        link_types=tuple(map(_link_type, link_types_of(p))) if "link_types" in link_fields else (),
        link_count=links_in(scope).count() if "link_count" in link_fields else 0,
    )


def articles_with_annotations(
    scope: ExportScope,
    *,
    article_fields: Collection[str] | None = None,
    annotation_fields: Collection[str] | None = None,
    links: bool = False,
) -> Iterator[ArticleWithAnnotations]:
    """Yield (article, its annotations in text order, its links by id), merging streams ordered by article id.

    Only the named fields are read (the rest are None); None means every field. Links are read only when
    asked for (a third cursor); otherwise every article has none.
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
    link_rows = (
        links_in(scope).order_by("article_id", "id").values_list(*link_columns()).iterator(chunk_size=CHUNK_SIZE)
        if links
        else None
    )
    make_annotation, make_link = AnnotationRecord._make, LinkRecord._make
    try:
        pending = next(annotations, None)
        pending_link = next(link_rows, None) if link_rows is not None else None
        for row in articles:
            article = ArticleRecord._make(row)
            mine: list[AnnotationRecord] = []
            while pending is not None and pending[1] <= article.id:
                if pending[1] == article.id:
                    mine.append(make_annotation(pending))
                pending = next(annotations, None)
            mine.sort(key=_text_order)  # ties on start: longer first, then by id (nearly sorted: linear)
            its_links: list[LinkRecord] = []
            while pending_link is not None and pending_link[1] <= article.id:
                if pending_link[1] == article.id:
                    its_links.append(make_link(pending_link))
                pending_link = next(link_rows, None)
            if its_links:  # links_in holds only links between exported annotations; without a snapshot (SQLite)
                exported = {a.id for a in mine}  # an end added after its rows were read is left out with its links
                its_links = [link for link in its_links if link.from_id in exported and link.to_id in exported]
            yield ArticleWithAnnotations(article, mine, its_links)
    finally:  # a client that hangs up closes every server-side cursor at once (LOAD-3)
        if link_rows is not None:
            link_rows.close()
        annotations.close()
        articles.close()


def _ticking(rows: Iterable[ArticleWithAnnotations], progress) -> Iterator[ArticleWithAnnotations]:
    for row in rows:
        yield row
        progress.update(1)


def export(scope: ExportScope, key: str, *, base_url: str, progress=None) -> Iterator[str]:
    """Yield the export of `scope` in format `key` as text chunks, read from one snapshot.

    `progress` (a tqdm bar, or anything with reset(total) and update(n)) counts articles written.
    """
    fmt = format_for(key, scope.filters.what)
    with consistent_snapshot():
        header = header_for(scope, base_url=base_url, link_fields=fmt.link_header_fields)
        rows = articles_with_annotations(
            scope,
            article_fields=fmt.article_fields,
            annotation_fields=fmt.annotation_fields,
            links=fmt.reads_links,
        )
        if progress is not None:
            progress.reset(total=header.article_count)
        try:
            yield from fmt.write(header, rows if progress is None else _ticking(rows, progress))
        finally:  # close the server-side cursors while their transaction still exists (client hang-ups)
            rows.close()
