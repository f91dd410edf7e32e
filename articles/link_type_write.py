"""A project's link types: owners add, change and delete them, under rules every caller shares.

Keys are unique in a project; each end names labels of the project by key; a colour must stand out from
the page as a line does (WCAG's 3:1 for graphics). A type in use cannot be deleted: its links would go
with it, so the owner deletes or retypes them first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from articles.access import require, role_in
from articles.errors import DomainError, InvalidInput
from articles.label_write import PAPER, contrast_ratio
from articles.models import Label, Link, LinkType, Project
from articles.models.projects import COLOR_PATTERN, KEY_PATTERN
from articles.permissions import Action
from articles.text_rules import clean_text

EDITABLE = ("key", "name", "color", "description", "from_labels", "to_labels", "order")
# WCAG 2.1, 1.4.11: a graphical object (the connector drawn for a link) needs 3:1 against its background.
MIN_LINE_CONTRAST = 3.0


class LinkTypeInUse(DomainError):
    """The type still has links; they must be deleted or given another type first."""

    def __init__(self, count: int):
        what = f"{count} link{'' if count == 1 else 's'}"
        super().__init__(f"This link type is used by {what}; delete them or change their type first.")
        self.count = count


def _color(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(COLOR_PATTERN, value):
        raise InvalidInput.single("color", "Use a colour like #1A2B3C.")
    ratio = contrast_ratio(value, PAPER)
    if ratio < MIN_LINE_CONTRAST:
        raise InvalidInput.single(
            "color",
            f"A line in this colour has a contrast of {ratio:.1f}:1 on the page; at least {MIN_LINE_CONTRAST:.0f}:1 "
            "is needed to see it. Choose a darker colour.",
        )
    return value


MAX_END_LABELS = 100


def _labels(project: Project, value: Any, field: str) -> list[Label]:
    """The project's labels named by a list of keys (one to MAX_END_LABELS)."""
    if not isinstance(value, (list, tuple)) or not 0 < len(value) <= MAX_END_LABELS:
        raise InvalidInput.single(field, f"Send a list of 1 to {MAX_END_LABELS} label keys.")
    unknown = [key for key in value if not isinstance(key, str) or not re.fullmatch(KEY_PATTERN, key)]
    found = {} if unknown else {label.key: label for label in Label.objects.filter(project=project, key__in=value)}
    unknown = unknown or [key for key in value if key not in found]
    if unknown:
        raise InvalidInput.single(field, f"Unknown label {str(unknown[0])[:40]!r} in this project.")
    return [found[key] for key in dict.fromkeys(value)]


def checked_fields(project: Project, values: Mapping[str, Any], link_type: LinkType | None = None) -> dict[str, Any]:
    """Check each given value (imports too); refuse a key another link type of the project has."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput({name: ["Link types have no such field."] for name in sorted(unknown)})
    clean: dict[str, Any] = {}
    if "key" in values:
        if not isinstance(values["key"], str) or not re.fullmatch(KEY_PATTERN, values["key"]):
            raise InvalidInput.single("key", "Use lower-case letters, digits, - or _ (at most 32).")
        clean["key"] = values["key"]
    if "name" in values:
        clean["name"] = clean_text(values["name"], field="name", required=True, strip=True)
        if len(clean["name"]) > 64:
            raise InvalidInput.single("name", "Use at most 64 characters.")
    if "color" in values:
        clean["color"] = _color(values["color"])
    if "description" in values:
        clean["description"] = clean_text(values["description"], field="description", strip=True)
    for end in ("from_labels", "to_labels"):
        if end in values:
            clean[end] = _labels(project, values[end], end)
    if "order" in values:
        if (
            not isinstance(values["order"], int)
            or isinstance(values["order"], bool)
            or not 0 <= values["order"] <= 32767
        ):
            raise InvalidInput.single("order", "Use a whole number from 0 to 32767.")
        clean["order"] = values["order"]
    others = LinkType.objects.filter(project=project).exclude(pk=getattr(link_type, "pk", None))
    if clean.get("key") and others.filter(key=clean["key"]).exists():
        raise InvalidInput.single("key", "This project already has a link type with this key.")
    return clean


def _save(link_type: LinkType, clean: Mapping[str, Any]) -> LinkType:
    """Save the fields and both ends; a concurrent write of the same key is invalid input, not a server error."""
    for name, value in clean.items():
        if name not in ("from_labels", "to_labels"):
            setattr(link_type, name, value)
    try:
        with transaction.atomic():
            link_type.save()
            for end in ("from_labels", "to_labels"):
                if end in clean:
                    getattr(link_type, end).set(clean[end])
    except IntegrityError:
        raise InvalidInput.single("key", "Another link type with this key was saved meanwhile.") from None
    return link_type


def create_link_type(project: Project, *, by, **values: Any) -> LinkType:
    """Add a link type at the end of the project's list (owners do); every field but the description is needed."""
    require(role_in(project, by), Action.MANAGE_LABELS)
    missing = [name for name in ("key", "name", "color", "from_labels", "to_labels") if values.get(name) in (None, "")]
    if missing:
        raise InvalidInput({name: ["This field is required."] for name in missing})
    clean = checked_fields(project, values)
    if "order" not in clean:
        last = LinkType.objects.filter(project=project).aggregate(last=Max("order"))["last"]
        clean["order"] = 0 if last is None else min(last + 1, 32767)
    return _save(LinkType(project=project), clean)


def update_link_type(link_type: LinkType, *, by, changes: Mapping[str, Any]) -> LinkType:
    """Change a link type's key, name, colour, description, allowed labels or position (owners do).

    Links already made keep their type even when its allowed labels no longer cover their ends."""
    require(role_in(link_type.project, by), Action.MANAGE_LABELS)
    return _save(link_type, checked_fields(link_type.project, changes, link_type))


def delete_link_type(link_type: LinkType, *, by) -> None:
    """Delete an unused link type (owners do); one in use is refused with LinkTypeInUse."""
    require(role_in(link_type.project, by), Action.MANAGE_LABELS)
    with transaction.atomic():
        in_use = Link.objects.filter(type=link_type).count()
        if in_use:
            raise LinkTypeInUse(in_use)
        LinkType.objects.filter(pk=link_type.pk).delete()
