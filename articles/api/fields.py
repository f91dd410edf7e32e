"""Strict serializer building blocks: JSON types as documented, and no field the client may not send.

DRF by default ignores unknown and read-only fields and coerces "3", 3.0 and "yes"; an API that
refuses them (400 naming the field) makes client mistakes and mass-assignment attempts visible
(AUTHZ-6, INPUT-3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.anchoring import Utf16Map
from articles.attributes import MAX_KEYS, MAX_VALUE_LENGTH

# PostgreSQL bigint: ids beyond it cannot exist, so they are refused instead of reaching the database.
MAX_ID = 2**63 - 1


class StrictFieldsMixin:
    """Refuse unknown and read-only fields with a 400 instead of silently dropping them."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(set(data) - writable)
            if refused:
                raise serializers.ValidationError(
                    {name: ["This field is read-only." if name in self.fields else "Unknown field."] for name in refused}
                )
        return super().to_internal_value(data)


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


ATTRIBUTE_VALUE = {"anyOf": [{"type": "string", "maxLength": MAX_VALUE_LENGTH}, {"type": "number"}, {"type": "boolean"}]}


@extend_schema_field({"type": "object", "additionalProperties": ATTRIBUTE_VALUE, "maxProperties": MAX_KEYS})
class AttributesField(serializers.DictField):
    """A flat JSON object of attribute values; the label's field definitions check it in the domain."""

    child = serializers.JSONField()


class Utf16Maps(dict):
    """One Utf16Map per article per request: building one costs a pass over the whole text."""

    def of(self, article) -> Utf16Map:
        if article.pk not in self:
            self[article.pk] = Utf16Map(article.text)
        return self[article.pk]
