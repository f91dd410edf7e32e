"""Article revisions: list and read them, add a corrected text, and compare two revisions word by word.

Adding a revision re-anchors every annotation (articles.revisions); the answer counts how they landed.
If-Match is optional here: with the article's ETag a revision based on a text that changed meanwhile is a
412, without it concurrent revisions are applied one after the other.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from articles.access import article_with_role, visible_annotations_of
from articles.api.conditional import etag_of, expected_version
from articles.api.fields import RequestSerializer, Text
from articles.api.schema import errors, path_id, with_object
from articles.api.serializers import ArticleSerializer
from articles.api.views.base import ApiViewSet
from articles.models import Article, ArticleRevision
from articles.revision_diff import word_diff
from articles.revisions import NOTE_MAX, add_revision, revision_of, revisions_of

ANCHORING_HELP = "How many annotations landed exact, shifted, fuzzy and orphaned; empty for revision 1."
ANCHORING = inline_serializer(
    "Anchoring",
    {name: serializers.IntegerField() for name in ("exact", "shifted", "fuzzy", "orphaned")},
)


class RevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(source="number", read_only=True)
    text_sha256 = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True, default=None)
    source = serializers.CharField(read_only=True, help_text="manual, import or fetch.")
    note = serializers.CharField(read_only=True)
    fetched_url = serializers.CharField(read_only=True)
    extractor_version = serializers.CharField(read_only=True)
    anchoring = serializers.DictField(child=serializers.IntegerField(), read_only=True, help_text=ANCHORING_HELP)


class RevisionTextSerializer(RevisionSerializer):
    text = serializers.CharField(read_only=True)


class RevisionCreateSerializer(RequestSerializer):
    text = Text(help_text="The corrected text (plain; stored as NFC with \\n line ends).")
    note = Text(required=False, allow_blank=True, max_length=NOTE_MAX, help_text="Why the text changed.")


CREATED = inline_serializer(
    "RevisionCreated",
    {
        "revision": serializers.IntegerField(),
        "text_sha256": serializers.CharField(),
        "anchoring": ANCHORING,
    },
)
UNCHANGED = inline_serializer(
    "RevisionUnchanged", {"revision": serializers.IntegerField(), "changed": serializers.BooleanField()}
)
DIFF = inline_serializer(
    "RevisionDiffOp",
    {"op": serializers.ChoiceField(choices=["equal", "insert", "delete"]), "text": serializers.CharField()},
    many=True,
)
AGAINST = OpenApiParameter(
    "against",
    OpenApiTypes.INT,
    required=True,
    description="The revision to compare with: the ops turn its text into this revision's.",
)


@extend_schema(parameters=[path_id("article_pk", "article")], tags=["revisions"])
@extend_schema_view(
    list=extend_schema(
        summary="The article's revisions, newest first", responses={200: RevisionSerializer(many=True), **errors(404)}
    ),
    retrieve=extend_schema(
        summary="One revision with its text",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The revision number.")
        ],
        responses={200: RevisionTextSerializer, **errors(404)},
    ),
    create=extend_schema(
        summary="Add a corrected text (owners and reviewers); every annotation is re-anchored",
        description="201 with the new revision and how the annotations landed; the same text as the latest "
        "revision is a 200 with `changed: false`. Optional If-Match with the article's ETag: 412 if it moved on.",
        request=RevisionCreateSerializer,
        responses={
            201: CREATED,
            200: UNCHANGED,
            412: with_object("ArticleRevisionStale", "current", ArticleSerializer, 412),
            **errors(400, 403, 404, 413, 415),
        },
    ),
    diff=extend_schema(
        summary="Word-level differences from revision `against` to this one, in code points",
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The revision number."),
            AGAINST,
        ],
        responses={200: DIFF, **errors(400, 404)},
    ),
)
class ArticleRevisionViewSet(ApiViewSet):
    """An article's texts over time. Revision numbers start at 1; the article's text is the latest."""

    serializer_class = RevisionSerializer
    queryset = ArticleRevision.objects.none()
    pagination_class = None  # an article has few revisions

    def allowed_parameters(self) -> frozenset[str]:
        return frozenset({"against"}) if self.action == "diff" else super().allowed_parameters()

    def get_article(self) -> Article:
        if not hasattr(self, "_article"):
            self._article = article_with_role(self.request.user, self.kwargs["article_pk"])
        return self._article

    def represent(self, article: Article) -> dict:
        """A 412's `current`: the article as stored now, read again with the caller's role."""
        current = article_with_role(self.request.user, article.pk)
        current.annotation_count = visible_annotations_of(current, self.request.user).count()
        return ArticleSerializer(current, context=self.get_serializer_context()).data

    def list(self, request, *args, **kwargs) -> Response:
        revisions = revisions_of(self.get_article())
        return Response(RevisionSerializer(revisions, many=True).data)

    def retrieve(self, request, *args, **kwargs) -> Response:
        revision = revision_of(self.get_article(), kwargs["pk"])
        return Response(RevisionTextSerializer(revision).data)

    def create(self, request, *args, **kwargs) -> Response:
        article = self.get_article()
        serializer = RevisionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = expected_version(request, article) if request.headers.get("If-Match", "").strip() else None
        result = add_revision(article, by=request.user, expected_version=version, **serializer.validated_data)
        headers = {"ETag": etag_of(result.revision.article)}
        if not result.changed:
            return Response({"revision": result.revision.number, "changed": False}, headers=headers)
        body = {
            "revision": result.revision.number,
            "text_sha256": result.revision.text_sha256,
            "anchoring": result.anchoring,
        }
        return Response(body, status=status.HTTP_201_CREATED, headers=headers)

    @action(detail=True, methods=["get"])
    def diff(self, request, *args, **kwargs) -> Response:
        article = self.get_article()
        against = request.query_params.get("against")
        if against is None or not against.isdigit() or len(against) > 10:
            raise ValidationError({"against": ["Give the number of the revision to compare with."]})
        old = revision_of(article, against)
        new = revision_of(article, kwargs["pk"])
        return Response([{"op": op.op, "text": op.text} for op in word_diff(old.text, new.text)])
