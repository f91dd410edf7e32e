"""How export rows are read: each record field as a database expression, chosen per format.

A format reads only the fields it writes (JSONL needs four annotation columns, native JSON all of
them); the others come back as NULL, so every row still fits the same record type. Timestamps are
rendered by the database as RFC 3339 UTC text with a Z, and attributes come as their JSON text: a
million rows then cost no datetime or JSON objects in Python (the export benchmark's finding).
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import CharField, F, Func, TextField, Value
from django.db.models.functions import Cast

from articles.exports.records import AnnotationRecord, ArticleRecord

ALWAYS = {"id", "article_id", "start", "end"}  # needed to merge and to order by text
TIMESTAMPS = {"published_at", "created_at", "updated_at"}
RELATED = {"label": "label__key", "author": "author__username"}


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


def _expression(name: str):
    if name in TIMESTAMPS:
        return UtcTimestamp(name)
    if name == "attributes":
        return Cast("attributes", TextField())
    return F(RELATED.get(name, name))


def article_columns(fields: Collection[str] | None = None) -> list:
    """Expressions for every ArticleRecord field; those not in `fields` read as NULL."""
    wanted = set(ArticleRecord._fields) if fields is None else {*fields, "id"}
    return [_expression(n) if n in wanted else Value(None, output_field=TextField()) for n in ArticleRecord._fields]


def annotation_columns(fields: Collection[str] | None = None) -> list:
    """Expressions for every AnnotationRecord field; those not in `fields` read as NULL."""
    wanted = set(AnnotationRecord._fields) if fields is None else {*fields, *ALWAYS}
    return [
        _expression(n) if n in wanted else Value(None, output_field=TextField()) for n in AnnotationRecord._fields
    ]
