"""Fetch what a signed-in user may see, with their role; anything else is a 404.

Every page and fragment looks objects up through these functions, so a non-member learns nothing
(not even that an id exists) and a forgotten check shows up as a 404 rather than a leak (AUTHZ-1).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404

from articles.models import Annotation, Article, Membership, Project
from articles.permissions import Action, role_allows


def _role_subquery(user, project_ref: str) -> Subquery:
    return Subquery(Membership.objects.filter(project=OuterRef(project_ref), user=user).values("role")[:1])


def project_for(user, project_id: int) -> tuple[Project, str]:
    """Return the project and the user's role in it (one query), or raise Http404."""
    project = (
        Project.objects.for_user(user).annotate(my_role=_role_subquery(user, "pk")).filter(pk=project_id).first()
    )
    if project is None:
        raise Http404("No such project.")
    return project, project.my_role


def article_for(user, article_id: int) -> tuple[Article, str]:
    """Return the article (with its project) and the user's role, or raise Http404."""
    article = (
        Article.objects.for_user(user)
        .select_related("project")
        .annotate(my_role=_role_subquery(user, "project"))
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    return article, article.my_role


def annotation_for(user, annotation_id: int) -> tuple[Annotation, str]:
    """Return an annotation the user may read (with article, project, label, author) and their role."""
    annotation = (
        Annotation.objects.visible_to(user)
        .select_related("article__project", "label", "author")
        .annotate(my_role=_role_subquery(user, "article__project"))
        .filter(pk=annotation_id)
        .first()
    )
    if annotation is None:
        raise Http404("No such annotation.")
    return annotation, annotation.my_role


def require(role: str | None, action: Action) -> None:
    """Refuse (403) a member whose role does not allow `action`; non-members never get this far."""
    if not role_allows(role, action):
        raise PermissionDenied(f"Your role does not allow this ({action.value.replace('_', ' ')}).")
