"""List filters and ordering: declared fields only, never a client-chosen ORM path (AUTHZ-4).

Label Studio's CVE-2023-47117 leaked password hashes through filters that passed `__` paths to the
ORM. Here every parameter is declared with its type and bound; views refuse any other query
parameter with a 400, and filters that look at annotations see only those the caller may see.
"""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from articles.access import MAX_ID
from articles.models import AnchorStatus, Annotation, ArticleStatus, ReviewStatus
from articles.models.annotation import text_changed_condition

ARTICLE_ORDERING = ("created_at", "updated_at", "published_at", "title", "annotation_count", "id")


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.Filter):
    """A positive database id (bounded, so an absurd number is a 400, not a database error)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class StableOrderingFilter(filters.OrderingFilter):
    """Allow-listed ordering that always ends on the id, so pages never overlap or skip rows."""

    def filter(self, queryset: QuerySet, value: list[str] | None) -> QuerySet:
        fields = [self.get_ordering_value(param) for param in value or [] if param]
        if not fields:
            return queryset
        if not {"id", "-id"} & set(fields):
            fields.append("-id")
        return queryset.order_by(*fields)


class ArticleFilter(filters.FilterSet):
    project = IdFilter(field_name="project_id", help_text="Only articles of this project.")
    q = filters.CharFilter(method="search", max_length=200, help_text="Full-text search in title and text.")
    status = filters.ChoiceFilter(choices=ArticleStatus.choices)
    label = filters.CharFilter(
        method="with_label",
        max_length=32,
        help_text="Only articles with an annotation you can see with this label key.",
    )
    author = filters.CharFilter(
        method="annotated_by",
        max_length=150,
        help_text="Only articles with an annotation you can see by this username.",
    )
    ordering = StableOrderingFilter(
        fields=ARTICLE_ORDERING, help_text="One or more of the listed fields, '-' for descending; default -created_at."
    )

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.search(value)

    def _with_visible_annotation(self, queryset: QuerySet, **condition) -> QuerySet:
        visible = Annotation.objects.visible_to(self.request.user).filter(article=OuterRef("pk"), **condition)
        return queryset.filter(Exists(visible))

    def with_label(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._with_visible_annotation(queryset, label__key=value)

    def annotated_by(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self._with_visible_annotation(queryset, author__username=value)


class AnnotationFilter(filters.FilterSet):
    label = filters.CharFilter(field_name="label__key", max_length=32, help_text="A label key, e.g. claim.")
    author = filters.CharFilter(field_name="author__username", max_length=150, help_text="A username.")
    status = filters.ChoiceFilter(choices=ReviewStatus.choices)
    anchor_status = filters.ChoiceFilter(
        choices=AnchorStatus.choices, help_text="exact, shifted, fuzzy or orphaned (the orphan queue)."
    )
    changed = filters.BooleanFilter(
        method="text_changed", help_text="true: only those whose text changed after annotation; false: the others."
    )

    def text_changed(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        return queryset.filter(text_changed_condition()) if value else queryset.exclude(text_changed_condition())
