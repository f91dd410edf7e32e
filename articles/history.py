"""An annotation's history rows: what it looked like after each action, who did it and what changed.

annotation_write records every action through `record`, which only writes and never checks; pages read a
row's changes back through `describe_changes`, in the words a reviewer uses (label names, field labels).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from articles.labels import describe_attributes
from articles.models import AnchorStatus, Annotation, AnnotationEvent, Label, ReviewStatus

EMPTY = "—"
FIELD_NAMES = {
    "label": "Label",
    "author_id": "Author",
    "start": "Start",
    "end": "End",
    "quote": "Text",
    "note": "Note",
    "status": "Status",
    "is_flagged": "Flagged",
    "question": "Question",
    "anchor_status": "Anchor",
    "anchor_score": "Match score",
}
CONTEXT_FIELDS = frozenset(
    {"prefix", "suffix", "version", "anchored_revision", "original_quote"}
)  # follow the boundaries; the quote says it better
# Rows follow the snapshot's field order, not the stored one: PostgreSQL's jsonb reorders an object's keys.
FIELD_ORDER = (
    "label",
    "author_id",
    "start",
    "end",
    "quote",
    "anchor_status",
    "anchor_score",
    "note",
    "attributes",
    "status",
    "is_flagged",
    "question",
)


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
        "anchor_status": annotation.anchor_status,
        "anchor_score": annotation.anchor_score,
        "anchored_revision": annotation.anchored_revision,
        "original_quote": annotation.original_quote,
        "version": annotation.version,
    }


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields two snapshots disagree on, as {field: [old, new]} (the version aside)."""
    return {
        name: [before.get(name), after[name]] for name in after if name != "version" and before.get(name) != after[name]
    }


def event(annotation: Annotation, action: str, by, changes: Mapping[str, Any] | None = None) -> AnnotationEvent:
    """One action on the annotation with its snapshot after the action, unsaved (for bulk_create)."""
    return AnnotationEvent(
        annotation_id=annotation.pk,
        article_id=annotation.article_id,
        actor=by if getattr(by, "pk", None) else None,
        action=action,
        changes=dict(changes or {}),
        snapshot=snapshot(annotation),
    )


def record(annotation: Annotation, action: str, by, changes: Mapping[str, Any] | None = None) -> AnnotationEvent:
    """Store one action on the annotation with its snapshot after the action."""
    row = event(annotation, action, by, changes)
    row.save(force_insert=True)
    return row


@dataclass(frozen=True)
class ShownChange:
    """One changed field of a history row, as text: "Verdict: true → false"."""

    field: str
    old: str
    new: str


def _pair(change: Any) -> tuple[Any, Any]:
    """A stored change is [old, new]; anything else counts as a new value."""
    return tuple(change) if isinstance(change, (list, tuple)) and len(change) == 2 else (None, change)


def _as_text(field: str, value: Any, labels: Mapping[str, Label]) -> str:
    if value is None or value == "":
        return EMPTY
    if field == "label" and isinstance(value, str) and value in labels:
        return labels[value].name
    if field == "status" and value in ReviewStatus.values:
        return ReviewStatus(value).label
    if field == "is_flagged" and isinstance(value, bool):
        return "yes" if value else "no"
    if field == "quote" and isinstance(value, str):
        return f"“{value}”"
    if field == "anchor_status" and value in AnchorStatus.values:
        return AnchorStatus(value).label
    if field == "anchor_score" and isinstance(value, float):
        return f"{value:.2f}"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _fields_of(key: Any, labels: Mapping[str, Label]) -> Any:
    return labels[key].fields if isinstance(key, str) and key in labels else []


def _attribute_changes(old: Any, new: Any, old_fields: Any, new_fields: Any) -> list[ShownChange]:
    """One change per attribute whose value differs, named by the label's field label."""
    before = {shown.name: shown for shown in describe_attributes(old, old_fields)}
    after = {shown.name: shown for shown in describe_attributes(new, new_fields)}
    changes = []
    for name in [*after, *(name for name in before if name not in after)]:
        was, now = before.get(name), after.get(name)
        if (was and was.text) != (now and now.text):
            changes.append(ShownChange((now or was).label, was.text if was else EMPTY, now.text if now else EMPTY))
    return changes


def describe_changes(event: AnnotationEvent, labels: Mapping[str, Label]) -> list[ShownChange]:
    """Each change of the row as "field: old → new" with human names (`labels` by key); any stored shape is read.

    Attributes are named by their label's fields; when the boundaries moved, the quoted text stands for
    the offsets and their context.
    """
    stored = event.changes if isinstance(event.changes, Mapping) else {}
    order = sorted(stored, key=lambda field: FIELD_ORDER.index(field) if field in FIELD_ORDER else len(FIELD_ORDER))
    pairs = {str(field): _pair(stored[field]) for field in order}
    hidden = CONTEXT_FIELDS | ({"start", "end"} if "quote" in pairs else set())
    after = event.snapshot if isinstance(event.snapshot, Mapping) else {}
    old_label, new_label = pairs.get("label", (after.get("label"),) * 2)
    shown: list[ShownChange] = []
    for field, (old, new) in pairs.items():
        if field == "attributes":
            shown += _attribute_changes(old, new, _fields_of(old_label, labels), _fields_of(new_label, labels))
        elif field not in hidden:
            shown.append(
                ShownChange(FIELD_NAMES.get(field, field), _as_text(field, old, labels), _as_text(field, new, labels))
            )
    return shown
