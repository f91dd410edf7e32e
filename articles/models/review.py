"""Team review: who annotates which article, the state of their work, and discussion threads.

Assignment states move only along the table in articles/workflow.py; `version` guards concurrent
transitions and every transition is kept as an AssignmentEvent. Comments form threads on one
annotation and can be resolved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from articles.models.projects import MemberScopedQuerySet, Membership, Role, Visibility


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", "Assigned"
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"


# Once an annotator has submitted, an independent project reveals the other annotators' spans.
REVEALED_STATES = [AssignmentState.SUBMITTED, AssignmentState.CHANGES_REQUESTED, AssignmentState.APPROVED]


def visible_work(rows: models.QuerySet, user) -> models.QuerySet:
    """Rows with an `article` and an `author` (annotations, links) that the user may read.

    Members see everyone's work in a shared project. In an independent project, annotators see their
    own, plus others' on articles where their own work is submitted (blind, then reveal); owners,
    reviewers and viewers see everything.
    """
    if not user.is_authenticated:
        return rows.none()
    member = Membership.objects.filter(project=OuterRef("article__project"), user=user)
    sees_all = Exists(member.exclude(role=Role.ANNOTATOR)) | Exists(
        member.filter(project__visibility=Visibility.SHARED)
    )
    revealed = Exists(Assignment.objects.filter(article=OuterRef("article"), annotator=user, state__in=REVEALED_STATES))
    return rows.filter(Exists(member)).filter(sees_all | Q(author=user) | revealed)


class AssignmentQuerySet(MemberScopedQuerySet):
    project_path = "article__project"

    def visible_to(self, user) -> AssignmentQuerySet:
        """Assignments the user may see: all of a project for owners, reviewers and viewers, else their own."""
        if not user.is_authenticated:
            return self.none()
        member = Membership.objects.filter(project=OuterRef("article__project"), user=user)
        return self.filter(Exists(member)).filter(Exists(member.exclude(role=Role.ANNOTATOR)) | Q(annotator=user))


class Assignment(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    state = models.CharField(max_length=20, choices=AssignmentState.choices, default=AssignmentState.ASSIGNED)
    message = models.TextField(blank=True, max_length=5000, help_text="The reviewer's last message.")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["article", "annotator"]
        constraints = [
            models.UniqueConstraint(fields=["article", "annotator"], name="assignment_unique_article_annotator"),
            models.CheckConstraint(condition=Q(state__in=AssignmentState.values), name="assignment_state_valid"),
        ]
        indexes = [models.Index(fields=["annotator", "state"], name="assignment_annotator_state")]

    def __str__(self) -> str:
        return f"{self.annotator} on article {self.article_id}: {self.state}"


class AssignmentEvent(models.Model):
    """One workflow step on an assignment (assigned, submitted, approved ...): who, when, with what message."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, choices=AssignmentState.choices)
    message = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["assignment", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(to_state__in=AssignmentState.values), name="assignment_event_to_state_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} on assignment {self.assignment_id}"


class Comment(models.Model):
    annotation = models.ForeignKey("articles.Annotation", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField(max_length=5000)
    is_resolved = models.BooleanField(default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["annotation", "created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty")]

    def __str__(self) -> str:
        return f"Comment by {self.author} on annotation {self.annotation_id}"
