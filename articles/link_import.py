"""Link types and links an import brings, checked without writing and then stored in bulk.

A link type new to the project is checked with link_type_write's rules; its ends may name labels the same
import adds, which are not stored yet, so they are looked up among the labels the import plans. Each link is
checked by links.build_link when planning (articles.imports.planning); here it is only stored, with the
`created` history row the write path records, inside the import's transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from articles.errors import InvalidInput
from articles.link_type_write import checked_fields as checked_link_type_fields
from articles.links import LinkAction, snapshot
from articles.models import Label, Link, LinkEvent, LinkType, Project

REQUIRED = ("key", "name", "color", "from_labels", "to_labels")
ENDS = ("from_labels", "to_labels")


def _labels(value: Any, field: str, labels: Mapping[str, Label]) -> list[Label]:
    """The labels named by a list of keys, among the project's and those the import adds."""
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(key, str) for key in value):
        raise InvalidInput.single(field, "Send a list of one or more label keys.")
    unknown = [key for key in value if key not in labels]
    if unknown:
        raise InvalidInput.single(field, f"Unknown label {unknown[0][:40]!r} in this project.")
    return [labels[key] for key in dict.fromkeys(value)]


def build_link_type(project: Project, values: Mapping[str, Any], labels: Mapping[str, Label]) -> LinkType:
    """Check a link type the project lacks and return it unsaved, with `from_keys`/`to_keys` as
    links.link_types_of gives them (so links.build_link can check links of this type) and its end labels.

    The key, name, colour (its contrast), description and order follow link_type_write's rules.
    """
    missing = [name for name in REQUIRED if values.get(name) in (None, "")]
    if missing:
        raise InvalidInput({name: ["This field is required."] for name in missing})
    clean = checked_link_type_fields(project, {name: value for name, value in values.items() if name not in ENDS})
    ends = {end: _labels(values[end], end, labels) for end in ENDS}
    link_type = LinkType(project=project, **clean)
    link_type.from_keys = [label.key for label in ends["from_labels"]]
    link_type.to_keys = [label.key for label in ends["to_labels"]]
    link_type.planned_ends = ends
    return link_type


def insert_link_types(link_types: Sequence[LinkType]) -> None:
    """Store link types built by build_link_type, with their end labels (stored before: they need their ids)."""
    if not link_types:
        return
    LinkType.objects.bulk_create(link_types)
    for end in ENDS:
        through = getattr(LinkType, end).through
        through.objects.bulk_create(
            through(linktype_id=link_type.pk, label_id=label.pk)
            for link_type in link_types
            for label in link_type.planned_ends[end]
        )


def insert_links(links: Sequence[Link], by) -> None:
    """Store checked links whose ends (and article and type) are stored by now, each with its `created` event."""
    if not links:
        return
    Link.objects.bulk_create(links)
    actor = by if getattr(by, "pk", None) else None
    LinkEvent.objects.bulk_create(
        LinkEvent(
            link_id=link.pk,
            article_id=link.article_id,
            actor=actor,
            action=LinkAction.CREATED,
            changes={},
            snapshot=snapshot(link),
        )
        for link in links
    )
