"""What each API caller may see (querysets) and may do (role checks), in one place.

Every view starts from these querysets, so an object outside the caller's projects is a 404 whether
it exists or not (AUTHZ-1, AUTHZ-7), and each row carries the caller's role (`my_role`) from the same
query: one membership lookup per request. Role checks go through articles.permissions only.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from rest_framework.exceptions import PermissionDenied

from articles.api.fields import MAX_ID
from articles.compiled import CompiledQuery
from articles.models import Annotation, Article, Membership, Project, Role, Visibility
from articles.permissions import Action, role_allows

DENIED = {
    Action.ANNOTATE: "Viewers cannot change annotations.",
    Action.EDIT_OTHERS_ANNOTATIONS: "Only reviewers and owners change other people's annotations.",
    Action.REVIEW: "Only reviewers and owners set the review status.",
    Action.MANAGE_PROJECT: "Only owners change the project.",
    Action.DELETE_PROJECT: "Only owners delete the project.",
    Action.MANAGE_MEMBERS: "Only owners manage members.",
    Action.MANAGE_LABELS: "Only owners manage labels.",
    Action.MANAGE_ARTICLES: "Only owners add, change and delete articles.",
}


def require(role: str | None, action: Action) -> None:
    """Raise 403 unless a member with `role` may perform `action`."""
    if not role_allows(role, action):
        raise PermissionDenied(DENIED.get(action, "Your role in this project does not allow this."))


def role_subquery(user, project_ref: str) -> Subquery:
    """The caller's role in the project that `project_ref` points to (None when not a member)."""
    return Subquery(Membership.objects.filter(project=OuterRef(project_ref), user=user).values("role")[:1])


def projects_for(user) -> QuerySet[Project]:
    """The caller's projects; `my_role` comes from the membership row the scoping join already reads."""
    return Project.objects.for_user(user).annotate(my_role=F("memberships__role"))


def visible_annotation_count(user) -> Coalesce:
    """Count, per article, only the annotations the caller may see (independent projects hide some)."""
    counts = (
        Annotation.objects.visible_to(user).filter(article=OuterRef("pk"))
        .order_by().values("article").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), Value(0))


def articles_with_role(user) -> QuerySet[Article]:
    """Articles in the caller's projects with their role, read from the scoping join (no subquery)."""
    # The annotations reuse the joins of for_user(): the role is the caller's own.
    return Article.objects.for_user(user).annotate(
        my_role=F("project__memberships__role"), project_visibility=F("project__visibility")
    )


_ARTICLE_WITH_ROLE = CompiledQuery(
    lambda user_id, pk: articles_with_role(get_user_model()(pk=user_id))
    .annotate(created_by_name=F("created_by__username")).filter(pk=pk),
    int, int,
)


def article_with_role(user, pk: int | str) -> Article:
    """One article of the caller's projects with their role (as `articles_with_role`) and the name of
    whoever added it (`created_by_name`), else a 404.

    Every annotation request starts here, so the query is compiled once (articles.compiled); an id
    beyond the database's range is a 404 like any other unknown id.
    """
    pk = int(pk)
    known = user.is_authenticated and 0 < pk <= MAX_ID
    article = _ARTICLE_WITH_ROLE.first(user.pk, pk) if known else None
    if article is None:
        raise Http404("No article with that id in your projects.")
    return article


def articles_for(user, *, counted: bool = True) -> QuerySet[Article]:
    """Articles in the caller's projects with their role; `counted` adds the visible annotation count."""
    articles = articles_with_role(user).select_related("created_by")
    return articles.annotate(annotation_count=visible_annotation_count(user)) if counted else articles


def sees_every_annotation(article: Article) -> bool:
    """Whether the caller (whose role came with the article) sees all of its annotations.

    The first branch of AnnotationQuerySet.visible_to, decided from what the article query already read:
    building visible_to's subqueries costs more than the rest of a read. test_api_scoping holds the two
    equal for every role, visibility and assignment state.
    """
    return article.my_role is not None and (
        article.my_role != Role.ANNOTATOR or article.project_visibility == Visibility.SHARED
    )


def _shown(annotations: QuerySet[Annotation], article_id: int) -> QuerySet[Annotation]:
    """An article's annotations in text order, ready to show: label key and author name joined in, not
    loaded as objects (an article can have thousands)."""
    return (
        annotations.filter(article_id=article_id)
        .annotate(label_key=F("label__key"), author_name=F("author__username")).in_text_order()
    )


def visible_annotations_of(article: Article, user) -> QuerySet[Annotation]:
    """The article's annotations the caller may see, in text order, ready to show."""
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


def annotations_for(user) -> QuerySet[Annotation]:
    """Annotations the caller may read, with what their representation needs in the same query."""
    return (
        Annotation.objects.visible_to(user)
        .filter(article__project__memberships__user=user)
        .select_related("label", "author")
        .annotate(my_role=F("article__project__memberships__role"))
    )
