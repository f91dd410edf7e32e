"""Projects (a team's workspace), their members with roles, and their labels."""

from __future__ import annotations

import uuid
from typing import Self

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast
from django.utils.text import slugify

from articles.labels import DEFAULT_LABELS

COLOR_PATTERN = r"\A#[0-9A-Fa-f]{6}\Z"
KEY_PATTERN = r"\A[a-z0-9][a-z0-9_-]{0,31}\Z"
SHORTCUT_PATTERN = r"\A[1-9]?\Z"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    REVIEWER = "reviewer", "Reviewer"
    ANNOTATOR = "annotator", "Annotator"
    VIEWER = "viewer", "Viewer"


class Visibility(models.TextChoices):
    SHARED = "shared", "Shared: annotators see each other's annotations"
    INDEPENDENT = "independent", "Independent: annotators see only their own until they submit"


class GuidelinesFormat(models.TextChoices):
    PLAIN = "plain", "Plain text"
    MARKDOWN = "markdown", "Markdown"


class MemberScopedQuerySet(models.QuerySet):
    """Rows that belong to a project; `project_path` leads from a row to its project."""

    project_path = "pk"

    def with_role(self, user) -> Self:
        """Annotate `my_role`, the user's role in each row's project (None for non-members), and
        `my_role_user_id`, whose role it is, so a domain function can trust it only for that user."""
        # One membership per user and project: no ordering needed (Membership's default would join two tables).
        role = Membership.objects.filter(project=OuterRef(self.project_path), user_id=user.pk).order_by()
        role = role.values("role")[:1]
        return self.annotate(my_role=Subquery(role), my_role_user_id=Cast(Value(user.pk), models.BigIntegerField()))


class ProjectQuerySet(MemberScopedQuerySet):
    def visible_to(self, user) -> ProjectQuerySet:
        """Projects the user is a member of (none for anonymous users)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Project(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, max_length=5000)
    guidelines = models.TextField(blank=True, max_length=50000, help_text="Annotation guidelines.")
    guidelines_format = models.CharField(
        max_length=16, choices=GuidelinesFormat.choices, default=GuidelinesFormat.PLAIN, help_text="How to show them."
    )
    organisation = models.CharField(
        max_length=200, blank=True, help_text="Publisher named as author of ClaimReview exports."
    )
    visibility = models.CharField(max_length=16, choices=Visibility.choices, default=Visibility.SHARED)
    annotators_per_article = models.PositiveSmallIntegerField(
        default=1, help_text="How many annotators automatic assignment gives each article."
    )
    revisions_from_imports = models.BooleanField(
        default=True,
        help_text="An import matching an article by external id or URL, with other text, adds a revision.",
    )
    watch_hourly_days = models.PositiveSmallIntegerField(
        default=2, help_text="Re-fetch articles with a URL every hour for this many days after publication."
    )
    watch_daily_days = models.PositiveSmallIntegerField(
        default=30, help_text="Then once a day until this many days after publication (0 and 0: no watching)."
    )
    factcheck_url_pattern = models.CharField(
        max_length=500,
        blank=True,
        help_text="Public address of each published fact-check, with {uuid} (or {annotation_id}, {article_id}) "
        "for the claim: the ClaimReview `url` and `@id`.",
    )
    public_uuid = models.UUIDField(
        default=uuid.uuid4, unique=True, editable=False, help_text="Names the project's claims in urn:uuid IRIs."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="project_visibility_valid"),
            models.CheckConstraint(
                condition=Q(guidelines_format__in=GuidelinesFormat.values), name="project_guidelines_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(annotators_per_article__gte=1, annotators_per_article__lte=20),
                name="project_annotators_per_article_1_to_20",
            ),
            models.CheckConstraint(
                condition=Q(watch_hourly_days__lte=365, watch_daily_days__lte=3650), name="project_watch_days_bounded"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_independent(self) -> bool:
        return self.visibility == Visibility.INDEPENDENT

    @classmethod
    @transaction.atomic
    def create_with_owner(cls, *, owner, name: str, slug: str = "", **fields) -> Project:
        """Create a project with the default labels and make `owner` its owner."""
        project = cls.objects.create(name=name, slug=slug or unique_slug(name), **fields)
        project.memberships.create(user=owner, role=Role.OWNER)
        Label.objects.bulk_create(
            Label(project=project, order=order, **{k: v for k, v in spec.items()})
            for order, spec in enumerate(DEFAULT_LABELS)
        )
        from articles.models.links import add_default_link_types  # links.py imports this module

        add_default_link_types(project)
        project.suggesters.create(name="builtin", kind="builtin")  # off until an owner switches it on
        return project


def unique_slug(name: str) -> str:
    """Return a project slug made from `name` that no project uses yet."""
    base = slugify(name)[:70] or "project"
    slug, number = base, 2
    while Project.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ANNOTATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "project"], name="membership_unique_user_project"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} ({self.role})"


class Label(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="labels")
    key = models.CharField(
        max_length=32,
        validators=[RegexValidator(KEY_PATTERN, "Use lower-case letters, digits, - or _ (at most 32).")],
    )
    name = models.CharField(max_length=64)
    color = models.CharField(max_length=7, validators=[RegexValidator(COLOR_PATTERN, "Use a colour like #1A2B3C.")])
    shortcut = models.CharField(
        max_length=1, blank=True, validators=[RegexValidator(SHORTCUT_PATTERN, "Use one digit from 1 to 9.")]
    )
    description = models.TextField(blank=True, max_length=2000)
    order = models.PositiveSmallIntegerField(default=0)
    fields = models.JSONField(default=list, blank=True, help_text="Attribute fields offered for this label.")

    class Meta:
        ordering = ["project", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="label_unique_key_per_project"),
            models.UniqueConstraint(
                fields=["project", "shortcut"], condition=~Q(shortcut=""), name="label_unique_shortcut_per_project"
            ),
            models.CheckConstraint(condition=Q(color__regex=COLOR_PATTERN), name="label_color_hex"),
            models.CheckConstraint(condition=Q(key__regex=KEY_PATTERN), name="label_key_slug"),
            models.CheckConstraint(condition=Q(shortcut__regex=SHORTCUT_PATTERN), name="label_shortcut_digit"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.project})"
