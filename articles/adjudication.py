"""Adjudication: every annotator's spans on one article side by side, and a reviewer settling each dispute.

A cluster is one passage of `articles.agreement` (spans of one label that overlap; agreed, disputed or
settled as defined there) with its Annotation rows; each distinct (start, end) in it is a version held
by one or more people. An article's annotators are the people assigned to it (nobody assigned: whoever
annotated it). `passage_counts` gives the agreement report the counts the Compare page shows.
The reviewer accepts a version (its holders' annotations become accepted, the cluster's other versions
rejected), rejects a version, or writes their own span (stored as theirs, accepted, replacing the
others). Exports restricted to accepted annotations then give the accepted set; identical spans of two
annotators are both accepted (both were right), so `accepted_spans` gives the de-duplicated set.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet

from articles.access import require, role_in
from articles.agreement import Mark, PassageCounts, PassageState, Span, count_passages, passage_state, passages
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
    state: PassageState

    @property
    def annotations(self) -> list[Annotation]:
        return [a for v in self.versions for a in v.annotations]

    @property
    def is_agreed(self) -> bool:
        return self.state == PassageState.AGREED

    @property
    def is_disputed(self) -> bool:
        return self.state == PassageState.DISPUTED

    @property
    def is_settled(self) -> bool:
        return self.state == PassageState.SETTLED


@dataclass(frozen=True)
class Comparison:
    """What the Compare page and its API show: the clusters, their counts by state, and the accepted set."""

    article: Article
    clusters: list[Cluster]
    accepted: list[tuple[int, int, str]]

    @property
    def passages(self) -> PassageCounts:
        return PassageCounts.of(c.state for c in self.clusters)


def _span_of(annotation: Annotation) -> Span:
    return Span(annotation.start, annotation.end, annotation.label.key)


def _mark_of(annotation: Annotation) -> Mark:
    return Mark(_span_of(annotation), annotation.author_id, annotation.status == ReviewStatus.PENDING)


def clusters(annotations: Iterable[Annotation], coder_ids: Iterable[int]) -> list[Cluster]:
    """Group annotations into the article's passages, in text order, each with its versions and state."""
    coders = set(coder_ids)
    result = []
    for items in passages(annotations, _span_of):
        versions: dict[tuple[int, int], Version] = {}
        for a in items:
            versions.setdefault((a.start, a.end), Version(a.start, a.end, a.label.key, a.quote)).annotations.append(a)
        ordered = sorted(versions.values(), key=lambda v: (-len(v.annotations), v.start, v.end))
        state = passage_state([_mark_of(a) for a in items], coders)
        result.append(Cluster(ordered[0].label, min(a.start for a in items), max(a.end for a in items), ordered, state))
    return result


def annotators(assigned: Iterable[int], authors: Iterable[int]) -> set[int]:
    """An article's annotators: the people assigned to it, or (nobody assigned) whoever annotated it."""
    return set(assigned) or set(authors)


def coders_of(article: Article) -> set[int]:
    """The article's annotators (one query when it is assigned, two when not)."""
    assigned = Assignment.objects.filter(article=article).values_list("annotator_id", flat=True)
    authors = Annotation.objects.filter(article=article).values_list("author_id", flat=True).distinct()
    return annotators(assigned, authors)  # the authors are read only when nobody is assigned


def passage_counts(articles: QuerySet[Article]) -> dict[int, PassageCounts]:
    """Each article's passages by state over all its spans, as its Compare page counts them (two queries)."""
    assigned: dict[int, set[int]] = defaultdict(set)
    for article_id, user_id in Assignment.objects.filter(article__in=articles).values_list(
        "article_id", "annotator_id"
    ):
        assigned[article_id].add(user_id)
    marks: dict[int, list[Mark]] = defaultdict(list)
    rows = (
        Annotation.objects.filter(article__in=articles)
        .anchored()
        .values_list("article_id", "author_id", "start", "end", "label__key", "status")
    )
    for article_id, author_id, start, end, label, status in rows:
        marks[article_id].append(Mark(Span(start, end, label), author_id, status == ReviewStatus.PENDING))
    return {
        pk: count_passages(items, annotators(assigned[pk], (m.holder for m in items))) for pk, items in marks.items()
    }


def side_by_side(article: Article, user) -> list[Cluster]:
    """The clusters of every annotation `user` may see on the article."""
    annotations = (
        Annotation.objects.visible_to(user)
        .filter(article=article)
        .anchored()
        .select_related("label", "author")
        .in_text_order()
    )
    return clusters(annotations, coders_of(article))


def compare(article: Article, user) -> Comparison:
    """The Compare page of the article as `user` may see it."""
    return Comparison(article, side_by_side(article, user), accepted_spans(article))


def accepted_spans(article: Article) -> list[tuple[int, int, str]]:
    """The accepted set: distinct (start, end, label) of the article's accepted annotations."""
    return list(
        Annotation.objects.filter(article=article, status=ReviewStatus.ACCEPTED)
        .anchored()
        .order_by("start", "end", "label__key")
        .values_list("start", "end", "label__key")
        .distinct()
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
        a
        for cluster in side_by_side(article, by)
        if cluster.is_agreed
        for a in cluster.annotations
        if a.status == ReviewStatus.PENDING and a.author_id != by.pk
    ]
    with transaction.atomic():
        _set_status(pending, ReviewStatus.ACCEPTED, by)
    return len(pending)


def adjudicate(
    article: Article, *, by, action: str, annotation: int | None = None, replaces: Sequence[int] = (), **span
) -> None:
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
