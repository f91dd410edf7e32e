"""The Suggesters section of a project's settings: owners switch the built-in rules on or off, register an HTTP
suggester (name, address, time limit), switch it on or off or remove it, and read each one's last run and error.

Every POST answers the `suggester-editor` region for htmx (200 done, 422 with the form's inline errors and what
was typed), or goes back to the settings page with a message as a plain form. The rules are
articles.suggester_write's (the address passes the outgoing-request guard there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from articles import access
from articles.errors import InvalidInput
from articles.forms import whole_number
from articles.models import Project, Suggester
from articles.permissions import Action
from articles.suggester_write import delete_suggester, register_suggester, update_suggester
from articles.views.annotate import message_of

TEMPLATE = "articles/project_form.html"
REGION = "suggester-editor"
NEW_FORM = {"name": "", "url": "", "timeout_seconds": 10}


def suggester_section(project: Project, failed: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """The project's suggesters (one query) and the new suggester's form: what was typed, if it was refused."""
    failed = failed or {}
    return {
        "suggesters": list(Suggester.objects.filter(project=project)),
        "suggester_form": failed.get("values", NEW_FORM),
        "suggester_errors": failed.get("errors", {}),
        "suggester_error": failed.get("error", ""),
        **extra,
    }


def _owner_project(request: HttpRequest, project_id: int) -> Project:
    project = access.project_for(request.user, project_id)
    access.require(project.my_role, Action.MANAGE_PROJECT)
    return project


def _posted(request: HttpRequest) -> dict[str, Any]:
    """The new suggester's form in the domain's terms; a time limit that is no whole number is refused there."""
    values: dict[str, Any] = {"name": request.POST.get("name", "").strip(), "url": request.POST.get("url", "").strip()}
    seconds = request.POST.get("timeout_seconds", "").strip()
    if seconds:
        number = whole_number(seconds)
        values["timeout_seconds"] = number if number is not None else seconds
    return values


def _run(request: HttpRequest, project: Project, call: Callable[[], str], *, typed: bool = False) -> HttpResponse:
    """Make one domain call and answer with the section (a plain form goes back to the settings page)."""
    try:
        done = call()
    except InvalidInput as error:
        failed = {"error": message_of(error), "errors": error.errors if typed else {}}
        if typed:
            failed["values"] = {**NEW_FORM, **_posted(request)}
        if not request.htmx:
            messages.error(request, failed["error"])
            return redirect("project_edit", project.pk)
        return _render(request, project, suggester_section(project, failed), 422)
    if not request.htmx:
        messages.success(request, done)
        return redirect("project_edit", project.pk)
    return _render(request, project, suggester_section(project, suggester_notice=done))


def _render(request: HttpRequest, project: Project, context: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, f"{TEMPLATE}#{REGION}", {"project": project, **context}, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def suggester_add(request: HttpRequest, project_id: int) -> HttpResponse:
    """Register an HTTP suggester (switched on)."""
    project = _owner_project(request, project_id)

    def add() -> str:
        made = register_suggester(project, by=request.user, **_posted(request))
        return f"Suggester “{made.name}” added and switched on."

    return _run(request, project, add, typed=True)


@login_required
@require_POST
def suggester_update(request: HttpRequest, project_id: int, suggester_id: int) -> HttpResponse:
    """Switch a suggester on (`enabled` = on) or off."""
    project = _owner_project(request, project_id)
    suggester = access.suggester_for(project, suggester_id)
    suggester.project = project  # carries the role: no query to read it again
    enabled = request.POST.get("enabled") == "on"

    def switch() -> str:
        update_suggester(suggester, by=request.user, changes={"enabled": enabled})
        return f"Suggester “{suggester.name}” switched {'on' if enabled else 'off'}."

    return _run(request, project, switch)


@login_required
@require_POST
def suggester_delete(request: HttpRequest, project_id: int, suggester_id: int) -> HttpResponse:
    """Remove an HTTP suggester with its suggestions."""
    project = _owner_project(request, project_id)
    suggester = access.suggester_for(project, suggester_id)
    suggester.project = project  # carries the role: no query to read it again

    def remove() -> str:
        delete_suggester(suggester, by=request.user)
        return f"Suggester “{suggester.name}” removed with its suggestions."

    return _run(request, project, remove)
