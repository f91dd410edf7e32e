"""Living articles: every text an article has had, and how each annotation sits on the latest one.

An article's `text` is always its latest revision's. Revision 1 (the text the article was added with) is
stored as a row only when revision 2 arrives: adding an article writes its text once, and most articles
never change (articles.revisions reads an unrevised article's revision 1 from the article itself).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class RevisionSource(models.TextChoices):
    MANUAL = "manual", "Entered by a person"
    IMPORT = "import", "Import"
    FETCH = "fetch", "Fetched from the article's URL"


class AnchorStatus(models.TextChoices):
    """Where an annotation stands on the latest text (articles.reanchoring decides it)."""

    EXACT = "exact", "Exact"  # same text, same offsets
    SHIFTED = "shifted", "Shifted"  # same text, moved by edits elsewhere
    FUZZY = "fuzzy", "Changed"  # its text was edited; found again with a score
    ORPHANED = "orphaned", "Orphaned"  # not found: no place in the text until someone re-attaches it


# Annotations whose own text changed after they were made: flagged "changed after annotation".
TEXT_CHANGED_STATUSES = (AnchorStatus.FUZZY, AnchorStatus.ORPHANED)


class ArticleRevision(models.Model):
    """One numbered text of an article, where it came from, and what re-anchoring did with it."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=RevisionSource.choices, default=RevisionSource.MANUAL)
    note = models.TextField(blank=True, max_length=2000)
    fetched_url = models.URLField(max_length=2000, blank=True)
    extractor_version = models.CharField(max_length=60, blank=True)
    anchoring = models.JSONField(
        default=dict, blank=True, help_text="How many annotations landed exact, shifted, fuzzy or orphaned."
    )

    class Meta:
        ordering = ["article", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="revision_number_positive"),
            models.CheckConstraint(condition=Q(source__in=RevisionSource.values), name="revision_source_valid"),
            models.CheckConstraint(condition=~Q(text=""), name="revision_text_not_empty"),
        ]

    def __str__(self) -> str:
        return f"revision {self.number} of article {self.article_id}"
