"""What text the app stores: its kind, its length, and the characters it may hold.

Every write path (pages, API, imports) checks free text through `clean_text`, so a limit and its message
are the same wherever a user types: no NUL byte (PostgreSQL refuses it in text columns) and no other
control character except tab and line breaks. A flag asks a reviewer something, so it needs a question.
"""

from __future__ import annotations

import re

from articles.errors import InvalidInput

# The longest text each kind of field holds, in characters; models use the same numbers as max_length.
LIMITS: dict[str, int] = {
    "note": 10_000,
    "question": 2_000,
    "comment": 5_000,
    "message": 5_000,
    "description": 2_000,
    "attribute": 2_000,
    "attribute name": 64,
    "username": 150,
    "name": 64,
    "project name": 200,
    "project description": 5_000,
    "guidelines": 50_000,
    "organisation": 200,
}
# C0 controls except tab, line feed and carriage return; DEL. NUL is among them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_in(value: str) -> bool:
    """Whether `value` holds a NUL or another control character that text fields refuse."""
    return _CONTROL.search(value) is not None


def clean_text(
    value: object, *, field: str, kind: str | None = None, required: bool = False, strip: bool = False
) -> str:
    """Return `value` as stored text (stripped if `strip`), or raise InvalidInput naming `field`.

    `kind` picks the limit from LIMITS (default: the field's name); `required` refuses empty text.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput.single(field, f"The {field} must be text.")
    if strip:
        value = value.strip()
    if required and not value.strip():
        raise InvalidInput.single(field, f"Write a {field} first.")
    limit = LIMITS[kind or field]
    if len(value) > limit:
        raise InvalidInput.single(field, f"Keep the {field} under {limit} characters.")
    if control_character_in(value):
        raise InvalidInput.single(field, "Null and other control characters are not allowed.")
    return value


def check_flag(is_flagged: bool, question: str) -> None:
    """Refuse a flag without a question: a flag asks the reviewer something."""
    if is_flagged and not question.strip():
        raise InvalidInput.single("question", "Ask the reviewer a question when you flag an annotation.")
