"""The label editor: owners add, change, reorder and delete a project's labels (articles.label_write).

Every POST answers the `label-editor` region for htmx (200 done, 409/422 with the message and the form's
inline errors) or, as a plain form, redirects back with a message. Attribute fields are typed one a line,
`name | Label | type | choice, choice`, so the editor needs no JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from articles import access
from articles.errors import InvalidInput
from articles.forms import whole_number
from articles.label_write import MIN_CONTRAST, LabelInUse, create_label, delete_label, move_label, update_label
from articles.models import Label, Project
from articles.permissions import Action
from articles.views.annotate import message_of
from articles.views.link_types import link_types_context
from articles.views.review import respond
from articles.views.review_context import project_nav
from articles.views.workspace import labels_version

TEMPLATE = "articles/project_labels.html"
REGION = "label-editor"
FORM_FIELDS = ("name", "color", "shortcut", "description", "fields")


def parse_fields(text: str) -> list[dict[str, Any]]:
    """Read attribute fields written one a line as `name | Label | type`, plus `| choice, choice` for choices."""
    fields = []
    for number, line in enumerate(text.splitlines(), 1):
        parts = [part.strip() for part in line.split("|")]
        if not line.strip():
            continue
        if len(parts) not in (3, 4):
            raise InvalidInput.single("fields", f"Line {number}: write name | Label | type (and | choices).")
        field: dict[str, Any] = {"name": parts[0], "label": parts[1], "type": parts[2]}
        if len(parts) == 4 and parts[3]:
            field["choices"] = [choice.strip() for choice in parts[3].split(",") if choice.strip()]
        fields.append(field)
    return fields


def fields_text(fields: Any) -> str:
    """A label's attribute fields in the editor's one-a-line form (any stored shape is shown, never fails)."""
    lines = []
    for field in fields if isinstance(fields, list) else []:
        if isinstance(field, dict):
            parts = [str(field.get(key, "")) for key in ("name", "label", "type")]
            choices = field.get("choices")
            if isinstance(choices, list) and choices:
                parts.append(", ".join(map(str, choices)))
            lines.append(" | ".join(parts))
    return "\n".join(lines)


def _values(data: QueryDict) -> dict[str, Any]:
    """The label values a form posted, in the domain's terms."""
    values: dict[str, Any] = {name: data.get(name, "") for name in FORM_FIELDS}
    values["fields"] = parse_fields(values["fields"])
    return values


def _initial(label: Label) -> dict[str, str]:
    return {
        "name": label.name,
        "color": label.color,
        "shortcut": label.shortcut,
        "description": label.description,
        "fields": fields_text(label.fields),
    }


def editor_context(project: Project, failed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The labels with their use counts and form values; a failed form keeps what was typed and its errors."""
    failed = failed or {}
    labels = list(project.labels.annotate(uses=Count("annotations")).order_by("order", "id"))
    for label in labels:
        mine = failed.get("form") == str(label.pk)
        label.form = failed["values"] if mine else _initial(label)
        label.errors = failed.get("errors", {}) if mine else {}
        label.merge_targets = [other for other in labels if other.pk != label.pk]
    is_new = failed.get("form") == "new"
    return {
        "project": project,
        "labels": labels,
        "labels_css_version": labels_version(labels),
        "nav": project_nav(project, project.my_role, "project_labels"),
        "new_form": failed["values"] if is_new else {"color": "#56B4E9"},
        "new_errors": failed.get("errors", {}) if is_new else {},
        "shortcuts": [str(digit) for digit in range(1, 10)],
        "min_contrast": MIN_CONTRAST,
        "error": failed.get("error", ""),
        **link_types_context(project, labels, can_edit=True),
    }


def _editor(request: HttpRequest, project_id: int) -> Project:
    project = access.project_for(request.user, project_id)
    access.require(project.my_role, Action.MANAGE_LABELS)
    return project


def _label(project: Project, label_id: int) -> Label:
    label = project.labels.filter(pk=whole_number(label_id) or 0).first()
    if label is None:
        raise Http404("No such label in this project.")
    label.project = project  # carries the role read with the project
    return label


def _run(request: HttpRequest, project: Project, form: str, call: Callable[[], str]) -> HttpResponse:
    """Make one domain call; answer the editor region with its message (or redirect a plain form)."""
    try:
        done = call()
    except InvalidInput as error:
        values = {name: request.POST.get(name, "") for name in FORM_FIELDS}
        failed = {"form": form, "values": values, "errors": error.errors, "error": message_of(error)}
        return respond(request, TEMPLATE, REGION, editor_context(project, failed), 422)
    except LabelInUse as error:
        return respond(request, TEMPLATE, REGION, editor_context(project, {"error": str(error)}), 409)
    return respond(request, TEMPLATE, REGION, editor_context(project), done=done)


@login_required
@require_http_methods(["GET", "POST"])
def project_labels(request: HttpRequest, project_id: int) -> HttpResponse:
    """Show the project's labels to its owners; a POST adds one (its key made from the name)."""
    project = _editor(request, project_id)
    if request.method == "GET":
        return respond(request, TEMPLATE, REGION, editor_context(project))

    def add() -> str:
        key = slugify(request.POST.get("name", ""))[:32].strip("-_") or "label"
        label = create_label(project, by=request.user, key=key, **_values(request.POST))
        return f"Label “{label.name}” added."

    return _run(request, project, "new", add)


@login_required
@require_POST
def label_update(request: HttpRequest, project_id: int, label_id: int) -> HttpResponse:
    """Change a label's name, colour, shortcut, description and attribute fields."""
    project = _editor(request, project_id)
    label = _label(project, label_id)

    def change() -> str:
        update_label(label, by=request.user, changes=_values(request.POST))
        return f"Label “{label.name}” saved."

    return _run(request, project, str(label.pk), change)


@login_required
@require_POST
def label_move(request: HttpRequest, project_id: int, label_id: int) -> HttpResponse:
    """Move a label one place up or down the list (the order annotators see)."""
    project = _editor(request, project_id)
    label = _label(project, label_id)
    step = whole_number(request.POST.get("step"))

    def move() -> str:
        move_label(label, by=request.user, step=step)
        return f"“{label.name}” moved {'up' if step == -1 else 'down'}."

    return _run(request, project, "", move)


@login_required
@require_POST
def label_delete(request: HttpRequest, project_id: int, label_id: int) -> HttpResponse:
    """Delete a label; one in use is refused unless the owner chose a label to merge it into."""
    project = _editor(request, project_id)
    label = _label(project, label_id)
    merge_id = request.POST.get("merge_into", "")
    merge_into = _label(project, merge_id) if merge_id else None
    return _run(request, project, "", lambda: delete_label(label, by=request.user, merge_into=merge_into).message)
