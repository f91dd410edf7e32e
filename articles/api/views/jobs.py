"""Background jobs over the API: start a project export as a job, follow it, cancel it, download its file.

A job is visible to the member who started it and to the project's owners (articles.jobs.jobs_for);
anyone else gets a 404, as for everything outside their projects. A webhook delivery is a job the server
started (no `created_by`): its owners follow and cancel it here, and its `result` is the hook's delivery log.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from articles import access, jobs
from articles.api.exchange import EXPORT_RESPONSES, ExportFormatNegotiation
from articles.api.fields import RequestSerializer
from articles.api.schema import errors, path_id, with_object
from articles.api.views.base import ApiViewSet
from articles.export_scope import MAX_FILTER_VALUES, MAX_VALUE_LENGTH
from articles.exports import FORMATS
from articles.job_download import result_response
from articles.models import Job, JobKind, JobStatus, ReviewStatus


class JobSerializer(serializers.ModelSerializer):
    """A job as its starter follows it: status, progress, the error if it failed, and its file once ready."""

    created_by = serializers.CharField(
        source="created_by.username",
        read_only=True,
        allow_null=True,
        help_text="Who started it; null for a job the server started (a webhook delivery).",
    )
    status = serializers.ChoiceField(choices=JobStatus.choices, read_only=True)
    kind = serializers.ChoiceField(choices=JobKind.choices, read_only=True)
    total = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Steps in all (articles, for an export); null until known."
    )
    percent = serializers.IntegerField(read_only=True, allow_null=True, help_text="done/total in whole percent.")
    params = serializers.JSONField(read_only=True, help_text="What the job was asked to do.")
    result = serializers.SerializerMethodField(
        help_text="Where to download the file; null until it is ready. For a webhook delivery, the hook's delivery "
        "log (at any status), which lists this delivery with its job id."
    )

    class Meta:
        model = Job
        fields = [
            "id",
            "project",
            "kind",
            "status",
            "done",
            "total",
            "percent",
            "error",
            "params",
            "result",
            "result_name",
            "result_size",
            "result_expires_at",
            "attempts",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_result(self, job: Job) -> str | None:
        if job.kind == JobKind.WEBHOOK_DELIVERY and job.params.get("webhook"):
            log = reverse("project-webhook-deliveries", args=[job.project_id, job.params["webhook"]])
            return self.context["request"].build_absolute_uri(log)
        if not jobs.result_available(job):
            return None
        return self.context["request"].build_absolute_uri(reverse("job-result", args=[job.pk]))


def _filter_list(child: serializers.Field, what: str) -> serializers.ListField:
    return serializers.ListField(child=child, max_length=MAX_FILTER_VALUES, required=False, help_text=what)


class ExportJobRequestSerializer(RequestSerializer):
    """What to export: a format and the same filters as a download (see GET .../export/)."""

    format = serializers.ChoiceField(
        choices=list(FORMATS),
        default="json",
        help_text="; ".join(f"`{key}`: {f.name}" for key, f in FORMATS.items()),
    )
    label = _filter_list(serializers.CharField(max_length=MAX_VALUE_LENGTH), "Only these label keys.")
    author = _filter_list(serializers.CharField(max_length=MAX_VALUE_LENGTH), "Only annotations by these usernames.")
    status = _filter_list(serializers.ChoiceField(choices=ReviewStatus.values), "Only these review statuses.")
    since = serializers.CharField(
        max_length=40, required=False, help_text="Annotations created at or after this date (ISO 8601)."
    )
    until = serializers.CharField(
        max_length=40, required=False, help_text="Annotations created before the end of this date (ISO 8601)."
    )
    idempotency_key = serializers.CharField(
        max_length=jobs.MAX_KEY_LENGTH,
        required=False,
        help_text="Your name for this request (printable ASCII): sending it again, as a retry, returns the job it "
        "made instead of starting another. Unique per project among export jobs.",
    )


JOB_RESPONSES = {200: JobSerializer, **errors(400, 404)}


class ProjectExportJobView(APIView):
    @extend_schema(
        operation_id="project_export_job",
        tags=["jobs"],
        summary="Start exporting a whole project to a file, in the background",
        description="Answers 202 with the new job at once; follow it at `GET /api/v1/jobs/{id}/` until its status is "
        "`succeeded`, then download `result`. The file holds the annotations you can see when it runs, and is kept "
        "for the server's JOB_RESULT_DAYS days. With an `idempotency_key` already used by you for the same export, "
        "the answer is 200 with that job; used for a different request, 409.",
        parameters=[path_id("project_pk", "project")],
        request=ExportJobRequestSerializer,
        responses={
            202: OpenApiResponse(JobSerializer, description="A job was queued."),
            200: OpenApiResponse(JobSerializer, description="This idempotency key already made this job."),
            409: with_object("JobConflict", "existing", JobSerializer, 409),
            **errors(400, 403, 404, 413, 415),
        },
    )
    def post(self, request, project_pk: int) -> Response:
        project = access.project_for(request.user, project_pk)
        serializer = ExportJobRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        params = dict(serializer.validated_data)
        key = params.pop("idempotency_key", None)
        params["base_url"] = request.build_absolute_uri("/")
        job, created = jobs.start_job(project, kind=JobKind.EXPORT, by=request.user, params=params, idempotency_key=key)
        body = self.represent(job)
        location = request.build_absolute_uri(reverse("job-detail", args=[job.pk]))
        return Response(
            body, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK, headers={"Location": location}
        )

    def represent(self, job: Job) -> dict:
        """The job as JSON; a 409 for a reused key carries the existing job with it (articles.api.errors)."""
        return JobSerializer(job, context={"request": self.request}).data


@extend_schema_view(
    retrieve=extend_schema(
        operation_id="job_retrieve",
        summary="A job: its status, progress, error and file",
        tags=["jobs"],
        responses=JOB_RESPONSES,
    ),
)
class JobViewSet(ApiViewSet, mixins.RetrieveModelMixin):
    """Slow work of a project (exports, imports, webhook deliveries), as its starter and the project's owners see it."""

    serializer_class = JobSerializer
    queryset = Job.objects.none()

    def get_queryset(self):
        return jobs.jobs_for(self.request.user)

    def get_object(self) -> Job:
        return jobs.job_for(self.request.user, self.kwargs["pk"])

    @extend_schema(
        operation_id="job_cancel",
        summary="Cancel a queued or running job (its starter or an owner)",
        description="A queued job never starts; a running one stops at its next progress report and keeps no file. "
        "A webhook delivery's job cancels the delivery: it is not tried again (a try under way ends, and its answer "
        "is logged). A finished job is answered as it is.",
        tags=["jobs"],
        request=None,
        responses={200: JobSerializer, **errors(400, 403, 404, 413, 415)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None) -> Response:
        job = jobs.cancel_job(self.get_object(), by=request.user)
        return Response(self.get_serializer(job).data)

    @extend_schema(
        operation_id="job_result",
        summary="Download a job's file",
        description="Sent as an attachment with the export format's media type, while the file is kept.",
        tags=["jobs"],
        responses=EXPORT_RESPONSES,
    )
    @action(detail=True, methods=["get"], content_negotiation_class=ExportFormatNegotiation)
    def result(self, request, pk=None):
        return result_response(self.get_object())
