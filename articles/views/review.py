"""Team review pages: my queue, the reviewer queue and review page, adjudication, members and assignments,
the agreement report and the dashboard.

Views look objects up through scoped querysets (404 for non-members), call one domain function and render;
htmx requests get the page's region back (200 done, 409/412/422 with a message), plain POSTs redirect.
The review pages' working state is built by articles.views.review_context in a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles import access, adjudication, assignment, discussion, project_write, workflow
from articles.annotation_write import update_annotation
from articles.dashboard import changed_by_outlet, changed_counts, project_agreement, project_dashboard
from articles.errors import AlreadyExists, DomainError, InvalidInput, StaleVersion
from articles.forms import whole_number
from articles.models import Assignment, Membership, Role
from articles.permissions import Action, role_allows
from articles.views.annotate import message_of, work_on_article
from articles.views.review_context import (
    adjudication_context,
    agreement_context,
    assignments_context,
    dashboard_context,
    members_context,
    queue_context,
    review_context,
    reviewer_queue_context,
)

STALE = "Someone else changed this meanwhile, so nothing was saved. Below is the current state."
DONE = {
    "start": "Started. Your assignment is in progress.",
    "submit": "Submitted. Your annotations on this article are locked until a reviewer answers.",
    "approve": "Approved. The spans not rejected are now accepted.",
    "request_changes": "Changes requested. The annotator sees your message in their queue.",
    "reopen": "Reopened. The annotator can change their work again.",
}


def attempt(call: Callable[[], Any]) -> tuple[int, dict[str, str]]:
    """Run one domain call; return the HTTP status and the message a refusal should show."""
    try:
        call()
    except InvalidInput as error:
        return 422, {"error": message_of(error)}
    except StaleVersion:
        return 412, {"error": STALE}
    except (AlreadyExists, DomainError) as error:
        return 409, {"error": str(error)}
    return 200, {}


def respond(
    request: HttpRequest,
    template: str,
    region: str,
    context: dict,
    status: int = 200,
    *,
    done: str = "",
    back: str = "",
) -> HttpResponse:
    """Render the page (or, for htmx, its region); a successful plain POST redirects back with a message."""
    if request.method == "POST" and not request.htmx and status < 400:
        if done:
            messages.success(request, done)
        return redirect(back or request.path)
    context = {**context, "notice": context.get("notice") or done}
    response = render(request, template + (f"#{region}" if request.htmx else ""), context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    return access.assignment_for(request.user, assignment_id)


@login_required
@require_GET
def my_queue(request: HttpRequest) -> HttpResponse:
    return respond(
        request, "articles/assignment_queue.html", "queue-list", queue_context(request.user, request.GET.get("page"))
    )


@login_required
@require_POST
def assignment_transition(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Start, submit, approve, request changes or reopen; answers with the page the form came from."""
    work = _assignment(request, assignment_id)
    action = request.POST.get("action", "")
    status, extra = attempt(
        lambda: workflow.transition(
            work,
            action,
            by=request.user,
            message=request.POST.get("message", ""),
            expected_version=whole_number(request.POST.get("version")),
        )
    )
    done = DONE.get(action, "") if status == 200 else ""
    if request.POST.get("back") == "article":
        return work_on_article(request, work, status, extra, done)
    if request.POST.get("back") == "queue":
        return respond(
            request,
            "articles/assignment_queue.html",
            "queue-list",
            {**queue_context(request.user), **extra},
            status,
            done=done,
            back=reverse("my_queue"),
        )
    work = _assignment(request, assignment_id)
    return respond(
        request,
        "articles/review_assignment.html",
        "review-workspace",
        {**review_context(work, request.user), **extra},
        status,
        done=done,
    )


@login_required
@require_GET
def review_queue(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    role = project.my_role
    access.require(role, Action.REVIEW)
    context = reviewer_queue_context(project, role, request.user, request.GET.get("page"))
    changed = changed_counts(context["page"].object_list)  # "changed after annotation", per submission
    for work in context["page"].object_list:
        work.changed = changed.get(work.pk, 0)
    return respond(request, "articles/review_queue.html", "review-list", context)


@login_required
@require_GET
def assignment_review(request: HttpRequest, assignment_id: int) -> HttpResponse:
    work = _assignment(request, assignment_id)
    context = review_context(work, request.user, selected=whole_number(request.GET.get("span")))
    return respond(request, "articles/review_assignment.html", "review-workspace", context)


def _span_of(request: HttpRequest, work: Assignment):
    """The submitted span the form names: one of this assignment's article, visible to the user."""
    annotation = access.annotation_for(request.user, request.POST.get("annotation"))
    if annotation.article_id != work.article_id:
        raise Http404("No such annotation here.")
    return annotation


def _span_outcome(request: HttpRequest, work, span, status: int, extra: dict, done: str = "") -> HttpResponse:
    """The review workspace after an action on one span, that span selected; without JavaScript the
    browser goes back to the review page."""
    context = {**review_context(work, request.user, selected=span.pk), **extra}
    return respond(
        request,
        "articles/review_assignment.html",
        "review-workspace",
        context,
        status,
        done=done if status == 200 else "",
        back=reverse("assignment_review", args=[work.pk]),
    )


@login_required
@require_POST
def assignment_decide(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Accept or reject one span (optionally with a comment saying why)."""
    work = _assignment(request, assignment_id)
    span = _span_of(request, work)
    status, extra = attempt(
        lambda: workflow.review_span(
            span,
            by=request.user,
            status=request.POST.get("status", ""),
            comment=request.POST.get("comment", ""),
            expected_version=whole_number(request.POST.get("version")),
        )
    )
    return _span_outcome(request, work, span, status, extra, done="Saved.")


@login_required
@require_POST
def assignment_correct(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Fix a span's label or boundaries as a reviewer."""
    work = _assignment(request, assignment_id)
    span = _span_of(request, work)
    changes = {
        "label": request.POST.get("label", ""),
        "start": whole_number(request.POST.get("start")),
        "end": whole_number(request.POST.get("end")),
    }
    status, extra = attempt(
        lambda: update_annotation(
            span, by=request.user, changes=changes, expected_version=whole_number(request.POST.get("version"))
        )
    )
    if status != 200:
        extra["error_span"] = span.pk  # shown on the span's card, where the reviewer is adjusting it
    return _span_outcome(request, work, span, status, extra, done="Fixed.")


@login_required
@require_POST
def assignment_comment(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """Comment on a span, reply to a thread, or resolve / reopen a thread."""
    work = _assignment(request, assignment_id)
    span = _span_of(request, work)
    thread = (
        span.comments.filter(pk=whole_number(request.POST.get("thread"))).first()
        if request.POST.get("thread")
        else None
    )
    if request.POST.get("resolve") in ("0", "1") and thread is not None:
        call = lambda: discussion.set_resolved(thread, by=request.user, resolved=request.POST["resolve"] == "1")  # noqa: E731
    else:
        call = lambda: discussion.add_comment(span, by=request.user, body=request.POST.get("body", ""), parent=thread)  # noqa: E731
    status, extra = attempt(call)
    return _span_outcome(request, work, span, status, extra)


@login_required
@require_http_methods(["GET", "POST"])
def article_adjudicate(request: HttpRequest, article_id: int) -> HttpResponse:
    """Every annotator's spans side by side; reviewers settle each disputed cluster here."""
    article = access.article_for(request.user, article_id)
    role = article.my_role
    status, extra = 200, {}
    if request.method == "POST":
        status, extra = attempt(
            lambda: adjudication.adjudicate(article, by=request.user, **adjudication_input(request))
        )
    context = {**adjudication_context(article, role, request.user), **extra}
    return respond(
        request,
        "articles/article_adjudicate.html",
        "adjudicate-board",
        context,
        status,
        done="Saved." if request.method == "POST" and status == 200 else "",
    )


def adjudication_input(request: HttpRequest) -> dict[str, Any]:
    data = request.POST
    values = {"action": data.get("action", ""), "annotation": whole_number(data.get("annotation"))}
    if values["action"] == "write":
        values.update(
            label=data.get("label", ""),
            start=whole_number(data.get("start")),
            end=whole_number(data.get("end")),
            replaces=[pk for pk in map(whole_number, data.getlist("replaces")) if pk is not None],
        )
    return values


@login_required
@require_http_methods(["GET", "POST"])
def project_members(request: HttpRequest, project_id: int) -> HttpResponse:
    """Owners add members by username and change or remove them (a project keeps an owner)."""
    project = access.project_for(request.user, project_id)
    role = project.my_role
    access.require(role, Action.MANAGE_MEMBERS)
    status, extra, done = change_members(project, request) if request.method == "POST" else (200, {}, "")
    context = {**members_context(project, role), **extra}
    return respond(request, "articles/project_members.html", "member-list", context, status, done=done)


def change_members(project, request: HttpRequest) -> tuple[int, dict[str, Any], str]:
    """Add, re-role or remove the member the form names; a refusal says where it belongs (`error_at`)."""
    data, by = request.POST, request.user
    if not data.get("membership"):
        username, role = data.get("username", "").strip(), data.get("role", "")
        status, extra = attempt(lambda: project_write.add_member(project, username=username, role=role, by=by))
        if status != 200:
            return status, {**extra, "error_at": "add", "username": username, "new_role": role}, ""
        return status, extra, f"Saved. {username} joined as {_role_name(role)}."
    member = (
        Membership.objects.filter(project=project, pk=whole_number(data["membership"]))
        .select_related("project", "user")
        .first()
    )
    if member is None:
        raise Http404("No such member.")
    name = member.user.get_username()
    if data.get("remove") == "1":
        status, extra = attempt(lambda: project_write.remove_member(member, by=by))
        done = f"Saved. {name} is no longer a member; their annotations stay."
    else:
        status, extra = attempt(lambda: project_write.change_role(member, role=data.get("role", ""), by=by))
        done = f"Saved. {name} is now {_role_name(data.get('role', ''))}."
    return status, {**extra, "error_at": member.pk}, done if status == 200 else ""


def _role_name(role: str) -> str:
    return Role(role).label.lower() if role in Role.values else role


@login_required
@require_http_methods(["GET", "POST"])
def project_assignments(request: HttpRequest, project_id: int) -> HttpResponse:
    """Owners assign checked articles to checked annotators, spread the rest automatically, or take work back."""
    project = access.project_for(request.user, project_id)
    role = project.my_role
    access.require(role, Action.ASSIGN)
    status, extra, done = 200, {}, ""
    if request.method == "POST":
        said: list[str] = []
        status, extra = attempt(lambda: said.append(assign_from_form(project, request)))
        done = said[0] if said else ""
        if status != 200:
            extra["picked"] = picked_in(request)
    context = {**assignments_context(project, role, request.GET.get("page")), **extra}
    return respond(
        request,
        "articles/project_assignments.html",
        "assignment-table",
        context,
        status,
        done=done,
        back=request.get_full_path() if request.POST else "",
    )


def picked_in(request: HttpRequest) -> dict[str, set[int]]:
    """The articles and annotators a refused form had checked, so the page shows them checked again."""
    return {field: {whole_number(v) for v in request.POST.getlist(field)} for field in ("articles", "annotators")}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _per_article(raw: str | None) -> int | str | None:
    """The number asked for; absent means the project's setting, anything else is left for the domain to refuse."""
    number = whole_number(raw)
    return raw if number is None else number


def assign_from_form(project, request: HttpRequest) -> str:
    """Run the form's operation (op: assign, spread or unassign) and return what to tell the owner."""
    data, by = request.POST, request.user
    if data.get("op") == "spread":
        made = assignment.assign_automatically(project, by=by, per_article=_per_article(data.get("per_article")))
        if not made:
            return "Nothing to spread: every article not yet approved has enough annotators."
        return f"Saved. Spread {_count(len(made), 'new assignment')}."
    if data.get("op") == "unassign":
        work = (
            Assignment.objects.filter(article__project=project, pk=whole_number(data.get("assignment")))
            .select_related("annotator", "article__project")
            .first()
        )
        if work is None:
            raise InvalidInput.single("assignment", "That assignment no longer exists.")
        assignment.unassign(work, by=by)
        return f"Saved. {work.annotator.get_username()} no longer has that article."
    made = assignment.assign(
        project,
        by=by,
        articles=[whole_number(v) for v in data.getlist("articles")],
        annotators=[whole_number(v) for v in data.getlist("annotators")],
    )
    if not made:
        return "Nothing new: the checked annotators already had the checked articles."
    return f"Saved. {_count(len(made), 'new assignment')}."


@login_required
@require_GET
def project_agreement_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    role = project.my_role
    access.require(role, Action.VIEW_AGREEMENT)
    context = agreement_context(project, role, project_agreement(project), request.GET.get("page"))
    return respond(request, "articles/project_agreement.html", "agreement-articles", context)


@login_required
@require_GET
def project_dashboard_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    role = project.my_role
    board = project_dashboard(project, user=request.user, with_agreement=role_allows(role, Action.VIEW_AGREEMENT))
    board.changed_outlets = changed_by_outlet(project, user=request.user)
    return respond(request, "articles/project_dashboard.html", "dashboard", dashboard_context(project, role, board))
