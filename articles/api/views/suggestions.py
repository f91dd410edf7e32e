"""Suggestions: what the project's suggesters found on an article, run on demand, accepted or rejected;
and the project's suggesters, switched on or off and registered by owners.

Permissions are those for creating annotations (viewers 403, outsiders 404); the rules live in
articles.suggestions, articles.suggesters and articles.suggester_write.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from articles.access import article_with_role, project_for, suggester_for, suggestion_for
from articles.api.fields import AttributesField, RequestSerializer, StrictIntegerField, Text
from articles.api.link_serializers import LinkSerializer
from articles.api.schema import errors, path_id
from articles.api.serializers import AnnotationSerializer
from articles.api.views.base import ApiViewSet
from articles.api.views.jobs import JobSerializer
from articles.models import Suggester, Suggestion
from articles.suggester_write import delete_suggester, register_suggester, update_suggester
from articles.suggesters import start_suggest
from articles.suggestions import accept, offered, reject


class SuggestionSerializer(serializers.Serializer):
    """A suggestion as offered: label, span (code points, and UTF-16 for browsers), attributes, confidence,
    who proposed it, and the proposed link to another suggestion (a quote said by a source)."""

    id = serializers.IntegerField(read_only=True)
    article = serializers.IntegerField(source="article_id", read_only=True)
    label = serializers.CharField(source="label.key", read_only=True)
    start = serializers.IntegerField(read_only=True)
    end = serializers.IntegerField(read_only=True)
    utf16_start = serializers.SerializerMethodField()
    utf16_end = serializers.SerializerMethodField()
    quote = serializers.CharField(read_only=True)
    attributes = serializers.JSONField(read_only=True)
    confidence = serializers.FloatField(read_only=True)
    suggester = serializers.CharField(source="suggester.name", read_only=True)
    suggester_version = serializers.CharField(read_only=True)
    link = serializers.SerializerMethodField(help_text='{"type": "said_by", "to": suggestion id} or null.')

    def _utf16(self, suggestion: Suggestion, offset: int) -> int:
        maps = self.context["utf16"]
        return (maps.get(suggestion.article_id) or maps.of(suggestion.article)).to_utf16(offset)

    def get_utf16_start(self, suggestion: Suggestion) -> int:
        return self._utf16(suggestion, suggestion.start)

    def get_utf16_end(self, suggestion: Suggestion) -> int:
        return self._utf16(suggestion, suggestion.end)

    def get_link(self, suggestion: Suggestion) -> dict[str, Any] | None:
        if not suggestion.link_type or suggestion.link_to_id is None:
            return None
        return {"type": suggestion.link_type, "to": suggestion.link_to_id}


class AcceptSerializer(RequestSerializer):
    label = serializers.CharField(max_length=32, required=False)
    start = StrictIntegerField(min_value=0, required=False)
    end = StrictIntegerField(min_value=1, required=False)
    attributes = AttributesField(required=False)
    speaker = Text(max_length=500, required=False, allow_blank=True, help_text="The quote's speaker, if changed.")
    link = serializers.BooleanField(required=False, help_text="false: leave the proposed link out.")


ACCEPTED = inline_serializer(
    "SuggestionAccepted", {"annotation": AnnotationSerializer(), "links": LinkSerializer(many=True)}
)


@extend_schema(parameters=[path_id("article_pk", "article")], tags=["suggestions"])
@extend_schema_view(
    list=extend_schema(
        summary="Suggestions on an article that you have not answered yet, in text order",
        responses={200: SuggestionSerializer(many=True), **errors(403, 404)},
    ),
)
class ArticleSuggestionViewSet(ApiViewSet, mixins.ListModelMixin):
    serializer_class = SuggestionSerializer
    queryset = Suggestion.objects.none()

    def get_article(self):
        if not hasattr(self, "_article"):
            self._article = article_with_role(self.request.user, self.kwargs["article_pk"])
            self.utf16_maps.of(self._article)
        return self._article

    def get_queryset(self):
        return offered(self.get_article(), self.request.user)

    @extend_schema(
        summary="Run the project's switched-on suggesters on the article now, as a job",
        request=None,
        responses={202: JobSerializer, **errors(400, 403, 404, 413, 415)},
    )
    @action(detail=False, methods=["post"])
    def run(self, request, *args, **kwargs) -> Response:
        job = start_suggest(self.get_article(), by=request.user)
        return Response(JobSerializer(job, context=self.get_serializer_context()).data, status=status.HTTP_202_ACCEPTED)


@extend_schema(parameters=[path_id("pk", "suggestion")], tags=["suggestions"])
class SuggestionViewSet(ApiViewSet):
    serializer_class = SuggestionSerializer
    queryset = Suggestion.objects.none()

    def get_object(self) -> Suggestion:
        return suggestion_for(self.request.user, self.kwargs["pk"])

    @extend_schema(
        summary="Accept: it becomes your annotation (with its proposed link); label, boundaries, attributes "
        "and speaker can be changed first",
        request=AcceptSerializer,
        responses={201: ACCEPTED, **errors(400, 403, 404, 409, 413, 415)},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs) -> Response:
        suggestion = self.get_object()
        serializer = AcceptSerializer(data=request.data if request.data else {})
        serializer.is_valid(raise_exception=True)
        done = accept(suggestion, by=request.user, changes=serializer.validated_data)
        context = self.get_serializer_context()
        body = {
            "annotation": AnnotationSerializer(done.annotation, context=context).data,
            "links": LinkSerializer(done.links, many=True, context=context).data,
        }
        return Response(body, status=status.HTTP_201_CREATED, headers={"ETag": done.annotation.etag})

    @extend_schema(
        summary="Reject: it is not offered to you again on this article",
        request=None,
        responses={
            200: inline_serializer("SuggestionRejected", {"id": serializers.IntegerField()}),
            **errors(400, 403, 404, 413, 415),
        },
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs) -> Response:
        suggestion = self.get_object()
        reject(suggestion, by=request.user)
        return Response({"id": suggestion.pk, "rejected": True})


class SuggesterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Suggester
        fields = ["id", "name", "kind", "url", "enabled", "timeout_seconds", "last_error", "last_run_at"]
        read_only_fields = fields


class SuggesterWriteSerializer(RequestSerializer):
    name = serializers.CharField(max_length=64, required=False)
    url = serializers.CharField(max_length=2000, required=False)
    enabled = serializers.BooleanField(required=False)
    timeout_seconds = StrictIntegerField(min_value=1, max_value=60, required=False)


@extend_schema(parameters=[path_id("project_pk", "project")], tags=["suggestions"])
@extend_schema_view(
    list=extend_schema(
        summary="The project's suggesters", responses={200: SuggesterSerializer(many=True), **errors(404)}
    ),
    create=extend_schema(
        summary="Register an HTTP suggester (owners)",
        request=SuggesterWriteSerializer,
        responses={201: SuggesterSerializer, **errors(400, 403, 404, 413, 415)},
    ),
    retrieve=extend_schema(summary="One suggester", responses={200: SuggesterSerializer, **errors(404)}),
    partial_update=extend_schema(
        summary="Switch a suggester on or off, or change an HTTP suggester (owners)",
        request=SuggesterWriteSerializer,
        responses={200: SuggesterSerializer, **errors(400, 403, 404, 413, 415)},
    ),
    destroy=extend_schema(summary="Remove an HTTP suggester (owners)", responses={204: None, **errors(400, 403, 404)}),
)
class SuggesterViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    serializer_class = SuggesterSerializer
    queryset = Suggester.objects.none()
    pagination_class = None

    def get_project(self):
        return project_for(self.request.user, self.kwargs["project_pk"])

    def get_queryset(self):
        return Suggester.objects.filter(project=self.get_project()).order_by("id")

    def get_object(self) -> Suggester:
        return suggester_for(self.get_project(), self.kwargs["pk"])

    def _values(self, request) -> dict[str, Any]:
        serializer = SuggesterWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def create(self, request, *args, **kwargs) -> Response:
        suggester = register_suggester(self.get_project(), by=request.user, **self._values(request))
        return Response(SuggesterSerializer(suggester).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs) -> Response:
        suggester = update_suggester(self.get_object(), by=request.user, changes=self._values(request))
        return Response(SuggesterSerializer(suggester).data)

    def destroy(self, request, *args, **kwargs) -> Response:
        delete_suggester(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
