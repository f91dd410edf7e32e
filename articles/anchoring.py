"""Anchoring: W3C text selectors <-> code-point offsets in an article's text.

Offsets are Unicode code points, end exclusive (W3C TextPositionSelector). A TextQuote is the W3C
TextQuoteSelector: the exact text plus up to CONTEXT_LENGTH code points of prefix and suffix.
Pure module: strings and dataclasses in, data or a SpanError out; nothing here knows Django.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
import unicodedata
from dataclasses import dataclass, field

CONTEXT_LENGTH = 32
MAX_CANDIDATES_REPORTED = 20


@dataclass(frozen=True, slots=True)
class TextPosition:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class TextQuote:
    exact: str
    prefix: str = ""
    suffix: str = ""


class SpanError(ValueError):
    """A span or selector that does not fit the text; `field` names the offending input."""

    def __init__(self, message: str, *, field: str = "non_field_errors", candidates: list[TextPosition] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.candidates = candidates or []


def canonical_text(raw: str) -> str:
    """Return the canonical article text: NFC, with every line ending turned into "\\n"."""
    return unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))


def text_sha256(text: str) -> str:
    """Return the hex SHA-256 of the text's UTF-8 bytes (identifies an article's text)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def validate_span(text: str, start: object, end: object, quote: str | None = None) -> None:
    """Raise SpanError unless text[start:end] is a non-empty in-range span matching `quote` (if given)."""
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise SpanError(f"{name} must be a whole number of code points.", field=name)
    if start < 0:
        raise SpanError("start must be 0 or more.", field="start")
    if end <= start:
        raise SpanError("end must be greater than start (spans cannot be empty).", field="end")
    if end > len(text):
        raise SpanError(f"end is beyond the text, which has {len(text)} code points.", field="end")
    if quote is not None and text[start:end] != quote:
        raise SpanError(
            f"quote does not match the text at {start}-{end}, which reads {text[start:end][:80]!r}.",
            field="quote",
        )


def describe(text: str, start: int, end: int) -> TextQuote:
    """Return the TextQuote (exact, prefix, suffix) of a valid span."""
    return TextQuote(
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
    )


def find_all(text: str, exact: str, limit: int | None = None) -> list[int]:
    """Return the start offsets of every (possibly overlapping) occurrence of `exact`."""
    starts: list[int] = []
    index = text.find(exact)
    while index != -1 and (limit is None or len(starts) < limit):
        starts.append(index)
        index = text.find(exact, index + 1)
    return starts


@dataclass(order=True)
class _Candidate:
    score: int
    distance: int = field(compare=False)
    start: int = field(compare=False)


def _context_score(text: str, start: int, end: int, quote: TextQuote) -> int:
    """Count how many code points of prefix (from its end) and suffix (from its start) agree."""
    score = 0
    for offset, char in enumerate(reversed(quote.prefix)):
        position = start - 1 - offset
        if position < 0 or text[position] != char:
            break
        score += 1
    for offset, char in enumerate(quote.suffix):
        position = end + offset
        if position >= len(text) or text[position] != char:
            break
        score += 1
    return score


def anchor(text: str, quote: TextQuote, hint: int | None = None) -> TextPosition:
    """Resolve a TextQuote to offsets: exact matches first, then the best prefix/suffix context,
    then closeness to `hint` (a previous start); raise SpanError when absent or ambiguous."""
    if not quote.exact:
        raise SpanError("quote must not be empty.", field="quote")
    starts = find_all(text, quote.exact)
    if not starts:
        raise SpanError("quote was not found in the article text.", field="quote")
    length = len(quote.exact)
    if len(starts) == 1:
        return TextPosition(starts[0], starts[0] + length)
    candidates = [
        _Candidate(
            score=_context_score(text, start, start + length, quote),
            distance=abs(start - hint) if hint is not None else 0,
            start=start,
        )
        for start in starts
    ]
    best_score = max(candidate.score for candidate in candidates)
    best = [candidate for candidate in candidates if candidate.score == best_score]
    if len(best) > 1 and hint is not None:
        closest = min(candidate.distance for candidate in best)
        best = [candidate for candidate in best if candidate.distance == closest]
    if len(best) == 1:
        return TextPosition(best[0].start, best[0].start + length)
    positions = [TextPosition(c.start, c.start + length) for c in best[:MAX_CANDIDATES_REPORTED]]
    raise SpanError(
        f"quote occurs {len(best)} times; add a prefix or suffix, or give start and end.",
        field="quote",
        candidates=positions,
    )


class Utf16Map:
    """Convert offsets of one text between code points and UTF-16 code units (JavaScript's count).

    The browser and JS clients work in UTF-16; everything stored is code points. This is the one
    server-side place that converts, in O(log n) per offset after one pass over the text.
    """

    def __init__(self, text: str):
        astral = [index for index, char in enumerate(text) if ord(char) > 0xFFFF]
        self._astral = astral
        self._utf16_starts = [index + rank for rank, index in enumerate(astral)]

    def to_utf16(self, offset: int) -> int:
        """Return the UTF-16 offset of a code-point offset."""
        return offset + bisect_left(self._astral, offset)

    def to_code_point(self, utf16: int) -> int:
        """Return the code-point offset of a UTF-16 offset (inside a surrogate pair rounds down)."""
        return utf16 - bisect_left(self._utf16_starts, utf16)
