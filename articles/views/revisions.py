"""Living articles on the web: an article's revisions with a word diff between any two of them, a corrected
text pasted in or re-fetched from the article's URL, and the queue of annotations a revision left orphaned
or changed, where they are re-attached to a passage chosen in the text or deleted.

The pages call the domain (articles.revisions, articles.watches, articles.annotation_write), which enforces
who may do what: members read, owners and reviewers bring in new text, and whoever may change an
annotation re-attaches or deletes it. Each page's region is an htmx partial; every form also works as a
plain POST (one that succeeds is answered with a redirect and a message; a refusal shows the page with it).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from articles import access, watches
from articles.annotation_write import delete_annotation
from articles.errors import DomainError, InvalidInput, StaleVersion
from articles.forms import whole_number
from articles.models import AnchorStatus, Annotation, AnnotationEvent, Article, EventAction
from articles.permissions import Action, role_allows
from articles.revision_diff import word_diff
from articles.revisions import NOTE_MAX, add_revision, reattach, revision_of, revisions_of
from articles.views.annotate import message_of, occurrences
from articles.views.workspace import can_edit, my_work, shorten, web_url

REVISIONS = "articles/article_revisions.html"
ORPHANS = "articles/article_orphans.html"
QUEUE_PAGE = 50
DIFF_CONTEXT = 240  # code points of unchanged text kept either side of a change when the diff is shortened
STATUS_WORD = {status: AnchorStatus(status).label.lower() for status in AnchorStatus.values}


def anchoring_summary(counts: dict[str, int]) -> str:
    """How a revision's annotations landed, as "12 exact · 3 shifted · 1 changed · 2 orphaned"."""
    return " · ".join(f"{counts.get(status, 0)} {STATUS_WORD[status]}" for status in AnchorStatus.values)


def _answer(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The page, or for htmx the region it targets (by default the page's main region)."""
    regions = context["regions"]
    region = (request.htmx.target if request.htmx.target in regions else regions[0]) if request.htmx else None
    response = render(request, template + (f"#{region}" if region else ""), context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _done(request: HttpRequest, url: str, notice: str) -> HttpResponse | None:
    """A plain POST that succeeded goes back to its page with the notice as a message; htmx gets the region."""
    if request.htmx:
        return None
    messages.success(request, notice)
    return redirect(url)


# --- the revisions page


def diff_pieces(old: str, new: str, *, whole: bool) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The word diff as pieces to show, long unchanged stretches shortened to their ends unless `whole`; and
    how many words were inserted and deleted."""
    ops = word_diff(old, new)
    counts = {"insert": 0, "delete": 0}
    pieces: list[dict[str, Any]] = []
    for index, op in enumerate(ops):
        if op.op != "equal":
            counts[op.op] += len(op.text.split())
            pieces.append({"op": op.op, "text": op.text})
            continue
        keep_head = index > 0 and not whole
        keep_tail = index < len(ops) - 1 and not whole
        limit = DIFF_CONTEXT * (keep_head + keep_tail)
        if whole or len(op.text) <= limit + DIFF_CONTEXT:
            pieces.append({"op": "equal", "text": op.text})
            continue
        head = _cut(op.text, DIFF_CONTEXT) if keep_head else ""
        tail = op.text[len(op.text) - len(_cut(op.text[::-1], DIFF_CONTEXT)) :] if keep_tail else ""
        skipped = len(op.text) - len(head) - len(tail)
        pieces += [{"op": "equal", "text": head}, {"op": "skip", "count": skipped}, {"op": "equal", "text": tail}]
    return [piece for piece in pieces if piece.get("text") or piece["op"] == "skip"], counts


def _cut(text: str, limit: int) -> str:
    """The start of `text`, at most `limit` code points, ending at white space where there is some."""
    piece = text[:limit]
    cut = max(piece.rfind(" "), piece.rfind("\n"))
    return piece[: cut + 1] if cut > limit // 2 else piece


def _compared(article: Article, data) -> dict[str, Any]:
    """Which two revisions to compare (default: the one before the latest, and the latest) and their diff."""
    latest = article.text_revision
    if latest < 2:
        return {"can_compare": False}
    wanted_to = whole_number(data.get("to"))
    to = wanted_to if wanted_to is not None and 1 <= wanted_to <= latest else latest
    wanted_from = whole_number(data.get("from"))
    default_from = to - 1 if to > 1 else 2
    start = wanted_from if wanted_from is not None and 1 <= wanted_from <= latest else default_from
    whole = data.get("whole") == "1"
    compared = {"can_compare": True, "diff_from": start, "diff_to": to, "whole": whole}
    if start == to:
        return {**compared, "same_revision": True}
    pieces, counts = diff_pieces(revision_of(article, start).text, revision_of(article, to).text, whole=whole)
    return {**compared, "pieces": pieces, "diff_counts": counts}


def revisions_context(article: Article, *, user, data=None, **extra: Any) -> dict[str, Any]:
    """Everything the revisions page shows, in a fixed number of queries whatever the number of annotations."""
    role = article.my_role
    revisions = revisions_of(article)
    for revision in revisions:
        revision.summary = anchoring_summary(revision.anchoring) if revision.anchoring else ""
    orphans = Annotation.objects.visible_to(user).filter(article=article, anchor_status=AnchorStatus.ORPHANED)
    can_revise = role_allows(role, Action.REVISE_ARTICLES)
    return {
        "regions": ("revision-workspace", "revision-diff"),
        "project": article.project,
        "article": article,
        "role": role,
        "revisions": revisions,
        "numbers": [revision.number for revision in revisions],
        "orphan_count": orphans.count() if article.text_revision > 1 else 0,
        "can_revise": can_revise,
        "can_refetch": can_revise and bool(web_url(article.url)),
        "note_max": NOTE_MAX,
        **_compared(article, data or {}),
        **extra,
    }


@login_required
@require_GET
def article_revisions(request: HttpRequest, article_id: int) -> HttpResponse:
    """The article's revisions, the diff of two of them (htmx: the diff alone), and for owners and reviewers
    the forms that bring in a corrected text."""
    article = access.article_for(request.user, article_id)
    return _answer(request, REVISIONS, revisions_context(article, user=request.user, data=request.GET))


@login_required
@require_POST
def article_revision_add(request: HttpRequest, article_id: int) -> HttpResponse:
    """Make the pasted text the article's next revision; say how the annotations landed, or why not."""
    article = access.article_for(request.user, article_id)
    typed = {"typed_text": request.POST.get("text", ""), "typed_note": request.POST.get("note", "")}
    try:
        result = add_revision(
            article,
            by=request.user,
            text=typed["typed_text"],
            note=typed["typed_note"],
            expected_version=whole_number(request.POST.get("version")),
        )
    except InvalidInput as error:
        context = revisions_context(article, user=request.user, revise_error=message_of(error), **typed)
        return _answer(request, REVISIONS, context, status=422)
    except StaleVersion:
        article = access.article_for(request.user, article_id)
        stale = f"Not saved: someone added revision {article.text_revision} while you were editing. Your text is below."
        return _answer(
            request, REVISIONS, revisions_context(article, user=request.user, revise_error=stale, **typed), 412
        )
    number = result.revision.number
    if not result.changed:
        context = revisions_context(
            article, user=request.user, revise_info=f"The text is the same as revision {number}."
        )
        return _answer(request, REVISIONS, context)
    notice = f"Revision {number} added. Annotations: {anchoring_summary(result.anchoring)}."
    url = reverse("article_revisions", args=[article.pk])
    return _done(request, url, notice) or _answer(
        request, REVISIONS, revisions_context(article, user=request.user, notice=notice, added=result.anchoring)
    )


@login_required
@require_POST
def article_refetch(request: HttpRequest, article_id: int) -> HttpResponse:
    """Fetch the article's URL again in the background; its job page follows the fetch."""
    article = access.article_for(request.user, article_id)
    try:
        job = watches.start_refetch(article, by=request.user)
    except DomainError as error:
        message = message_of(error) if isinstance(error, InvalidInput) else str(error)
        context = revisions_context(article, user=request.user, refetch_error=message)
        return _answer(request, REVISIONS, context, status=422 if isinstance(error, InvalidInput) else 409)
    url = reverse("job_detail", args=[job.pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


# --- the orphan queue


def _previous_quotes(ids: list[int]) -> dict[int, str]:
    """Each annotation's quote before the revision that last changed it (from its history), in one query."""
    found: dict[int, str] = {}
    events = AnnotationEvent.objects.filter(annotation_id__in=ids, action=EventAction.REANCHORED).order_by("-id")
    for annotation_id, changes in events.values_list("annotation_id", "changes"):
        quote = changes.get("quote") if isinstance(changes, dict) else None
        if annotation_id not in found and isinstance(quote, list) and quote and isinstance(quote[0], str):
            found[annotation_id] = quote[0]
    return found


def orphans_context(article: Article, *, user, page_number: str | None = None, **extra: Any) -> dict[str, Any]:
    """The article's orphaned annotations, then its fuzzy ones (a page at a time), with what each one needs
    to be recognised and whether the user may re-attach it; in a fixed number of queries."""
    role = article.my_role
    visible = Annotation.objects.visible_to(user).filter(article=article)
    waiting = visible.filter(anchor_status__in=[AnchorStatus.ORPHANED, AnchorStatus.FUZZY])
    counts = dict(waiting.order_by().values("anchor_status").annotate(n=Count("pk")).values_list("anchor_status", "n"))
    first = Case(
        When(anchor_status=AnchorStatus.ORPHANED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    ordered = waiting.select_related("label", "author").order_by(first, "start", "id")
    page = Paginator(ordered, QUEUE_PAGE).get_page(page_number)
    items = list(page.object_list)
    before = _previous_quotes([item.pk for item in items if not item.is_orphaned])
    work = my_work(article.pk, user, role)
    for item in items:
        item.can_change = can_edit(role, user, item, work)
        item.previous_quote = before.get(item.pk, item.original_quote)
    return {
        "regions": ("orphan-workspace",),
        "project": article.project,
        "article": article,
        "role": role,
        "page": page,
        "items": items,
        "orphaned_total": counts.get(AnchorStatus.ORPHANED, 0),
        "fuzzy_total": counts.get(AnchorStatus.FUZZY, 0),
        "can_annotate": role_allows(role, Action.ANNOTATE),
        **extra,
    }


@login_required
@require_GET
def article_orphans(request: HttpRequest, article_id: int) -> HttpResponse:
    """The orphan queue: annotations a revision orphaned or changed, and the latest text to re-attach them to."""
    article = access.article_for(request.user, article_id)
    context = orphans_context(article, user=request.user, page_number=request.GET.get("page"))
    return _answer(request, ORPHANS, context)


def _orphan(request: HttpRequest, article: Article, annotation_id: int) -> Annotation:
    """An annotation of this article the user may see, else a 404."""
    annotation = access.annotation_for(request.user, annotation_id)
    if annotation.article_id != article.pk:
        raise Http404("No such annotation on this article.")
    return annotation


def _reattach_from(annotation: Annotation, data, *, by) -> Annotation:
    """Re-attach to the offsets the page read from a selection, else to the passage typed in."""
    expected = {
        "expected_version": whole_number(data.get("version")),
        "on_revision": whole_number(data.get("revision")),
    }
    start, end = whole_number(data.get("start")), whole_number(data.get("end"))
    if start is not None and end is not None:
        return reattach(annotation, by=by, start=start, end=end, **expected)
    quote = data.get("quote", "").strip()
    if not quote:
        raise InvalidInput.single("quote", "Select the passage in the article text (or type it), then re-attach.")
    return reattach(annotation, by=by, quote=quote, **expected)


STALE_GONE = "Not changed: someone deleted this annotation meanwhile."
STALE_CHANGED = "Not changed: someone changed this annotation meanwhile. Below is its current state; try again."


def _refusal(error: DomainError, article: Article) -> dict[str, Any]:
    """The status and inline message of a refused re-attach or delete (ambiguous passages list their places)."""
    if isinstance(error, InvalidInput):
        choices = occurrences(article.text, error.extra.get("candidates", []))
        return {"status": 422, "error": message_of(error), "choices": choices}
    if isinstance(error, StaleVersion):
        return {"status": 412, "error": STALE_GONE if error.current is None else STALE_CHANGED}
    return {"status": 409, "error": str(error)}


@login_required
@require_POST
def orphan_reattach(request: HttpRequest, article_id: int, annotation_id: int) -> HttpResponse:
    """Put an orphaned or fuzzy annotation on the passage chosen in the text; it becomes exact."""
    article = access.article_for(request.user, article_id)
    annotation = _orphan(request, article, annotation_id)
    try:
        done = _reattach_from(annotation, request.POST, by=request.user)
    except DomainError as error:
        refusal = {**_refusal(error, article), "error_for": annotation.pk, "typed_quote": request.POST.get("quote", "")}
        status = refusal.pop("status")
        return _answer(request, ORPHANS, orphans_context(article, user=request.user, **refusal), status)
    notice = (
        f"Re-attached: {done.label.name} “{shorten(done.quote, 80)}” is exact now (characters {done.start}–{done.end})."
    )
    back = reverse("article_orphans", args=[article.pk])
    context = orphans_context(article, user=request.user, notice=notice, reattached=done)
    return _done(request, back, notice) or _answer(request, ORPHANS, context)


@login_required
@require_POST
def orphan_delete(request: HttpRequest, article_id: int, annotation_id: int) -> HttpResponse:
    """Delete an annotation from the queue (its history keeps it, so it can be restored)."""
    article = access.article_for(request.user, article_id)
    annotation = _orphan(request, article, annotation_id)
    try:
        delete_annotation(annotation, by=request.user, expected_version=whole_number(request.POST.get("version")))
    except DomainError as error:
        refusal = {**_refusal(error, article), "error_for": annotation.pk}
        status = refusal.pop("status")
        return _answer(request, ORPHANS, orphans_context(article, user=request.user, **refusal), status)
    notice = f"Deleted {annotation.label.name} “{shorten(annotation.quote, 80)}”."
    back = reverse("article_orphans", args=[article.pk])
    context = orphans_context(article, user=request.user, notice=notice, undo=annotation.pk)
    return _done(request, back, notice) or _answer(request, ORPHANS, context)
