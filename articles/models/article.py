"""News articles: metadata plus the canonical plain text that annotations point into.

The text is canonicalised (NFC, "\\n" line endings) and never rewritten in place: a correction becomes a
new revision (text_revision + 1, articles.revisions) and the annotations are re-anchored onto it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection, models
from django.db.models import Q
from django.db.models.functions import Left

from articles.models.projects import MemberScopedQuerySet

# The expression of the PostgreSQL GIN index (migrations 0002 and 0013) and of every full-text query. Only the
# first SEARCH_TEXT_LIMIT characters are indexed: a tsvector may not exceed 1 MB.
SEARCH_CONFIG = "simple"
SEARCH_TEXT_LIMIT = 100_000


def search_vector() -> SearchVector:
    return SearchVector("title", Left("text", SEARCH_TEXT_LIMIT), config=SEARCH_CONFIG)


class ArticleStatus(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"


class ArticleQuerySet(MemberScopedQuerySet):
    project_path = "project"

    def visible_to(self, user) -> ArticleQuerySet:
        """Articles in projects the user belongs to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(project__memberships__user=user)

    def search(self, query: str) -> ArticleQuerySet:
        """Full-text search over title and text: PostgreSQL tsvector, else case-insensitive contains.

        On PostgreSQL the GIN index holds only articles marked `search_ready` (articles.search_index marks
        new ones in the background, so adding an article does not pay for indexing its text); the few not
        marked yet are matched one by one through their own small index, so a new article is found at once.
        """
        query = query.strip()
        if not query:
            return self
        if connection.vendor == "postgresql":
            matches = Q(search=SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch"))
            return self.annotate(search=search_vector()).filter(
                (Q(search_ready=True) & matches) | (Q(search_ready=False) & matches)
            )
        condition = Q()
        for word in query.split():
            condition &= Q(title__icontains=word) | Q(text__icontains=word)
        return self.filter(condition)


class Article(models.Model):
    project = models.ForeignKey("articles.Project", on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=500)
    byline = models.CharField(max_length=300, blank=True)
    outlet = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=2000, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True, default="en")
    external_id = models.CharField(max_length=200, blank=True, help_text="Identifier in the source system.")
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64, editable=False)
    text_revision = models.PositiveIntegerField(default=1, editable=False)
    watch_checked_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the watch last re-fetched its URL (articles.watches)."
    )
    search_ready = models.BooleanField(
        default=False, editable=False, help_text="In the full-text index (articles.search_index sets it)."
    )
    status = models.CharField(max_length=20, choices=ArticleStatus.choices, default=ArticleStatus.NEW)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="articles_created"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "text_sha256"], name="article_unique_text_per_project"),
            models.UniqueConstraint(
                fields=["project", "external_id"], condition=~Q(external_id=""), name="article_unique_external_id"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="article_text_not_empty"),
            models.CheckConstraint(condition=Q(status__in=ArticleStatus.values), name="article_status_valid"),
        ]
        indexes = [
            models.Index(fields=["project", "status"], name="article_project_status"),
            models.Index(fields=["project", "-created_at"], name="article_project_created"),
        ]

    def __str__(self) -> str:
        return self.title
