"""An annotation's history rows: what it looked like after each action, who did it and what changed.

annotation_write records every action through these functions; they only write, they never check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from articles.models import Annotation, AnnotationEvent


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
