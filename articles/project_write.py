"""Creating, changing and deleting a project and its team: the rules hold for every caller.

Who may create a project is the PROJECT_CREATION setting's; the creator becomes its owner. A project
always keeps at least one owner, and nobody raises their own role. Each function refuses by itself a
user whose role does not allow the change (articles.access.require), under concurrent requests too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from articles.access import require, role_in
from articles.errors import AlreadyExists, InvalidInput
from articles.exports.claimreview import url_pattern_problem
from articles.models import Annotation, Membership, Project, Role, Visibility
from articles.models.projects import GuidelinesFormat
from articles.permissions import Action
from articles.text_rules import clean_text

# Higher rank = more rights; used to refuse raising one's own role.
RANK = {Role.VIEWER: 0, Role.ANNOTATOR: 1, Role.REVIEWER: 2, Role.OWNER: 3}


# Project fields a creator or an owner sets, with the text_rules kind of each free-text field.
TEXT_FIELDS = {
    "name": "project name",
    "description": "project description",
    "guidelines": "guidelines",
    "organisation": "organisation",
}
CHOICE_FIELDS = {"visibility": Visibility, "guidelines_format": GuidelinesFormat}
# Whole numbers and their ranges (the database's check constraints allow the same).
NUMBER_FIELDS = {"annotators_per_article": (1, 20), "watch_hourly_days": (0, 365), "watch_daily_days": (0, 3650)}
SWITCH_FIELDS = ("revisions_from_imports",)
# Web address patterns, with the check of each (ClaimReview's: http(s), known placeholders, one per claim).
PATTERN_FIELDS = {"factcheck_url_pattern": url_pattern_problem}
EDITABLE_FIELDS = (*TEXT_FIELDS, *CHOICE_FIELDS, *NUMBER_FIELDS, *SWITCH_FIELDS, *PATTERN_FIELDS)


def may_create_projects(user) -> bool:
    """Whether `user` may create projects: any signed-in user, or only staff when PROJECT_CREATION=staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return settings.PROJECT_CREATION == "all" or user.is_staff


def require_creation(user) -> None:
    """Refuse (PermissionDenied, a 403) a user who may not create projects on this server."""
    if not may_create_projects(user):
        raise PermissionDenied("Only staff create projects on this server.")


def _project_value(name: str, value: Any) -> Any:
    """One project field as stored, or InvalidInput naming it: text by text_rules, choices, a number in range,
    a switch."""
    if name in TEXT_FIELDS:
        return clean_text(
            value, field=name, kind=TEXT_FIELDS[name], required=name == "name", strip=name != "guidelines"
        )
    if name in CHOICE_FIELDS:
        if value not in CHOICE_FIELDS[name].values:
            raise InvalidInput.single(name, f"Choose one of: {', '.join(CHOICE_FIELDS[name].values)}.")
        return value
    if name in SWITCH_FIELDS:
        if not isinstance(value, bool):
            raise InvalidInput.single(name, "Give true or false.")
        return value
    if name in PATTERN_FIELDS:
        return _pattern(name, value)
    low, high = NUMBER_FIELDS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput.single(name, f"Give a whole number from {low} to {high}.")
    return value


def _pattern(name: str, value: Any) -> str:
    """A web address pattern as stored (stripped; empty for none), or InvalidInput saying what is wrong."""
    if not isinstance(value, str | None):
        raise InvalidInput.single(name, "Give the address pattern as text.")
    text = (value or "").strip()
    limit = Project._meta.get_field(name).max_length
    if len(text) > limit:
        raise InvalidInput.single(name, f"Keep the address pattern under {limit} characters.")
    problem = PATTERN_FIELDS[name](text)
    if problem:
        raise InvalidInput.single(name, problem)
    return text


def _project_values(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Check the fields of a project as given; unknown fields (slug, ids, roles) are the server's."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput({name: ["This field cannot be set here."] for name in unknown})
    return {name: _project_value(name, value) for name, value in changes.items()}


def create_project(*, by, name: str, **fields: Any) -> Project:
    """Create a project with the default labels and make `by` its owner, if PROJECT_CREATION lets them."""
    require_creation(by)
    return Project.create_with_owner(owner=by, **_project_values({"name": name, **fields}))


def update_project(project: Project, *, by, changes: Mapping[str, Any]) -> Project:
    """Change a project's name, description, guidelines, organisation, visibility and the other EDITABLE_FIELDS
    (owners do)."""
    require(role_in(project, by), Action.MANAGE_PROJECT)
    values = _project_values(changes)
    for name, value in values.items():
        setattr(project, name, value)
    project.save(update_fields=[*values, "updated_at"])
    return project


def _check_role(role: str) -> None:
    if role not in RANK:
        raise InvalidInput.single("role", f"Choose one of: {', '.join(Role.values)}.")


def _lock_owners(project: Project) -> list[Membership]:
    """Lock the project's owner memberships, so two owners cannot demote each other at once."""
    return list(Membership.objects.select_for_update().filter(project=project, role=Role.OWNER).order_by("pk"))


def add_member(project: Project, *, username: str, role: str, by) -> Membership:
    """Add an existing user to the project with `role` (owners do); a second add answers AlreadyExists."""
    require(role_in(project, by), Action.MANAGE_MEMBERS)
    _check_role(role)
    username = clean_text(username, field="username", kind="username", strip=True)
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise InvalidInput.single("username", "No active user has this username.")
    existing = Membership.objects.filter(project=project, user=user).first()
    if existing is not None:
        raise AlreadyExists(existing, f"{username} is already a member of this project.")
    try:
        with transaction.atomic():
            return Membership.objects.create(project=project, user=user, role=role)
    except IntegrityError:
        existing = Membership.objects.filter(project=project, user=user).first()
        raise AlreadyExists(existing, f"{username} is already a member of this project.") from None


def change_role(membership: Membership, *, role: str, by) -> Membership:
    """Give a member another role (owners do); refuses raising one's own role and demoting the last owner."""
    require(role_in(membership.project, by), Action.MANAGE_MEMBERS)
    _check_role(role)
    if membership.user_id == by.pk and RANK[role] > RANK[membership.role]:
        raise PermissionDenied("You cannot raise your own role.")
    with transaction.atomic():
        owners = _lock_owners(membership.project)
        current = Membership.objects.select_for_update().get(pk=membership.pk)
        if current.role == Role.OWNER and role != Role.OWNER and len(owners) <= 1:
            raise InvalidInput.single("role", "A project needs at least one owner; make someone else owner first.")
        current.role = role
        current.save(update_fields=["role"])
    return current


def remove_member(membership: Membership, *, by) -> None:
    """Remove a member (owners do), or let a member leave; the last owner cannot be removed."""
    if membership.user_id != by.pk:
        require(role_in(membership.project, by), Action.MANAGE_MEMBERS)
    with transaction.atomic():
        owners = _lock_owners(membership.project)
        current = Membership.objects.select_for_update().filter(pk=membership.pk).first()
        if current is None:
            return
        if current.role == Role.OWNER and len(owners) <= 1:
            raise InvalidInput.single("role", "A project needs at least one owner; make someone else owner first.")
        current.delete()


def delete_project(project: Project, *, by) -> None:
    """Delete a project with its articles, annotations, labels and memberships, all or nothing (owners do)."""
    require(role_in(project, by), Action.DELETE_PROJECT)
    with transaction.atomic():
        # Annotations protect their label from deletion, so they go first.
        Annotation.objects.filter(article__project=project).delete()
        project.delete()
