"""Living articles: a corrected text becomes a new revision, and every annotation is re-anchored onto it.

`add_revision` is the one way an article's text changes (the API, the article page, imports and watched
re-fetches all call it). Under a lock on the article it stores the new revision, moves each annotation
with articles.reanchoring (exact, shifted, fuzzy or orphaned: never onto wrong text), records every
change of anchor in the annotation's history, and makes the new text the article's. Two revisions sent
at once are applied one after the other; one sent with a stale version is refused.

`reattach` puts an orphaned (or fuzzy) annotation back on a span someone chose, as `exact`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from articles import history, webhooks
from articles.access import require, require_change, role_in, sees_every_annotation
from articles.anchor_update import update_anchors
from articles.anchoring import describe, text_sha256
from articles.annotation_write import guarded_update, resolve_position, twin_conflict
from articles.article_write import check_text, refuse_other_with_text
from articles.errors import InvalidInput, StaleVersion, version_guard
from articles.history import changes_between, snapshot
from articles.locking import ensure_editable
from articles.models import (
    AnchorStatus,
    Annotation,
    AnnotationEvent,
    Article,
    ArticleRevision,
    EventAction,
    RevisionSource,
)
from articles.permissions import Action
from articles.reanchoring import Anchor, Landing, reanchor
from articles.suggesters import queue_for_new_text
from articles.text_rules import clean_text

NOTE_MAX = 2000
TEXT_MOVED_ON = "The article's text changed since this page was loaded: the text below is the latest; choose again."
STATUSES = tuple(AnchorStatus.values)  # the order of the `anchoring` counts


@dataclass(frozen=True)
class RevisionResult:
    """What adding a revision did: the latest revision, whether the text changed, and the anchoring counts."""

    revision: ArticleRevision
    changed: bool
    anchoring: dict[str, int]


def first_revision(article: Article) -> ArticleRevision:
    """Revision 1 as the article holds it while it has no stored revisions (unsaved)."""
    return ArticleRevision(
        article=article,
        number=1,
        text=article.text,
        text_sha256=article.text_sha256,
        created_at=article.created_at,
        created_by_id=article.created_by_id,
        source=RevisionSource.MANUAL,
        anchoring={},
    )


def revisions_of(article: Article, *, with_text: bool = False) -> list[ArticleRevision]:
    """The article's revisions, newest first (revision 1 alone, read from the article, until it changes).

    The anchoring counts cover everyone's annotations: a blind annotator of an independent project (the
    article read with their role, articles.access) gets them empty, as they may not learn of others' work.
    """
    stored = ArticleRevision.objects.filter(article=article).select_related("created_by").order_by("-number")
    if not with_text:
        stored = stored.defer("text")
    revisions = list(stored) or [first_revision(article)]
    if hasattr(article, "project_visibility") and not sees_every_annotation(article):
        for revision in revisions:
            revision.anchoring = {}
    return revisions


def revision_of(article: Article, number: object) -> ArticleRevision:
    """One revision of the article by its number, else a 404."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 0
    if article.text_revision == 1 and wanted == 1:  # revision 1 is stored only when revision 2 arrives
        return first_revision(article)
    if 1 <= wanted <= article.text_revision:
        found = ArticleRevision.objects.filter(article=article, number=wanted).select_related("created_by").first()
        if found is not None:
            return found
    raise Http404("This article has no such revision.")


def add_revision(
    article: Article,
    *,
    by,
    text: Any,
    note: Any = "",
    source: str = RevisionSource.MANUAL,
    fetched_url: str = "",
    extractor_version: str = "",
    expected_version: int | None = None,
) -> RevisionResult:
    """Make `text` the article's latest revision and re-anchor every annotation onto it (owners, reviewers).

    The same text as now changes nothing. `by` None is the server itself (a watched re-fetch).
    `expected_version` (from If-Match) refuses a revision based on an article that changed meanwhile;
    without it, concurrent revisions apply one after the other.
    """
    if by is not None:  # None: the server's own watch (articles.watches), which the project's settings allow
        require(role_in(article, by), Action.REVISE_ARTICLES)
    new_text = check_text(text)
    note = clean_text(note, field="note", strip=True)
    if len(note) > NOTE_MAX:
        raise InvalidInput.single("note", f"The note is longer than {NOTE_MAX} characters.")
    with transaction.atomic():
        current = Article.objects.select_for_update().filter(pk=article.pk).first()
        if current is None:
            raise Http404("No such article in your projects.")
        if version_guard(current.version, expected_version).get("version", current.version) != current.version:
            raise StaleVersion(current)
        if new_text == current.text:
            return RevisionResult(revision_of(current, current.text_revision), changed=False, anchoring={})
        digest = text_sha256(new_text)
        refuse_other_with_text(current, digest)
        if current.text_revision == 1 and not ArticleRevision.objects.filter(article=current).exists():
            first_revision(current).save()
        number = current.text_revision + 1
        counts = _reanchor_all(current, new_text, number, by)
        revision = ArticleRevision.objects.create(
            article=current,
            number=number,
            text=new_text,
            text_sha256=digest,
            created_by=by if getattr(by, "pk", None) else None,
            source=source,
            note=note,
            fetched_url=fetched_url,
            extractor_version=extractor_version,
            anchoring=counts,
        )
        Article.objects.filter(pk=current.pk).update(
            text=new_text,
            text_sha256=digest,
            text_revision=number,
            version=F("version") + 1,
            search_ready=False,  # articles.search_index indexes the new text in the background
            updated_at=timezone.now(),
        )
        webhooks.emit("article.revised", revision)
        queue_for_new_text(current.project_id, [(current, number)])
    article.refresh_from_db()
    revision.article = article
    return RevisionResult(revision, changed=True, anchoring=counts)


def _anchor_of(annotation: Annotation) -> Anchor:
    return Anchor(annotation.start, annotation.end, annotation.quote, annotation.prefix, annotation.suffix)


def _reanchor_all(article: Article, new_text: str, number: int, by) -> dict[str, int]:
    """Move every annotation of the article onto `new_text`; return how many landed with each status."""
    annotations = list(Annotation.objects.filter(article=article).select_related("label").order_by("id"))
    landings = reanchor(
        article.text, new_text, [_anchor_of(a) for a in annotations], threshold=settings.REANCHOR_FUZZY_THRESHOLD
    )
    landings = _without_twins(annotations, landings)
    counts = Counter(landing.status for landing in landings)
    moved: list[tuple[Annotation, dict[str, Any]]] = []
    still: list[int] = []
    for annotation, landing in zip(annotations, landings, strict=True):
        values = _anchor_values(new_text, annotation, landing)
        if all(getattr(annotation, name) == value for name, value in values.items()):
            still.append(annotation.pk)
            continue
        if landing.status != AnchorStatus.ORPHANED:
            values["anchored_revision"] = number
        moved.append((annotation, values))
    now = timezone.now()
    if still:  # same place and text (anchored to the new revision now), or still orphaned: a new version each,
        # so an If-Match read before the revision no longer fits
        anchored = Annotation.objects.filter(pk__in=still)
        anchored.exclude(anchor_status=AnchorStatus.ORPHANED).update(
            anchored_revision=number, version=F("version") + 1, updated_at=now
        )
        anchored.filter(anchor_status=AnchorStatus.ORPHANED).update(version=F("version") + 1, updated_at=now)
    if moved:
        _move(moved, by, now)
    return {status: counts.get(status, 0) for status in STATUSES}


def _anchor_values(new_text: str, annotation: Annotation, landing: Landing) -> dict[str, Any]:
    if landing.status == AnchorStatus.ORPHANED:
        return {"start": None, "end": None, "anchor_status": AnchorStatus.ORPHANED, "anchor_score": None}
    context = describe(new_text, landing.start, landing.end)
    return {
        "start": landing.start,
        "end": landing.end,
        "quote": context.exact,
        "prefix": context.prefix,
        "suffix": context.suffix,
        "anchor_status": landing.status,
        "anchor_score": landing.score if landing.status == AnchorStatus.FUZZY else None,
    }


def _without_twins(annotations: list[Annotation], landings: list[Landing]) -> list[Landing]:
    """Orphan all but the first of an author's same-label annotations that would land on the same span
    (the database allows one), rather than merge or lose them."""
    seen: set[tuple] = set()
    result = []
    for annotation, landing in zip(annotations, landings, strict=True):
        if landing.status != AnchorStatus.ORPHANED:
            key = (annotation.author_id, annotation.label_id, landing.start, landing.end)
            if key in seen:
                landing = Landing(AnchorStatus.ORPHANED, None, None, None)
            seen.add(key)
        result.append(landing)
    return result


def _move(moved: list[tuple[Annotation, dict[str, Any]]], by, now) -> None:
    """Write the new anchors and a `reanchored` history row for each.

    The moved rows are first taken off the text (no offsets), so that one annotation landing where
    another is leaving never breaks the one-span-per-author-and-label rule halfway through.
    """
    ids = [annotation.pk for annotation, _ in moved]
    Annotation.objects.filter(pk__in=ids).update(start=None, end=None, anchor_status=AnchorStatus.ORPHANED)
    events = []
    for annotation, values in moved:
        before = snapshot(annotation)
        for name, value in values.items():
            setattr(annotation, name, value)
        annotation.version += 1
        annotation.updated_at = now
        events.append(
            history.event(annotation, EventAction.REANCHORED, by, changes_between(before, snapshot(annotation)))
        )
    update_anchors([annotation for annotation, _ in moved])
    AnnotationEvent.objects.bulk_create(events, batch_size=500)


def reattach(
    annotation: Annotation,
    *,
    by,
    expected_version: int | None = None,
    on_revision: int | None = None,
    start: int | None = None,
    end: int | None = None,
    quote: str | None = None,
    prefix: str = "",
    suffix: str = "",
) -> Annotation:
    """Put an orphaned or fuzzy annotation on a span of the latest text that a person chose; it is then
    `exact`, anchored to the latest revision, and keeps its original quote.

    `on_revision` is the revision whose text the span was chosen on (a page says it): a newer one refuses.
    Through the API `expected_version` does the same, as every revision changes every annotation's version.
    """
    require_change(annotation, by)
    ensure_editable(annotation.article_id, by)
    article = annotation.article
    if on_revision is not None and on_revision != article.text_revision:
        raise InvalidInput.single("revision", TEXT_MOVED_ON)
    begin, finish = resolve_position(article.text, start=start, end=end, quote=quote, prefix=prefix, suffix=suffix)
    context = describe(article.text, begin, finish)
    values = {
        "start": begin,
        "end": finish,
        "quote": context.exact,
        "prefix": context.prefix,
        "suffix": context.suffix,
        "anchor_status": AnchorStatus.EXACT,
        "anchor_score": None,
        "anchored_revision": article.text_revision,
        "updated_at": timezone.now(),
    }
    before = snapshot(annotation)
    try:
        with transaction.atomic():
            guarded_update(annotation, expected_version, values)
            annotation.refresh_from_db()
            history.record(annotation, EventAction.REANCHORED, by, changes_between(before, snapshot(annotation)))
    except IntegrityError:
        conflict = twin_conflict(annotation, label_id=annotation.label_id, start=begin, end=finish, by=by)
        if conflict is None:
            raise
        raise conflict from None
    webhooks.emit("annotation.updated", annotation)
    return annotation
