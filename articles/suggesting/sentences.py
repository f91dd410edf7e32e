"""English sentences, for the attribution rules and the claim rules: where each one starts and ends.

A sentence ends at . ! ? (with any closing marks after it) before a capital letter, a digit, an opening mark or
the paragraph's end, unless the word before the stop is a title ("Dr.", "Sgt.") or an initial ("J."). Stops
inside quoted words do not end the sentence around the quote. Paragraphs always end sentences.
"""

from __future__ import annotations

import bisect

import regex

from articles.suggesting.marks import Quoted

_STOP = regex.compile(r"[.!?…]++[\"”’')\]]*+(?=[ \t\u00a0]++[\"“‘(\[]?[\p{Lu}\p{N}]|[ \t\u00a0]*+(?:\n|$))")
_NOT_AN_END = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt det capt rev supt insp st mt ft no nos vs v e.g i.e".split()
)


def ends_a_sentence(text: str, stop: int) -> bool:
    """Whether the full stop at `stop` ends a sentence rather than an abbreviation or an initial."""
    if text[stop] != ".":
        return True
    start = stop
    while start > 0 and stop - start < 12 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:stop]
    if len(word) == 1 and word.isupper():
        return False  # an initial: "J. Smith"
    return word.lower() not in _NOT_AN_END


class Sentences:
    """The sentences of a text, in order, as (start, end) with outer spaces left out."""

    def __init__(self, text: str, paragraphs: list[tuple[int, int]], quotes: list[Quoted]) -> None:
        self.spans: list[tuple[int, int]] = []
        inside = [(quote.start, quote.end) for quote in quotes]
        quote_index = 0
        for start, end in paragraphs:
            position = start
            for stop in _STOP.finditer(text, start, end):
                last = stop.end() - 1  # a closing mark after the stop puts the end outside the quote
                while quote_index < len(inside) and inside[quote_index][1] <= last:
                    quote_index += 1
                if quote_index < len(inside) and inside[quote_index][0] <= last:
                    continue  # a stop inside quoted words
                if not ends_a_sentence(text, stop.start()):
                    continue
                self._add(text, position, stop.end())
                position = stop.end()
            self._add(text, position, end)
        self.starts = [start for start, _end in self.spans]

    def _add(self, text: str, start: int, end: int) -> None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            self.spans.append((start, end))

    def index_at(self, position: int) -> int:
        """The index of the sentence holding `position` (or the last one before it)."""
        return max(0, bisect.bisect_right(self.starts, position) - 1)
