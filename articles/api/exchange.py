"""Export and import over the API: downloads in five formats, and all-or-nothing imports.

Exports stream (GET .../export/?format=json|w3c|jsonl|csv|claimreview plus filters); imports take
a JSON body with the file's content and answer with what was created, skipped and why, or a 400
listing every problem with its file, record and field. Lookups go through the caller's projects
(404 outside them); exports need Action.EXPORT, imports Action.IMPORT (owners). URL imports (one
address or a list) start a background job (articles.imports.background) that fetches through the guarded
fetcher; starting one is rate-limited per user (SSRF-8).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import path, reverse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import access, imports, jobs
from articles.access import require
from articles.api.fields import RequestSerializer
from articles.api.schema import errors, path_id, with_object
from articles.api.throttling import UserRateThrottle
from articles.errors import InvalidInput
from articles.export_download import export_response
from articles.export_scope import EXPORT_PARAMETERS, ExportScope, parse_filters
from articles.exports import ANNOTATIONS, FORMATS, WHAT
from articles.imports import background
from articles.models import Job, ReviewStatus
from articles.permissions import Action


class ExportFormatNegotiation(DefaultContentNegotiation):
    """`?format=` names the export format here, not a DRF renderer; errors are always JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _export_parameters() -> list[OpenApiParameter]:
    text = OpenApiTypes.STR
    return [
        OpenApiParameter(
            "format",
            text,
            enum=list(FORMATS),
            default="json",
            description="; ".join(f"`{key}`: {f.name}" for key, f in FORMATS.items()),
        ),
        OpenApiParameter("label", text, description="Only these label keys (comma-separated or repeated)."),
        OpenApiParameter("author", text, description="Only annotations by these usernames."),
        OpenApiParameter(
            "status", text, description="Only these review statuses, e.g. `accepted`.", enum=ReviewStatus.values
        ),
        OpenApiParameter("since", text, description="Annotations created at or after this date (ISO 8601)."),
        OpenApiParameter("until", text, description="Annotations created before the end of this date (ISO 8601)."),
        OpenApiParameter(
            "what",
            text,
            enum=list(WHAT),
            default=ANNOTATIONS,
            description="CSV only: `links` gives the table of links between the exported annotations instead.",
        ),
    ]


EXPORT_RESPONSES = {
    (200, "application/json"): OpenApiResponse(OpenApiTypes.ANY, description="Native JSON, W3C or ClaimReview."),
    (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR, description="JSONL, one article per line."),
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, one row per annotation."),
    **errors(400, 403, 404),
}


class ExportView(APIView):
    content_negotiation_class = ExportFormatNegotiation

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - EXPORT_PARAMETERS)
        if unknown:
            raise ValidationError({name[:64]: ["Unknown query parameter."] for name in unknown[:20]})

    def download(self, project, article=None):
        require(project.my_role, Action.EXPORT)
        key = self.request.query_params.get("format", "json")
        if key not in FORMATS:
            raise InvalidInput.single("format", f"Choose one of: {', '.join(FORMATS)}.")
        scope = ExportScope(project, self.request.user, article, parse_filters(self.request.query_params))
        return export_response(scope, key, base_url=self.request.build_absolute_uri("/"))


class ProjectExportView(ExportView):
    @extend_schema(
        operation_id="project_export",
        tags=["exchange"],
        summary="Export a project's annotations",
        description="Streams every article of the project with the annotations you can see, filtered. Offsets are "
        "Unicode code points; timestamps UTC with Z. The native JSON is described by "
        "`articles/exports/native.schema.json`.",
        parameters=[path_id("project_pk", "project"), *_export_parameters()],
        responses=EXPORT_RESPONSES,
    )
    def get(self, request, project_pk: int):
        return self.download(access.project_for(request.user, project_pk))


class ArticleExportView(ExportView):
    @extend_schema(
        operation_id="article_export",
        tags=["exchange"],
        summary="Export one article with its annotations",
        parameters=[path_id("article_pk", "article"), *_export_parameters()],
        responses=EXPORT_RESPONSES,
    )
    def get(self, request, article_pk: int):
        article = access.article_for(request.user, article_pk)
        project = article.project
        project.my_role = article.my_role
        return self.download(project, article)


class ParsedJSONField(serializers.JSONField):
    """Any JSON value, taken as it came: the request body was parsed from JSON (the API's only parser), so
    DRF's check that the value serialises again, a full pass over every article's text, proves nothing."""

    def to_internal_value(self, data: Any) -> Any:
        return data


class ImportRequestSerializer(RequestSerializer):
    format = serializers.ChoiceField(
        choices=["auto", *imports.FORMATS],
        default="auto",
        help_text="; ".join(f"`{key}`: {text}" for key, text in imports.FORMATS.items())
        + ". `auto` picks it from the filename's extension (JSON content is recognised by its shape).",
    )
    filename = serializers.CharField(
        max_length=200,
        default="upload.json",
        help_text="Named in error messages; its extension picks the format for `auto`.",
    )
    content = ParsedJSONField(help_text="The file's text as a string, or for JSON formats the document itself.")
    dry_run = serializers.BooleanField(default=False, help_text="Check and report without storing anything.")


class UrlImportRequestSerializer(RequestSerializer):
    url = serializers.CharField(
        max_length=background.MAX_ADDRESS_LENGTH, required=False, help_text="One http(s) address of a news page."
    )
    urls = serializers.ListField(
        child=serializers.CharField(max_length=background.MAX_ADDRESS_LENGTH),
        min_length=1,
        max_length=background.MAX_ADDRESSES,
        required=False,
        help_text=f"Or a list of up to {background.MAX_ADDRESSES} addresses, imported one by one.",
    )
    idempotency_key = serializers.CharField(
        max_length=jobs.MAX_KEY_LENGTH,
        required=False,
        help_text="Your name for this request (printable ASCII): sending it again, as a retry, returns the job it "
        "made instead of starting another. Unique per project among URL-import jobs.",
    )

    def validate(self, data: dict) -> dict:
        if ("url" in data) == ("urls" in data):
            raise serializers.ValidationError({"url": ["Give either `url` or `urls`."]})
        return data


_PROBLEM = inline_serializer(
    "ImportProblem", {name: serializers.CharField() for name in ("file", "record", "field", "message")}
)
_SKIPPED = inline_serializer(
    "ImportSkipped",
    {
        "file": serializers.CharField(),
        "record": serializers.CharField(),
        "title": serializers.CharField(),
        "reason": serializers.CharField(),
        "existing_id": serializers.IntegerField(allow_null=True),
    },
)
_SUMMARY_FIELDS = {
    "committed": serializers.BooleanField(help_text="False for a dry run or a refused import."),
    "created": inline_serializer(
        "ImportCounts",
        {name: serializers.IntegerField() for name in ("articles", "annotations", "labels", "links", "link_types")},
    ),
    "articles": inline_serializer(
        "ImportedArticle",
        {"id": serializers.IntegerField(allow_null=True), "title": serializers.CharField()},
        many=True,
    ),
    "skipped": _SKIPPED.__class__(many=True),
    "notices": serializers.ListField(child=serializers.CharField()),
    "errors": _PROBLEM.__class__(many=True),
}
IMPORT_SUMMARY = inline_serializer("ImportSummary", _SUMMARY_FIELDS)
IMPORT_REFUSED = OpenApiResponse(
    inline_serializer(
        "ImportRefused",
        {
            "detail": serializers.CharField(required=False),
            "errors": _PROBLEM.__class__(many=True, required=False),
            "skipped": _SKIPPED.__class__(many=True, required=False),
            "notices": serializers.ListField(child=serializers.CharField(), required=False),
        },
    ),
    description="Nothing was imported. A refused file: `detail` and `errors`, every problem with its file, record "
    "and field. A malformed request: each request field mapped to its messages.",
)
IMPORT_RESPONSES = {
    201: OpenApiResponse(IMPORT_SUMMARY, description="Imported: what was created, skipped (duplicates) and noted."),
    200: OpenApiResponse(IMPORT_SUMMARY, description="Dry run: what the import would do."),
    400: IMPORT_REFUSED,
    **errors(403, 404, 413, 415),
}


def _imported(request, project, batches, *, dry_run: bool, article=None) -> Response:
    own_prefix = request.build_absolute_uri("/api/v1/articles/")
    try:
        plan = imports.run_import(
            project, batches, by=request.user, article=article, own_prefix=own_prefix, dry_run=dry_run
        )
    except imports.ImportFailed as failure:
        return Response({"detail": str(failure), **failure.plan.summary()}, status=status.HTTP_400_BAD_REQUEST)
    return Response(plan.summary(), status=status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ProjectImportView(APIView):
    @extend_schema(
        operation_id="project_import",
        tags=["exchange"],
        summary="Import articles and annotations into a project",
        description="All or nothing: every record is checked first and every problem reported. Articles already in "
        "the project (same text or external id) are skipped and listed, so sending a file twice is "
        "harmless. Owners only. Bodies are limited by the server's request size (MAX_REQUEST_BYTES).",
        parameters=[path_id("project_pk", "project")],
        request=ImportRequestSerializer,
        responses=IMPORT_RESPONSES,
    )
    def post(self, request, project_pk: int):
        project = access.project_for(request.user, project_pk)  # importing checks the role
        data = _valid(ImportRequestSerializer, request)
        batch = imports.read_value(data["filename"], data["content"], data["format"])
        return _imported(request, project, [batch], dry_run=data["dry_run"])


class ArticleImportView(APIView):
    @extend_schema(
        operation_id="article_import",
        tags=["exchange"],
        summary="Import annotations onto one article",
        description="W3C Web Annotations (anchored by position when the text there equals the quote, else by the "
        "quote), JSONL or native JSON whose text equals this article's. Annotations already stored are "
        "skipped.",
        parameters=[path_id("article_pk", "article")],
        request=ImportRequestSerializer,
        responses=IMPORT_RESPONSES,
    )
    def post(self, request, article_pk: int):
        article = access.article_for(request.user, article_pk)  # importing checks the role
        data = _valid(ImportRequestSerializer, request)
        batch = imports.read_value(data["filename"], data["content"], data["format"])
        return _imported(request, article.project, [batch], dry_run=data["dry_run"], article=article)


class UrlImportThrottle(UserRateThrottle):
    """Fetching pages costs the server a connection each: a few per minute per user (SSRF-8, LOAD-1)."""

    scope = "url_import"
    rate = settings.URL_IMPORT_RATE


class JobAnswerSchema(AutoSchema):
    """Documents an answer that is a job. Its serializer lives in articles.api.views.jobs, which imports this
    module, so it is looked up when the schema is made rather than when this module loads."""

    def get_response_serializers(self):
        from articles.api.views.jobs import JobSerializer

        return {
            202: OpenApiResponse(JobSerializer, description="A job was queued; follow it at `Location`."),
            200: OpenApiResponse(JobSerializer, description="This idempotency key already made this job."),
            409: with_object("ImportJobConflict", "existing", JobSerializer, 409),
            **errors(400, 403, 404, 413, 415),
        }


class UrlImportView(APIView):
    throttle_classes = [UrlImportThrottle]
    schema = JobAnswerSchema()

    @extend_schema(
        operation_id="project_import_url",
        tags=["exchange"],
        summary="Import news articles from their addresses, in the background",
        description="Answers 202 with a `url_import` job at once. A worker fetches each address (http/https only, "
        "standard ports, public addresses, size and time limits) and stores its extracted plain text and metadata "
        "as it goes (progress `done`/`total`). An address that meets a network error is tried again with backoff; "
        "one that fails for good is reported, never half-stored, and does not stop the others. When the job has "
        "succeeded, its `result` is the report: for each address `stored`, `duplicate` (already in the project, "
        "with its article) or `failed` with the reason. Addresses malformed as written are refused at once (400, "
        "`urls` keyed by index); every fetch failure gives the same message. Owners only; starting jobs is "
        "rate-limited per user.",
        parameters=[path_id("project_pk", "project")],
        request=UrlImportRequestSerializer,
    )
    def post(self, request, project_pk: int) -> Response:
        project = access.project_for(request.user, project_pk)
        data = dict(_valid(UrlImportRequestSerializer, request))
        key = data.pop("idempotency_key", None)
        single = "url" in data
        try:
            job, created = jobs.start_job(
                project,
                kind=background.URL_IMPORT,
                by=request.user,
                params={"urls": [data["url"]] if single else data["urls"]},
                idempotency_key=key,
            )
        except InvalidInput as error:
            if single and isinstance(error.errors.get("urls"), dict):
                raise InvalidInput({"url": error.errors["urls"][0]}) from None
            raise
        location = request.build_absolute_uri(reverse("job-detail", args=[job.pk]))
        return Response(
            self.represent(job),
            status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK,
            headers={"Location": location},
        )

    def represent(self, job: Job) -> dict:
        """The job as JSON; a 409 for a reused key carries the existing job with it (articles.api.errors)."""
        from articles.api.views.jobs import JobSerializer  # that module imports this one

        return JobSerializer(job, context={"request": self.request}).data


urlpatterns = [
    path("projects/<int:project_pk>/export/", ProjectExportView.as_view(), name="api_project_export"),
    path("articles/<int:article_pk>/export/", ArticleExportView.as_view(), name="api_article_export"),
    path("projects/<int:project_pk>/import/", ProjectImportView.as_view(), name="api_project_import"),
    path("projects/<int:project_pk>/import/url/", UrlImportView.as_view(), name="api_project_import_url"),
    path("articles/<int:article_pk>/import/", ArticleImportView.as_view(), name="api_article_import"),
]
