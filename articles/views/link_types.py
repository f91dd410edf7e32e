"""Link types in the label editor: owners add, change and delete them (articles.link_type_write); every
member of the project may read them on their own page.

Every POST answers the `link-types` region for htmx (200 done, 409 for a type still in use, 422 with the
form's inline errors) or, as a plain form, goes back to the Labels page with a message (or shows the link
types page again with the form's errors). The labels allowed at each end are ticked in a list of the
project's labels, so the form needs no JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from articles import access
from articles.errors import InvalidInput
from articles.forms import whole_number
from articles.link_type_write import (
    MIN_LINE_CONTRAST,
    LinkTypeInUse,
    create_link_type,
    delete_link_type,
    update_link_type,
)
from articles.links import link_types_of
from articles.models import Label, Link, LinkType, Project
from articles.permissions import Action, role_allows
from articles.views.annotate import message_of
from articles.views.review import respond
from articles.views.review_context import project_nav
from articles.views.workspace import labels_version

TEMPLATE = "articles/project_link_types.html"
REGION = "link-types"
TEXT_FIELDS = ("key", "name", "color", "description")
ENDS = ("from_labels", "to_labels")
NEW_COLOR = "#6a3d9a"  # dark enough for a line on the page (link_type_write.MIN_LINE_CONTRAST)


def _values(data: QueryDict) -> dict[str, Any]:
    """The link type values a form posted, in the domain's terms (each end: the ticked label keys)."""
    values: dict[str, Any] = {name: data.get(name, "") for name in TEXT_FIELDS}
    for end in ENDS:
        values[end] = data.getlist(end)
    return values


def _in_page_words(error: InvalidInput, values: dict[str, Any]) -> InvalidInput:
    """The domain's errors, saying "tick" where it asks an end with no box ticked for "a list of label keys"."""
    empty = {end: ["Tick at least one label."] for end in ENDS if end in error.errors and not values[end]}
    return InvalidInput({**error.errors, **empty}) if empty else error


def _initial(link_type: LinkType) -> dict[str, Any]:
    return {
        "key": link_type.key,
        "name": link_type.name,
        "color": link_type.color,
        "description": link_type.description,
        "from_labels": link_type.from_keys,
        "to_labels": link_type.to_keys,
    }


def link_types_context(
    project: Project, labels: Iterable[Label], *, can_edit: bool, failed: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The project's link types with the labels at each end (and, for owners, their use counts and forms).

    `labels` are the project's labels in order, already read by the page; the types take four queries
    (three for readers), however many there are. A failed form keeps what was typed and its errors.
    """
    failed = failed or {}
    labels = list(labels)
    by_key = {label.key: label for label in labels}
    types = link_types_of(project)
    uses: dict[int, int] = {}
    if can_edit:  # counts include links a reader may not see yet, so only owners get them
        counted = Link.objects.filter(type__project=project).order_by().values("type").annotate(n=Count("pk"))
        uses = {row["type"]: row["n"] for row in counted}
    for link_type in types:
        link_type.from_ends = [by_key[key] for key in link_type.from_keys if key in by_key]
        link_type.to_ends = [by_key[key] for key in link_type.to_keys if key in by_key]
        link_type.uses = uses.get(link_type.pk, 0)
        mine = failed.get("form") == str(link_type.pk)
        link_type.form = failed["values"] if mine else _initial(link_type)
        link_type.errors = failed.get("errors", {}) if mine else {}
        link_type.delete_error = failed.get("error", "") if failed.get("form") == f"delete-{link_type.pk}" else ""
    is_new = failed.get("form") == "new"
    return {
        "link_types": types,
        "link_labels": labels,
        "can_edit_link_types": can_edit,
        "new_link_form": failed["values"] if is_new else {"color": NEW_COLOR, "from_labels": [], "to_labels": []},
        "new_link_errors": failed.get("errors", {}) if is_new else {},
        "link_error": "" if failed.get("form", "").startswith("delete-") else failed.get("error", ""),
        "min_line_contrast": f"{MIN_LINE_CONTRAST:g}",
    }


def _page_context(project: Project, failed: dict[str, Any] | None = None, notice: str = "") -> dict[str, Any]:
    labels = list(project.labels.order_by("order", "id"))
    return {
        "project": project,
        "labels_css_version": labels_version(labels),
        "nav": project_nav(project, project.my_role, "project_labels"),  # owners reach it from Labels
        "link_notice": notice,
        **link_types_context(
            project, labels, can_edit=role_allows(project.my_role, Action.MANAGE_LABELS), failed=failed
        ),
    }


def _editor(request: HttpRequest, project_id: int) -> Project:
    project = access.project_for(request.user, project_id)
    access.require(project.my_role, Action.MANAGE_LABELS)
    return project


def _link_type(project: Project, link_type_id: int) -> LinkType:
    link_type = project.link_types.filter(pk=whole_number(link_type_id) or 0).first()
    if link_type is None:
        raise Http404("No such link type in this project.")
    link_type.project = project  # carries the role read with the project
    return link_type


def _run(request: HttpRequest, project: Project, form: str, call: Callable[[], str]) -> HttpResponse:
    """Make one domain call; answer the link types region with its message (or send a plain form back)."""
    back = reverse("project_labels", args=[project.pk]) + "#link-types"
    try:
        done = call()
    except InvalidInput as refused:
        values = _values(request.POST)
        error = _in_page_words(refused, values)
        failed = {"form": form, "values": values, "errors": error.errors, "error": message_of(error)}
        return respond(request, TEMPLATE, REGION, _page_context(project, failed), 422)
    except LinkTypeInUse as error:
        return respond(request, TEMPLATE, REGION, _page_context(project, {"form": form, "error": str(error)}), 409)
    return respond(request, TEMPLATE, REGION, _page_context(project, notice=done), done=done, back=back)


@login_required
@require_GET
def project_link_types(request: HttpRequest, project_id: int) -> HttpResponse:
    """Show the project's link types to its members: read-only, or with the editor for owners."""
    project = access.project_for(request.user, project_id)
    return respond(request, TEMPLATE, REGION, _page_context(project))


@login_required
@require_POST
def link_type_create(request: HttpRequest, project_id: int) -> HttpResponse:
    """Add a link type at the end of the list."""
    project = _editor(request, project_id)

    def add() -> str:
        link_type = create_link_type(project, by=request.user, **_values(request.POST))
        return f"Link type “{link_type.name}” added."

    return _run(request, project, "new", add)


@login_required
@require_POST
def link_type_update(request: HttpRequest, project_id: int, link_type_id: int) -> HttpResponse:
    """Change a link type's key, name, colour, description and the labels at each end."""
    project = _editor(request, project_id)
    link_type = _link_type(project, link_type_id)

    def change() -> str:
        update_link_type(link_type, by=request.user, changes=_values(request.POST))
        return f"Link type “{link_type.name}” saved."

    return _run(request, project, str(link_type.pk), change)


@login_required
@require_POST
def link_type_delete(request: HttpRequest, project_id: int, link_type_id: int) -> HttpResponse:
    """Delete a link type no link uses; one in use is refused with the count, shown by its Delete button."""
    project = _editor(request, project_id)
    link_type = _link_type(project, link_type_id)

    def delete() -> str:
        delete_link_type(link_type, by=request.user)
        return f"Link type “{link_type.name}” deleted."

    return _run(request, project, f"delete-{link_type.pk}", delete)
