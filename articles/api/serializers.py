"""Shapes of the API's JSON: output representations and strict input checks.

Serializers only check the shape of input (types, lengths, choices); the rules (spans against the text,
roles, owners, versions) live in the domain modules the views call.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from articles.access import MAX_ID
from articles.api.fields import (
    AttributesField,
    RequestSerializer,
    StrictFieldsMixin,
    StrictIntegerField,
    Text,
)
from articles.errors import InvalidInput
from articles.labels import FIELD_TYPES, MAX_CHOICES, MAX_FIELD_TEXT, check_label_fields
from articles.models import AnchorStatus, Annotation, Article, Label, Membership, Project, ReviewStatus, Role
from articles.models.annotation import CONTEXT_MAX
from articles.models.projects import SHORTCUT_PATTERN
from articles.text_rules import clean_text


class TokenRequestSerializer(RequestSerializer):
    username = serializers.CharField(max_length=150)
    password = Text(max_length=4096)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send it as `Authorization: Token <token>`.")


class LabelFieldSerializer(RequestSerializer):
    """One attribute a label offers (e.g. the verdict of a claim): the schema of an item of `fields`;
    articles.labels.check_label_fields holds the rule."""

    name = serializers.CharField(max_length=64, help_text="A lower-case letter, then letters, digits or _.")
    label = serializers.CharField(max_length=MAX_FIELD_TEXT)
    type = serializers.ChoiceField(choices=FIELD_TYPES)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=MAX_FIELD_TEXT), max_length=MAX_CHOICES, required=False
    )


@extend_schema_field(LabelFieldSerializer(many=True))
class LabelFieldsField(serializers.JSONField):
    """A label's attribute fields, checked by the domain's one rule (the same one imports use)."""

    def to_internal_value(self, data: Any) -> list[dict]:
        try:
            return check_label_fields(data)
        except InvalidInput as error:
            raise serializers.ValidationError(error.errors["fields"]) from None

    def to_representation(self, value: Any) -> Any:
        return value


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
        fields["fields"] = LabelFieldsField(required=False)
        return fields

    def validate_name(self, value: str) -> str:
        return clean_text(value, field="name")

    def validate_description(self, value: str) -> str:
        return clean_text(value, field="description")

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
            "id",
            "name",
            "slug",
            "description",
            "guidelines",
            "guidelines_format",
            "organisation",
            "factcheck_url_pattern",
            "visibility",
            "annotators_per_article",
            "revisions_from_imports",
            "watch_hourly_days",
            "watch_daily_days",
            "labels",
            "my_role",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["slug"]
        # The database allows 1 to 20 (a check constraint); say so here so it is a 400, not an error.
        extra_kwargs = {
            "annotators_per_article": {"min_value": 1, "max_value": 20},
            "watch_hourly_days": {"min_value": 0, "max_value": 365},
            "watch_daily_days": {"min_value": 0, "max_value": 3650},
        }


class MemberSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "username", "role", "created_at"]
        read_only_fields = ["user"]


class MemberCreateSerializer(RequestSerializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


_DATETIME = serializers.DateTimeField()


@lru_cache(maxsize=1024)
def _when(value) -> str | None:
    """A time as the API writes it (ISO 8601 in TIME_ZONE). Remembered: a bulk create's annotations
    share one time, and DRF's formatting cost more than the rest of each annotation's JSON."""
    return None if value is None else _DATETIME.to_representation(value)


def _creator(article: Article) -> str | None:
    if not article.created_by_id:
        return None
    return getattr(article, "created_by_name", None) or article.created_by.username


def article_json(article: Article, *, with_text: bool) -> dict:
    """The article's fields in declared order, built by hand (DRF's generic path costs more than the query)."""
    data = {
        "id": article.pk,
        "project": article.project_id,
        "title": article.title,
        "byline": article.byline,
        "outlet": article.outlet,
        "url": article.url,
        "published_at": _when(article.published_at),
        "language": article.language,
        "external_id": article.external_id,
    }
    if with_text:
        data["text"] = article.text
    data.update(
        {
            "text_sha256": article.text_sha256,
            "text_revision": article.text_revision,
            "status": article.status,
            "annotation_count": article.annotation_count,
            "version": article.version,
            "created_by": _creator(article),
            "created_at": _when(article.created_at),
            "updated_at": _when(article.updated_at),
        }
    )
    return data


ARTICLE_FIELDS = [
    "id",
    "project",
    "title",
    "byline",
    "outlet",
    "url",
    "published_at",
    "language",
    "external_id",
    "text_sha256",
    "text_revision",
    "status",
    "annotation_count",
    "version",
    "created_by",
    "created_at",
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

    def to_representation(self, article: Article) -> dict:
        return article_json(article, with_text=False)


class AnnotationSerializer(serializers.Serializer):
    """A labelled span of an article's text, with its review status and version."""

    id = serializers.IntegerField(read_only=True)
    article = serializers.IntegerField(source="article_id", read_only=True)
    label = serializers.CharField(source="label.key", read_only=True, help_text="The label's key, e.g. claim.")
    start = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Code points, inclusive; null if orphaned."
    )
    end = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Code points, exclusive; null if orphaned."
    )
    utf16_start = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="start in UTF-16 code units (JavaScript)."
    )
    utf16_end = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="end in UTF-16 code units (JavaScript)."
    )
    quote = serializers.CharField(
        read_only=True, help_text="The annotated text, exactly (for an orphan, the text it had when last anchored)."
    )
    prefix = serializers.CharField(read_only=True, help_text="Up to 32 code points before the quote.")
    suffix = serializers.CharField(read_only=True, help_text="Up to 32 code points after the quote.")
    anchor_status = serializers.ChoiceField(
        choices=AnchorStatus.choices,
        read_only=True,
        help_text="Where it stands on the latest text: exact, shifted (same text, moved), fuzzy (its text was "
        "edited; found again) or orphaned (not found: no offsets until re-attached).",
    )
    anchor_score = serializers.FloatField(read_only=True, allow_null=True, help_text="0..1 for fuzzy, else null.")
    anchored_revision = serializers.IntegerField(read_only=True, help_text="The article revision it is anchored to.")
    original_quote = serializers.CharField(read_only=True, help_text="The quote as first annotated.")
    note = serializers.CharField(read_only=True)
    attributes = AttributesField(read_only=True)
    is_flagged = serializers.BooleanField(read_only=True, help_text="The author asks a reviewer to look at it.")
    question = serializers.CharField(read_only=True, help_text="The author's question to the reviewer.")
    author = serializers.CharField(source="author.username", read_only=True)
    status = serializers.ChoiceField(choices=ReviewStatus.choices, read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="Increases with every change (see ETag).")
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, annotation: Annotation) -> dict:
        # Built by hand, with exactly the declared fields (a test holds them equal): DRF's generic path
        # costs more than the queries when an article has hundreds of annotations.
        maps = self.context["utf16"]
        utf16 = maps.get(annotation.article_id) or maps.of(annotation.article)
        return {
            "id": annotation.pk,
            "article": annotation.article_id,
            "label": getattr(annotation, "label_key", None) or annotation.label.key,
            "start": annotation.start,
            "end": annotation.end,
            "utf16_start": None if annotation.start is None else utf16.to_utf16(annotation.start),
            "utf16_end": None if annotation.end is None else utf16.to_utf16(annotation.end),
            "quote": annotation.quote,
            "prefix": annotation.prefix,
            "suffix": annotation.suffix,
            "anchor_status": annotation.anchor_status,
            "anchor_score": annotation.anchor_score,
            "anchored_revision": annotation.anchored_revision,
            "original_quote": annotation.original_quote,
            "note": annotation.note,
            "attributes": annotation.attributes,
            "is_flagged": annotation.is_flagged,
            "question": annotation.question,
            "author": getattr(annotation, "author_name", None) or annotation.author.username,
            "status": annotation.status,
            "version": annotation.version,
            "created_at": _when(annotation.created_at),
            "updated_at": _when(annotation.updated_at),
        }


class ArticleText(Text):
    """An article's text, without DRF's check for surrogate characters: a Python loop over every character
    (about 0.4 ms for 4,000 characters, a quarter of the Python work of adding an article). The API's parser
    (articles.api.parsers) already refused lone surrogates in every string of the body, in one regular
    expression search, before any serializer sees it."""

    def __init__(self, **kwargs: Any):
        super().__init__(max_length=settings.ARTICLE_MAX_CHARS, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitSurrogateCharactersValidator)]


class ArticleSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    project = serializers.IntegerField(source="project_id", read_only=True)
    text = ArticleText(help_text="Plain text; stored as NFC with \\n line ends.")
    url = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="An http(s) address, or empty.",
    )
    created_by = serializers.CharField(source="created_by.username", read_only=True, allow_null=True)
    annotation_count = serializers.IntegerField(
        read_only=True, help_text="Annotations on this article that you can see."
    )
    annotations = AnnotationSerializer(
        many=True,
        read_only=True,
        allow_null=True,
        source="included_annotations",
        help_text="The annotations you can see, in text order: only with ?include=annotations, else null.",
    )

    class Meta:
        model = Article
        fields = [*ARTICLE_FIELDS[:9], "text", *ARTICLE_FIELDS[9:], "annotations"]
        read_only_fields = ["text_sha256", "text_revision", "status", "version", "created_at", "updated_at"]

    def to_representation(self, article: Article) -> dict:
        data = article_json(article, with_text=True)
        included = getattr(article, "included_annotations", None)
        if included is None:
            data["annotations"] = None
        else:
            annotation = AnnotationSerializer(context=self.context)
            data["annotations"] = [annotation.to_representation(item) for item in included]
        return data


def _max_length(name: str) -> int:
    return Article._meta.get_field(name).max_length


class ArticleCreateSerializer(RequestSerializer):
    """The body of POST /articles/: ArticleSerializer's writable fields and the project, declared as plain fields.

    As a subclass of ArticleSerializer (a ModelSerializer) it rebuilt every field from the model on each
    request and ran DRF's uniqueness query for (project, external_id): together more than the rest of the
    view's own work. The domain refuses a duplicate text or external id anyway, naming the stored article
    (article_write.create_article).
    """

    # Every field of an article: those not declared here are set by the server.
    ARTICLE_FIELDS = frozenset(ArticleSerializer.Meta.fields)

    project = StrictIntegerField(min_value=1, max_value=MAX_ID, help_text="The project to add the article to.")
    title = serializers.CharField(max_length=_max_length("title"))
    byline = serializers.CharField(max_length=_max_length("byline"), allow_blank=True, required=False)
    outlet = serializers.CharField(max_length=_max_length("outlet"), allow_blank=True, required=False)
    url = serializers.CharField(
        max_length=_max_length("url"),
        required=False,
        allow_blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="An http(s) address, or empty.",
    )
    published_at = serializers.DateTimeField(allow_null=True, required=False)
    language = serializers.CharField(max_length=_max_length("language"), allow_blank=True, required=False)
    external_id = serializers.CharField(
        max_length=_max_length("external_id"),
        allow_blank=True,
        required=False,
        help_text=Article._meta.get_field("external_id").help_text,
    )
    text = ArticleText(help_text="Plain text; stored as NFC with \\n line ends.")

    def to_internal_value(self, data: Any) -> Any:
        """The server's fields (id, status, version ...) are refused as read-only, as on PATCH (AUTHZ-6)."""
        if isinstance(data, Mapping):
            refused = sorted(set(data) - set(self.fields))
            if refused:
                raise serializers.ValidationError(
                    {
                        name: ["This field is read-only." if name in self.ARTICLE_FIELDS else "Unknown field."]
                        for name in refused
                    }
                )
        return super().to_internal_value(data)


Offset = {"min_value": 0, "max_value": settings.ARTICLE_MAX_CHARS}


class AnnotationCreateSerializer(RequestSerializer):
    """Either start + end (with quote checked if sent), or a quote selector: quote + prefix/suffix."""

    label = serializers.CharField(max_length=32, help_text="A label key of the article's project.")
    start = StrictIntegerField(required=False, help_text="Code points, inclusive.", **Offset)
    end = StrictIntegerField(required=False, help_text="Code points, exclusive.", **Offset)
    quote = Text(required=False, max_length=settings.ARTICLE_MAX_CHARS)
    prefix = Text(required=False, allow_blank=True, max_length=CONTEXT_MAX)
    suffix = Text(required=False, allow_blank=True, max_length=CONTEXT_MAX)
    note = Text(required=False, allow_blank=True, max_length=Annotation._meta.get_field("note").max_length)
    attributes = AttributesField(required=False)


class ReanchorSerializer(RequestSerializer):
    """Where on the latest text to put an annotation back: start + end, or a quote selector."""

    start = StrictIntegerField(required=False, help_text="Code points, inclusive.", **Offset)
    end = StrictIntegerField(required=False, help_text="Code points, exclusive.", **Offset)
    quote = Text(required=False, max_length=settings.ARTICLE_MAX_CHARS)
    prefix = Text(required=False, allow_blank=True, max_length=CONTEXT_MAX)
    suffix = Text(required=False, allow_blank=True, max_length=CONTEXT_MAX)


FLAG_ELSEWHERE = "Flag with POST /api/v1/annotations/{id}/flag/ (a flag needs a question); clear it with DELETE."


class AnnotationUpdateSerializer(RequestSerializer):
    """Fields a PATCH may change; `status` only for reviewers and owners. Flags have their own endpoint,
    the one way to flag, so a flag always carries a question."""

    def to_internal_value(self, data: Any) -> Any:
        flagging = sorted({"is_flagged", "question"} & set(data)) if isinstance(data, Mapping) else []
        if flagging:
            raise serializers.ValidationError({name: [FLAG_ELSEWHERE] for name in flagging})
        return super().to_internal_value(data)

    label = serializers.CharField(max_length=32, required=False)
    start = StrictIntegerField(required=False, **Offset)
    end = StrictIntegerField(required=False, **Offset)
    note = Text(required=False, allow_blank=True, max_length=Annotation._meta.get_field("note").max_length)
    attributes = AttributesField(required=False)
    status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
