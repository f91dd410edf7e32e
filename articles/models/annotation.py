"""Span annotations on an article's text, and the history of everything done to them.

Offsets are Unicode code points, end exclusive; the database itself guarantees 0 <= start < end and
that `quote` is exactly end - start code points long. An annotation whose text a revision removed is
`orphaned`: it keeps its quote but has no offsets (start and end NULL) until someone re-attaches it.
`version` increases on every change, for optimistic concurrency (ETag / If-Match). History rows outlive
the annotation they describe.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length

from articles.models.projects import MemberScopedQuerySet
from articles.models.review import visible_work
from articles.models.revisions import TEXT_CHANGED_STATUSES, AnchorStatus

CONTEXT_MAX = 64


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class AnnotationQuerySet(MemberScopedQuerySet):
    project_path = "article__project"

    def visible_to(self, user) -> AnnotationQuerySet:
        """Annotations the user may read.

        Members see every annotation of a shared project. In an independent project, annotators
        see their own, plus others' on articles where their own work is submitted (blind, then
        reveal); owners, reviewers and viewers see everything.
        """
        return visible_work(self, user)

    def in_text_order(self) -> AnnotationQuerySet:
        return self.order_by(F("start").asc(nulls_last=True), "-end", "id")

    def anchored(self) -> AnnotationQuerySet:
        """Annotations with a place in the latest text (every one but the orphans)."""
        return self.exclude(anchor_status=AnchorStatus.ORPHANED)

    def text_changed(self) -> AnnotationQuerySet:
        """Annotations flagged "changed after annotation": their text was edited by a revision."""
        return self.filter(text_changed_condition())


def text_changed_condition() -> Q:
    """Changed after annotation: fuzzy or orphaned now, or re-attached to wording other than the first."""
    return Q(anchor_status__in=TEXT_CHANGED_STATUSES) | ~Q(quote=F("original_quote"))


class Annotation(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="annotations")
    label = models.ForeignKey("articles.Label", on_delete=models.PROTECT, related_name="annotations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations")
    start = models.PositiveIntegerField(null=True)  # NULL only while orphaned
    end = models.PositiveIntegerField(null=True)
    quote = models.TextField()
    original_quote = models.TextField(help_text="The quote as first annotated (a revision may change `quote`).")
    anchor_status = models.CharField(max_length=10, choices=AnchorStatus.choices, default=AnchorStatus.EXACT)
    anchor_score = models.FloatField(null=True, blank=True, help_text="0..1 for a fuzzy anchor, else empty.")
    anchored_revision = models.PositiveIntegerField(default=1, help_text="The article revision it is anchored to.")
    prefix = models.CharField(max_length=CONTEXT_MAX, blank=True)
    suffix = models.CharField(max_length=CONTEXT_MAX, blank=True)
    note = models.TextField(blank=True, max_length=10000)
    attributes = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    is_flagged = models.BooleanField(default=False, help_text="The author asks a reviewer to look at it.")
    question = models.TextField(blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "-end", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="annotation_start_not_negative"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="annotation_end_after_start"),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("quote")), name="annotation_quote_length_matches_span"
            ),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="annotation_status_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="annotation_version_positive"),
            models.CheckConstraint(
                condition=Q(anchor_status__in=AnchorStatus.values), name="annotation_anchor_status_valid"
            ),
            # Orphans, and only orphans, have no offsets.
            models.CheckConstraint(
                condition=Q(anchor_status=AnchorStatus.ORPHANED, start__isnull=True, end__isnull=True)
                | (~Q(anchor_status=AnchorStatus.ORPHANED) & Q(start__isnull=False, end__isnull=False)),
                name="annotation_orphans_have_no_offsets",
            ),
            models.CheckConstraint(
                condition=Q(anchor_score__isnull=True) | Q(anchor_score__gte=0, anchor_score__lte=1),
                name="annotation_anchor_score_range",
            ),
            models.UniqueConstraint(
                fields=["article", "author", "label", "start", "end"], name="annotation_unique_span_per_author"
            ),
        ]
        indexes = [
            models.Index(fields=["article", "start"], name="annotation_article_start"),
            models.Index(fields=["article", "author"], name="annotation_article_author"),
            models.Index(fields=["article", "status"], name="annotation_article_status"),
        ]

    def __str__(self) -> str:
        place = "orphaned" if self.start is None else f"{self.start}-{self.end}"
        return f"{self.label.key} {place} on article {self.article_id}"

    @property
    def is_orphaned(self) -> bool:
        return self.anchor_status == AnchorStatus.ORPHANED

    @property
    def text_changed(self) -> bool:
        """Flagged "changed after annotation" (the same rule as text_changed_condition)."""
        return self.anchor_status in TEXT_CHANGED_STATUSES or self.quote != self.original_quote

    @property
    def etag(self) -> str:
        return f'"a{self.pk}v{self.version}"'


class EventAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    DELETED = "deleted", "Deleted"
    RESTORED = "restored", "Restored"
    REVIEWED = "reviewed", "Reviewed"
    REANCHORED = "reanchored", "Re-anchored"  # a revision moved it, or someone re-attached it


class AnnotationEvent(models.Model):
    """One thing a person did to an annotation: who, when, which fields changed (old -> new)."""

    annotation_id = models.BigIntegerField(db_index=True)
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="annotation_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=10, choices=EventAction.choices)
    changes = models.JSONField(default=dict, blank=True)
    snapshot = models.JSONField(default=dict, blank=True, help_text="The annotation's fields after the action.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["annotation_id", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=EventAction.values), name="annotation_event_action_valid")
        ]
        indexes = [models.Index(fields=["article", "-created_at"], name="annotation_event_article_time")]

    def __str__(self) -> str:
        return f"{self.action} annotation {self.annotation_id}"
