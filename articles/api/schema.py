"""OpenAPI pieces shared by the views: documented error responses and common parameters.

drf-spectacular documents only success responses by itself; an API whose schema omits its 400s,
404s and 412s misleads clients and fuzzers (schemathesis' response_schema_conformance), so every
operation lists the errors it can answer, with their JSON shape.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, inline_serializer
from rest_framework import serializers

ERROR_MEANINGS = {
    400: "Invalid input: `detail`, or each field mapped to its messages (items of a list keyed by index).",
    401: "Not signed in: send `Authorization: Token <token>` (or a session cookie).",
    403: "Your role in this project does not allow this.",
    404: "No such object among those you can see (or no such page).",
    405: "Method not allowed.",
    409: "Conflicts with what is stored (a duplicate, or still in use).",
    412: "If-Match does not name the current version; `current` is the stored state.",
    413: "The body is larger than the server accepts.",
    415: "Only application/json bodies are accepted.",
    428: "Send If-Match with the ETag you last read (or `*`).",
    429: "Too many requests; retry after the number of seconds in Retry-After.",
}


class ErrorSerializer(serializers.Serializer):
    """An error body: `detail`, or field names mapped to lists of messages."""

    detail = serializers.CharField(required=False)


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """Document the listed error statuses (401 and 429 are added: every call can get them)."""
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_MEANINGS[code]) for code in (*codes, 401, 429)}


def with_object(name: str, key: str, serializer: type[serializers.Serializer], code: int) -> OpenApiResponse:
    """A 409 or 412 body that carries the stored object under `key`."""
    shape = inline_serializer(name, {"detail": serializers.CharField(), key: serializer()})
    return OpenApiResponse(shape, description=ERROR_MEANINGS[code])


def one_or_many(name: str, serializer: type[serializers.Serializer], max_length: int | None = None):
    """A request or answer that is one object or a list of them (a list creates all or nothing)."""
    return PolymorphicProxySerializer(
        component_name=name,
        serializers=[serializer, serializer(many=True, **({"max_length": max_length} if max_length else {}))],
        resource_type_field_name=None,
        many=False,
    )


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=True,
    description="The ETag you last read for this object, or `*` to overwrite whatever is stored.",
)


def path_id(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {what}'s id.")
