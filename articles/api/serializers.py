"""Shapes of the API's JSON: output representations and strict input checks.

Serializers only check the shape of input (types, lengths, choices); the rules (spans against the text,
roles, owners, versions) live in the domain modules the views call.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.api.fields import (
    MAX_ID,
    AttributesField,
    StrictBooleanField,
    StrictFieldsMixin,
    StrictIntegerField,
    Text,
)
from articles.models import Annotation, Article, Label, Membership, Project, ReviewStatus, Role
from articles.models.annotation import CONTEXT_MAX
from articles.models.projects import SHORTCUT_PATTERN

MAX_LABEL_FIELDS = 20
MAX_CHOICES = 50


class TokenRequestSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = Text(max_length=4096)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send it as `Authorization: Token <token>`.")


class LabelFieldSerializer(StrictFieldsMixin, serializers.Serializer):
    """One attribute a label offers (e.g. the verdict of a claim)."""

    name = serializers.RegexField(r"^[a-z][a-z0-9_]{0,63}$", max_length=64)
    label = serializers.CharField(max_length=64)
    type = serializers.ChoiceField(choices=["text", "choice", "url"])
    choices = serializers.ListField(
        child=serializers.CharField(max_length=64), max_length=MAX_CHOICES, required=False
    )

    def validate(self, data: dict) -> dict:
        # Inside a PATCH of the label DRF skips "required" for nested items too; an item is always whole.
        missing = [name for name in ("name", "label", "type") if name not in data]
        if missing:
            raise serializers.ValidationError({name: ["This field is required."] for name in missing})
        if data["type"] == "choice" and not data.get("choices"):
            raise serializers.ValidationError({"choices": ["A choice field needs at least one choice."]})
        return data


# drf-spectacular documents a blank-allowed field as oneOf(pattern, empty): the pattern must not match "".
@extend_schema_field({"type": "string", "pattern": "^[1-9]$", "maxLength": 1})
class ShortcutField(serializers.RegexField):
    """One digit from 1 to 9, or empty."""

    def __init__(self, **kwargs):
        super().__init__(SHORTCUT_PATTERN, max_length=1, allow_blank=True, required=False, **kwargs)


class LabelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    shortcut = ShortcutField(help_text="One digit from 1 to 9, or empty.")

    class Meta:
        model = Label
        fields = ["id", "key", "name", "color", "shortcut", "description", "order", "fields"]

    def get_fields(self) -> dict:
        # A field called "fields" cannot be declared as a class attribute on a serializer.
        fields = super().get_fields()
        fields["fields"] = LabelFieldSerializer(many=True, required=False, max_length=MAX_LABEL_FIELDS)
        return fields

    def validate(self, data: dict) -> dict:
        project = self.context["project"]
        others = Label.objects.filter(project=project).exclude(pk=getattr(self.instance, "pk", None))
        if "key" in data and others.filter(key=data["key"]).exists():
            raise serializers.ValidationError({"key": ["This project already has a label with this key."]})
        if data.get("shortcut") and others.filter(shortcut=data["shortcut"]).exists():
            raise serializers.ValidationError({"shortcut": ["Another label of this project uses this shortcut."]})
        return data


class ProjectSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    labels = LabelSerializer(many=True, read_only=True)
    my_role = serializers.ChoiceField(choices=Role.choices, read_only=True, help_text="Your role in this project.")

    class Meta:
        model = Project
        fields = [
            "id", "name", "slug", "description", "guidelines", "organisation", "visibility",
            "annotators_per_article", "labels", "my_role", "created_at", "updated_at",
        ]
        read_only_fields = ["slug"]
        # The database allows 1 to 20 (a check constraint); say so here so it is a 400, not an error.
        extra_kwargs = {"annotators_per_article": {"min_value": 1, "max_value": 20}}


class MemberSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "username", "role", "created_at"]
        read_only_fields = ["user"]


class MemberCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


ARTICLE_FIELDS = [
    "id", "project", "title", "byline", "outlet", "url", "published_at", "language", "external_id",
    "text_sha256", "text_revision", "status", "annotation_count", "version", "created_by", "created_at",
    "updated_at",
]


class ArticleSummarySerializer(serializers.ModelSerializer):
    """An article without its text (lists stay fast); GET the article for the text."""

    project = serializers.IntegerField(source="project_id", read_only=True)
    url = serializers.CharField(read_only=True, help_text="An http(s) address, or empty.")
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    annotation_count = serializers.IntegerField(
        read_only=True, help_text="Annotations on this article that you can see."
    )

    class Meta:
        model = Article
        fields = ARTICLE_FIELDS
        read_only_fields = ARTICLE_FIELDS


class AnnotationSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="label.key", read_only=True, help_text="The label's key, e.g. claim.")
    author = serializers.CharField(source="author.username", read_only=True)
    attributes = AttributesField(read_only=True)
    utf16_start = serializers.SerializerMethodField(help_text="start counted in UTF-16 code units (JavaScript).")
    utf16_end = serializers.SerializerMethodField(help_text="end counted in UTF-16 code units (JavaScript).")

    class Meta:
        model = Annotation
        fields = [
            "id", "article", "label", "start", "end", "utf16_start", "utf16_end", "quote", "prefix", "suffix",
            "note", "attributes", "is_flagged", "question", "author", "status", "version", "created_at", "updated_at",
        ]
        read_only_fields = fields

    def _map(self, annotation: Annotation):
        maps = self.context["utf16"]
        if annotation.article_id not in maps:
            maps.of(annotation.article)
        return maps[annotation.article_id]

    def get_utf16_start(self, annotation: Annotation) -> int:
        return self._map(annotation).to_utf16(annotation.start)

    def get_utf16_end(self, annotation: Annotation) -> int:
        return self._map(annotation).to_utf16(annotation.end)


class ArticleSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    text = Text(max_length=settings.ARTICLE_MAX_CHARS, help_text="Plain text; stored as NFC with \\n line ends.")
    url = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, validators=[URLValidator(schemes=["http", "https"])],
        help_text="An http(s) address, or empty.",
    )
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    annotation_count = serializers.IntegerField(
        read_only=True, help_text="Annotations on this article that you can see."
    )
    annotations = AnnotationSerializer(
        many=True, read_only=True, allow_null=True, source="included_annotations",
        help_text="The annotations you can see, in text order: only with ?include=annotations, else null.",
    )

    class Meta:
        model = Article
        fields = [*ARTICLE_FIELDS[:9], "text", *ARTICLE_FIELDS[9:], "annotations"]
        read_only_fields = ["text_sha256", "text_revision", "status", "version", "created_at", "updated_at"]


class ArticleCreateSerializer(ArticleSerializer):
    project = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text="The project to add the article to.")


Offset = {"min_value": 0, "max_value": settings.ARTICLE_MAX_CHARS}


class AnnotationCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Either start + end (with quote checked if sent), or a quote selector: quote + prefix/suffix."""

    label = serializers.CharField(max_length=32, help_text="A label key of the article's project.")
    start = StrictIntegerField(required=False, help_text="Code points, inclusive.", **Offset)
    end = StrictIntegerField(required=False, help_text="Code points, exclusive.", **Offset)
    quote = Text(required=False, max_length=settings.ARTICLE_MAX_CHARS)
    prefix = Text(required=False, allow_blank=True, max_length=CONTEXT_MAX)
    suffix = Text(required=False, allow_blank=True, max_length=CONTEXT_MAX)
    note = Text(required=False, allow_blank=True, max_length=Annotation._meta.get_field("note").max_length)
    attributes = AttributesField(required=False)


class AnnotationUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Fields a PATCH may change; `status` only for reviewers and owners."""

    label = serializers.CharField(max_length=32, required=False)
    start = StrictIntegerField(required=False, **Offset)
    end = StrictIntegerField(required=False, **Offset)
    note = Text(required=False, allow_blank=True, max_length=Annotation._meta.get_field("note").max_length)
    attributes = AttributesField(required=False)
    is_flagged = StrictBooleanField(required=False, help_text="Ask a reviewer to look at this annotation.")
    question = Text(required=False, allow_blank=True, max_length=Annotation._meta.get_field("question").max_length)
    status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
