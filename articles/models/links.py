"""Links between two spans of one article: a quote said by a source, a claim backed by a source...

A project's link types say which labels may stand at each end. A link belongs to its author and is
reviewed like an annotation; it lives and dies with its two ends (deleting an end deletes its links,
which its history keeps so undo can bring them back). History rows outlive the link they describe.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from articles.labels import DEFAULT_LINK_TYPES
from articles.models.annotation import ReviewStatus
from articles.models.projects import COLOR_PATTERN, KEY_PATTERN, MemberScopedQuerySet
from articles.models.review import visible_work
from articles.models.revisions import AnchorStatus


class LinkType(models.Model):
    """A kind of link a project offers: `said_by` from a quote to a source, for example."""

    project = models.ForeignKey("articles.Project", on_delete=models.CASCADE, related_name="link_types")
    key = models.CharField(
        max_length=32,
        validators=[RegexValidator(KEY_PATTERN, "Use lower-case letters, digits, - or _ (at most 32).")],
    )
    name = models.CharField(max_length=64)
    color = models.CharField(max_length=7, validators=[RegexValidator(COLOR_PATTERN, "Use a colour like #1A2B3C.")])
    description = models.TextField(blank=True, max_length=2000)
    from_labels = models.ManyToManyField("articles.Label", related_name="+", help_text="Labels a link may start at.")
    to_labels = models.ManyToManyField("articles.Label", related_name="+", help_text="Labels a link may end at.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="link_type_unique_key_per_project"),
            models.CheckConstraint(condition=Q(color__regex=COLOR_PATTERN), name="link_type_color_hex"),
            models.CheckConstraint(condition=Q(key__regex=KEY_PATTERN), name="link_type_key_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.project_id})"


class LinkQuerySet(MemberScopedQuerySet):
    project_path = "article__project"

    def visible_to(self, user) -> LinkQuerySet:
        """Links the user may read: the rule for annotations, by the link's author."""
        return visible_work(self, user)


class Link(models.Model):
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="links")
    from_annotation = models.ForeignKey("articles.Annotation", on_delete=models.CASCADE, related_name="links_out")
    to_annotation = models.ForeignKey("articles.Annotation", on_delete=models.CASCADE, related_name="links_in")
    type = models.ForeignKey(LinkType, on_delete=models.PROTECT, related_name="links")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="links")
    note = models.TextField(blank=True, max_length=10000)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["article", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_annotation=F("to_annotation")), name="link_not_to_itself"),
            models.CheckConstraint(condition=Q(status__in=ReviewStatus.values), name="link_status_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="link_version_positive"),
            models.UniqueConstraint(fields=["from_annotation", "to_annotation", "type"], name="link_unique_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.from_annotation_id} {self.type_id} {self.to_annotation_id}"

    @property
    def etag(self) -> str:
        return f'"l{self.pk}v{self.version}"'

    @property
    def end_orphaned(self) -> bool:
        """Flagged: a revision left one of its ends without a place in the text."""
        return AnchorStatus.ORPHANED in (self.from_annotation.anchor_status, self.to_annotation.anchor_status)


class LinkEvent(models.Model):
    """One thing done to a link (created, changed, reviewed, deleted with or without its end, restored)."""

    link_id = models.BigIntegerField(db_index=True)
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="link_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=10)
    changes = models.JSONField(default=dict, blank=True)
    snapshot = models.JSONField(default=dict, blank=True, help_text="The link's fields after the action.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["link_id", "created_at", "id"]
        indexes = [models.Index(fields=["article", "-created_at"], name="link_event_article_time")]

    def __str__(self) -> str:
        return f"{self.action} link {self.link_id}"


def add_default_link_types(project) -> list[LinkType]:
    """Give a new project the default link types (articles.labels.DEFAULT_LINK_TYPES) between its labels."""
    labels = {label.key: label for label in project.labels.all()}
    types = LinkType.objects.bulk_create(
        LinkType(project=project, order=order, **{k: spec[k] for k in ("key", "name", "color", "description")})
        for order, spec in enumerate(DEFAULT_LINK_TYPES)
    )
    for end in ("from_labels", "to_labels"):
        through = getattr(LinkType, end).through
        through.objects.bulk_create(
            through(linktype_id=link_type.pk, label_id=labels[key].pk)
            for link_type, spec in zip(types, DEFAULT_LINK_TYPES, strict=True)
            for key in spec[end]
            if key in labels
        )
    return types
