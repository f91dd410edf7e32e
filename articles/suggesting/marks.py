"""Quotation marks: paragraphs, and where quotes open and close, by English rules or by other languages' marks.

Every function here is one linear scan (compiled patterns, possessive quantifiers, no backtracking into long
runs), so hostile input such as 100,000 unmatched marks costs no more than ordinary text of that length.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import regex

# Spaces that may stand just inside quotation marks (French « … » puts a no-break space there).
INNER_SPACE = " \t\u00a0\u202f\u2009\u2007\u3000"


@dataclass(frozen=True)
class Quoted:
    """One quotation: its words (start, end: inside the marks, outer spaces trimmed) and its two marks."""

    start: int
    end: int
    open_at: int
    close_at: int
    paragraph: int  # index of the paragraph holding the opening mark
    last_paragraph: int  # index of the paragraph holding the closing mark


_BLANK_LINE = regex.compile(r"\n[^\S\n]*+\n\s*+")
_LINE_BREAK = regex.compile(r"\n\s*+")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph. Blank lines separate paragraphs when the text has any (single line
    breaks are then wrapping inside a paragraph); otherwise every line is a paragraph."""
    splitter = _BLANK_LINE if _BLANK_LINE.search(text) else _LINE_BREAK
    spans: list[tuple[int, int]] = []
    position = 0
    for match in splitter.finditer(text):
        if match.start() > position:
            spans.append((position, match.start()))
        position = match.end()
    if position < len(text):
        spans.append((position, len(text)))
    return spans


def _words(text: str, start: int, end: int) -> tuple[int, int]:
    """start..end with the spaces just inside the marks left out."""
    while start < end and text[start] in INNER_SPACE:
        start += 1
    while end > start and text[end - 1] in INNER_SPACE:
        end -= 1
    return start, end


# --- English: straight "…" and typographic “…”; single marks only ever stand inside (nested) or as apostrophes.

_EN_MARK = regex.compile(r"[\"“”]")
OPEN, CLOSE, EITHER = 1, 2, 3


def _direction(text: str, at: int) -> int:
    """Whether the mark at `at` opens, closes, or could do either, from the characters on each side."""
    before = text[at - 1] if at > 0 else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    can_open = not after.isspace() and not before.isalnum()
    can_close = not before.isspace() and not after.isalnum()
    mark = text[at]
    if mark == "“":
        return CLOSE if can_close and not can_open else OPEN
    if mark == "”":
        return OPEN if can_open and not can_close else CLOSE
    if can_open and not can_close:
        return OPEN
    if can_close and not can_open:
        return CLOSE
    return EITHER


_EN_SINGLE = regex.compile(r"[‘’]")


def _single_direction(text: str, at: int) -> int | None:
    """For text quoted with single marks only (‘…’): an opening ‘ before a word, or a closing ’ after one;
    None for an apostrophe (don’t, ’90s) or a plural possessive (the workers’ union)."""
    before = text[at - 1] if at > 0 else " "
    after = text[at + 1] if at + 1 < len(text) else " "
    if text[at] == "‘":
        return OPEN if after.isalpha() and not before.isalnum() else None
    if before.isspace() or after.isalnum():
        return None
    if before == "s" and after == " " and text[at + 2 : at + 3].islower():
        return None
    return CLOSE


def _first_visible(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


def english_quotes(text: str, spans: list[tuple[int, int]]) -> list[Quoted]:
    """Double-quoted passages (single-quoted ones, ‘…’, in a text that has no double marks at all: the British
    house style). A paragraph that ends inside a quote and is followed by a paragraph opening with a quotation
    mark continues that quote (the English convention): one passage over both paragraphs."""
    marks = [(match.start(), _direction(text, match.start())) for match in _EN_MARK.finditer(text)]
    if not marks:
        singles = ((match.start(), _single_direction(text, match.start())) for match in _EN_SINGLE.finditer(text))
        marks = [(position, direction) for position, direction in singles if direction is not None]
    found: list[Quoted] = []
    carried: tuple[int, int] | None = None  # (opening mark, its paragraph) of a quote left open
    index = 0
    for number, (start, end) in enumerate(spans):
        first = index
        while index < len(marks) and marks[index][0] < end:
            index += 1
        inside = marks[first:index]
        opened: tuple[int, int] | None = None
        skip = 0
        if carried is not None:
            if inside and inside[0][0] == _first_visible(text, start, end) and inside[0][1] != CLOSE:
                opened, skip = carried, 1  # the reopening mark of a continued quote
        for position, direction in inside[skip:]:
            if direction == OPEN or (direction == EITHER and opened is None):
                opened = (position, number)  # an earlier mark left open was stray
            elif opened is not None:
                words = _words(text, opened[0] + 1, position)
                if words[0] < words[1]:
                    found.append(Quoted(words[0], words[1], opened[0], position, opened[1], number))
                opened = None
        carried = opened
    return found


# --- Other languages: « », » « (reversed), ‹ ›, „ “ / „ ”, 「 」, “ ”, and straight "…".

_OTHER_MARK = regex.compile(r"[«»‹›„“”「」\"]")
_GUILLEMET = regex.compile(r"[«»]")


def _pairs(text: str) -> dict[str, str]:
    """Each opening mark and the marks that may close it, for this text's conventions."""
    pairs = {"「": "」", '"': '"'}
    first = _GUILLEMET.search(text)
    reversed_guillemets = (
        first is not None and first.group() == "»" and not text[first.end() : first.end() + 1].isspace()
    )
    if reversed_guillemets:  # »Zitat« (German books, Danish)
        pairs.update({"»": "«", "›": "‹"})
    else:
        pairs.update({"«": "»", "‹": "›"})
    pairs["„"] = "“”"  # German „…“, Polish and Hungarian „…”
    if "„" not in text:
        pairs["“"] = "”"  # where „ opens, “ closes
    return pairs


def other_quotes(text: str, spans: list[tuple[int, int]]) -> list[Quoted]:
    """Quoted passages by their marks only. Each opening mark pairs with the nearest mark that can close it in
    the same paragraph; what it encloses (nested quotes of other kinds) is part of the passage."""
    pairs = _pairs(text)
    found: list[Quoted] = []
    marks = [(match.start(), match.group()) for match in _OTHER_MARK.finditer(text)]
    index = 0
    for number, (_start, end) in enumerate(spans):
        first = index
        while index < len(marks) and marks[index][0] < end:
            index += 1
        inside = marks[first:index]
        where: dict[str, list[int]] = {}
        for order, (_position, mark) in enumerate(inside):
            where.setdefault(mark, []).append(order)
        order = 0
        while order < len(inside):
            position, mark = inside[order]
            closers = pairs.get(mark)
            match = None
            for closer in closers or ():
                places = where.get(closer, [])
                nearest = bisect.bisect_right(places, order)
                if nearest < len(places) and (match is None or places[nearest] < match):
                    match = places[nearest]
            if match is None:
                order += 1
                continue
            words = _words(text, position + 1, inside[match][0])
            if words[0] < words[1]:
                found.append(Quoted(words[0], words[1], position, inside[match][0], number, number))
            order = match + 1
    return found


# --- Which rules to use.

_ENGLISH_WORDS = frozenset(
    "the of and to in is that for on was with he she said it as at by his her from are were be has have had "
    "an will not they their this but who which would been its says".split()
)
_WORD = regex.compile(r"\p{L}+")


def looks_english(text: str) -> bool:
    """Whether common English words make up a good share of the text (a sample of it when it is long)."""
    if len(text) > 6000:
        middle = len(text) // 2
        text = text[:2000] + " " + text[middle : middle + 2000] + " " + text[-2000:]
    words = _WORD.findall(text.lower())
    if len(words) < 8:
        return True
    return sum(word in _ENGLISH_WORDS for word in words) >= 0.1 * len(words)
