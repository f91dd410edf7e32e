"""Inserting new annotations together with their `created` history rows, in as few round trips as possible.

Creating annotations is what people do most, so this is the write that has to be cheap:

- On PostgreSQL one statement stores both the annotations and their history rows (a data-modifying
  WITH). A single statement is atomic by itself, so outside a transaction it needs no BEGIN or COMMIT:
  one round trip instead of four. It runs as a prepared statement, planned once per connection.
- On SQLite (in-process, where round trips cost nothing) the same rows go in two statements inside
  one transaction.

The values go to the database as they are; only JSON and timestamps pass through their field's own
preparation, once per row. Preparing every field of every row through the ORM cost more than the
insert itself. Callers validate the annotations before calling (annotation_write, imports).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from articles.compiled import execute
from articles.history import snapshot
from articles.models import Annotation, AnnotationEvent, EventAction

# The unique span key of an annotation: it pairs each new row with its history row and its object.
KEY = ("article_id", "author_id", "label_id", "start", "end")
ROWS_PER_STATEMENT = 1000
# A history row's fields; all but `annotation_id`, `article` and `snapshot` are the same for every new row.
EVENT_FIELDS = ("annotation_id", "article", "actor", "action", "changes", "snapshot", "created_at")
SHARED_EVENT_FIELDS = ("actor", "action", "changes", "created_at")

Shared = dict[str, Any]  # the values of SHARED_EVENT_FIELDS, ready for the database
Ids = dict[tuple, int]  # each new annotation's id by its KEY


def insert_annotations(annotations: Sequence[Annotation], by) -> None:
    """Insert new (validated, unsaved) annotations and a `created` history row for each, all or nothing.

    Sets each annotation's id and timestamps. Raises IntegrityError, with nothing stored, when one of
    them already exists (the same author, label and span on the same article).
    """
    if not annotations:
        return
    now = timezone.now()
    for annotation in annotations:
        annotation.created_at = annotation.updated_at = now
        _take_stored_ids(annotation)
    on_postgresql = connection.vendor == "postgresql"
    size = (
        ROWS_PER_STATEMENT
        if on_postgresql
        else max(1, connection.ops.bulk_batch_size(_tables().annotation_fields, annotations))
    )
    chunks = [annotations[first : first + size] for first in range(0, len(annotations), size)]
    insert = _insert_on_postgresql if on_postgresql else _insert_on_sqlite
    shared = _shared_event_values(by, now)
    # A statement on its own needs no transaction; inside one it needs a savepoint, so that a duplicate
    # leaves the surrounding transaction usable.
    alone = on_postgresql and len(chunks) == 1 and transaction.get_autocommit()
    with nullcontext() if alone else transaction.atomic(), connection.cursor() as cursor:
        for chunk in chunks:
            ids = insert(cursor, chunk, shared)
            for annotation in chunk:
                annotation.pk = ids[_key(annotation)]
                # As save() leaves a stored object (Model._state and its two flags are documented API).
                annotation._state.adding, annotation._state.db = False, connection.alias


def _take_stored_ids(annotation: Annotation) -> None:
    """Take the id of an article or label stored after the annotation was built (imports build all three
    before storing any), as save() does; refuse one that is still unsaved."""
    for name in ("article", "label"):
        if getattr(annotation, f"{name}_id") is None:
            related = getattr(annotation, name, None)  # the object it was built with, if any: no query
            if related is not None:
                if related.pk is None:
                    raise ValueError(f"insert_annotations() needs the annotation's {name} stored first.")
                setattr(annotation, name, related)  # assigning the object sets its id


def _insert_on_postgresql(cursor, chunk: Sequence[Annotation], shared: Shared) -> Ids:
    """Insert the annotations and their history rows in one statement (a prepared one)."""
    tables = _tables()
    # The parameters in the order of their placeholders: the new rows, the shared values, the snapshots.
    params = _annotation_params(chunk, tables, now=shared["created_at"])
    params += [shared[name] for name in EVENT_FIELDS if name in SHARED_EVENT_FIELDS]
    params += [
        value
        for annotation, data in zip(chunk, _snapshots(chunk, tables), strict=True)
        for value in (*_key(annotation), data)
    ]
    execute(cursor, _postgresql_statement(len(chunk)), params)
    return {tuple(key): pk for pk, *key in cursor.fetchall()}


def _insert_on_sqlite(cursor, chunk: Sequence[Annotation], shared: Shared) -> Ids:
    """Insert the annotations, then their history rows: two statements in the caller's transaction."""
    tables = _tables()
    insert, insert_history = _sqlite_statements(len(chunk))
    cursor.execute(insert, _annotation_params(chunk, tables, now=shared["created_at"]))
    ids = {tuple(key): pk for pk, *key in cursor.fetchall()}
    history = [
        {**shared, "annotation_id": ids[_key(annotation)], "article": annotation.article_id, "snapshot": data}
        for annotation, data in zip(chunk, _snapshots(chunk, tables), strict=True)
    ]
    cursor.execute(insert_history, [row[name] for row in history for name in EVENT_FIELDS])
    return ids


@lru_cache(maxsize=16)  # bounded: the statement for 1000 rows is long, and only a few sizes recur
def _postgresql_statement(rows: int) -> str:
    """A data-modifying WITH: insert `rows` annotations, then their history rows, joined to the snapshots
    sent along by span key; it returns the new annotations' ids and keys."""
    tables, quote = _tables(), connection.ops.quote_name
    snapshot_column = quote(tables.event_fields["snapshot"].column)
    # Typed placeholders: the statement is prepared (articles.compiled.execute), and PostgreSQL cannot
    # tell the type of a value in a select list or a VALUES table on its own.
    given = ", ".join(
        [_typed(Annotation._meta.get_field(name)) for name in KEY] + [_typed(tables.event_fields["snapshot"])]
    )
    source = {
        "annotation_id": f"new.{tables.id_column}",
        "article": f"new.{quote(Annotation._meta.get_field('article').column)}",
        "snapshot": f"given.{snapshot_column}",
        **{name: _typed(tables.event_fields[name]) for name in SHARED_EVENT_FIELDS},
    }
    return (
        f"WITH new AS ({_annotation_insert(tables, rows)}), history AS ("
        f"INSERT INTO {tables.event} ({tables.event_columns}) "
        f"SELECT {', '.join(source[name] for name in EVENT_FIELDS)} "
        f"FROM new JOIN (VALUES {', '.join([f'({given})'] * rows)}) "
        f"AS given ({tables.key_columns}, {snapshot_column}) USING ({tables.key_columns})"
        f") SELECT * FROM new"
    )


@lru_cache(maxsize=16)
def _sqlite_statements(rows: int) -> tuple[str, str]:
    """The INSERT of `rows` annotations (returning their ids and keys), and the INSERT of their history."""
    tables = _tables()
    history_row = f"({', '.join(['%s'] * len(EVENT_FIELDS))})"
    return (
        _annotation_insert(tables, rows),
        f"INSERT INTO {tables.event} ({tables.event_columns}) VALUES {', '.join([history_row] * rows)}",
    )


@dataclass(frozen=True)
class _Tables:
    """The two tables' names, fields and columns, quoted for SQL."""

    annotation: str
    annotation_fields: list[Field]
    annotation_kinds: list[str]
    annotation_columns: str
    id_column: str
    key_columns: str
    event: str
    event_fields: dict[str, Field]
    event_columns: str


@cache
def _tables() -> _Tables:
    quote = connection.ops.quote_name
    annotation_fields = [field for field in Annotation._meta.get_fields() if field.concrete and not field.primary_key]
    event_fields = {name: AnnotationEvent._meta.get_field(name) for name in EVENT_FIELDS}
    return _Tables(
        annotation=quote(Annotation._meta.db_table),
        annotation_fields=annotation_fields,
        annotation_kinds=[field.get_internal_type() for field in annotation_fields],
        annotation_columns=", ".join(quote(field.column) for field in annotation_fields),
        id_column=quote(Annotation._meta.pk.column),
        key_columns=", ".join(quote(Annotation._meta.get_field(name).column) for name in KEY),
        event=quote(AnnotationEvent._meta.db_table),
        event_fields=event_fields,
        event_columns=", ".join(quote(field.column) for field in event_fields.values()),
    )


def _annotation_insert(tables: _Tables, rows: int) -> str:
    row = f"({', '.join(['%s'] * len(tables.annotation_fields))})"
    return (
        f"INSERT INTO {tables.annotation} ({tables.annotation_columns}) VALUES {', '.join([row] * rows)} "
        f"RETURNING {tables.id_column}, {tables.key_columns}"
    )


def _typed(field: Field) -> str:
    return f"%s::{field.cast_db_type(connection)}"


def _shared_event_values(by, now) -> Shared:
    """The history rows' values that all the new annotations share, ready for the database."""
    fields = _tables().event_fields
    return {
        "actor": getattr(by, "pk", None),
        "action": EventAction.CREATED.value,
        "changes": fields["changes"].get_db_prep_save({}, connection),
        "created_at": fields["created_at"].get_db_prep_save(now, connection),
    }


def _annotation_params(chunk: Sequence[Annotation], tables: _Tables, *, now: Any) -> list:
    """The annotations' values for the database: JSON prepared by its field, times (all `now`, already
    prepared) as they are, everything else as it is."""
    params = []
    for annotation in chunk:
        for field, kind in zip(tables.annotation_fields, tables.annotation_kinds, strict=True):
            value = getattr(annotation, field.attname)
            if kind == "JSONField":
                value = field.get_db_prep_save(value, connection)
            elif kind == "DateTimeField":
                value = now
            params.append(value)
    return params


def _snapshots(chunk: Sequence[Annotation], tables: _Tables) -> list:
    field = tables.event_fields["snapshot"]
    return [field.get_db_prep_save(snapshot(annotation), connection) for annotation in chunk]


def _key(annotation: Annotation) -> tuple:
    return tuple(getattr(annotation, name) for name in KEY)
