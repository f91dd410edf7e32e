"""A project's labels: owners add, change, reorder and delete them, under rules every caller shares.

Keys and shortcuts (1-9) are unique in a project; attribute fields follow articles.labels.check_label_fields;
a colour must keep highlighted text readable (`highlight_contrast` >= MIN_CONTRAST). A label in use is
deleted only by merging it into another label: its annotations move there, each move in their history.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from articles.access import require, role_in
from articles.errors import DomainError, InvalidInput
from articles.history import record
from articles.labels import check_label_fields
from articles.links import record_removal_with
from articles.models import Annotation, EventAction, Label, Project
from articles.models.projects import COLOR_PATTERN, KEY_PATTERN, SHORTCUT_PATTERN
from articles.permissions import Action
from articles.text_rules import clean_text

# Highlights are drawn as `color-mix(in srgb, <label colour> N%, transparent)` over the paper, with text in
# --ink (static/articles/annotator.css); nested spans deepen the tint up to 56% (mark.hl.depth-4).
INK = "#1b1f24"
PAPER = "#ffffff"
DEEPEST_TINT = 0.56
# WCAG 2.x level AA for body text: the ink on the deepest tint must reach 4.5:1.
MIN_CONTRAST = 4.5
EDITABLE = ("key", "name", "color", "shortcut", "description", "order", "fields")


class LabelInUse(DomainError):
    """The label still has annotations; the owner must merge it into another label to delete it."""

    def __init__(self, count: int):
        super().__init__(f"This label is in use by {_count(count)}; merge it into another label to delete it.")
        self.count = count


@dataclass(frozen=True)
class Deletion:
    """What deleting a label did: annotations moved to the other label, duplicates removed."""

    moved: int = 0
    duplicates: int = 0

    @property
    def message(self) -> str:
        if not self.moved and not self.duplicates:
            return "Label deleted."
        message = f"Label merged: {_count(self.moved)} moved."
        if self.duplicates:
            message += f" {_count(self.duplicates)} already had the other label on the same span and were removed."
        return message


def _count(number: int) -> str:
    return f"{number} annotation{'' if number == 1 else 's'}"


def _luminance(color: str) -> float:
    """WCAG relative luminance of a #RRGGBB colour."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio (1 to 21) of two #RRGGBB colours."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def tint(color: str, share: float, base: str = PAPER) -> str:
    """`share` of `color` over `base`, mixed channel by channel in sRGB as CSS color-mix(in srgb) does."""
    pairs = [(int(color[i : i + 2], 16), int(base[i : i + 2], 16)) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c * share + b * (1 - share)):02x}" for c, b in pairs)


def highlight_contrast(color: str) -> float:
    """Contrast of the page's text on the deepest highlight tint of `color`."""
    return contrast_ratio(INK, tint(color, DEEPEST_TINT))


def _color(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(COLOR_PATTERN, value):
        raise InvalidInput.single("color", "Use a colour like #1A2B3C.")
    ratio = highlight_contrast(value)
    if ratio < MIN_CONTRAST:
        raise InvalidInput.single(
            "color",
            f"Text on this colour's highlight has a contrast of {ratio:.1f}:1; at least {MIN_CONTRAST}:1 is needed "
            "so annotated text stays readable. Choose a lighter colour.",
        )
    return value


def _clean(project: Project, values: Mapping[str, Any], label: Label | None = None) -> dict[str, Any]:
    """Check each given value; refuse a key or shortcut another label of the project has."""
    clean: dict[str, Any] = {}
    if "key" in values:
        if not isinstance(values["key"], str) or not re.fullmatch(KEY_PATTERN, values["key"]):
            raise InvalidInput.single("key", "Use lower-case letters, digits, - or _ (at most 32).")
        clean["key"] = values["key"]
    if "name" in values:
        clean["name"] = clean_text(values["name"], field="name", required=True, strip=True)
    if "color" in values:
        clean["color"] = _color(values["color"])
    if "shortcut" in values:
        shortcut = values["shortcut"] if values["shortcut"] is not None else ""
        if not isinstance(shortcut, str) or not re.fullmatch(SHORTCUT_PATTERN, shortcut):
            raise InvalidInput.single("shortcut", "Use one digit from 1 to 9, or none.")
        clean["shortcut"] = shortcut
    if "description" in values:
        clean["description"] = clean_text(values["description"], field="description", strip=True)
    if "fields" in values:
        clean["fields"] = check_label_fields(values["fields"])
    if "order" in values:
        if not isinstance(values["order"], int) or not 0 <= values["order"] <= 32767:
            raise InvalidInput.single("order", "Use a whole number from 0 to 32767.")
        clean["order"] = values["order"]
    others = Label.objects.filter(project=project).exclude(pk=getattr(label, "pk", None))
    if clean.get("key") and others.filter(key=clean["key"]).exists():
        raise InvalidInput.single("key", "This project already has a label with this key.")
    if clean.get("shortcut") and others.filter(shortcut=clean["shortcut"]).exists():
        raise InvalidInput.single("shortcut", f"Another label of this project uses the shortcut {clean['shortcut']}.")
    return clean


def _saved(label: Label) -> Label:
    """Save, answering a concurrent write of the same key or shortcut as invalid input, not a server error."""
    try:
        with transaction.atomic():
            label.save()
    except IntegrityError:
        raise InvalidInput.single("key", "Another label with this key or shortcut was saved meanwhile.") from None
    return label


def create_label(project: Project, *, by, **values: Any) -> Label:
    """Add a label at the end of the project's list (owners do); key, name and colour are required."""
    require(role_in(project, by), Action.MANAGE_LABELS)
    missing = [name for name in ("key", "name", "color") if values.get(name) in (None, "")]
    if missing:
        raise InvalidInput({name: ["This field is required."] for name in missing})
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise InvalidInput({name: ["Labels have no such field."] for name in sorted(unknown)})
    clean = _clean(project, values)
    if "order" not in clean:
        last = Label.objects.filter(project=project).aggregate(last=Max("order"))["last"]
        clean["order"] = 0 if last is None else min(last + 1, 32767)
    return _saved(Label(project=project, **clean))


def update_label(label: Label, *, by, changes: Mapping[str, Any]) -> Label:
    """Change a label's key, name, colour, shortcut, description, fields or position (owners do)."""
    require(role_in(label.project, by), Action.MANAGE_LABELS)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    for name, value in _clean(label.project, changes, label).items():
        setattr(label, name, value)
    return _saved(label)


def move_label(label: Label, *, by, step: int) -> list[Label]:
    """Move a label `step` places up (-1) or down (+1) in the project's list; return the list in its new order."""
    require(role_in(label.project, by), Action.MANAGE_LABELS)
    if step not in (-1, 1):
        raise InvalidInput.single("step", "Move a label one place up or down.")
    with transaction.atomic():
        labels = list(Label.objects.select_for_update().filter(project_id=label.project_id).order_by("order", "id"))
        index = next(i for i, each in enumerate(labels) if each.pk == label.pk)
        other = index + step
        if 0 <= other < len(labels):
            labels[index], labels[other] = labels[other], labels[index]
        for order, each in enumerate(labels):  # renumbering also mends orders that were equal
            each.order = order
        Label.objects.bulk_update(labels, ["order"])
    return labels


def _merge(label: Label, target: Label, by) -> Deletion:
    """Move the label's annotations to `target`; one that `target` already covers (same author and span) goes."""
    same_span = Annotation.objects.filter(
        label=target,
        article=OuterRef("article"),
        author=OuterRef("author"),
        start=OuterRef("start"),
        end=OuterRef("end"),
    )
    annotations = list(
        Annotation.objects.select_for_update().filter(label=label).annotate(is_duplicate=Exists(same_span))
    )
    moved = [each for each in annotations if not each.is_duplicate]
    duplicates = [each for each in annotations if each.is_duplicate]
    for annotation in duplicates:
        annotation.label = label  # cached: the history snapshot reads the key without a query
        record_removal_with(annotation, by)
        Annotation.objects.filter(pk=annotation.pk).delete()
        record(annotation, EventAction.DELETED, by, {"label": [label.key, target.key]})
    now = timezone.now()
    for annotation in moved:
        annotation.label, annotation.version, annotation.updated_at = target, annotation.version + 1, now
    Annotation.objects.bulk_update(moved, ["label", "version", "updated_at"])
    for annotation in moved:
        record(annotation, EventAction.UPDATED, by, {"label": [label.key, target.key]})
    return Deletion(moved=len(moved), duplicates=len(duplicates))


def delete_label(label: Label, *, by, merge_into: Label | None = None) -> Deletion:
    """Delete a label (owners do). One in use is refused (LabelInUse) unless `merge_into` names another label
    of the project to move its annotations to."""
    require(role_in(label.project, by), Action.MANAGE_LABELS)
    if merge_into is not None and (merge_into.project_id != label.project_id or merge_into.pk == label.pk):
        raise InvalidInput.single("merge_into", "Merge into another label of the same project.")
    with transaction.atomic():
        in_use = Annotation.objects.filter(label=label).count()
        if in_use and merge_into is None:
            raise LabelInUse(in_use)
        done = _merge(label, merge_into, by) if in_use and merge_into is not None else Deletion()
        Label.objects.filter(pk=label.pk).delete()
    return done
