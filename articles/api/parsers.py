"""A JSON-only request parser that answers 400, never 500, to hostile JSON (INPUT-2).

Stock DRF lets RecursionError escape on deeply nested arrays and accepts 1e999999 as infinity;
this parser turns both, NaN and invalid UTF-8 into a ParseError (400 with a JSON body).
"""

from __future__ import annotations

import json
import math
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


def _refuse_constant(name: str) -> Any:
    raise ParseError(f"JSON parse error - {name} is not a number JSON allows.")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ParseError("JSON parse error - number out of range.")
    return value


class StrictJSONParser(JSONParser):
    """Parse UTF-8 JSON with finite numbers only and bounded nesting."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        try:
            raw = stream.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise ParseError("JSON parse error - the body is not valid UTF-8.") from error
        try:
            return json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from error
