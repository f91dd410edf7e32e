"""Background jobs as their users see them: what runs, how far it got, and what came out (articles.jobs).

The task queue (django-tasks) only carries a job's id; everything a page or the API shows lives here, so
it survives the queue's own bookkeeping being pruned, and a job's permissions are its project's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from articles.models.projects import MemberScopedQuerySet, Membership, Project, Role


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class JobKind(models.TextChoices):
    EXPORT = "export", "Export file"
    URL_IMPORT = "url_import", "Import from the web"
    FILE_IMPORT = "file_import", "Import of large files"
    # Started by an event, not by a member; sent by articles.webhooks, which writes the job with its delivery.
    WEBHOOK_DELIVERY = "webhook_delivery", "Webhook delivery"
    # A watched article's URL fetched again (articles.watches): by a member, or by the schedule (no starter).
    REFETCH = "refetch", "Re-fetch of an article"
    # Suggesters run on articles (articles.suggestions): on demand, or when an article is added or revised.
    SUGGEST = "suggest", "Suggestions"


class JobQuerySet(MemberScopedQuerySet):
    project_path = "project"

    def visible_to(self, user) -> JobQuerySet:
        """Jobs a member started, and every job of the projects they own; none for anyone else.

        A job works as its starter (an export holds what its starter may see, which in an independent
        project is not what another annotator may), so other members do not see it. A job the server
        started itself (a webhook delivery: no starter) is its owners' alone.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        memberships = Membership.objects.filter(project=OuterRef("project"), user_id=user.pk)
        return self.filter(Exists(memberships.filter(role=Role.OWNER)) | (Q(created_by=user.pk) & Exists(memberships)))


class Job(models.Model):
    """One piece of slow work in a project, from queued to succeeded, failed or cancelled."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
        help_text="The member who started it; empty for a job the server started (a webhook delivery).",
    )
    kind = models.CharField(max_length=32, choices=JobKind.choices)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0, help_text="Steps done so far.")
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Steps in all, once known.")
    error = models.TextField(blank=True, help_text="Why the job failed, for the person who started it.")
    params = models.JSONField(default=dict, blank=True, help_text="What the job's runner needs, as JSON.")
    result_path = models.CharField(
        max_length=500, blank=True, help_text="The result file's name in the job_results storage."
    )
    result_name = models.CharField(max_length=200, blank=True, help_text="The file name a download gets.")
    result_type = models.CharField(max_length=100, blank=True, help_text="The result's media type.")
    result_size = models.BigIntegerField(null=True, blank=True)
    result_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    idempotency_key = models.CharField(max_length=100)
    task_id = models.CharField(max_length=64, blank=True, help_text="The task queue's id of the latest attempt.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True, blank=True, help_text="When the worker running it last showed it was alive (articles.jobs)."
    )
    finished_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The recovery pass looks for running jobs whose heartbeat stopped; few rows are ever running.
            models.Index(fields=["heartbeat_at"], name="job_running_heartbeat", condition=Q(status=JobStatus.RUNNING)),
        ]
        constraints = [
            # A repeated request (or a retried task) finds the job it already made instead of a second one.
            models.UniqueConstraint(fields=["project", "kind", "idempotency_key"], name="job_idempotency_key"),
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="job_status_valid"),
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=models.F("total")), name="job_done_lte_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} job {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int | None:
        """Progress in whole percent, or None while the number of steps is unknown."""
        if not self.total:
            return 100 if self.status == JobStatus.SUCCEEDED else None
        return min(100, self.done * 100 // self.total)
