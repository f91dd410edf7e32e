"""Adjudication: every annotator's spans on one article side by side, and a reviewer settling each dispute.

Spans of one label that overlap form a cluster; each distinct (start, end) in it is a version held by
one or more annotators. A cluster is agreed when every annotator of the article holds its one version.
The reviewer accepts a version (its holders' annotations become accepted, the cluster's other versions
rejected), rejects a version, or writes their own span (stored as theirs, accepted, replacing the
others). Exports restricted to accepted annotations then give the settled set; identical spans of two
annotators are both accepted (both were right), so `accepted_spans` gives the de-duplicated set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from articles.access import require, role_in
from articles.annotation_write import create_annotation, review_annotation
from articles.errors import InvalidInput
from articles.models import Annotation, Article, Assignment, ReviewStatus
from articles.permissions import Action


@dataclass
class Version:
    start: int
    end: int
    label: str
    quote: str
    annotations: list[Annotation] = field(default_factory=list)

    @property
    def author_ids(self) -> set[int]:
        return {a.author_id for a in self.annotations}

    @property
    def status(self) -> str:
        statuses = {a.status for a in self.annotations}
        return statuses.pop() if len(statuses) == 1 else "mixed"


@dataclass
class Cluster:
    label: str
    start: int
    end: int
    versions: list[Version]
    is_agreed: bool

    @property
    def annotations(self) -> list[Annotation]:
        return [a for v in self.versions for a in v.annotations]

    @property
    def is_settled(self) -> bool:
        return all(a.status != ReviewStatus.PENDING for a in self.annotations)


def clusters(annotations: Iterable[Annotation], coder_ids: Iterable[int]) -> list[Cluster]:
    """Group annotations into clusters of overlapping same-label spans, in text order."""
    coders = set(coder_ids)
    by_label: dict[str, list[Annotation]] = {}
    for annotation in annotations:
        by_label.setdefault(annotation.label.key, []).append(annotation)
    groups: list[tuple[str, list[Annotation]]] = []
    for label, items in by_label.items():
        current: list[Annotation] = []
        reach = 0
        for annotation in sorted(items, key=lambda a: (a.start, a.end, a.pk)):
            if current and annotation.start >= reach:
                groups.append((label, current))
                current = []
            current.append(annotation)
            reach = max(reach, annotation.end) if len(current) > 1 else annotation.end
        groups.append((label, current))
    result = []
    for label, items in groups:
        versions: dict[tuple[int, int], Version] = {}
        for a in items:
            versions.setdefault((a.start, a.end), Version(a.start, a.end, label, a.quote)).annotations.append(a)
        ordered = sorted(versions.values(), key=lambda v: (-len(v.annotations), v.start, v.end))
        agreed = len(ordered) == 1 and bool(coders) and coders <= ordered[0].author_ids
        result.append(Cluster(label, min(a.start for a in items), max(a.end for a in items), ordered, agreed))
    return sorted(result, key=lambda c: (c.start, -c.end, c.label))


def coders_of(article: Article) -> list[int]:
    """The article's annotators: its assignees, or (without assignments) whoever annotated it."""
    assigned = list(Assignment.objects.filter(article=article).values_list("annotator_id", flat=True))
    return assigned or list(Annotation.objects.filter(article=article).values_list("author_id", flat=True).distinct())


def side_by_side(article: Article, user) -> list[Cluster]:
    """The clusters of every annotation `user` may see on the article."""
    annotations = (
        Annotation.objects.visible_to(user).filter(article=article).select_related("label", "author").in_text_order()
    )
    return clusters(annotations, coders_of(article))


def accepted_spans(article: Article) -> list[tuple[int, int, str]]:
    """The settled set: distinct (start, end, label) of the article's accepted annotations."""
    return list(
        Annotation.objects.filter(article=article, status=ReviewStatus.ACCEPTED).order_by("start", "end", "label__key")
        .values_list("start", "end", "label__key").distinct()
    )


def _cluster_of(article: Article, annotation_id: object, by) -> tuple[Cluster, Version]:
    require(role_in(article, by), Action.REVIEW)
    for cluster in side_by_side(article, by):
        for version in cluster.versions:
            if any(a.pk == annotation_id for a in version.annotations):
                if any(a.author_id == by.pk for a in cluster.annotations):
                    raise PermissionDenied("You annotated this passage yourself; another reviewer must settle it.")
                return cluster, version
    raise InvalidInput.single("annotation", "No annotation with this id on this article.")


def _set_status(annotations: Sequence[Annotation], status: str, by) -> None:
    for annotation in annotations:
        if annotation.status != status:
            review_annotation(annotation, by=by, status=status)


def accept_version(article: Article, annotation_id: int, *, by) -> Cluster:
    """Accept the version holding this annotation and reject the cluster's other versions."""
    cluster, chosen = _cluster_of(article, annotation_id, by)
    with transaction.atomic():
        _set_status(chosen.annotations, ReviewStatus.ACCEPTED, by)
        _set_status([a for v in cluster.versions if v is not chosen for a in v.annotations], ReviewStatus.REJECTED, by)
    return cluster


def reject_version(article: Article, annotation_id: int, *, by) -> Cluster:
    """Reject the version holding this annotation (every annotator's copy of it)."""
    cluster, chosen = _cluster_of(article, annotation_id, by)
    with transaction.atomic():
        _set_status(chosen.annotations, ReviewStatus.REJECTED, by)
    return cluster


def write_own(article: Article, *, by, label: str, start: int, end: int, replaces: Sequence[int] = ()) -> Annotation:
    """Store the reviewer's own span as accepted and reject the annotations it replaces."""
    require(role_in(article, by), Action.REVIEW)
    replaces = list(replaces)
    if any(isinstance(pk, bool) or not isinstance(pk, int) for pk in replaces):
        raise InvalidInput.single("replaces", "Send a list of annotation ids.")
    replaced = list(Annotation.objects.filter(article=article, pk__in=replaces).select_related("label"))
    if len(replaced) != len(set(replaces)):
        raise InvalidInput.single("replaces", "Every replaced annotation must be on this article.")
    if any(a.author_id == by.pk for a in replaced):
        raise PermissionDenied("You annotated this passage yourself; another reviewer must settle it.")
    with transaction.atomic():
        own = create_annotation(article, author=by, label=label, start=start, end=end, status=ReviewStatus.ACCEPTED)
        _set_status(replaced, ReviewStatus.REJECTED, by)
    return own


def accept_agreed(article: Article, *, by) -> int:
    """Accept every pending annotation of the clusters all annotators agree on; return how many."""
    require(role_in(article, by), Action.REVIEW)
    pending = [
        a for cluster in side_by_side(article, by) if cluster.is_agreed
        for a in cluster.annotations if a.status == ReviewStatus.PENDING and a.author_id != by.pk
    ]
    with transaction.atomic():
        _set_status(pending, ReviewStatus.ACCEPTED, by)
    return len(pending)


def adjudicate(article: Article, *, by, action: str, annotation: int | None = None, replaces: Sequence[int] = (),
               **span) -> None:
    """Run one adjudication step by name: accept, reject, write (label, start, end) or accept_agreed."""
    if action == "accept":
        accept_version(article, annotation, by=by)
    elif action == "reject":
        reject_version(article, annotation, by=by)
    elif action == "write":
        write_own(article, by=by, replaces=replaces, **span)
    elif action == "accept_agreed":
        accept_agreed(article, by=by)
    else:
        raise InvalidInput.single("action", "Choose accept, reject, write or accept_agreed.")
