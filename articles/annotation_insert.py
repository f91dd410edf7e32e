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
from functools import cache

from django.db import connection, transaction
from django.utils import timezone

from articles.compiled import execute
from articles.history import snapshot
from articles.models import Annotation, AnnotationEvent, EventAction

# The unique span key of an annotation: it pairs each new row with its history row and its object.
KEY = ("article_id", "author_id", "label_id", "start", "end")
ROWS_PER_STATEMENT = 1000
JSON, TIME = "JSONField", "DateTimeField"


@cache
def _fields() -> tuple[list, list, list[str]]:
    """The annotation columns to insert, the history columns, and each annotation column's type."""
    annotation = [field for field in Annotation._meta.concrete_fields if not field.primary_key]
    events = [AnnotationEvent._meta.get_field(name)
              for name in ("annotation_id", "article", "actor", "action", "changes", "snapshot", "created_at")]
    return annotation, events, [field.get_internal_type() for field in annotation]


def _row(annotation: Annotation, fields: list, kinds: list[str], now) -> list:
    """The annotation's values for the database: JSON prepared by its field, times (all `now`) prepared once."""
    values = []
    for field, kind in zip(fields, kinds, strict=True):
        value = getattr(annotation, field.attname)
        if kind == JSON:
            value = field.get_db_prep_save(value, connection)
        elif kind == TIME:
            value = now
        values.append(value)
    return values


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
        if annotation.article_id is None or annotation.label_id is None:
            # Built before its article or label was stored (imports): take their new ids, as bulk_create does.
            annotation._prepare_related_fields_for_save(operation_name="insert_annotations")
    fields, event_fields, _ = _fields()
    size = ROWS_PER_STATEMENT if connection.vendor == "postgresql" else max(
        1, connection.ops.bulk_batch_size(fields, annotations)
    )
    chunks = [annotations[first:first + size] for first in range(0, len(annotations), size)]
    single_statement = connection.vendor == "postgresql" and len(chunks) == 1
    by_key = {tuple(getattr(a, name) for name in KEY): a for a in annotations}
    common = [getattr(by, "pk", None), EventAction.CREATED.value,
              event_fields[4].get_db_prep_save({}, connection), event_fields[6].get_db_prep_save(now, connection)]
    # A statement on its own needs no transaction; inside one it needs a savepoint, so that a duplicate
    # leaves the surrounding transaction usable.
    atomic = nullcontext() if single_statement and not connection.in_atomic_block else transaction.atomic()
    with atomic, connection.cursor() as cursor:
        for chunk in chunks:
            for row in _insert_chunk(cursor, chunk, common):
                new = by_key[tuple(row[1:])]
                new.pk = row[0]
                new._state.adding, new._state.db = False, connection.alias


def _typed(field) -> str:
    return f"%s::{field.cast_db_type(connection)}"


def _insert_chunk(cursor, chunk: Sequence[Annotation], common: list) -> list[tuple]:
    """Insert one chunk; return (id, *KEY) of each new row. `common`: the history rows' actor, action,
    changes and time, ready for the database."""
    fields, event_fields, kinds = _fields()
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    key_columns = ", ".join(quote(Annotation._meta.get_field(name).column) for name in KEY)
    insert = (f"INSERT INTO {quote(Annotation._meta.db_table)} ({columns}) VALUES "
              + ", ".join([f"({', '.join(['%s'] * len(fields))})"] * len(chunk))
              + f" RETURNING {quote('id')}, {key_columns}")
    params = [value for annotation in chunk for value in _row(annotation, fields, kinds, common[3])]
    snapshot_field = event_fields[5]
    snapshots = [snapshot_field.get_db_prep_save(snapshot(annotation), connection) for annotation in chunk]
    event_table = quote(AnnotationEvent._meta.db_table)
    event_columns = ", ".join(quote(field.column) for field in event_fields)
    if connection.vendor == "postgresql":
        # Typed placeholders: the statement is prepared (articles.compiled.execute), and PostgreSQL cannot
        # tell the type of a value in a select list or a VALUES table on its own.
        given_row = ", ".join(_typed(Annotation._meta.get_field(name)) for name in KEY)
        given = ", ".join([f"({given_row}, {_typed(snapshot_field)})"] * len(chunk))
        actor, action, changes, created = (_typed(field) for field in event_fields[2:5] + event_fields[6:])
        sql = (
            f"WITH new AS ({insert}), history AS ("
            f"INSERT INTO {event_table} ({event_columns}) "
            f"SELECT new.{quote('id')}, new.{quote('article_id')}, {actor}, {action}, {changes}, "
            f"given.{quote('snapshot')}, {created} "
            f"FROM new JOIN (VALUES {given}) AS given ({key_columns}, {quote('snapshot')}) USING ({key_columns})"
            f") SELECT * FROM new"
        )
        keys = [value for annotation, data in zip(chunk, snapshots, strict=True)
                for value in (*(getattr(annotation, name) for name in KEY), data)]
        execute(cursor, sql, params + common + keys)
        return cursor.fetchall()
    cursor.execute(insert, params)
    rows = cursor.fetchall()
    new_ids = {tuple(row[1:]): row[0] for row in rows}
    history = [
        (new_ids[tuple(getattr(annotation, name) for name in KEY)], annotation.article_id, common[0], common[1],
         common[2], data, common[3])
        for annotation, data in zip(chunk, snapshots, strict=True)
    ]
    cursor.execute(
        f"INSERT INTO {event_table} ({event_columns}) VALUES "
        + ", ".join([f"({', '.join(['%s'] * len(event_fields))})"] * len(history)),
        [value for row in history for value in row],
    )
    return rows
