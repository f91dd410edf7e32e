"""Articles: members read, owners add, change and delete; changes are guarded by If-Match."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from articles.access import (
    article_with_role,
    articles_for,
    projects_for,
    visible_annotation_list,
    visible_annotations_of,
)
from articles.api.conditional import etag_of, expected_version
from articles.api.filters import ArticleFilter
from articles.api.schema import IF_MATCH, errors, with_object
from articles.api.serializers import ArticleCreateSerializer, ArticleSerializer, ArticleSummarySerializer
from articles.api.views.base import ApiViewSet
from articles.article_write import create_article, delete_article, update_article
from articles.compiled import CompiledQuery
from articles.models import Article, Project

INCLUDE = OpenApiParameter(
    "include",
    OpenApiTypes.STR,
    enum=["annotations"],
    description="`annotations`: embed the annotations you can see, in text order (one request for a whole article).",
)
STALE = with_object("ArticleStale", "current", ArticleSerializer, 412)
# The project an article is added to, with the caller's role: projects_for compiled once (articles.compiled),
# and only the id read, which is all that adding an article needs (not the guidelines, up to 50,000 characters).
_PROJECT_WITH_ROLE = CompiledQuery(
    lambda user_id, pk: projects_for(get_user_model()(pk=user_id)).filter(pk=pk).only("id"), int, int
)


def project_to_add_to(user, project_id: int) -> Project:
    """One of the user's projects with `my_role`, else a 400 that reads the same whether it exists or not."""
    project = _PROJECT_WITH_ROLE.first(user.pk, project_id) if user.is_authenticated else None
    if project is None:
        raise ValidationError({"project": ["None of your projects has this id."]})
    return project


@extend_schema_view(
    list=extend_schema(
        summary="Articles of your projects (without their text: GET one article for it)",
        responses={200: ArticleSummarySerializer(many=True), **errors(400, 404)},
    ),
    create=extend_schema(
        summary="Add an article to a project (owners)",
        request=ArticleCreateSerializer,
        responses={201: ArticleSerializer, **errors(400, 403, 413, 415)},
    ),
    retrieve=extend_schema(
        summary="One article with its text (and, on request, its annotations); ETag header for If-Match",
        parameters=[INCLUDE],
        responses={200: ArticleSerializer, **errors(400, 404)},
    ),
    partial_update=extend_schema(
        summary="Change an article (owners); the text only while no annotation points into it",
        parameters=[IF_MATCH],
        responses={200: ArticleSerializer, 412: STALE, **errors(400, 403, 404, 413, 415, 428)},
    ),
    destroy=extend_schema(
        summary="Delete an article with its annotations (owners)",
        parameters=[IF_MATCH],
        responses={204: None, 412: STALE, **errors(403, 404, 428)},
    ),
)
class ArticleViewSet(ApiViewSet, mixins.ListModelMixin):
    """News articles: metadata and the canonical text annotations point into. Changes and deletions
    need If-Match with the article's ETag (412 when stale, 428 when missing)."""

    serializer_class = ArticleSerializer
    queryset = Article.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = ArticleFilter
    detail_parameters = frozenset({"include"})

    def get_queryset(self) -> QuerySet[Article]:
        if self.action == "list":
            return articles_for(self.request.user).defer("text")
        # One article: its visible annotations are counted (or listed) after it is read, which is cheaper
        # than the per-row count subquery that lists need.
        return articles_for(self.request.user, counted=False)

    def filter_queryset(self, queryset: QuerySet[Article]) -> QuerySet[Article]:
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _includes_annotations(self) -> bool:
        include = self.request.query_params.get("include")
        if include not in (None, "annotations"):
            raise ValidationError({"include": ["The only value is annotations."]})
        return include == "annotations" and self.action == "retrieve"

    def get_serializer_class(self):
        return ArticleSummarySerializer if self.action == "list" else ArticleSerializer

    def etag_of(self, article: Article) -> str:
        return etag_of(article)

    def represent(self, article: Article) -> dict:
        current = self.get_queryset().filter(pk=article.pk).first()
        shown = self._counted(current) if current is not None else article
        return ArticleSerializer(shown, context=self.get_serializer_context()).data

    def _counted(self, article: Article) -> Article:
        article.annotation_count = visible_annotations_of(article, self.request.user).count()
        return article

    def _respond(self, article: Article, code: int = status.HTTP_200_OK, **headers: str) -> Response:
        data = ArticleSerializer(article, context=self.get_serializer_context()).data
        return Response(data, status=code, headers={"ETag": etag_of(article), **headers})

    def create(self, request, *args, **kwargs) -> Response:
        serializer = ArticleCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        project = project_to_add_to(request.user, fields.pop("project"))
        article = create_article(project, by=request.user, **fields)
        article.annotation_count, article.my_role = 0, project.my_role
        location = reverse("article-detail", kwargs={"pk": article.pk}, request=request)
        return self._respond(article, status.HTTP_201_CREATED, Location=location)

    def get_object(self) -> Article:
        """The article of the URL, with the caller's role, from SQL compiled once (a 404 if not theirs)."""
        return article_with_role(self.request.user, self.kwargs["pk"])

    def retrieve(self, request, *args, **kwargs) -> Response:
        article = self.get_object()
        if not self._includes_annotations():
            return self._respond(self._counted(article))
        article.included_annotations = visible_annotation_list(article, request.user)
        article.annotation_count = len(article.included_annotations)
        self.utf16_maps.of(article)
        return self._respond(article)

    def partial_update(self, request, *args, **kwargs) -> Response:
        article = self.get_object()
        serializer = ArticleSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, article)
        article = update_article(article, by=request.user, expected_version=version, changes=serializer.validated_data)
        return self._respond(self._counted(article))

    def destroy(self, request, *args, **kwargs) -> Response:
        article = self.get_object()
        delete_article(article, by=request.user, expected_version=expected_version(request, article))
        return Response(status=status.HTTP_204_NO_CONTENT)
