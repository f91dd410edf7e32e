"""Who may see which projects, articles, annotations and assignments, and with which role.

The one access layer of the pages, the API, exports and dashboards. Every lookup starts from a model's
`visible_to(user)` queryset, so an object outside the user's projects is a 404 whether it exists or not
(AUTHZ-1), and carries the user's role (`my_role`) from the same query. What a role allows is decided by
articles.permissions; `require` is the one way to refuse, with one message per action.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, IntegerField, Model, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from articles.compiled import CompiledQuery
from articles.errors import InvalidInput
from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    Assignment,
    Comment,
    Link,
    Membership,
    Project,
    ReviewStatus,
    Role,
    Suggester,
    Suggestion,
    Visibility,
)
from articles.models.review import REVEALED_STATES
from articles.permissions import Action, can_change_annotation, role_allows

M = TypeVar("M", bound=Model)

# PostgreSQL bigint: ids beyond it cannot exist, so they are a 404 instead of a database error.
MAX_ID = 2**63 - 1

DENIED = {
    Action.ANNOTATE: "Viewers cannot change annotations.",
    Action.COMMENT: "Only members who annotate or review can comment.",
    Action.EDIT_OTHERS_ANNOTATIONS: "Only its author, a reviewer or an owner may change this annotation.",
    Action.REVIEW: "Only reviewers and owners review.",
    Action.MANAGE_PROJECT: "Only owners change the project.",
    Action.DELETE_PROJECT: "Only owners delete the project.",
    Action.MANAGE_MEMBERS: "Only owners manage members.",
    Action.MANAGE_LABELS: "Only owners manage labels.",
    Action.MANAGE_ARTICLES: "Only owners add, change and delete articles.",
    Action.IMPORT: "Only owners import.",
    Action.ASSIGN: "Only owners assign work.",
    Action.VIEW_AGREEMENT: "Agreement reports are for owners, reviewers and viewers.",
    Action.REVISE_ARTICLES: "Only owners and reviewers add revisions of an article.",
}


def require(role: str | None, action: Action) -> None:
    """Refuse (PermissionDenied, a 403) unless a member with `role` may perform `action`."""
    if not role_allows(role, action):
        raise PermissionDenied(DENIED.get(action, "Your role in this project does not allow this."))


def role_in(obj: Project | Article | Annotation | Link | Assignment | Comment, user) -> str | None:
    """The user's role in the project `obj` belongs to: the role read with `obj` for this user, else one query."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    if hasattr(obj, "my_role") and getattr(obj, "my_role_user_id", None) == user_id:
        return obj.my_role
    if isinstance(obj, (Annotation, Link, Assignment)) and type(obj).article.is_cached(obj):
        return role_in(obj.article, user)
    memberships = Membership.objects.filter(user_id=user_id)
    if isinstance(obj, Project):
        memberships = memberships.filter(project_id=obj.pk)
    elif isinstance(obj, Article):
        memberships = memberships.filter(project_id=obj.project_id)
    elif isinstance(obj, Comment):
        memberships = memberships.filter(project__articles__annotations=obj.annotation_id)
    else:
        memberships = memberships.filter(project__articles=obj.article_id)
    return memberships.values_list("role", flat=True).first()


def require_change(annotation: Annotation | Link, user) -> str | None:
    """Refuse unless `user` may change the annotation or link (its author, or a reviewer or owner); return the
    role."""
    role = role_in(annotation, user)
    if not can_change_annotation(role, user, annotation):
        mine = annotation.author_id == getattr(user, "pk", None)
        require(None, Action.ANNOTATE if mine else Action.EDIT_OTHERS_ANNOTATIONS)
    return role


def require_review(work: Annotation | Link, user, status: str) -> None:
    """The review rule for a span or a link: a reviewer or owner, never of their own work, to a known status."""
    require(role_in(work, user), Action.REVIEW)
    if work.author_id == getattr(user, "pk", None):
        noun = "link" if isinstance(work, Link) else "annotation"
        raise PermissionDenied(f"You cannot review your own {noun}; another reviewer must.")
    if status not in ReviewStatus.values:
        raise InvalidInput.single("status", f"Choose one of: {', '.join(ReviewStatus.values)}.")


def _one(queryset: QuerySet[M], pk: object, what: str) -> M:
    """The row with id `pk`, or a 404 for unknown, foreign, malformed and out-of-range ids alike."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    found = queryset.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if found is None:
        raise Http404(f"No such {what} in your projects.")
    return found


def projects_for(user) -> QuerySet[Project]:
    """The user's projects, each with the user's role."""
    return Project.objects.visible_to(user).with_role(user)


def project_for(user, project_id: object) -> Project:
    """One of the user's projects (with `my_role`), else a 404."""
    return _one(projects_for(user), project_id, "project")


def articles_with_role(user) -> QuerySet[Article]:
    """Articles of the user's projects, with the role and the project's visibility (see sees_every_annotation)."""
    return Article.objects.visible_to(user).with_role(user).annotate(project_visibility=F("project__visibility"))


def article_for(user, article_id: object) -> Article:
    """One article of the user's projects with its project loaded (as the pages need), else a 404."""
    return _one(articles_with_role(user).select_related("project"), article_id, "article")


_ARTICLE_WITH_ROLE = CompiledQuery(
    lambda user_id, pk: (
        articles_with_role(get_user_model()(pk=user_id))
        .annotate(created_by_name=F("created_by__username"))
        .filter(pk=pk)
    ),
    int,
    int,
)


def article_with_role(user, article_id: object) -> Article:
    """`article_for` without the project but with `created_by_name`, from SQL compiled once: every API
    annotation request starts here (articles.compiled)."""
    try:
        pk = int(article_id)
    except (TypeError, ValueError):
        pk = 0
    known = user.is_authenticated and 0 < pk <= MAX_ID
    article = _ARTICLE_WITH_ROLE.first(user.pk, pk) if known else None
    if article is None:
        raise Http404("No such article in your projects.")
    return article


def visible_annotation_count(user) -> Coalesce:
    """Count, per article, only the annotations the user may see (independent projects hide some)."""
    counts = (
        Annotation.objects.visible_to(user)
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def articles_for(user, *, counted: bool = True) -> QuerySet[Article]:
    """Articles of the user's projects with the role; `counted` adds the visible annotation count."""
    articles = articles_with_role(user).select_related("created_by")
    return articles.annotate(annotation_count=visible_annotation_count(user)) if counted else articles


def annotations_for(user) -> QuerySet[Annotation]:
    """Annotations the user may read, with the role and what their representation needs, in one query."""
    return Annotation.objects.visible_to(user).with_role(user).select_related("label", "author")


def annotation_for(user, annotation_id: object) -> Annotation:
    """One annotation the user may read (with article, project, label, author and the role), else a 404."""
    return _one(annotations_for(user).select_related("article__project"), annotation_id, "annotation")


def links_for(user) -> QuerySet[Link]:
    """Links the user may read, with the role, their type, author and both ends with labels, in one query."""
    return (
        Link.objects.visible_to(user)
        .with_role(user)
        .select_related("type", "author", "from_annotation__label", "to_annotation__label")
    )


def link_for(user, link_id: object) -> Link:
    """One link the user may read (with its article and project, and the role), else a 404."""
    return _one(links_for(user).select_related("article__project"), link_id, "link")


def visible_links_of(article: Article, user) -> QuerySet[Link]:
    """The article's links the user may see (the annotations' rule, by the link's author), oldest first."""
    links = Link.objects if sees_every_annotation(article) else Link.objects.visible_to(user)
    return (
        links.filter(article_id=article.pk)
        .select_related("type", "author", "from_annotation__label", "to_annotation__label")
        .order_by("id")
    )


def suggestion_for(user, suggestion_id: object) -> Suggestion:
    """A suggestion on an article of the user's projects (with article, project, label and suggester), else a
    404; whether the user may answer it is the domain's call (articles.suggestions)."""
    suggestions = Suggestion.objects.filter(article__project__memberships__user=user.pk)
    return _one(suggestions.select_related("article__project", "label", "suggester"), suggestion_id, "suggestion")


def suggester_for(project: Project, suggester_id: object) -> Suggester:
    """One of the project's suggesters (the project was looked up for the user), else a 404."""
    return _one(Suggester.objects.filter(project=project).select_related("project"), suggester_id, "suggester")


def assignment_for(user, assignment_id: object) -> Assignment:
    """An assignment the user may see (owners, reviewers, viewers: all; annotators: their own), else a 404."""
    assignments = Assignment.objects.visible_to(user).with_role(user)
    return _one(assignments.select_related("article__project", "annotator", "reviewed_by"), assignment_id, "assignment")


def sees_every_annotation(article: Article) -> bool:
    """Whether the user (whose role came with the article) sees all of its annotations.

    The first branch of AnnotationQuerySet.visible_to, decided from what the article query already read:
    building visible_to's subqueries costs more than the rest of a read. test_access holds the two equal
    for every role, visibility and assignment state.
    """
    return article.my_role is not None and (
        article.my_role != Role.ANNOTATOR or article.project_visibility == Visibility.SHARED
    )


def _shown(annotations: QuerySet[Annotation], article_id: int) -> QuerySet[Annotation]:
    """An article's annotations in text order, ready to show: label key and author name joined in, not
    loaded as objects (an article can have thousands)."""
    return (
        annotations.filter(article_id=article_id)
        .annotate(label_key=F("label__key"), author_name=F("author__username"))
        .in_text_order()
    )


def visible_annotations_of(article: Article, user) -> QuerySet[Annotation]:
    """The article's annotations the user may see, in text order, ready to show."""
    annotations = Annotation.objects if sees_every_annotation(article) else Annotation.objects.visible_to(user)
    return _shown(annotations, article.pk)


_EVERY_ANNOTATION = CompiledQuery(lambda article: _shown(Annotation.objects.all(), article), int)
_VISIBLE_ANNOTATIONS = CompiledQuery(
    lambda article, user: _shown(Annotation.objects.visible_to(get_user_model()(pk=user)), article), int, int
)


def visible_annotation_list(article: Article, user) -> list[Annotation]:
    """`visible_annotations_of` as a list, from SQL compiled once: reading a whole article with its
    annotations is what clients do most."""
    if sees_every_annotation(article):
        return _EVERY_ANNOTATION.run(article.pk)
    return _VISIBLE_ANNOTATIONS.run(article.pk, user.pk)


def history_visible_to(user, article: Article) -> QuerySet[AnnotationEvent]:
    """The article's annotation history as `user` may read it: a blind annotator sees only their own."""
    events = AnnotationEvent.objects.filter(article=article).select_related("actor").order_by("created_at", "id")
    role = role_in(article, user)
    if role is None:
        return events.none()
    if role != Role.ANNOTATOR or not article.project.is_independent:
        return events
    if Assignment.objects.filter(article=article, annotator=user, state__in=REVEALED_STATES).exists():
        return events
    return events.filter(snapshot__author_id=user.pk)
