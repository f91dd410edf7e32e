"""The annotate page and its htmx fragments: create, edit, flag, delete and restore annotations in place.

A write that succeeds answers (200) with only what it changed, as out-of-band swaps
(articles.views.workspace_changes); a refusal answers with the whole `workspace` region: 422 for input
the domain refused, 409 for a double submit and 412 for a stale version, each with a readable message
and the current state. Without JavaScript the same forms work as plain POSTs.
Start and Submit on the page go through articles.views.review.assignment_transition, which answers
with `work_on_article` here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from articles import access
from articles.annotation_write import create_annotation, delete_annotation, restore_annotation, update_annotation
from articles.discussion import ask_reviewer, clear_flag
from articles.errors import AlreadyExists, InvalidInput, StaleVersion
from articles.forms import AnnotationCreateForm, AnnotationEditForm, add_domain_errors, whole_number
from articles.models import Annotation, AnnotationEvent, Article, Assignment
from articles.views.workspace import (
    ViewOptions,
    can_edit,
    link_panel,
    links_of,
    my_work,
    page_context,
    shorten,
    workspace_context,
)
from articles.views.workspace_changes import Before, change_context
from articles.views.workspace_list import ListBounds

TEMPLATE = "articles/article_annotate.html"


def message_of(error: InvalidInput) -> str:
    """Turn a domain error into one sentence for the page."""
    if error.extra.get("candidates"):
        return (
            f"That text occurs {len(error.extra['candidates'])} times in the article. Pick the place you "
            "mean below, select it in the text, or type a longer passage."
        )
    parts = error.errors.values()
    return " ".join(str(m) for messages_ in parts for m in (messages_ if isinstance(messages_, list) else [messages_]))


def occurrences(text: str, candidates: list[dict[str, int]], *, words: int = 6) -> list[dict[str, Any]]:
    """Show each place an ambiguous quote occurs with a few words either side, so the user can pick one."""
    found = []
    for place in candidates:
        start, end = place["start"], place["end"]
        before = " ".join(text[max(0, start - 80) : start].split(" ")[-words:])
        after = " ".join(text[end : end + 80].split(" ")[:words])
        found.append({"start": start, "end": end, "before": before, "match": text[start:end], "after": after})
    return found


def render_workspace(
    request: HttpRequest, article: Article, role: str, *, status: int = 200, **extra: Any
) -> HttpResponse:
    """Answer with the workspace region (htmx) or the whole page; a plain successful POST redirects."""
    if request.method == "POST" and not request.htmx and status < 400:
        if extra.get("notice"):
            messages.info(request, extra["notice"])
        selected = f"?selected={extra['selected_id']}" if extra.get("selected_id") else ""
        return redirect(reverse("article_annotate", args=[article.pk]) + selected)
    labels = list(article.project.labels.all())
    options = ViewOptions.read(request.POST if request.method == "POST" else request.GET, labels)
    context = workspace_context(article, user=request.user, role=role, options=options, labels=labels, **extra)
    if not request.htmx:
        context.update(page_context(article, role=role, labels=labels, can_annotate=context["can_annotate"]))
    region = "#annotation-list" if request.htmx and request.htmx.target == "annotation-list" else "#workspace"
    response = render(request, TEMPLATE + (region if request.htmx else ""), context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def render_change(
    request: HttpRequest, article: Article, role: str, *, changed: Annotation, before: Before | None, **extra: Any
) -> HttpResponse:
    """Answer a write that succeeded: htmx gets what changed as out-of-band swaps (the request's own swap is
    cancelled with HX-Reswap); a request that did not say which page of the list it shows gets the whole
    workspace, and a plain POST is redirected."""
    bounds = ListBounds.parse(request.POST.get("list_bounds"))
    if not request.htmx or bounds is None:
        return render_workspace(request, article, role, **extra)
    labels = list(article.project.labels.all())
    options = ViewOptions.read(request.POST, labels)
    if changed.pk is not None:  # still there: keep listing what covers the same place
        extra["here"] = covering(changed, request.user, request.POST.get("here", ""))
    context = change_context(
        article,
        user=request.user,
        role=role,
        options=options,
        labels=labels,
        changed=changed,
        before=before,
        bounds=bounds,
        **extra,
    )
    response = render(request, TEMPLATE + "#workspace-changes", context)
    response["HX-Reswap"] = "none"
    patch_vary_headers(response, ["HX-Request"])
    return response


def stale_notice(error: StaleVersion, sent_note: str | None, *, verb: str = "saved") -> dict[str, Any]:
    """Describe a lost race: who changed the annotation, and what the user tried to write."""
    current: Annotation | None = error.current
    event = None
    if current is not None:
        event = AnnotationEvent.objects.filter(annotation_id=current.pk).select_related("actor").order_by("-id").first()
    actor = event.actor.get_username() if event is not None and event.actor is not None else "someone else"
    unsaved = sent_note if current is not None and sent_note and sent_note != current.note else ""
    return {"actor": actor, "deleted": current is None, "unsaved_note": unsaved, "verb": verb}


@login_required
@require_GET
def article_annotate(request: HttpRequest, article_id: int) -> HttpResponse:
    """The annotate page; for htmx its workspace region, or the sidebar list alone when that is the target."""
    article = access.article_for(request.user, article_id)
    role = article.my_role
    return render_workspace(
        request,
        article,
        role,
        selected_id=whole_number(request.GET.get("selected")),
        list_from=whole_number(request.GET.get("list_from")),
    )


@login_required
@require_POST
def annotation_create(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access.article_for(request.user, article_id)
    role = article.my_role
    form = AnnotationCreateForm(request.POST)
    if not form.is_valid():
        return render_workspace(request, article, role, status=422, error="Select some text, then pick a label.")
    try:
        annotation = create_annotation(article, author=request.user, label=form.cleaned_data["label"], **form.span())
    except InvalidInput as error:
        typed = {"quote_typed": form.cleaned_data["quote"], "quote_label": form.cleaned_data["label"]}
        choices = occurrences(article.text, error.extra.get("candidates", []))
        return render_workspace(request, article, role, status=422, error=message_of(error), choices=choices, **typed)
    except AlreadyExists as error:
        return render_workspace(request, article, role, status=409, selected_id=error.existing.pk, notice=str(error))
    return render_change(
        request, article, role, changed=annotation, before=None, selected_id=annotation.pk, created_id=annotation.pk
    )


HERE_LIMIT = 50  # annotations listed as covering one place; deeper nesting than this is not a real text


def covering(annotation: Annotation, user, raw: str) -> list[Annotation]:
    """The annotations the page says cover the place the user clicked or put the caret on (`here`: their ids),
    those the user may see on this article, in text order; listed in the editor to pick one from when two or
    more overlap, since the striped mosaic of nested highlights does not tell them apart."""
    ids = {number for part in raw.split()[:HERE_LIMIT] if (number := whole_number(part)) is not None}
    if len(ids | {annotation.pk}) < 2:
        return []
    query = access.annotations_for(user).filter(article_id=annotation.article_id, pk__in=ids | {annotation.pk})
    found = list(query.in_text_order())
    return found if len(found) > 1 else []


@login_required
@require_GET
def annotation_detail(request: HttpRequest, annotation_id: int) -> HttpResponse:
    """The editor panel of one annotation (htmx), with the annotations covering the same place when the page
    sends them; a plain request goes to the page with it selected."""
    annotation = access.annotation_for(request.user, annotation_id)
    role = annotation.my_role
    if not request.htmx:
        return redirect(reverse("article_annotate", args=[annotation.article_id]) + f"?selected={annotation.pk}")
    article = annotation.article
    labels = list(article.project.labels.all())
    work = my_work(annotation.article_id, request.user, role)
    links = links_of(article, request.user, role, touching=annotation.pk)
    context = {
        "article": article,
        "here": covering(annotation, request.user, request.GET.get("here", "")),
        "selected": annotation,
        "editor_form": AnnotationEditForm(annotation=annotation, labels=labels),
        "can_edit_selected": can_edit(role, request.user, annotation, work),
        "work": work,
        **link_panel(annotation, user=request.user, role=role, work=work, links=links),
    }
    response = render(request, TEMPLATE + "#annotation-editor", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def annotation_update(request: HttpRequest, annotation_id: int) -> HttpResponse:
    annotation = access.annotation_for(request.user, annotation_id)
    role = annotation.my_role
    labels = list(annotation.article.project.labels.all())
    form = AnnotationEditForm(request.POST, annotation=annotation, labels=labels)
    before = Before.of(annotation)
    try:
        if form.is_valid():
            update_annotation(
                annotation, by=request.user, expected_version=form.cleaned_data["version"], changes=form.changes()
            )
            return render_change(
                request,
                annotation.article,
                role,
                changed=annotation,
                before=before,
                selected_id=annotation.pk,
                notice="Saved.",
            )
    except InvalidInput as error:
        add_domain_errors(form, error)
    except StaleVersion as error:
        return render_workspace(
            request,
            annotation.article,
            role,
            status=412,
            selected_id=annotation.pk,
            stale=stale_notice(error, request.POST.get("note")),
        )
    except AlreadyExists as error:  # moved or relabelled onto a twin: the twin stays, this one is unchanged
        return render_workspace(
            request, annotation.article, role, status=409, selected_id=annotation.pk, error=str(error)
        )
    return render_workspace(request, annotation.article, role, status=422, selected_id=annotation.pk, editor_form=form)


@login_required
@require_POST
def annotation_flag(request: HttpRequest, annotation_id: int) -> HttpResponse:
    """Ask a reviewer about the annotation (a flag needs a question), or clear the flag once answered."""
    annotation = access.annotation_for(request.user, annotation_id)
    version, question = whole_number(request.POST.get("version")), request.POST.get("question", "")
    clearing = request.POST.get("clear") == "1"
    before = Before.of(annotation)
    outcome: dict[str, Any] = {"selected_id": annotation.pk}
    try:
        if clearing:
            clear_flag(annotation, by=request.user, expected_version=version)
        else:
            ask_reviewer(annotation, by=request.user, question=question, expected_version=version)
    except InvalidInput as error:
        outcome.update(status=422, flag_error=message_of(error), flag_question=question)
    except StaleVersion as error:
        outcome.update(status=412, stale=stale_notice(error, None, verb="cleared" if clearing else "flagged"))
    else:
        done = "Flag cleared." if clearing else "Flagged: your question is in the reviewers' queue."
        return render_change(
            request, annotation.article, annotation.my_role, changed=annotation, before=before, notice=done, **outcome
        )
    return render_workspace(request, annotation.article, annotation.my_role, **outcome)


def work_on_article(
    request: HttpRequest, work: Assignment, status: int, extra: dict[str, str], done: str
) -> HttpResponse:
    """The annotate page after a Start or Submit sent from it: the workspace shows the new state (and the
    lock), or the refusal with the current state."""
    article = access.article_for(request.user, work.article_id)
    selected = whole_number(request.POST.get("selected"))
    return render_workspace(
        request, article, article.my_role, status=status, selected_id=selected, notice=done, **extra
    )


@login_required
@require_POST
def annotation_delete(request: HttpRequest, annotation_id: int) -> HttpResponse:
    annotation = access.annotation_for(request.user, annotation_id)
    role = annotation.my_role
    before = Before.of(annotation)
    try:
        delete_annotation(annotation, by=request.user, expected_version=whole_number(request.POST.get("version")))
    except StaleVersion as error:
        return render_workspace(
            request,
            annotation.article,
            role,
            status=412,
            selected_id=annotation.pk,
            stale=stale_notice(error, None, verb="deleted"),
        )
    undo = {"id": annotation.pk, "label": annotation.label, "excerpt": shorten(annotation.quote, 60)}
    return render_change(
        request, annotation.article, role, changed=annotation, before=before, undo=undo, notice="Annotation deleted."
    )


@login_required
@require_POST
def annotation_restore(request: HttpRequest, article_id: int, annotation_id: int) -> HttpResponse:
    """Undo a deletion: the author (or a reviewer) brings the annotation back as it was (AUTHZ-8)."""
    article = access.article_for(request.user, article_id)
    role = article.my_role
    try:
        annotation = restore_annotation(article, annotation_id, by=request.user)
    except InvalidInput as error:
        return render_workspace(request, article, role, status=422, error=message_of(error))
    except AlreadyExists as error:
        existing = getattr(error.existing, "pk", None)
        return render_workspace(request, article, role, status=409, selected_id=existing, notice=str(error))
    return render_change(
        request,
        article,
        role,
        changed=annotation,
        before=None,
        selected_id=annotation.pk,
        notice="Annotation restored.",
    )
