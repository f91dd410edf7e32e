"""Suggestions on the annotate page: accept one (its label, ends or speaker changed first), reject one, accept
every suggested quote, and run the project's suggesters on the article.

Accepting writes annotations and links, so it answers with the whole workspace (the new highlight selected, its
link drawn, the suggestion gone); rejecting changes only the suggestions panel, so it answers with that. A
refusal says why in the panel (422), keeping what was typed. A run is a job: its answer polls the job and, once
it is finished, is the whole workspace with the suggestions it found. The rules are articles.suggestions' and
articles.suggesters'; without JavaScript the forms work as plain POSTs.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from articles import access, jobs
from articles.errors import InvalidInput
from articles.forms import whole_number
from articles.models import Article, Job, JobStatus, Suggestion
from articles.suggesters import start_suggest
from articles.suggestions import accept, accept_all, reject
from articles.views.annotate import TEMPLATE, message_of, render_workspace
from articles.views.workspace import has_speaker, may_annotate, my_work, shorten, suggestion_panel


def _suggestion(request: HttpRequest, article: Article) -> Suggestion:
    """The suggestion the form names, on this article (else a 404), read with the article's role."""
    suggestion = access.suggestion_for(request.user, request.POST.get("suggestion"))
    if suggestion.article_id != article.pk:
        raise Http404("No such suggestion on this article.")
    suggestion.article = article  # carries the user's role: no query to read it again
    return suggestion


def changes_of(suggestion: Suggestion, posted: QueryDict) -> dict[str, Any]:
    """What the accept form changed: the label, the ends (whole numbers, else refused) and, for a label with a
    speaker, the speaker; a value left as suggested is no change (so the proposed link stays)."""
    changes: dict[str, Any] = {}
    label = posted.get("label", "")
    if label and label != suggestion.label.key:
        changes["label"] = label
    for name in ("start", "end"):
        raw = posted.get(name, "")
        if raw == "":
            continue
        number = whole_number(raw)
        if number is None or number < 0:
            raise InvalidInput.single(name, f"The {name} is a whole number of characters.")
        if number != getattr(suggestion, name):
            changes[name] = number
    if "speaker" in posted:
        speaker = " ".join(posted["speaker"].split())
        if speaker != str(suggestion.attributes.get("speaker", "") or ""):
            changes["speaker"] = speaker
    return changes


def _typed(suggestion: Suggestion, posted: QueryDict) -> dict[str, Any]:
    """The form as the user left it, to show again beside a refusal."""
    labels = {label.key: label for label in suggestion.article.project.labels.all()}
    label = labels.get(posted.get("label", ""), suggestion.label)
    return {
        "suggestion": suggestion.pk,
        "quote": shorten(suggestion.quote, 300),
        "label": label.key,
        "start": posted.get("start", suggestion.start),
        "end": posted.get("end", suggestion.end),
        "speaker": posted.get("speaker", suggestion.attributes.get("speaker", "")),
        "has_speaker": has_speaker(label),
    }


@login_required
@require_POST
def suggestion_accept(request: HttpRequest, article_id: int) -> HttpResponse:
    """Accept a suggestion as the user's annotation, with the form's changes; answers with the workspace."""
    article = access.article_for(request.user, article_id)
    role = article.my_role
    suggestion = _suggestion(request, article)
    try:
        done = accept(suggestion, by=request.user, changes=changes_of(suggestion, request.POST))
    except InvalidInput as error:
        refused = {"suggestion_error": message_of(error), "suggestion_selected": suggestion.pk}
        return render_workspace(
            request, article, role, status=422, suggestion_values=_typed(suggestion, request.POST), **refused
        )
    annotation = done.annotation
    linked = f", linked to “{shorten(done.links[0].to_annotation.quote, 40)}”" if done.links else ""
    notice = f"Accepted: {annotation.label.name.lower()} “{shorten(annotation.quote, 60)}”{linked}."
    return render_workspace(request, article, role, selected_id=annotation.pk, created_id=annotation.pk, notice=notice)


def _panel(request: HttpRequest, article: Article, *, status: int = 200, **extra: Any) -> HttpResponse:
    """The suggestions panel alone (htmx), or back to the page (a plain form)."""
    if not request.htmx:
        if status < 400:
            messages.info(request, extra.get("suggestion_notice", ""))
        else:
            messages.error(request, extra.get("suggestion_error", ""))
        return redirect("article_annotate", article.pk)
    labels = list(article.project.labels.all())
    work = my_work(article.pk, request.user, article.my_role)
    panel = suggestion_panel(
        article, user=request.user, can_annotate=may_annotate(article.my_role, work), labels=labels
    )
    context = {"article": article, "labels": labels, **panel, **extra}
    response = render(request, TEMPLATE + "#suggestions", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def suggestion_reject(request: HttpRequest, article_id: int) -> HttpResponse:
    """Reject a suggestion: it is not offered to this user again. Answers with the suggestions panel, where the
    page selects the one that came after it."""
    article = access.article_for(request.user, article_id)
    suggestion = _suggestion(request, article)
    try:
        reject(suggestion, by=request.user)
    except InvalidInput as error:
        return _panel(request, article, status=422, suggestion_error=message_of(error))
    said = f"Rejected: {suggestion.label.name.lower()} “{shorten(suggestion.quote, 60)}”."
    return _panel(request, article, suggestion_notice=said, suggestion_after=suggestion.start)


@login_required
@require_POST
def suggestions_accept_all(request: HttpRequest, article_id: int) -> HttpResponse:
    """Accept every quote suggested to the user on the article (with their speakers' links), all or none."""
    article = access.article_for(request.user, article_id)
    role = article.my_role
    try:
        done = accept_all(article, by=request.user, label="quote")
    except InvalidInput as error:
        return render_workspace(request, article, role, status=422, suggestion_error=message_of(error))
    links = sum(len(each.links) for each in done)
    notice = f"Accepted {len(done)} quote{'s' if len(done) != 1 else ''}" + (
        f" and {links} link{'s' if links != 1 else ''} to their speakers." if links else "."
    )
    return render_workspace(request, article, role, notice=notice)


def _run_answer(request: HttpRequest, article: Article, job: Job) -> HttpResponse:
    """While the run's job works: its status, polling. Once finished: the whole workspace with what it found (htmx
    is told to swap that in place of the workspace), or the page (a plain form)."""
    if not job.is_finished:
        if not request.htmx:
            messages.info(request, "The suggesters are running; reload the page in a moment.")
            return redirect("article_annotate", article.pk)
        response = render(request, TEMPLATE + "#suggest-run", {"article": article, "run_job": job})
        patch_vary_headers(response, ["HX-Request"])
        return response
    if job.status == JobStatus.SUCCEEDED:
        extra = {"suggestion_notice": "The suggesters have run on this article.", "suggestion_ran": True}
    else:
        extra = {"suggestion_error": job.error or f"The suggesters' run was {job.get_status_display().lower()}."}
    if not request.htmx:
        said = extra.get("suggestion_error") or extra["suggestion_notice"]
        (messages.error if "suggestion_error" in extra else messages.info)(request, said)
        return redirect("article_annotate", article.pk)
    response = render_workspace(request, article, article.my_role, **extra)
    response["HX-Retarget"] = "#workspace"
    response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_POST
def suggestions_run(request: HttpRequest, article_id: int) -> HttpResponse:
    """Run the project's switched-on suggesters on the article now (a job)."""
    article = access.article_for(request.user, article_id)
    try:
        job = start_suggest(article, by=request.user)
    except InvalidInput as error:
        if not request.htmx:
            messages.error(request, message_of(error))
            return redirect("article_annotate", article.pk)
        context = {"article": article, "run_error": message_of(error)}
        return render(request, TEMPLATE + "#suggest-run", context, status=422)
    job.refresh_from_db()  # a job run at once (tests, a fast worker) is finished already
    return _run_answer(request, article, job)


@login_required
@require_GET
def suggestions_run_status(request: HttpRequest, article_id: int, job_id: int) -> HttpResponse:
    """Where the run is (what its status polls); the workspace once it is finished."""
    article = access.article_for(request.user, article_id)
    job = jobs.job_for(request.user, job_id)
    if job.project_id != article.project_id or job.params.get("articles") != [article.pk]:
        raise Http404("No such run on this article.")
    return _run_answer(request, article, job)
