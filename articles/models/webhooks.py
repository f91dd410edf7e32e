"""Webhooks: a project's owners register URLs that hear about events, and every delivery is logged.

A Webhook holds the address, the events it wants, whether it is on, and the secret its deliveries are
signed with (stored as it is: the server needs it to sign, and shows it only when it is made). A
WebhookDelivery is one payload on its way to one hook: the queue's record and the log the page lists
(articles.webhooks sends, retries and trims it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from articles.models.jobs import Job, JobStatus
from articles.models.projects import Project


class WebhookEvent(models.TextChoices):
    ANNOTATION_CREATED = "annotation.created", "Annotation created"
    ANNOTATION_UPDATED = "annotation.updated", "Annotation changed"
    ANNOTATION_DELETED = "annotation.deleted", "Annotation deleted"
    ANNOTATION_REVIEWED = "annotation.reviewed", "Review decision on a span"
    WORK_SUBMITTED = "work.submitted", "Work submitted"
    WORK_APPROVED = "work.approved", "Work approved"
    ARTICLE_REVISED = "article.revised", "New article revision"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    SENDING = "sending", "Sending"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED_DELIVERY = frozenset({DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.CANCELLED})

# What a delivery's job says while the delivery is in each status: waiting (for its first try or the next
# one) is queued, a try under way is running.
JOB_STATUS = {
    DeliveryStatus.PENDING: JobStatus.QUEUED,
    DeliveryStatus.SENDING: JobStatus.RUNNING,
    DeliveryStatus.SUCCEEDED: JobStatus.SUCCEEDED,
    DeliveryStatus.FAILED: JobStatus.FAILED,
    DeliveryStatus.CANCELLED: JobStatus.CANCELLED,
}


class Webhook(models.Model):
    """An address in a project that is told about the events it asked for, signed with its own secret."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="The WebhookEvent values this hook receives.")
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, help_text="Signs every delivery; shown only when made or rotated.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"webhook {self.pk} → {self.url}"


class WebhookDelivery(models.Model):
    """One payload for one hook: waiting, being sent, delivered, given up or cancelled, with how each try went."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40, choices=WebhookEvent.choices)
    body = models.TextField(help_text="The JSON sent, exactly (a replay sends it again).")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True, help_text="How long the last try took.")
    error = models.CharField(max_length=300, blank=True, help_text="Why the last try failed.")
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Null only for rows made without articles.webhooks (the code treats such a delivery as before jobs).
    job = models.OneToOneField(
        Job,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_delivery",
        help_text="The delivery as a job of the jobs API; deleted with it (trimming, deleting the hook).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["webhook", "-id"], name="delivery_webhook_newest")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DeliveryStatus.values), name="delivery_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.event} delivery {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_DELIVERY

    @property
    def is_waiting(self) -> bool:
        """Waiting for a try or being tried: it can still be cancelled."""
        return self.status in (DeliveryStatus.PENDING, DeliveryStatus.SENDING)
