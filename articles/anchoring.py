"""Anchoring: W3C text selectors <-> code-point offsets in an article's text.

Offsets are Unicode code points, end exclusive (W3C TextPositionSelector). A TextQuote is the W3C
TextQuoteSelector: the exact text plus up to CONTEXT_LENGTH code points of prefix and suffix.
A span never splits a user-perceived character (an extended grapheme cluster: 👩🏽‍⚖️, 🇫🇷, x + accent).
Pure module: strings and dataclasses in, data or a SpanError out; nothing here knows Django.
"""

from __future__ import annotations

import hashlib
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field

import regex

CONTEXT_LENGTH = 32
MAX_CANDIDATES_REPORTED = 20
_CHARACTER = regex.compile(r"\X")  # one extended grapheme cluster (Unicode UAX #29)
_FLAG = r"\p{Grapheme_Cluster_Break=Regional_Indicator}"  # half of a flag: flags pair up from the start of a run
_ATTACHES = r"\p{Grapheme_Cluster_Break=Extend}\p{Grapheme_Cluster_Break=ZWJ}\p{Grapheme_Cluster_Break=SpacingMark}"
# Two characters with a boundary between them whatever comes before (searched backwards from an offset):
# a line feed and anything; a character no rule joins to its successor (Other, but no Indic linker) and
# one that does not attach backwards (accents, ZWJ, spacing marks); either edge of a run of flag halves;
# two flag halves, where the boundaries depend on the run's start.
_SAFE_PAIR = regex.compile(
    rf"\n.|[\p{{Grapheme_Cluster_Break=Other}}--\p{{InCB=Extend}}--\p{{InCB=Linker}}][^{_ATTACHES}]"
    rf"|{_FLAG}[^{_ATTACHES}{_FLAG}]|[^\p{{Grapheme_Cluster_Break=Prepend}}{_FLAG}]{_FLAG}|{_FLAG}{_FLAG}",
    regex.V1 | regex.REVERSE | regex.DOTALL,
)
_NOT_FLAG = regex.compile(rf"[^{_FLAG}]", regex.V1 | regex.REVERSE)
_FLAG_PAIR = regex.compile(_FLAG * 2)


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
    """Raise SpanError unless text[start:end] is a non-empty in-range span matching `quote` (if given)
    whose ends do not split a user-perceived character."""
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
    for name, value in (("start", start), ("end", end)):
        if (character := split_character(text, value)) is not None:
            raise SpanError(
                f"The span splits a character at its {name}; the nearest boundaries are {character[0]} and "
                f"{character[1]}.",
                field=name,
            )


def _boundary_before(text: str, offset: int) -> int:
    """Return a character boundary at or before `offset`, near it, without segmenting the text before it
    (segmenting long runs of flag halves takes time quadratic in their length)."""
    while (pair := _SAFE_PAIR.search(text, 0, offset + 1)) is not None:
        position = pair.start() + 1
        if not _FLAG_PAIR.match(text, position - 1):
            return position
        before_run = _NOT_FLAG.search(text, 0, position)
        run_start = before_run.end() if before_run else 0
        if position - run_start >= 2:
            return run_start + (position - run_start) // 2 * 2
        offset = run_start  # the run's first pair: its start is the boundary, found by the next search
    return 0


def split_character(text: str, offset: int) -> tuple[int, int] | None:
    """Return (start, end) of the user-perceived character that `offset` falls inside, None at a boundary."""
    if not 0 < offset < len(text):
        return None
    start = _boundary_before(text, offset)
    for character in _CHARACTER.finditer(text[start : offset + 1]):  # boundaries up to offset need no more
        if start + character.end() > offset:
            begin = start + character.start()
            return None if begin == offset else _CHARACTER.match(text, begin).span()
    return None


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
