"""Annotations: listed and created under their article, read, changed and deleted by id.

Creation takes offsets or a quote selector, one object or a list (all or nothing). Changes need
If-Match; `status` goes through the review path and only reviewers and owners may set it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse

from articles.access import annotations_for, article_with_role, visible_annotations_of
from articles.annotation_write import (
    MAX_BULK,
    create_annotation,
    create_annotations,
    delete_annotation,
    update_annotation,
)
from articles.api.conditional import etag_of, expected_version
from articles.api.filters import AnnotationFilter
from articles.api.schema import IF_MATCH, errors, one_or_many, path_id, with_object
from articles.api.serializers import (
    AnnotationCreateSerializer,
    AnnotationSerializer,
    AnnotationUpdateSerializer,
    ReanchorSerializer,
)
from articles.api.views.base import ApiViewSet
from articles.models import Annotation, Article
from articles.revisions import reattach
from articles.workflow import review_span

ONE_OR_MANY = one_or_many("AnnotationCreateOneOrMany", AnnotationCreateSerializer, MAX_BULK)
CREATED = one_or_many("AnnotationCreated", AnnotationSerializer)
CONFLICT = with_object("AnnotationConflict", "existing", AnnotationSerializer, 409)
STALE = with_object("AnnotationStale", "current", AnnotationSerializer, 412)


class AnnotationRepresentation:
    """Shared by both view sets: JSON of an annotation, with UTF-16 offsets from one map per article."""

    def represent(self, annotation: Annotation) -> dict:
        return AnnotationSerializer(annotation, context=self.get_serializer_context()).data

    def etag_of(self, annotation: Annotation) -> str:
        return etag_of(annotation)


@extend_schema(parameters=[path_id("article_pk", "article")], tags=["annotations"])
@extend_schema_view(
    list=extend_schema(
        summary="Annotations on an article that you can see, in text order",
        responses={200: AnnotationSerializer(many=True), **errors(400, 404)},
    ),
    create=extend_schema(
        summary="Annotate: by start + end, or by quote (+ prefix/suffix); a list creates many, all or nothing",
        description="A quote that occurs more than once without context to tell the places apart is a 400 "
        "whose `candidates` lists each place's start and end. Errors in a list are keyed by the item's index.",
        request=ONE_OR_MANY,
        responses={201: CREATED, 409: CONFLICT, **errors(400, 403, 404, 413, 415)},
    ),
)
class ArticleAnnotationViewSet(AnnotationRepresentation, ApiViewSet, mixins.ListModelMixin):
    """Spans of an article's text with a label. Offsets are Unicode code points, end exclusive;
    utf16_start and utf16_end give the same span in JavaScript's UTF-16 units."""

    serializer_class = AnnotationSerializer
    queryset = Annotation.objects.none()
    filter_backends = [DjangoFilterBackend]
    filterset_class = AnnotationFilter

    def get_article(self) -> Article:
        """The article, if the caller may see it, with their role: one query."""
        if not hasattr(self, "_article"):
            self._article = article_with_role(self.request.user, self.kwargs["article_pk"])
            self.utf16_maps.of(self._article)
        return self._article

    def get_queryset(self) -> QuerySet[Annotation]:
        return visible_annotations_of(self.get_article(), self.request.user)

    def create(self, request, *args, **kwargs) -> Response:
        article = self.get_article()
        if isinstance(request.data, list):
            created = create_annotations(article, self._validated_list(request.data), author=request.user)
            data = AnnotationSerializer(created, many=True, context=self.get_serializer_context()).data
            return Response(data, status=status.HTTP_201_CREATED)
        serializer = AnnotationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        annotation = create_annotation(article, author=request.user, **serializer.validated_data)
        location = reverse("annotation-detail", [annotation.pk], request=request)
        return Response(
            self.represent(annotation),
            status=status.HTTP_201_CREATED,
            headers={"ETag": annotation.etag, "Location": location},
        )

    @staticmethod
    def _validated_list(data: list) -> list[dict]:
        serializer = AnnotationCreateSerializer(data=data, many=True, max_length=MAX_BULK, allow_empty=False)
        if not serializer.is_valid():
            problems = serializer.errors
            if isinstance(problems, list):
                problems = {str(index): item for index, item in enumerate(problems) if item}
            raise ValidationError(problems)
        return serializer.validated_data


@extend_schema(tags=["annotations"])
@extend_schema_view(
    retrieve=extend_schema(
        summary="One annotation; ETag header for If-Match", responses={200: AnnotationSerializer, **errors(400, 404)}
    ),
    partial_update=extend_schema(
        summary="Change an annotation (yours, or anyone's as reviewer or owner); `status` for reviewers and owners",
        request=AnnotationUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: AnnotationSerializer, 412: STALE, **errors(400, 403, 404, 413, 415, 428)},
    ),
    destroy=extend_schema(
        summary="Delete an annotation (its history keeps it, so it can be restored)",
        parameters=[IF_MATCH],
        responses={204: None, 412: STALE, **errors(403, 404, 428)},
    ),
)
class AnnotationViewSet(AnnotationRepresentation, ApiViewSet, mixins.RetrieveModelMixin):
    """One annotation. Changes and deletions need If-Match with its ETag: a stale one is a 412 that
    carries the current state, a missing one a 428."""

    serializer_class = AnnotationSerializer
    queryset = Annotation.objects.none()

    def get_queryset(self) -> QuerySet[Annotation]:
        return annotations_for(self.request.user).select_related("article")

    def retrieve(self, request, *args, **kwargs) -> Response:
        annotation = self.get_object()
        return Response(self.represent(annotation), headers={"ETag": annotation.etag})

    def partial_update(self, request, *args, **kwargs) -> Response:
        annotation = self.get_object()
        serializer = AnnotationUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        review = changes.pop("status", None)
        annotation = self._write(annotation, changes, review, expected_version(request, annotation))
        return Response(self.represent(annotation), headers={"ETag": annotation.etag})

    def _write(self, annotation: Annotation, changes: dict, review: str | None, version: int) -> Annotation:
        """Edit, then review, in one transaction: each step checks and bumps the version."""
        with transaction.atomic():
            if changes or review is None:
                annotation = update_annotation(
                    annotation, by=self.request.user, expected_version=version, changes=changes
                )
            if review is not None:
                annotation = review_span(
                    annotation,
                    by=self.request.user,
                    status=review,
                    expected_version=annotation.version if changes else version,
                )
        return annotation

    @extend_schema(
        summary="Re-attach an orphan, or move a fuzzy annotation, to a span of the latest text; it becomes exact",
        description="Offsets (start + end) or a quote selector (quote + prefix/suffix), with If-Match.",
        request=ReanchorSerializer,
        parameters=[IF_MATCH],
        responses={200: AnnotationSerializer, 409: CONFLICT, 412: STALE, **errors(400, 403, 404, 413, 415, 428)},
    )
    @action(detail=True, methods=["post"])
    def reanchor(self, request, *args, **kwargs) -> Response:
        annotation = self.get_object()
        serializer = ReanchorSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, annotation)
        annotation = reattach(annotation, by=request.user, expected_version=version, **serializer.validated_data)
        return Response(self.represent(annotation), headers={"ETag": annotation.etag})

    def destroy(self, request, *args, **kwargs) -> Response:
        annotation = self.get_object()
        delete_annotation(annotation, by=request.user, expected_version=expected_version(request, annotation))
        return Response(status=status.HTTP_204_NO_CONTENT)
