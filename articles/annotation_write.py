"""Creating, changing, reviewing, deleting and restoring annotations: the one write path.

The web pages, the API and imports all call these functions, so every span is checked against the
article text the same way, every change bumps `version` atomically (a stale version changes nothing)
and every action is recorded in the annotation's history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from articles import links, webhooks
from articles.access import require, require_change, require_review, role_in
from articles.anchoring import SpanError, TextQuote, anchor, describe, validate_span
from articles.annotation_insert import insert_annotations
from articles.attributes import validate_attributes
from articles.compiled import CompiledQuery
from articles.errors import AlreadyExists, InvalidInput, StaleVersion, version_guard
from articles.history import changes_between, record, snapshot
from articles.locking import ensure_editable, locked_state, refuse_locked
from articles.models import (
    AnchorStatus,
    Annotation,
    AnnotationEvent,
    Article,
    ArticleRevision,
    EventAction,
    Label,
    ReviewStatus,
)
from articles.permissions import Action
from articles.reanchoring import Anchor, Landing, reanchor
from articles.text_rules import check_flag, clean_text, control_character_in

EDITABLE_FIELDS = ("label", "start", "end", "note", "attributes", "is_flagged", "question")
MAX_BULK = 1000
ORPHAN_MESSAGE = "This annotation is orphaned: re-attach it to the text first (reanchor), then move it."
KEY_MAX = 32  # label keys are slugs of at most 32 characters


def _with_lock(labels: QuerySet[Label], article_id: int, author_id: int) -> QuerySet[Label]:
    return labels.annotate(locked=locked_state(article_id, author_id))


# Every annotation created reads its label and the author's lock state: one query, compiled once.
_LABEL_WITH_LOCK = CompiledQuery(
    lambda project, key, article, author: _with_lock(
        Label.objects.filter(project_id=project, key=key), article, author
    ),
    int,
    str,
    int,
    int,
)
_LABELS_WITH_LOCK = CompiledQuery(
    lambda project, article, author: _with_lock(Label.objects.filter(project_id=project), article, author),
    int,
    int,
    int,
)


def _labels_with_lock(article: Article, author, key: str | None = None) -> list[Label]:
    """The project's labels (only `key`'s when given), each carrying `locked`: the state of the author's
    locked work on the article (None when it is not locked)."""
    if key is None:
        return _LABELS_WITH_LOCK.run(article.project_id, article.pk, author.pk)
    return _LABEL_WITH_LOCK.run(article.project_id, key, article.pk, author.pk)


def resolve_position(
    text: str,
    *,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    prefix: str = "",
    suffix: str = "",
) -> tuple[int, int]:
    """Return (start, end) from offsets (checking `quote` if sent) or from a quote selector."""
    try:
        if start is not None or end is not None:
            if start is None or end is None:
                missing = "start" if start is None else "end"
                raise SpanError("Send both start and end, or a quote without offsets.", field=missing)
            validate_span(text, start, end, quote)
            return start, end
        if quote is None:
            raise SpanError("Send start and end, or a quote to find in the text.", field="quote")
        position = anchor(text, TextQuote(quote, prefix or "", suffix or ""))
        validate_span(text, position.start, position.end)  # a quote can match inside a character (🇫🇷 holds 🇷)
        return position.start, position.end
    except SpanError as error:
        extra = {"candidates": [{"start": c.start, "end": c.end} for c in error.candidates]}
        raise InvalidInput.single(error.field, error.message, **(extra if error.candidates else {})) from None


def _plausible_key(key: object) -> bool:
    """Whether `key` could name a label at all: text that a database query may carry (no NUL)."""
    return isinstance(key, str) and len(key) <= KEY_MAX and not control_character_in(key)


def _label(article: Article, key: str | Label, labels: Mapping[str, Label] | None = None) -> Label:
    if isinstance(key, Label):
        if key.project_id != article.project_id:
            raise InvalidInput.single("label", "That label belongs to another project.")
        return key
    if not _plausible_key(key):
        raise _unknown_label(key)
    label = (
        (labels or {}).get(key)
        if labels is not None
        else Label.objects.filter(project_id=article.project_id, key=key).first()
    )
    if label is None:
        raise _unknown_label(key)
    return label


def _unknown_label(key: object) -> InvalidInput:
    return InvalidInput.single("label", f"Unknown label {str(key)[:40]!r} in this project.")


def build_annotation(
    article: Article,
    *,
    author,
    label: str | Label,
    labels: Mapping[str, Label] | None = None,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    prefix: str = "",
    suffix: str = "",
    note: str = "",
    attributes: Any = None,
    status: str = ReviewStatus.PENDING,
) -> Annotation:
    """Validate one span against the article and return an unsaved Annotation."""
    label_obj = _label(article, label, labels)
    begin, finish = resolve_position(article.text, start=start, end=end, quote=quote, prefix=prefix, suffix=suffix)
    context = describe(article.text, begin, finish)
    note = clean_text(note, field="note")
    return Annotation(
        article=article,
        label=label_obj,
        author=author,
        start=begin,
        end=finish,
        quote=context.exact,
        original_quote=context.exact,
        anchored_revision=article.text_revision,
        prefix=context.prefix,
        suffix=context.suffix,
        note=note,
        attributes=validate_attributes(attributes, label_obj.fields),
        status=status,
    )


def existing_twin(annotation: Annotation) -> Annotation | None:
    """The stored annotation the unique rule says `annotation` would duplicate (never `annotation` itself)."""
    return (
        Annotation.objects.filter(
            article_id=annotation.article_id,
            author_id=annotation.author_id,
            label_id=annotation.label_id,
            start=annotation.start,
            end=annotation.end,
        )
        .exclude(pk=annotation.pk)
        .first()
    )


def _refuse_locked(found: list[Label], article: Article, author) -> None:
    """Apply the lock rule with the state the labels carried (asked on its own when no label came back)."""
    if found:
        refuse_locked(found[0].locked)
    else:
        ensure_editable(article.pk, author)


def _build_editable(article: Article, author, label: str | Label, fields: Mapping[str, Any]) -> Annotation:
    """Validate one span, then refuse it if the author's work on the article is locked (in that order)."""
    if not isinstance(label, str):  # a Label object (or a bad key, which build_annotation reports)
        annotation = build_annotation(article, author=author, label=label, **fields)
        ensure_editable(article.pk, author)
        return annotation
    found = _labels_with_lock(article, author, key=label) if _plausible_key(label) else []
    if not found:
        raise _unknown_label(label)
    annotation = build_annotation(article, author=author, label=found[0], **fields)
    _refuse_locked(found, article, author)
    return annotation


def create_annotation(article: Article, *, author, label: str | Label, **fields: Any) -> Annotation:
    """Validate and store one annotation; a double submit raises AlreadyExists with the first one."""
    require(role_in(article, author), Action.ANNOTATE)
    annotation = _build_editable(article, author, label, fields)
    try:
        insert_annotations([annotation], author)
    except IntegrityError:
        twin = existing_twin(annotation)
        if twin is None:
            raise
        raise AlreadyExists(twin, "You already have this label on exactly this span.") from None
    webhooks.emit("annotation.created", annotation)
    return annotation


def create_annotations(article: Article, specs: Iterable[Mapping[str, Any]], *, author) -> list[Annotation]:
    """Store many annotations all or nothing; errors are keyed by the item's index in `specs`."""
    require(role_in(article, author), Action.ANNOTATE)
    specs = list(specs)
    if len(specs) > MAX_BULK:
        raise InvalidInput.single("non_field_errors", f"Send at most {MAX_BULK} annotations at once.")
    found = _labels_with_lock(article, author)
    _refuse_locked(found, article, author)
    labels = {label.key: label for label in found}
    built, errors, seen = [], {}, set()
    for index, spec in enumerate(specs):
        try:
            annotation = build_annotation(article, author=author, labels=labels, **spec)
        except InvalidInput as error:
            errors[str(index)] = error.errors
            continue
        key = (annotation.label.key, annotation.start, annotation.end)
        if key in seen:
            errors[str(index)] = {"non_field_errors": ["The same span and label appear twice in this request."]}
        seen.add(key)
        built.append(annotation)
    if errors:
        raise InvalidInput(errors)
    try:
        insert_annotations(built, author)
    except IntegrityError:
        raise InvalidInput.single(
            "non_field_errors", "At least one of these spans already exists with the same label; nothing was saved."
        ) from None
    webhooks.emit("annotation.created", built)
    return built


def twin_conflict(annotation: Annotation, *, label_id: int, start: int, end: int, by) -> AlreadyExists | None:
    """What to answer when moving `annotation` to (label, start, end) broke the one-span-per-author-and-label rule:
    AlreadyExists with the stored twin, or None when the database refused the write for another reason."""
    twin = existing_twin(
        Annotation(
            pk=annotation.pk,
            article_id=annotation.article_id,
            author_id=annotation.author_id,
            label_id=label_id,
            start=start,
            end=end,
        )
    )
    if twin is None:
        return None
    whose = "You already have" if getattr(by, "pk", None) == annotation.author_id else "Its author already has"
    return AlreadyExists(twin, f"{whose} this label on exactly this span; nothing was changed.")


def guarded_update(annotation: Annotation, expected_version: int | None, values: Mapping[str, Any]) -> None:
    """Write `values` and bump the version in one statement that fails if the version moved."""
    guard = version_guard(annotation.version, expected_version)
    updated = Annotation.objects.filter(pk=annotation.pk, **guard).update(version=F("version") + 1, **values)
    if not updated:
        current = Annotation.objects.select_related("label", "author").filter(pk=annotation.pk).first()
        raise StaleVersion(current)


def update_annotation(
    annotation: Annotation, *, by, expected_version: int | None = None, changes: Mapping[str, Any]
) -> Annotation:
    """Change label, boundaries, note, attributes or the flag; the quote follows the new boundaries."""
    require_change(annotation, by)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    if not changes:
        return annotation
    ensure_editable(annotation.article_id, by)
    article = annotation.article
    label = _label(article, changes["label"]) if "label" in changes else annotation.label
    start, end = changes.get("start", annotation.start), changes.get("end", annotation.end)
    moved = (start, end) != (annotation.start, annotation.end)
    if moved and annotation.is_orphaned:
        raise InvalidInput.single("start", ORPHAN_MESSAGE)
    if moved:  # a span stored under older rules keeps its place
        try:
            validate_span(article.text, start, end)
        except SpanError as error:
            raise InvalidInput.single(error.field, error.message) from None
    context = (
        TextQuote(annotation.quote, annotation.prefix, annotation.suffix)
        if annotation.is_orphaned
        else describe(article.text, start, end)
    )
    note = clean_text(changes.get("note", annotation.note), field="note")
    question = clean_text(changes.get("question", annotation.question), field="question", strip=True)
    is_flagged = bool(changes.get("is_flagged", annotation.is_flagged))
    check_flag(is_flagged, question)
    values = {
        "label": label,
        "start": start,
        "end": end,
        "quote": context.exact,
        "prefix": context.prefix,
        "suffix": context.suffix,
        "note": note,
        "question": question,
        "attributes": validate_attributes(changes.get("attributes", annotation.attributes), label.fields),
        "is_flagged": is_flagged,
        "updated_at": timezone.now(),
    }
    if moved:  # a person placed it on the latest text
        values.update(anchor_status=AnchorStatus.EXACT, anchor_score=None, anchored_revision=article.text_revision)
    edited = (label.pk, start, end, values["note"], values["attributes"]) != (
        annotation.label_id,
        annotation.start,
        annotation.end,
        annotation.note,
        annotation.attributes,
    )
    if edited and getattr(by, "pk", None) == annotation.author_id:
        values["status"] = ReviewStatus.PENDING  # the author changed reviewed work: it needs a fresh review
    before = snapshot(annotation)
    try:
        with transaction.atomic():
            guarded_update(annotation, expected_version, values)
            annotation.refresh_from_db()
            after = snapshot(annotation)
            record(annotation, EventAction.UPDATED, by, changes_between(before, after))
    except IntegrityError:
        # The same rule as create: one author, one label, one span. Checked by the database as the row is
        # written, so a stale version (no row written) still answers StaleVersion, and a race cannot slip by.
        conflict = twin_conflict(annotation, label_id=label.pk, start=start, end=end, by=by)
        if conflict is None:
            raise
        raise conflict from None
    webhooks.emit("annotation.updated", annotation)
    return annotation


def review_annotation(annotation: Annotation, *, by, status: str, expected_version: int | None = None) -> Annotation:
    """Set the review status (accepted, rejected or back to pending) as a reviewer, never of one's own."""
    require_review(annotation, by, status)
    with transaction.atomic():
        old = annotation.status
        guarded_update(annotation, expected_version, {"status": status, "updated_at": timezone.now()})
        annotation.refresh_from_db()
        record(annotation, EventAction.REVIEWED, by, {"status": [old, status]})
    webhooks.emit("annotation.reviewed", annotation)
    return annotation


def delete_annotation(annotation: Annotation, *, by, expected_version: int | None = None) -> AnnotationEvent:
    """Delete the annotation and its links (history keeps them, so they can be restored)."""
    require_change(annotation, by)
    ensure_editable(annotation.article_id, by)
    with transaction.atomic():
        guard = version_guard(annotation.version, expected_version)
        links.record_removal_with(annotation, by)  # the database's cascade removes them with the annotation
        deleted, _ = Annotation.objects.filter(pk=annotation.pk, **guard).delete()
        if not deleted:
            current = Annotation.objects.select_related("label", "author").filter(pk=annotation.pk).first()
            raise StaleVersion(current)
        webhooks.emit("annotation.deleted", annotation)
        return record(annotation, EventAction.DELETED, by)


def restore_annotation(article: Article, annotation_id: int, *, by) -> Annotation:
    """Undo a deletion: recreate the annotation with its old id from the last recorded snapshot, and the links
    deleted with it whose other end is there; its author (or a reviewer or owner) may (AUTHZ-8)."""
    require(role_in(article, by), Action.ANNOTATE)
    ensure_editable(article.pk, by)
    event = AnnotationEvent.objects.filter(article=article, annotation_id=annotation_id).order_by("-id").first()
    if event is None or event.action != EventAction.DELETED:
        raise InvalidInput.single("annotation", "There is no deleted annotation to restore here.")
    data = event.snapshot
    require_change(Annotation(article=article, author_id=data["author_id"]), by)  # the role read with `article`
    landing = _place_on_latest(article, data)
    if landing.status == AnchorStatus.ORPHANED:
        label = _label(article, data["label"])
        annotation = Annotation(
            article=article,
            label=label,
            start=None,
            end=None,
            quote=data["quote"],
            prefix=data.get("prefix", ""),
            suffix=data.get("suffix", ""),
            note=clean_text(data["note"], field="note"),
            attributes=validate_attributes(data["attributes"], label.fields),
            status=data["status"],
        )
    else:
        annotation = build_annotation(
            article,
            author=None,
            label=data["label"],
            start=landing.start,
            end=landing.end,
            note=data["note"],
            attributes=data["attributes"],
            status=data["status"],
        )
    annotation.anchor_status, annotation.anchor_score = landing.status, landing.score
    annotation.anchored_revision = data.get("anchored_revision", 1) if landing.start is None else article.text_revision
    annotation.original_quote = data.get("original_quote", data["quote"])
    annotation.pk, annotation.author_id = annotation_id, data["author_id"]
    annotation.is_flagged, annotation.question = data["is_flagged"], data["question"]
    try:
        with transaction.atomic():
            annotation.save(force_insert=True)
            record(annotation, EventAction.RESTORED, by)
            links.restore_with(annotation, by)
    except IntegrityError:
        raise AlreadyExists(existing_twin(annotation), "The same span was created again meanwhile.") from None
    webhooks.emit("annotation.created", annotation)
    return annotation


def _place_on_latest(article: Article, data: Mapping[str, Any]) -> Landing:
    """Where a deleted annotation's snapshot belongs on the latest text: its own place when it was made on
    it, else re-anchored from the revision it was made on (as articles.revisions moves live ones)."""
    revision = data.get("anchored_revision", 1)
    status = data.get("anchor_status", AnchorStatus.EXACT)
    if revision == article.text_revision and data.get("start") is not None:
        return Landing(status, data["start"], data["end"], data.get("anchor_score"))
    old_text = ArticleRevision.objects.filter(article=article, number=revision).values_list("text", flat=True).first()
    start = data.get("start") if old_text is not None else None
    anchor = Anchor(
        start,
        data.get("end") if start is not None else None,
        data["quote"],
        data.get("prefix", ""),
        data.get("suffix", ""),
    )
    threshold = settings.REANCHOR_FUZZY_THRESHOLD
    return reanchor(old_text or "", article.text, [anchor], threshold=threshold)[0]
