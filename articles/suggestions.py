"""Suggestions offered to a person, and their answers: accept (it becomes their annotation) or reject.

`store` keeps what a suggester's run found; `offered` is what one person sees: the article's current
suggestions that they have not answered and that do not stand exactly where an annotation they can see
already stands. Accepting goes through the annotations' one write path (articles.annotation_write) and the
links' (articles.links); its history says which suggester proposed it. A rejection is remembered per person,
so the same suggestion (same label, text and context: `key`) is not offered to them again for that article,
even after a new run or a new revision.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from articles.access import require, role_in
from articles.anchoring import SpanError, describe, validate_span
from articles.annotation_write import create_annotation
from articles.attributes import validate_attributes
from articles.errors import AlreadyExists, InvalidInput
from articles.links import LinkSpec, create_link
from articles.locking import ensure_editable
from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    EventAction,
    Label,
    Link,
    Suggester,
    Suggestion,
    SuggestionDecision,
)
from articles.permissions import Action

CONTEXT_IN_KEY = 16


@dataclass(frozen=True)
class Found:
    """One span a suggester proposes, before it is stored: label key, offsets in code points, and the rest."""

    label: str
    start: int
    end: int
    confidence: float
    attributes: dict[str, Any] = field(default_factory=dict)
    link_type: str = ""
    link_to: int | None = None  # index of another Found in the same answer


def suggestion_key(label: str, quote: str, prefix: str, suffix: str) -> str:
    """Names a suggestion across runs and revisions: its label, its text and the text right around it."""
    parts = (label, quote, prefix[-CONTEXT_IN_KEY:], suffix[:CONTEXT_IN_KEY])
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _clean_attributes(attributes: Mapping[str, Any], label: Label) -> dict[str, Any]:
    """The attributes the label's fields accept; a suggester's others are dropped, not fatal."""
    kept = {}
    for name, value in attributes.items():
        try:
            kept.update(validate_attributes({name: value}, label.fields))
        except InvalidInput:
            continue
    return kept


def _built(article: Article, suggester: Suggester, found: Sequence[Found], labels: Sequence[Label], version: str):
    """One unsaved Suggestion per usable item of `found` (None where an item is unusable), by index."""
    by_key = {label.key: label for label in labels}
    built: list[Suggestion | None] = []
    seen: set[str] = set()
    for each in found:
        label = by_key.get(each.label)
        try:
            validate_span(article.text, each.start, each.end)
        except SpanError:
            label = None  # offsets that split a character, or run past the text
        if label is None:
            built.append(None)
            continue
        context = describe(article.text, each.start, each.end)
        key = suggestion_key(label.key, context.exact, context.prefix, context.suffix)
        if key in seen:
            built.append(None)
            continue
        seen.add(key)
        built.append(
            Suggestion(
                article=article,
                suggester=suggester,
                suggester_version=version[:32],
                label=label,
                start=each.start,
                end=each.end,
                quote=context.exact,
                prefix=context.prefix,
                suffix=context.suffix,
                attributes=_clean_attributes(each.attributes, label),
                confidence=min(1.0, max(0.0, float(each.confidence))),
                link_type=(each.link_type or "")[:32],
                text_revision=article.text_revision,
                key=key,
            )
        )
    return built


# What a new run may change in a suggestion it finds again (its key stays: same label, text and context).
MOVING_FIELDS = [
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "attributes",
    "confidence",
    "link_type",
    "link_to",
    "suggester_version",
    "text_revision",
    "current",
]


def store(
    article: Article, suggester: Suggester, found: Sequence[Found], *, labels: Sequence[Label], version: str
) -> int:
    """Make `found` the suggester's suggestions on the article's latest text; return how many there are.

    A suggestion found again keeps its row (and so its answers); one no longer found goes, unless someone
    answered it, in which case it stays as not current (never offered, still remembered). Unusable items (an
    unknown label, offsets outside the text or inside a character) are skipped.
    """
    built = _built(article, suggester, found, labels, version)
    existing = {row.key: row for row in Suggestion.objects.filter(article=article, suggester=suggester)}
    stored: list[Suggestion | None] = []  # by index of `found`: the row each item is kept in
    fresh = []
    for row in built:
        old = existing.pop(row.key, None) if row is not None else None
        if old is not None:
            for name in MOVING_FIELDS:
                setattr(old, name, getattr(row, name))
            row = old
        elif row is not None:
            fresh.append(row)
        stored.append(row)
    Suggestion.objects.bulk_create(fresh)
    gone = Suggestion.objects.filter(pk__in=[row.pk for row in existing.values()])
    gone.filter(decisions__isnull=True).delete()
    gone.update(current=False, link_to=None)
    for row, each in zip(stored, found, strict=True):
        if row is not None:
            target = stored[each.link_to] if each.link_to is not None and 0 <= each.link_to < len(stored) else None
            row.link_to_id = target.pk if target is not None and target is not row else None
    kept = [row for row in stored if row is not None]
    Suggestion.objects.bulk_update(kept, MOVING_FIELDS, batch_size=500)
    return len(kept)


def offered(article: Article, user) -> QuerySet[Suggestion]:
    """The suggestions `user` has yet to answer on the article, in text order (members who annotate)."""
    require(role_in(article, user), Action.ANNOTATE)
    answered = SuggestionDecision.objects.filter(suggestion=OuterRef("pk"), user=user)
    annotated = Annotation.objects.visible_to(user).filter(
        article=OuterRef("article"), label=OuterRef("label"), start=OuterRef("start"), end=OuterRef("end")
    )
    return (
        Suggestion.objects.filter(article=article, current=True, suggester__enabled=True)
        .exclude(Exists(answered))
        .exclude(Exists(annotated))
        .select_related("label", "suggester", "link_to__label")
        .order_by("start", "-end", "id")
    )


@dataclass(frozen=True)
class Accepted:
    """What accepting made: the person's annotation, and the links it proposed."""

    annotation: Annotation
    links: list[Link]


ACCEPT_FIELDS = frozenset({"label", "start", "end", "attributes", "speaker", "link"})


def _decided(suggestion: Suggestion, user) -> bool:
    return SuggestionDecision.objects.filter(suggestion=suggestion, user=user).exists()


def _annotate(suggestion: Suggestion, by, fields: Mapping[str, Any]) -> Annotation:
    """The person's annotation for the suggestion: a new one, or theirs already on exactly that span."""
    try:
        annotation = create_annotation(suggestion.article, author=by, **fields)
    except AlreadyExists as twin:
        return twin.existing
    note = f"{suggestion.suggester.name} {suggestion.suggester_version}".strip()
    AnnotationEvent.objects.filter(annotation_id=annotation.pk, action=EventAction.CREATED).update(
        changes={"accepted_suggestion": note}
    )
    return annotation


def accept(suggestion: Suggestion, *, by, changes: Mapping[str, Any] | None = None) -> Accepted:
    """Make the suggestion `by`'s annotation (with its proposed link, when the speaker was not changed).

    `changes` may set the label, the boundaries, the attributes or the quote's `speaker` first; `link`
    false leaves the proposed link out. Accepting twice is refused.
    """
    changes = dict(changes or {})
    unknown = set(changes) - ACCEPT_FIELDS
    if unknown:
        raise InvalidInput({name: ["This cannot be set when accepting."] for name in sorted(unknown)})
    article = suggestion.article
    require(role_in(article, by), Action.ANNOTATE)
    if _decided(suggestion, by):
        raise InvalidInput.single("suggestion", "You already answered this suggestion.")
    if not suggestion.current or suggestion.text_revision != article.text_revision:
        raise InvalidInput.single("suggestion", "The text changed since this was suggested; run the suggesters again.")
    attributes = dict(suggestion.attributes)
    if isinstance(changes.get("attributes"), dict):
        attributes.update(changes["attributes"])
    elif "attributes" in changes:
        raise InvalidInput.single("attributes", "attributes must be a JSON object.")
    speaker_changed = "speaker" in changes and changes["speaker"] != suggestion.attributes.get("speaker")
    if "speaker" in changes:
        attributes["speaker"] = changes["speaker"]
    fields = {
        "label": changes.get("label", suggestion.label.key),
        "start": changes.get("start", suggestion.start),
        "end": changes.get("end", suggestion.end),
        "attributes": attributes,
    }
    with transaction.atomic():
        annotation = _annotate(suggestion, by, fields)
        links = []
        target = suggestion.link_to
        if target is not None and target.current and changes.get("link", True) and not speaker_changed:
            links = _accept_link(suggestion, target, annotation, by)
        SuggestionDecision.objects.create(suggestion=suggestion, user=by, accepted=True, annotation=annotation)
    return Accepted(annotation, links)


def _accept_link(suggestion: Suggestion, target: Suggestion, annotation: Annotation, by) -> list[Link]:
    """Accept the proposed other end too (or use the person's annotation there) and link the two."""
    fields = {"label": target.label.key, "start": target.start, "end": target.end, "attributes": target.attributes}
    other = _annotate(target, by, fields)
    if not _decided(target, by):
        SuggestionDecision.objects.create(suggestion=target, user=by, accepted=True, annotation=other)
    try:
        return [create_link(suggestion.article, LinkSpec(annotation.pk, other.pk, suggestion.link_type), author=by)]
    except AlreadyExists:
        return []
    except InvalidInput:
        return []  # the project's link types do not allow it (a changed label, a removed type): no link


def reject(suggestion: Suggestion, *, by) -> None:
    """Remember that `by` does not want this suggestion; it is not offered to them again."""
    require(role_in(suggestion.article, by), Action.ANNOTATE)
    ensure_editable(suggestion.article_id, by)
    if _decided(suggestion, by):
        raise InvalidInput.single("suggestion", "You already answered this suggestion.")
    SuggestionDecision.objects.create(suggestion=suggestion, user=by, accepted=False)


def accept_all(article: Article, *, by, label: str = "quote") -> list[Accepted]:
    """Accept every suggestion of one label offered to `by` on the article (with their links), all or nothing."""
    with transaction.atomic():
        return [accept(each, by=by) for each in offered(article, by).filter(label__key=label)]
