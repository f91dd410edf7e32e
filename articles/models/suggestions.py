"""Suggestions: spans a suggester found for a person to accept or reject; never data on their own.

A project switches suggesters on or off: the built-in one (rules for quotes, speakers, sources and numeric
claims) and HTTP endpoints it registers. A suggestion is shared by the article's annotators; each one's
decision is theirs (in an independent project each annotator accepts for themselves). Suggestions are kept
apart from annotations, so agreement, exports, review and dashboards never count them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length

from articles.models.annotation import CONTEXT_MAX


class SuggesterKind(models.TextChoices):
    BUILTIN = "builtin", "Built-in rules"
    HTTP = "http", "HTTP endpoint"


class Suggester(models.Model):
    project = models.ForeignKey("articles.Project", on_delete=models.CASCADE, related_name="suggesters")
    name = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=SuggesterKind.choices)
    url = models.CharField(max_length=2000, blank=True, help_text="Where an HTTP suggester receives articles.")
    enabled = models.BooleanField(default=False)
    timeout_seconds = models.PositiveSmallIntegerField(default=10)
    last_error = models.TextField(blank=True, help_text="Why its last run failed (empty after a good run).")
    last_run_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="suggester_unique_name_per_project"),
            models.CheckConstraint(condition=Q(kind__in=SuggesterKind.values), name="suggester_kind_valid"),
            models.CheckConstraint(
                condition=Q(timeout_seconds__gte=1, timeout_seconds__lte=60), name="suggester_timeout_1_to_60"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.project_id})"


class Suggestion(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="suggestions")
    suggester = models.ForeignKey(Suggester, on_delete=models.CASCADE, related_name="suggestions")
    suggester_version = models.CharField(max_length=32, blank=True)
    label = models.ForeignKey("articles.Label", on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    prefix = models.CharField(max_length=CONTEXT_MAX, blank=True)
    suffix = models.CharField(max_length=CONTEXT_MAX, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    confidence = models.FloatField()
    # A proposed link from this span to another suggestion (a quote said by the speaker's source span).
    link_type = models.CharField(max_length=32, blank=True)
    link_to = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text_revision = models.PositiveIntegerField(default=1)
    current = models.BooleanField(default=True, help_text="Found by the suggester's latest run on the latest text.")
    key = models.CharField(max_length=64, help_text="Names the same suggestion across runs: label, quote, context.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "start", "-end", "id"]
        constraints = [
            models.UniqueConstraint(fields=["article", "suggester", "key"], name="suggestion_unique_per_run_key"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="suggestion_end_after_start"),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("quote")), name="suggestion_quote_length_matches_span"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1), name="suggestion_confidence_range"
            ),
        ]
        indexes = [models.Index(fields=["article", "current"], name="suggestion_article_current")]

    def __str__(self) -> str:
        return f"{self.label_id} {self.start}-{self.end} on article {self.article_id}"


class SuggestionDecision(models.Model):
    """One person's answer to a suggestion: accepted (with the annotation it became) or rejected."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    accepted = models.BooleanField()
    annotation = models.ForeignKey("articles.Annotation", null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["suggestion", "user"], name="suggestion_decision_once_per_user")]

    def __str__(self) -> str:
        return f"{'accepted' if self.accepted else 'rejected'} {self.suggestion_id} by {self.user_id}"
