"""Strict serializer building blocks: JSON types as documented, and no field the client may not send.

DRF by default ignores unknown and read-only fields and coerces "3", 3.0 and "yes"; an API that
refuses them (400 naming the field) makes client mistakes and mass-assignment attempts visible
(AUTHZ-6, INPUT-3).
"""

from __future__ import annotations

import copy
import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.anchoring import Utf16Map
from articles.attributes import MAX_KEYS, MAX_VALUE_LENGTH


class StrictFieldsMixin:
    """Refuse unknown and read-only fields with a 400 instead of silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(set(data) - writable)
            if refused:
                raise serializers.ValidationError(
                    {
                        name: ["This field is read-only." if name in self.fields else "Unknown field."]
                        for name in refused
                    }
                )
        return super().to_internal_value(data)


class RequestSerializer(StrictFieldsMixin, serializers.Serializer):
    """A request body: strict fields, and cheap copies of the declared fields for each request.

    DRF deep-copies every declared field for every serializer it builds, which re-runs each field's
    constructor: for the annotation create path that was a tenth of the request. Flat fields are
    stateless once built (binding sets only the copy's own name and parent), so a shallow copy does;
    fields holding other fields (lists, nested serializers) are still deep-copied.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            name: copy.deepcopy(field)
            if hasattr(field, "child") or isinstance(field, serializers.BaseSerializer)
            else copy.copy(field)
            for name, field in self._declared_fields.items()
        }


class StrictIntegerField(serializers.IntegerField):
    """An integer that arrives as a JSON integer: not "3", 3.5, 3.0 or true."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false, not "yes" or 1."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=str(data)[:20])
        return data


class Text(serializers.CharField):
    """Text kept exactly as sent: leading and trailing spaces are part of quotes, notes and articles."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)


ATTRIBUTE_VALUE = {
    "anyOf": [{"type": "string", "maxLength": MAX_VALUE_LENGTH}, {"type": "number"}, {"type": "boolean"}]
}


@extend_schema_field({"type": "object", "additionalProperties": ATTRIBUTE_VALUE, "maxProperties": MAX_KEYS})
class AttributesField(serializers.DictField):
    """A flat JSON object of attribute values; the label's field definitions check it in the domain."""

    child = serializers.JSONField()


# Outside the Basic Multilingual Plane: the characters that count twice in UTF-16.
ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_MAPS_BY_TEXT: OrderedDict[str, Utf16Map] = OrderedDict()
MAPS_KEPT = 256
_NO_ASTRAL = Utf16Map("")  # a text without astral characters has the same offsets in both units


def utf16_map(article) -> Utf16Map:
    """The article's Utf16Map, built once per text per process (a text never changes under its hash)."""
    found = _MAPS_BY_TEXT.get(article.text_sha256)
    if found is None:
        found = Utf16Map(article.text) if ASTRAL.search(article.text) else _NO_ASTRAL
        _MAPS_BY_TEXT[article.text_sha256] = found
        if len(_MAPS_BY_TEXT) > MAPS_KEPT:
            _MAPS_BY_TEXT.popitem(last=False)
    return found


class Utf16Maps(dict):
    """The Utf16Map of each article a request touches, looked up once per article, not per annotation."""

    def of(self, article) -> Utf16Map:
        if article.pk not in self:
            self[article.pk] = utf16_map(article)
        return self[article.pk]
