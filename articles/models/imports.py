"""Imports that outlive a request: previews waiting for confirmation, and what each address of a URL import became.

Both live in the database, the one store every app server and worker shares: a preview made behind one
server of a load balancer can be confirmed through another, and a job's worker can be on a third machine.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from articles.models.article import Article
from articles.models.jobs import Job
from articles.models.projects import Project


class ImportStaging(models.Model):
    """The inputs of one import (uploaded files, a pasted article), kept between its preview and its
    confirmation, or until the import job made of them (`job`) has read them. Only its user and project may
    take it (articles.imports.staging)."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(
        Job,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The import job reading these inputs; kept until it finishes (or the job is pruned).",
    )
    files = models.JSONField(default=list, help_text="Each input's name, format, origin and size, in order.")
    data = models.BinaryField(help_text="The inputs' bytes, one after another, sized by `files`.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"import staging {self.pk} ({len(self.files)} input(s))"


class ImportOutcome(models.TextChoices):
    PENDING = "pending", "Waiting"
    STORED = "stored", "Stored"
    DUPLICATE = "duplicate", "Already there"
    FAILED = "failed", "Failed"


class ImportItem(models.Model):
    """One address of a URL-import job and what became of it. Written in the transaction that stores its
    article, so a retried job knows which addresses are done and never fetches or stores one twice."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="import_items")
    number = models.PositiveIntegerField(help_text="The address's place in the list, from 1.")
    address = models.TextField()
    outcome = models.CharField(max_length=16, choices=ImportOutcome.choices, default=ImportOutcome.PENDING)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=500, blank=True)
    message = models.TextField(blank=True, help_text="Why it failed or was skipped, for the person importing.")
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="import_item_number"),
            models.CheckConstraint(condition=Q(outcome__in=ImportOutcome.values), name="import_item_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.outcome})"
