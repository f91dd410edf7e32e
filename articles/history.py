"""An annotation's history rows: what it looked like after each action, who did it and what changed.

annotation_write records every action through these functions; they only write, they never check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from articles.models import Annotation, AnnotationEvent, EventAction

EVENT_COLUMNS = ("annotation_id", "article", "actor", "action", "changes", "snapshot", "created_at")


def snapshot(annotation: Annotation, label_key: str | None = None) -> dict[str, Any]:
    """Return the annotation's user-visible fields as JSON-ready data (for history and undo)."""
    return {
        "label": label_key or annotation.label.key,
        "author_id": annotation.author_id,
        "start": annotation.start,
        "end": annotation.end,
        "quote": annotation.quote,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "note": annotation.note,
        "attributes": annotation.attributes,
        "status": annotation.status,
        "is_flagged": annotation.is_flagged,
        "question": annotation.question,
        "version": annotation.version,
    }


def record(annotation: Annotation, action: str, by, changes: Mapping[str, Any] | None = None) -> AnnotationEvent:
    """Store one action on the annotation with its snapshot after the action."""
    return AnnotationEvent.objects.create(
        annotation_id=annotation.pk,
        article_id=annotation.article_id,
        actor=by,
        action=action,
        changes=dict(changes or {}),
        snapshot=snapshot(annotation),
    )


def record_created(annotations: Sequence[Annotation], by) -> None:
    """Store a `created` row for each of many new annotations, with one multi-row INSERT per batch.

    The rows are plain values: bulk_create built a model and prepared seven values field by field for
    every row, which cost more than the insert itself. The values go through each field's own
    preparation once per distinct value kind (JSON, time), so both databases store what bulk_create did.
    """
    fields = [AnnotationEvent._meta.get_field(name) for name in EVENT_COLUMNS]
    changes_field, snapshot_field, created_field = fields[4], fields[5], fields[6]
    no_changes = changes_field.get_db_prep_save({}, connection)
    created_at = created_field.get_db_prep_save(timezone.now(), connection)
    actor_id = getattr(by, "pk", None)
    rows = [
        (a.pk, a.article_id, actor_id, EventAction.CREATED.value, no_changes,
         snapshot_field.get_db_prep_save(snapshot(a), connection), created_at)
        for a in annotations
    ]
    quote = connection.ops.quote_name
    head = (f"INSERT INTO {quote(AnnotationEvent._meta.db_table)} "
            f"({', '.join(quote(field.column) for field in fields)}) VALUES ")
    row_sql = f"({', '.join(['%s'] * len(fields))})"
    size = max(1, connection.ops.bulk_batch_size(fields, rows))
    with connection.cursor() as cursor:
        for first in range(0, len(rows), size):
            batch = rows[first:first + size]
            cursor.execute(head + ", ".join([row_sql] * len(batch)), [value for row in batch for value in row])
