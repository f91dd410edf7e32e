"""Changing a project's team, and deleting a project: the rules hold for every caller.

A project always keeps at least one owner, and nobody raises their own role. Callers (the API, the
web pages) check beforehand that the acting user may manage members (articles.permissions); these
functions keep the invariants that no caller may break, under concurrent requests too.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from articles.access import require, role_in
from articles.errors import AlreadyExists, InvalidInput
from articles.models import Annotation, Membership, Project, Role
from articles.permissions import Action
from articles.text_rules import clean_text

# Higher rank = more rights; used to refuse raising one's own role.
RANK = {Role.VIEWER: 0, Role.ANNOTATOR: 1, Role.REVIEWER: 2, Role.OWNER: 3}


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
