"""Links between two annotations of one article: the one write path for pages, the API and imports.

A link goes from one span to another of the same article (a quote to the source who said it), with a type
the project offers for that pair of labels. Writes are versioned like annotations (a stale version changes
nothing), every action is a LinkEvent, and deleting an end takes its links with it, recorded so that
restoring the annotation brings them back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from articles.access import require, require_change, require_review, role_in
from articles.errors import AlreadyExists, InvalidInput, StaleVersion, version_guard
from articles.locking import ensure_editable
from articles.models import Annotation, Article, Label, Link, LinkEvent, LinkType, Project, ReviewStatus
from articles.permissions import Action
from articles.text_rules import clean_text, control_character_in

MAX_BULK = 1000
EDITABLE_FIELDS = ("type", "note")


class LinkAction:
    """What a LinkEvent records (a plain string column: the vocabulary lives here)."""

    CREATED = "created"
    UPDATED = "updated"
    REVIEWED = "reviewed"
    DELETED = "deleted"  # by itself, or with one of its ends (changes: {"with_annotation": id})
    RESTORED = "restored"


def link_types_of(project: Project | int) -> list[LinkType]:
    """The project's link types in order, each with `from_keys` and `to_keys`: the label keys allowed at
    each end (three queries, whatever the number of types)."""
    project_id = getattr(project, "pk", project)
    labels = Label.objects.only("key").order_by("order", "id")
    types = list(
        LinkType.objects.filter(project_id=project_id).prefetch_related(
            Prefetch("from_labels", queryset=labels), Prefetch("to_labels", queryset=labels)
        )
    )
    for link_type in types:
        link_type.from_keys = [label.key for label in link_type.from_labels.all()]
        link_type.to_keys = [label.key for label in link_type.to_labels.all()]
    return types


def types_allowed(types: Iterable[LinkType], from_label: str, to_label: str) -> list[LinkType]:
    """The link types (from link_types_of) that may go from a `from_label` span to a `to_label` span."""
    return [each for each in types if from_label in each.from_keys and to_label in each.to_keys]


def snapshot(link: Link) -> dict[str, Any]:
    """The link's fields as JSON-ready data (for history and undo); reads the type's key."""
    return {
        "from": link.from_annotation_id,
        "to": link.to_annotation_id,
        "type": link.type.key,
        "author_id": link.author_id,
        "note": link.note,
        "status": link.status,
        "version": link.version,
    }


def _event(link: Link, action: str, by, changes: Mapping[str, Any] | None = None) -> LinkEvent:
    return LinkEvent(
        link_id=link.pk,
        article_id=link.article_id,
        actor=by if getattr(by, "pk", None) else None,
        action=action,
        changes=dict(changes or {}),
        snapshot=snapshot(link),
    )


def _record(link: Link, action: str, by, changes: Mapping[str, Any] | None = None) -> None:
    _event(link, action, by, changes).save(force_insert=True)


@dataclass(frozen=True)
class LinkSpec:
    """One link asked for: annotation ids at both ends, the type's key and a note."""

    from_id: object
    to_id: object
    type: object
    note: object = ""


def _annotation_id(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidInput.single(field, "Send the id of an annotation of this article.")
    return value


def _ends(article: Article, ids: set[int], user) -> dict[int, Annotation]:
    """The annotations with these ids that `user` may see, with their labels, by id (other articles' too,
    so a foreign end is told apart from an unknown one)."""
    visible = Annotation.objects.visible_to(user).filter(article__project_id=article.project_id, pk__in=ids)
    return {each.pk: each for each in visible.select_related("label")}


def _end(ends: Mapping[int, Annotation], article: Article, annotation_id: int, field: str) -> Annotation:
    found = ends.get(annotation_id)
    if found is None:
        raise InvalidInput.single(field, f"There is no annotation {annotation_id} that you can see.")
    if found.article_id != article.pk:
        raise InvalidInput.single(field, "Both ends of a link must be annotations of the same article.")
    return found


def _type(types: Mapping[str, LinkType], key: object) -> LinkType:
    if not isinstance(key, str) or len(key) > 32 or control_character_in(key) or key not in types:
        known = ", ".join(sorted(types)) or "none"
        raise InvalidInput.single("type", f"Unknown link type {str(key)[:40]!r} in this project (known: {known}).")
    return types[key]


def build_link(
    article: Article,
    spec: LinkSpec,
    *,
    author,
    types: Mapping[str, LinkType],
    ends: Mapping[int, Annotation],
) -> Link:
    """Check one link against the project's rules and return it unsaved.

    Both ends are annotations of `article` that the author can see, not the same one, and the type allows
    their labels.
    """
    from_id = _annotation_id(spec.from_id, "from")
    to_id = _annotation_id(spec.to_id, "to")
    if from_id == to_id:
        raise InvalidInput.single("to", "A span cannot link to itself.")
    source, target = _end(ends, article, from_id, "from"), _end(ends, article, to_id, "to")
    link_type = _type(types, spec.type)
    if source.label.key not in link_type.from_keys or target.label.key not in link_type.to_keys:
        raise InvalidInput.single("type", _pair_refused(link_type, source.label, target.label))
    return Link(
        article=article,
        from_annotation=source,
        to_annotation=target,
        type=link_type,
        author=author,
        note=clean_text(spec.note if spec.note is not None else "", field="note"),
    )


def _pair_refused(link_type: LinkType, source: Label, target: Label) -> str:
    allowed_from = " or ".join(link_type.from_keys) or "no label"
    allowed_to = " or ".join(link_type.to_keys) or "no label"
    return (
        f"A {link_type.key} link goes from {allowed_from} to {allowed_to}; "
        f"this one would go from {source.key} to {target.key}."
    )


def _existing(link: Link) -> Link | None:
    return (
        Link.objects.select_related("type")
        .filter(from_annotation_id=link.from_annotation_id, to_annotation_id=link.to_annotation_id, type=link.type)
        .exclude(pk=link.pk)
        .first()
    )


def create_links(article: Article, specs: Sequence[LinkSpec], *, author) -> list[Link]:
    """Store links all or nothing; errors are keyed by the item's index, and a link that exists already
    refuses the whole list."""
    require(role_in(article, author), Action.ANNOTATE)
    if len(specs) > MAX_BULK:
        raise InvalidInput.single("non_field_errors", f"Send at most {MAX_BULK} links at once.")
    ensure_editable(article.pk, author)
    built = _built(article, specs, author)
    try:
        _insert(built, author)
    except IntegrityError:
        raise InvalidInput.single(
            "non_field_errors", "At least one of these links already exists; nothing was saved."
        ) from None
    return built


def create_link(article: Article, spec: LinkSpec, *, author) -> Link:
    """Store one link; errors name its fields, and one that exists already raises AlreadyExists with it."""
    require(role_in(article, author), Action.ANNOTATE)
    ensure_editable(article.pk, author)
    try:
        (link,) = _built(article, [spec], author)
    except InvalidInput as error:
        raise InvalidInput(error.errors["0"]) from None
    try:
        _insert([link], author)
    except IntegrityError:
        twin = _existing(link)
        if twin is None:
            raise
        raise AlreadyExists(twin, "This link already exists.") from None
    return link


def _built(article: Article, specs: Sequence[LinkSpec], author) -> list[Link]:
    """Check every spec against the project's link types and the author's view of the article; InvalidInput
    keyed by index lists every item at fault."""
    types = {each.key: each for each in link_types_of(article.project_id)}
    ids = {value for spec in specs for value in (spec.from_id, spec.to_id) if isinstance(value, int)}
    ends = _ends(article, ids, author)
    built, errors, seen = [], {}, set()
    for index, spec in enumerate(specs):
        try:
            link = build_link(article, spec, author=author, types=types, ends=ends)
        except InvalidInput as error:
            errors[str(index)] = error.errors
            continue
        key = (link.from_annotation_id, link.to_annotation_id, link.type_id)
        if key in seen:
            errors[str(index)] = {"non_field_errors": ["The same link appears twice in this request."]}
        seen.add(key)
        built.append(link)
    if errors:
        raise InvalidInput(errors)
    return built


def _insert(links: list[Link], author) -> None:
    with transaction.atomic():
        Link.objects.bulk_create(links)
        LinkEvent.objects.bulk_create(_event(link, LinkAction.CREATED, author) for link in links)


def _guarded_update(link: Link, expected_version: int | None, values: Mapping[str, Any]) -> None:
    guard = version_guard(link.version, expected_version)
    if not Link.objects.filter(pk=link.pk, **guard).update(version=F("version") + 1, **values):
        raise StaleVersion(Link.objects.select_related("type", "author").filter(pk=link.pk).first())


def update_link(link: Link, *, by, expected_version: int | None = None, changes: Mapping[str, Any]) -> Link:
    """Change a link's type or note; the new type must allow the two ends' labels."""
    require_change(link, by)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    if not changes:
        return link
    ensure_editable(link.article_id, by)
    link_type = link.type
    if "type" in changes:
        link_type = _type({each.key: each for each in link_types_of(link.article.project_id)}, changes["type"])
        source, target = link.from_annotation.label, link.to_annotation.label
        if source.key not in link_type.from_keys or target.key not in link_type.to_keys:
            raise InvalidInput.single("type", _pair_refused(link_type, source, target))
    note = clean_text(changes.get("note", link.note), field="note")
    before = snapshot(link)
    values: dict[str, Any] = {"type": link_type, "note": note, "updated_at": timezone.now()}
    if (link_type.pk, note) != (link.type_id, link.note) and getattr(by, "pk", None) == link.author_id:
        values["status"] = ReviewStatus.PENDING  # the author changed reviewed work: it needs a fresh review
    try:
        with transaction.atomic():
            _guarded_update(link, expected_version, values)
            link.refresh_from_db()
            _record(link, LinkAction.UPDATED, by, _changes(before, snapshot(link)))
    except IntegrityError:
        twin = _existing(
            Link(pk=link.pk, from_annotation=link.from_annotation, to_annotation=link.to_annotation, type=link_type)
        )
        if twin is None:  # refused for a twin deleted again before it could be read
            raise InvalidInput.single("type", "A link of this type was saved and removed meanwhile; retry.") from None
        raise AlreadyExists(
            twin, "A link of this type between these spans exists already; nothing was changed."
        ) from None
    return link


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {name: [before[name], after[name]] for name in after if name != "version" and before[name] != after[name]}


def review_link(link: Link, *, by, status: str, expected_version: int | None = None) -> Link:
    """Accept or reject a link (or set it back to pending) as a reviewer, never one's own."""
    require_review(link, by, status)
    with transaction.atomic():
        old = link.status
        _guarded_update(link, expected_version, {"status": status, "updated_at": timezone.now()})
        link.refresh_from_db()
        _record(link, LinkAction.REVIEWED, by, {"status": [old, status]})
    return link


def delete_link(link: Link, *, by, expected_version: int | None = None) -> None:
    """Delete one link (its history keeps it)."""
    require_change(link, by)
    ensure_editable(link.article_id, by)
    with transaction.atomic():
        guard = version_guard(link.version, expected_version)
        deleted, _ = Link.objects.filter(pk=link.pk, **guard).delete()
        if not deleted:
            raise StaleVersion(Link.objects.select_related("type", "author").filter(pk=link.pk).first())
        _record(link, LinkAction.DELETED, by)


def links_of_annotations(annotation_ids: Iterable[int]) -> QuerySet[Link]:
    """Every link with an end among these annotations."""
    ids = list(annotation_ids)
    return Link.objects.filter(from_annotation_id__in=ids) | Link.objects.filter(to_annotation_id__in=ids)


def record_removal_with(annotation: Annotation, by) -> int:
    """Before an annotation is deleted: record each of its links as deleted with it (the database's cascade
    removes the rows), so that restoring the annotation restores them. Returns how many there were."""
    links = list(links_of_annotations([annotation.pk]).select_related("type"))
    LinkEvent.objects.bulk_create(
        _event(link, LinkAction.DELETED, by, {"with_annotation": annotation.pk}) for link in links
    )
    return len(links)


def _deleted_with_ends(annotation: Annotation) -> list[LinkEvent]:
    """The last event of each link with `annotation` at one end that was deleted together with one of its ends
    (this one or the other) and not brought back since."""
    removed = (
        LinkEvent.objects.filter(article_id=annotation.article_id, action=LinkAction.DELETED)
        .filter(changes__has_key="with_annotation")
        .filter(Q(snapshot__from=annotation.pk) | Q(snapshot__to=annotation.pk))
        .values("link_id")
    )
    latest: dict[int, LinkEvent] = {}
    for row in LinkEvent.objects.filter(link_id__in=removed).order_by("id"):
        latest[row.link_id] = row
    return [row for row in latest.values() if row.action == LinkAction.DELETED and "with_annotation" in row.changes]


def restore_with(annotation: Annotation, by) -> list[Link]:
    """After an annotation is restored: bring back the links that went with an end of theirs (this one or the
    other) once both ends are there again."""
    gone = _deleted_with_ends(annotation)
    if not gone:
        return []
    types = {each.key: each for each in LinkType.objects.filter(project__articles=annotation.article_id)}
    wanted = {end for row in gone for end in (row.snapshot.get("from"), row.snapshot.get("to"))}
    present = set(
        Annotation.objects.filter(article_id=annotation.article_id, pk__in=wanted).values_list("pk", flat=True)
    )
    restored = []
    for row in gone:
        data = row.snapshot
        if not {data.get("from"), data.get("to")} <= present or data.get("type") not in types:
            continue  # the other end is gone too, or its type was deleted: the link stays in history only
        link = Link(
            pk=row.link_id,
            article_id=annotation.article_id,
            from_annotation_id=data["from"],
            to_annotation_id=data["to"],
            type=types[data["type"]],
            author_id=data["author_id"],
            note=data.get("note", ""),
            status=data.get("status", ReviewStatus.PENDING),
            version=data.get("version", 1),
        )
        try:
            with transaction.atomic():
                link.save(force_insert=True)
        except IntegrityError:
            continue  # the same link was made again meanwhile
        _record(link, LinkAction.RESTORED, by)
        restored.append(link)
    return restored
