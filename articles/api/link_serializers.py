"""JSON of links between spans and of link types: output built by hand, strict input shapes.

As in articles.api.serializers, these check only the shape of input (types, lengths, choices); the rules
(ends in one article, labels a type allows, roles, versions) live in articles.links and
articles.link_type_write. A link's JSON names its ends `from` and `to`: `from` is a Python keyword, so
such fields are declared with a trailing underscore and renamed (KeywordNames).
"""

from __future__ import annotations

import keyword
from typing import Any

from rest_framework import serializers

from articles.access import MAX_ID
from articles.api.fields import RequestSerializer, StrictFieldsMixin, StrictIntegerField, Text
from articles.api.serializers import _when
from articles.models import Label, Link, LinkType, ReviewStatus

KEY_LENGTH = LinkType._meta.get_field("key").max_length
LABEL_KEY_LENGTH = Label._meta.get_field("key").max_length
NOTE_LENGTH = Link._meta.get_field("note").max_length
MAX_END_LABELS = 100  # articles.link_type_write reads at most this many keys for an end


class KeywordNames:
    """Serve a field declared as `from_` as `from`: a keyword cannot be a class attribute's name."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {
            (name[:-1] if name.endswith("_") and keyword.iskeyword(name[:-1]) else name): field
            for name, field in fields.items()
        }


class LinkSerializer(KeywordNames, serializers.Serializer):
    """A link from one span to another of the same article, with its type, review status and version."""

    id = serializers.IntegerField(read_only=True)
    article = serializers.IntegerField(read_only=True)
    from_ = serializers.IntegerField(read_only=True, help_text="The annotation the link starts at.")
    to = serializers.IntegerField(read_only=True, help_text="The annotation the link ends at.")
    type = serializers.CharField(read_only=True, help_text="The link type's key, e.g. said_by.")
    from_label = serializers.CharField(read_only=True, help_text="The label key of the `from` annotation.")
    to_label = serializers.CharField(read_only=True, help_text="The label key of the `to` annotation.")
    note = serializers.CharField(read_only=True)
    author = serializers.CharField(read_only=True, help_text="The username of who made it.")
    status = serializers.ChoiceField(choices=ReviewStatus.choices, read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="Increases with every change (see ETag).")
    end_orphaned = serializers.BooleanField(
        read_only=True, help_text="A revision of the article left one of its ends without a place in the text."
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, link: Link) -> dict[str, Any]:
        # Built by hand with exactly the declared fields (a test holds them equal), from the rows
        # access.links_for and visible_links_of join in: no query per link.
        return {
            "id": link.pk,
            "article": link.article_id,
            "from": link.from_annotation_id,
            "to": link.to_annotation_id,
            "type": link.type.key,
            "from_label": link.from_annotation.label.key,
            "to_label": link.to_annotation.label.key,
            "note": link.note,
            "author": link.author.username,
            "status": link.status,
            "version": link.version,
            "end_orphaned": link.end_orphaned,
            "created_at": _when(link.created_at),
            "updated_at": _when(link.updated_at),
        }


AnnotationId = {"min_value": 1, "max_value": MAX_ID}


class LinkCreateSerializer(KeywordNames, RequestSerializer):
    """A link to make: the ids of two annotations of the article and a type the project offers for their labels."""

    from_ = StrictIntegerField(help_text="The id of the annotation the link starts at (e.g. a quote).", **AnnotationId)
    to = StrictIntegerField(help_text="The id of the annotation the link ends at (e.g. a source).", **AnnotationId)
    type = serializers.CharField(max_length=KEY_LENGTH, help_text="A link type key of the project, e.g. said_by.")
    note = Text(required=False, allow_blank=True, max_length=NOTE_LENGTH)


class LinkUpdateSerializer(RequestSerializer):
    """Fields a PATCH may change; `status` only for reviewers and owners, never on one's own link."""

    type = serializers.CharField(
        max_length=KEY_LENGTH, required=False, help_text="Another type that allows the two ends' labels."
    )
    note = Text(required=False, allow_blank=True, max_length=NOTE_LENGTH)
    status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)


def _label_keys(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=LABEL_KEY_LENGTH),
        min_length=1,
        max_length=MAX_END_LABELS,
        **kwargs,
    )


class LinkTypeSerializer(StrictFieldsMixin, serializers.Serializer):
    """A kind of link a project offers, and the labels allowed at each end (by key)."""

    id = serializers.IntegerField(read_only=True)
    key = serializers.CharField(
        max_length=KEY_LENGTH, help_text="Lower-case letters, digits, - or _; unique in the project."
    )
    name = serializers.CharField(max_length=LinkType._meta.get_field("name").max_length)
    color = serializers.CharField(
        max_length=7, help_text="#RRGGBB, dark enough to see as a line on the page (3:1 contrast)."
    )
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=LinkType._meta.get_field("description").max_length
    )
    from_labels = _label_keys(help_text="Keys of the labels a link of this type may start at.")
    to_labels = _label_keys(help_text="Keys of the labels a link of this type may end at.")
    order = StrictIntegerField(
        required=False, min_value=0, max_value=32767, help_text="Position in the project's list (default: last)."
    )

    def to_representation(self, link_type: LinkType) -> dict[str, Any]:
        """From a type read by articles.links.link_types_of (with `from_keys` and `to_keys`)."""
        return {
            "id": link_type.pk,
            "key": link_type.key,
            "name": link_type.name,
            "color": link_type.color,
            "description": link_type.description,
            "from_labels": list(link_type.from_keys),
            "to_labels": list(link_type.to_keys),
            "order": link_type.order,
        }
