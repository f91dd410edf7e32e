"""What one annotation write changes on the annotate page, sent as htmx out-of-band swaps.

On a long article the whole workspace is hundreds of kilobytes, and re-parsing it in the browser is most of
the wait after a key press. A successful create, edit, flag, delete or restore therefore answers with only
what the write changed: the text blocks the annotation covers (before and after), its sidebar item (added,
replaced or removed on the page of the list the browser shows), the counts, the editor and the notices.
Refusals still answer with the whole workspace, so the user sees the current state beside the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from articles.highlighting import blocks, touched_blocks
from articles.models import Annotation, Article, Label
from articles.views.workspace import (
    Row,
    ViewOptions,
    annotations_state,
    editor_state,
    in_full,
    links_of,
    text_blocks,
)
from articles.views.workspace_list import Key, ListBounds, text_key, window_numbers


@dataclass(frozen=True)
class Before:
    """An annotation as it was before a write: where it sat in the text, and what decides if it was shown."""

    pk: int
    start: int
    end: int
    label_id: int
    author_id: int

    @classmethod
    def of(cls, annotation: Annotation) -> Before:
        return cls(annotation.pk, annotation.start, annotation.end, annotation.label_id, annotation.author_id)

    def key_if_shown(self, options: ViewOptions, user, labels: dict[int, Label]) -> Key | None:
        mine_only = options.who == "mine" and self.author_id != user.pk
        return None if mine_only or labels[self.label_id].key in options.hidden else text_key(self)


def item_swaps(shown: list[Row], changed_pk: int, before_key: Key | None, bounds: ListBounds) -> list[dict[str, Any]]:
    """How the sidebar page inside `bounds` changes: the changed item replaced in place, or removed from its
    old place and inserted before the next item the page shows (or at the end of the page). Items carry
    the row; the caller swaps in the full annotation."""
    position = next((index for index, row in enumerate(shown) if row.pk == changed_pk), None)
    after_key = text_key(shown[position]) if position is not None else None
    was_listed = before_key is not None and bounds.holds(before_key)
    is_listed = after_key is not None and bounds.holds(after_key)
    if was_listed and is_listed and before_key == after_key:
        return [{"kind": "replace", "pk": changed_pk}]
    swaps: list[dict[str, Any]] = [{"kind": "delete", "pk": changed_pk}] if was_listed else []
    if is_listed:
        following = shown[position + 1] if position + 1 < len(shown) else None
        listed_next = following if following is not None and bounds.holds(text_key(following)) else None
        swaps.append({"kind": "insert", "pk": changed_pk, "before": listed_next})
    return swaps


def change_context(
    article: Article,
    *,
    user,
    role: str,
    options: ViewOptions,
    labels: list[Label],
    changed: Annotation,
    before: Before | None,
    bounds: ListBounds,
    selected_id: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """Return the context of the `workspace-changes` partial for one written annotation. The links are read
    unless it was just created: a new annotation has none, and no other link changed."""
    state = annotations_state(article, user=user, role=role, options=options, labels=labels)
    created = extra.get("created_id") == changed.pk
    links = None if created else links_of(article, user, role)
    shown, by_id = state["annotations"], state["labels_by_id"]
    before_key = before.key_if_shown(options, user, by_id) if before is not None else None
    swaps = item_swaps(shown, changed.pk, before_key, bounds)
    full = in_full(article, user, {changed.pk, selected_id} - {None}, by_id)
    for swap in swaps:
        swap["annotation"] = full.get(swap["pk"])
    shown_ids = {row.pk for row in shown}
    selected = full.get(selected_id) if selected_id in shown_ids else None
    ranges = [(changed.start, changed.end)] + ([(before.start, before.end)] if before is not None else [])
    touched = touched_blocks(blocks(article.text), ranges)
    return {
        **state,
        **editor_state(state, selected, user=user, role=role, links=links or []),
        "links": links,
        "list_window": window_numbers(shown, bounds),
        "text_blocks": text_blocks(article.text, shown, by_id, touched),
        "item_swaps": swaps,
        "oob": True,
        **extra,
    }
