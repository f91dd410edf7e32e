"""Annotation attributes: a small flat JSON object (speaker of a quote, URL of a source, verdict...).

Values are checked against the label's field definitions where the label defines the key
(choices must be one of the choices, URLs must be http or https, numbers finite numbers or
number texts such as "12.5", as forms send them); other keys are kept as given,
within size limits, so imports from other tools lose nothing.
"""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlsplit

from articles.errors import InvalidInput

MAX_KEYS = 50
MAX_KEY_LENGTH = 64
MAX_VALUE_LENGTH = 2000


def _is_number(value: Any) -> bool:
    """Whether `value` is a finite number, or text that reads as one (form inputs send text)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return False
    return isinstance(value, (int, float)) and math.isfinite(value)


def _check_value(key: str, value: Any, spec: dict[str, Any] | None) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput.single("attributes", f"{key}: numbers must be finite.")
    if not (value is None or isinstance(value, (str, int, float, bool))):
        raise InvalidInput.single("attributes", f"{key}: use text, a number, true/false or null.")
    if isinstance(value, str):
        if len(value) > MAX_VALUE_LENGTH or "\x00" in value:
            raise InvalidInput.single("attributes", f"{key}: at most {MAX_VALUE_LENGTH} characters, no null bytes.")
    if spec is None or value in (None, ""):
        return
    if spec.get("type") == "choice" and value not in spec.get("choices", []):
        raise InvalidInput.single("attributes", f"{key}: choose one of {', '.join(spec.get('choices', []))}.")
    if spec.get("type") == "number" and not _is_number(value):
        raise InvalidInput.single("attributes", f"{key}: give a number, such as 12 or 3.5.")
    if spec.get("type") == "url":
        parts = urlsplit(str(value))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput.single("attributes", f"{key}: give an http:// or https:// address.")


def validate_attributes(attributes: Any, fields: list[dict[str, Any]] | None) -> dict[str, Any]:
    """Return the attributes as a clean dict, or raise InvalidInput naming the key at fault."""
    if attributes in (None, ""):
        return {}
    if not isinstance(attributes, dict):
        raise InvalidInput.single("attributes", "attributes must be a JSON object.")
    if len(attributes) > MAX_KEYS:
        raise InvalidInput.single("attributes", f"Use at most {MAX_KEYS} attributes.")
    specs = {spec.get("name"): spec for spec in fields or [] if isinstance(spec, dict)}
    for key, value in attributes.items():
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH or "\x00" in key:
            raise InvalidInput.single("attributes", f"Attribute names are 1 to {MAX_KEY_LENGTH} characters.")
        _check_value(key, value, specs.get(key))
    return dict(attributes)
