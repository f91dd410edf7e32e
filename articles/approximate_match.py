"""Approximate matching of a quote: edit distance (Levenshtein over code points) by Myers' bit-parallel
algorithm on Python integers, which scores a quote against every end in a window of text in one pass; the ends
of a match chosen as a person selects (word edges); pigeonhole seeds that say where a moved, edited quote may
be; and the context and paragraph agreement that re-anchoring (articles/reanchoring.py) ranks places by.
Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Callable

import regex

_WORD = regex.compile(r"[\p{L}\p{N}\p{M}_]")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}]")  # written without spaces: each character a word


class Pattern:
    """A string prepared for Myers' bit-parallel edit distance (one Python integer bit per code point)."""

    __slots__ = ("length", "masks", "high", "full")

    def __init__(self, text: str):
        masks: dict[str, int] = {}
        for index, char in enumerate(text):
            masks[char] = masks.get(char, 0) | 1 << index
        self.length = len(text)
        self.masks = masks
        self.high = 1 << max(0, len(text) - 1)
        self.full = (1 << len(text)) - 1

    def distances(self, text: str, *, anchored: bool) -> list[int]:
        """distances[j] = edit distance between the pattern and text[:j] (anchored) or the best substring of
        text ending at j (not anchored: approximate search)."""
        masks, high, full = self.masks, self.high, self.full
        carry = 1 if anchored else 0
        plus, minus, score = full, 0, self.length
        scores = [score]
        append = scores.append
        for char in text:
            equal = masks.get(char, 0)
            vertical = equal | minus
            horizontal = (((equal & plus) + plus) ^ plus) | equal
            horizontal_plus = minus | (full & ~(horizontal | plus))
            horizontal_minus = plus & horizontal
            if horizontal_plus & high:
                score += 1
            elif horizontal_minus & high:
                score -= 1
            horizontal_plus = ((horizontal_plus << 1) | carry) & full
            horizontal_minus = (horizontal_minus << 1) & full
            plus = horizontal_minus | (full & ~(vertical | horizontal_plus))
            minus = horizontal_plus & vertical
            append(score)
        return scores

    def distance(self, text: str) -> int:
        """Return the edit distance (Levenshtein) between the pattern and text."""
        if not self.length:
            return len(text)
        return self.distances(text, anchored=True)[-1]


def edit_distance(a: str, b: str) -> int:
    """Return the Levenshtein distance between a and b (insertions, deletions, substitutions of code points)."""
    return Pattern(a).distance(b) if a else len(b)


def is_edge(text: str, offset: int) -> bool:
    """True when offset is a word edge: text's ends, or not between two letters of a spaced script."""
    if offset <= 0 or offset >= len(text):
        return True
    before, after = text[offset - 1], text[offset]
    return not (_WORD.match(before) and _WORD.match(after)) or bool(_CJK.match(before) or _CJK.match(after))


def agreement(pattern: Pattern | None, found: str, exact: int) -> float:
    """How well stored context agrees with the text found there: 1 for equal, 0 for unrelated text (whose edit
    distance to it is typically over half its length); at least the share `exact` that agrees code point by code
    point from the quote outwards."""
    if pattern is None:
        return 1.0
    return max(0.0, 1 - 2 * pattern.distance(found) / pattern.length, min(1.0, exact / pattern.length))


def common_prefix(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b):
        if x != y:
            break
        size += 1
    return size


def common_suffix(a: str, b: str) -> int:
    return common_prefix(a[::-1], b[::-1])


SEED_LENGTH = 8  # pieces of prefix + quote + suffix looked up exactly to find where a moved, edited quote went
SEED_PIECES = 16  # at most about this many pieces, spread over them
SEED_LIMIT = 32  # a piece occurring more often than this says nothing about where the quote is
WORD_EDGE_PENALTY = 1.5  # in edits: a fuzzy end inside a word, where the quote's end was a word edge
FUZZY_MATCHES = 2  # approximate matches aligned per searched window (the best, and a rival to tell ambiguity)


class ApproximateQuote:
    """A quote prepared for approximate search: where in a window of text it occurs with at most `max_errors`
    edits, with both ends chosen as a person would have selected them."""

    def __init__(self, quote: str, before: str, after: str, threshold: float):
        """`before` and `after` are the code points next to the quote in its own text ("" at the text's edges):
        they tell whether its ends were word edges."""
        self.length = len(quote)
        self.pattern = Pattern(quote)
        self.reversed = Pattern(quote[::-1])
        self.max_errors = int(self.length * (1 - threshold) * 2) + 1  # a little slack: lengths may differ
        # Where the quote began and ended in its own text: at word edges or inside words, on spaces or not.
        self.starts_at_edge = is_edge(before + quote, len(before))
        self.ends_at_edge = is_edge(quote + after, self.length)
        self.starts_with_space = quote[:1].isspace()
        self.ends_with_space = quote[-1:].isspace()

    def matches(self, text: str, low: int, high: int, boundary: Callable[[int], bool]) -> list[tuple[int, int]]:
        """Return the best approximate matches of the quote within text[low:high] (a few, apart), as (start,
        end); `boundary(offset)` says whether an end may be there (not inside a user-perceived character)."""
        low, high = max(0, low), min(len(text), high)
        if high <= low:
            return []
        scores = self.pattern.distances(text[low:high], anchored=False)
        ends = sorted((score, index) for index, score in enumerate(scores) if index and score <= self.max_errors)
        chosen: list[int] = []
        for _, index in ends:
            if all(abs(index - other) >= max(1, self.length // 2) for other in chosen):
                chosen.append(index)
                if len(chosen) == FUZZY_MATCHES:
                    break
        return [match for index in chosen if (match := self._align(text, low + index, boundary)) is not None]

    def _align(self, text: str, end: int, boundary: Callable[[int], bool]) -> tuple[int, int] | None:
        """Given the end of a good approximate match, choose its start, then its end, then its start again:
        fewest edits, then ends at word edges where the quote's were, then the quote's length."""
        start = self._best_start(text, end, boundary)
        if start is None:
            return None
        end = self._best_end(text, start, boundary)
        if end is None:
            return None
        start = self._best_start(text, end, boundary)
        return None if start is None else (start, end)

    def _best_start(self, text: str, end: int, boundary: Callable[[int], bool]) -> int | None:
        low = max(0, end - self.length - self.max_errors)
        distances = self.reversed.distances(text[low:end][::-1], anchored=True)
        options = [(distance, end - size) for size, distance in enumerate(distances) if size]
        return _pick(text, boundary, options, end - self.length, self.starts_at_edge, self.starts_with_space, 0)

    def _best_end(self, text: str, start: int, boundary: Callable[[int], bool]) -> int | None:
        high = min(len(text), start + self.length + self.max_errors)
        distances = self.pattern.distances(text[start:high], anchored=True)
        options = [(distance, start + size) for size, distance in enumerate(distances) if size]
        return _pick(text, boundary, options, start + self.length, self.ends_at_edge, self.ends_with_space, -1)


def _pick(
    text: str,
    boundary: Callable[[int], bool],
    options: list[tuple[int, int]],
    ideal: int,
    at_edge: bool,
    space: bool,
    inside: int,
) -> int | None:
    """Choose the offset of least cost among (distance, offset) options (costs only add to distance), then the
    one nearest `ideal` (where the quote's own length puts it). An end costs more inside a word where the quote's
    end was at a word edge, or on a space (text[offset + inside]) where the quote's was not."""
    best: tuple[float, int, int] | None = None
    for distance, offset in sorted(options):
        if best is not None and distance > best[0]:
            break
        if not boundary(offset):
            continue
        poor = (at_edge and not is_edge(text, offset)) or (
            not space and text[offset + inside : offset + inside + 1].isspace()
        )
        candidate = (distance + (WORD_EDGE_PENALTY if poor else 0), abs(offset - ideal), offset)
        if best is None or candidate < best:
            best = candidate
    return None if best is None else best[2]


def seed_windows(text: str, probe: str, quote_at: int, length: int, max_errors: int) -> list[tuple[int, int]]:
    """Return windows of text where pieces of `probe` (prefix + quote + suffix, the quote of `length` code points
    at `quote_at`) occur exactly, at least two of them agreeing on where the quote starts, most pieces first:
    where a quote that moved and changed by up to `max_errors` edits may be. Small edits leave most pieces whole."""
    pieces = len(probe) // SEED_LENGTH
    if pieces < 2:
        return []
    step = max(1, pieces // SEED_PIECES)
    implied: list[tuple[int, int]] = []  # (where the quote would start, which piece says so)
    for piece in range(0, pieces, step):
        offset = piece * SEED_LENGTH
        seed = probe[offset : offset + SEED_LENGTH]
        if text.count(seed) <= SEED_LIMIT:  # one pass in C; a common piece says nothing
            start = text.find(seed)
            while start != -1:
                implied.append((start - offset + quote_at, piece))
                start = text.find(seed, start + 1)
    implied.sort()
    slack = max_errors + SEED_LENGTH
    clusters: list[tuple[int, int, int]] = []  # (pieces agreeing, low, high)
    index = 0
    while index < len(implied):
        last = index
        while last + 1 < len(implied) and implied[last + 1][0] - implied[last][0] <= slack:
            last += 1
        agreeing = len({piece for _, piece in implied[index : last + 1]})
        if agreeing >= 2:
            clusters.append((agreeing, implied[index][0] - slack, implied[last][0] + length + slack))
        index = last + 1
    return [(low, high) for _, low, high in sorted(clusters, reverse=True)]


def surroundings_agreement(
    old: str, old_start: int, old_end: int, new: str, start: int, end: int, window: int
) -> float | None:
    """How well the paragraph around old[old_start:old_end] agrees with the one around new[start:end], up to
    `window` code points on each side (1 - edit distance / longer length); None when the old paragraph has
    less than 3 * window / 5 code points beside the span: too little to say more than its stored context."""

    def sides(text: str, low: int, high: int) -> tuple[str, str]:
        after = text.find("\n", high)
        before = text[max(text.rfind("\n", 0, low) + 1, low - window) : low]
        return before, text[high : min(len(text) if after == -1 else after, high + window)]

    old_before, old_after = sides(old, old_start, old_end)
    if 5 * (len(old_before) + len(old_after)) < 3 * window:
        return None
    new_before, new_after = sides(new, start, end)
    distance = edit_distance(old_before[::-1], new_before[::-1]) + edit_distance(old_after, new_after)
    return 1 - distance / (max(len(old_before), len(new_before)) + max(len(old_after), len(new_after)))
