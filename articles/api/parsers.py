"""A JSON-only request parser that answers 400 or 413, never 500, to hostile bodies (INPUT-1, INPUT-2).

Stock DRF lets RecursionError escape on deep nesting and accepts 1e999999 as infinity. This parser
refuses bodies over the limit (413; DRF also reads JSON through `request.body`, where Django checks the
limit first), reads no further than the declared Content-Length, and turns deep nesting, non-finite
numbers, duplicate keys and lone surrogates into a ParseError (400 with a JSON body). A body within the
limit is never a 413, however many items it holds. NUL characters are left to the fields, which
refuse them by name.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from articles.api.exceptions import PayloadTooLarge

MAX_DEPTH = 32
# Lone surrogates survive json.loads ("\ud800") but no database or UTF-8 encoder accepts them.
_UNENCODABLE = re.compile("[\ud800-\udfff]")


def _refuse_constant(name: str) -> Any:
    raise ParseError(f"JSON parse error - {name} is not a number JSON allows.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ParseError("JSON parse error - number out of range.")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ParseError("JSON parse error - an object repeats a key.")
    return result


def _check_strings_and_depth(data: Any) -> None:
    """Walk the parsed value iteratively: bounded depth, no lone surrogates."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if _UNENCODABLE.search(value):
                raise ParseError("JSON parse error - strings may not contain lone surrogate characters.")
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise ParseError(f"JSON parse error - the body is nested deeper than {MAX_DEPTH} levels.")
            items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
            for key, item in items:
                if key is not None:
                    stack.append((key, depth))
                stack.append((item, depth + 1))


def _read_bounded(stream, parser_context: dict | None) -> bytes:
    """Read the body: no further than its declared length, and at most one byte over the limit.

    Content-Length says where the body ends. Django's WSGI request stops reading there, its ASGI request
    does not; stopping here too gives both the same answer (a longer stream is cut, then fails to parse).
    """
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    request = (parser_context or {}).get("request")
    declared = request.META.get("CONTENT_LENGTH") if request is not None else None
    most = None if limit is None else limit + 1
    if declared and declared.isdigit():
        if most is not None and int(declared) >= most:
            raise PayloadTooLarge()
        most = int(declared)
    raw = stream.read() if most is None else stream.read(most)
    if limit is not None and len(raw) > limit:
        raise PayloadTooLarge()
    return raw


class StrictJSONParser(JSONParser):
    """Parse UTF-8 JSON within the size limit, with finite numbers, unique keys and bounded nesting."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        raw = _read_bounded(stream, parser_context)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ParseError("JSON parse error - the body is not valid UTF-8.") from error
        try:
            data = json.loads(
                text, parse_constant=_refuse_constant, parse_float=_finite_float, object_pairs_hook=_unique_keys
            )
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
        _check_strings_and_depth(data)
        return data
