"""Setting up a project from the pages: create one (and own it), change its settings, delete it.

The rules are project_write's, shared with the API; these views parse the forms, call it and render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from articles import access
from articles.errors import InvalidInput
from articles.forms import ProjectDeleteForm, ProjectForm, add_domain_errors
from articles.models import Project
from articles.permissions import Action
from articles.project_write import EDITABLE_FIELDS, create_project, delete_project, require_creation, update_project
from articles.views.review_context import project_nav
from articles.views.suggesters import suggester_section

TEMPLATE = "articles/project_form.html"


def _done(request: HttpRequest, url: str, message: str) -> HttpResponse:
    """Tell the user what happened on the next page; htmx follows with a full page load."""
    messages.success(request, message)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _page(request: HttpRequest, region: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or for htmx the region that was sent; 422 while a form shows errors."""
    failed = any(form is not None and form.errors for form in (context.get("form"), context.get("delete_form")))
    response = render(
        request, TEMPLATE + (f"#{region}" if request.htmx else ""), context, status=422 if failed else 200
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _current(project: Project) -> dict[str, Any]:
    return {name: getattr(project, name) for name in EDITABLE_FIELDS}


def _settings(project: Project, form: ProjectForm, delete_form: ProjectDeleteForm | None = None) -> dict[str, Any]:
    return {
        "project": project,
        "form": form,
        "delete_form": delete_form or ProjectDeleteForm(project=project),
        "nav": project_nav(project, project.my_role, "project_edit"),
        **suggester_section(project),
    }


def _with_domain_errors(form: ProjectForm, write: Callable[[dict[str, Any]], Project]) -> Project | None:
    """Run a domain write with the form's data; show its refusal on the form instead."""
    try:
        return write(form.cleaned_data)
    except InvalidInput as error:
        add_domain_errors(form, error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    require_creation(request.user)
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = _with_domain_errors(form, lambda data: create_project(by=request.user, **data))
        if project is not None:
            url = reverse("project_detail", args=[project.pk])
            return _done(request, url, f"Created “{project.name}”: you are its owner. Add articles and members next.")
    return _page(request, "project-form", {"project": None, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    access.require(project.my_role, Action.MANAGE_PROJECT)
    form = ProjectForm(request.POST or None, initial=_current(project))
    if request.method == "POST" and form.is_valid():
        if _with_domain_errors(form, lambda data: update_project(project, by=request.user, changes=data)):
            return _done(request, reverse("project_detail", args=[project.pk]), "Saved the project's settings.")
    return _page(request, "project-form", _settings(project, form))


@login_required
@require_POST
def project_delete(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access.project_for(request.user, project_id)
    access.require(project.my_role, Action.DELETE_PROJECT)
    delete_form = ProjectDeleteForm(request.POST, project=project)
    if delete_form.is_valid():
        delete_project(project, by=request.user)
        return _done(request, reverse("project_list"), f"Deleted “{project.name}” with all its articles.")
    return _page(request, "project-delete", _settings(project, ProjectForm(initial=_current(project)), delete_form))
