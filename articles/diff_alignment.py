"""Sliding a diff's pure insertions and deletions to where a person would say the edit is.

A sentence inserted next to a sentence that starts (or ends) the same way can be placed by a diff at several
offsets, all of the same cost: "…cost €87 million. [According to the council, the plan will cost €3 million. ]
According to the council, the stadium…" is as short a diff as "…cost €87 million. According to the council,[ the
plan will cost €3 million. According to the council,] the stadium…". Which one the diff picks decides which copy
of the repeated words is the old one, so where an annotation on them lands. diff-match-patch slides such edits to
the best boundary by its own scores, but it counts a comma as much as a full stop, and a tie goes to the last
place: the second form wins above. Here a sentence end outranks a clause end, and a tie keeps the diff's place.
Offsets are code points. Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SENTENCE_ENDS = frozenset(".!?")
CLAUSE_ENDS = frozenset(",;:")
# Corner brackets close a quotation, which ends a sentence only after a full stop inside it: 「…」と述べた goes on.
CLOSING_QUOTES = frozenset("\"'”’»」』")
# Scripts without spaces end a sentence or clause with these alone.
UNSPACED_SENTENCE_ENDS = frozenset("。！？")
UNSPACED_CLAUSE_ENDS = frozenset("、，；：")
_ENDS_BEFORE_QUOTES = SENTENCE_ENDS | CLAUSE_ENDS | UNSPACED_SENTENCE_ENDS
_SENTENCE_MARK = re.compile("[" + re.escape("".join(sorted(SENTENCE_ENDS | UNSPACED_SENTENCE_ENDS))) + "]")
SENTENCE_CUT = 4  # cut_score of a sentence end (or better: a line break, the text's start or end)
# How far an edit is slid at most (repeated text could otherwise make it walk a whole article).
MAX_SLIDE = 1000


def cut_score(text: str, at: int) -> int:
    """Return how natural offset `at` of `text` is as one end of an edit: 6 the text's start or end, 5 a line
    break, 4 a sentence end, 3 a clause end, 2 a space, 1 other punctuation, 0 inside a word."""
    if at <= 0 or at >= len(text):
        return 6
    left, right = text[at - 1], text[at]
    if left == "\n" or right == "\n":
        return 5
    if left.isspace():  # the cut is after the space that follows the punctuation
        left, right = (text[at - 2] if at >= 2 else " "), left
    if left in CLOSING_QUOTES and at >= 2 and text[at - 2] in _ENDS_BEFORE_QUOTES:
        left = text[at - 2]
    if left in UNSPACED_SENTENCE_ENDS or (left in SENTENCE_ENDS and right.isspace()):
        return 4
    if left in UNSPACED_CLAUSE_ENDS or (left in CLAUSE_ENDS and right.isspace()):
        return 3
    if left.isspace() or right.isspace():
        return 2
    return 0 if left.isalnum() and right.isalnum() else 1


def sentence_bounds(text: str, start: int, end: int, low: int, high: int) -> tuple[int, int]:
    """Return the bounds of the sentence (or sentences) around text[start:end] within text[low:high], which holds
    no line break: the last offset at or before `start` and the first at or after `end` that score as a sentence end
    (see cut_score), else `low` and `high`. Only the two offsets after a sentence-ending mark can score so (a space
    or a closing quote may stand between), so only those are scored: a paragraph with no full stop costs one search,
    not a score per code point."""
    first, last = low, high
    for mark in _SENTENCE_MARK.finditer(text, low, start):
        for at in range(mark.end(), min(mark.end() + 2, start) + 1):
            if cut_score(text, at) >= SENTENCE_CUT:
                first = max(first, at)
    for mark in _SENTENCE_MARK.finditer(text, max(low, end - 2), high):
        if mark.end() >= last:
            break
        for at in range(max(end, mark.end()), min(mark.end() + 2, last - 1) + 1):
            if cut_score(text, at) >= SENTENCE_CUT:
                last = at
                break
    return first, last


def aligned(runs: Sequence[tuple[str, int]], old: str, new: str) -> list[tuple[str, int]]:
    """Return the diff runs ("=", "-" or "+", code points) of old -> new with every pure insertion or deletion
    between two unchanged runs slid to its best-scored place (see cut_score) among the places that give the same
    texts; on a tie the diff's place stays. The unchanged runs beside it keep at least one code point."""
    runs = [list(run) for run in runs]
    old_at = new_at = 0
    for index, (op, count) in enumerate(runs):
        if op != "=" and 0 < index < len(runs) - 1 and runs[index - 1][0] == runs[index + 1][0] == "=":
            text, at = (new, new_at) if op == "+" else (old, old_at)
            shift = _best_shift(text, at, count, runs[index - 1][1] - 1, runs[index + 1][1] - 1)
            runs[index - 1][1] += shift
            runs[index + 1][1] -= shift
            old_at, new_at = old_at + shift, new_at + shift
        if op != "+":
            old_at += count
        if op != "-":
            new_at += count
    return [(op, count) for op, count in runs]


def _best_shift(text: str, at: int, length: int, room_left: int, room_right: int) -> int:
    """Return the shift of the edit text[at:at+length] to its best-scored place among those giving the same text."""
    left = min(room_left, _common_suffix_length(text, at, at + length))
    right = min(room_right, _common_prefix_length(text, at, at + length))
    best, best_score = 0, cut_score(text, at) + cut_score(text, at + length)
    for shift in range(-left, right + 1):
        score = cut_score(text, at + shift) + cut_score(text, at + length + shift)
        if score > best_score or (score == best_score and abs(shift) < abs(best)):
            best, best_score = shift, score
    return best


def survivor(text: str, first: int, second: int, length: int) -> int | None:
    """Return which of two copies text[first:first+length] and text[second:second+length] (first < second) is
    the old text when the text between them was inserted, sliding the insertion to its best-scored place (see
    cut_score) on either side: `first` when the insertion is better placed after the first copy, `second` when
    before it, None on a tie."""
    between = second - first
    before = _common_suffix_length(text, first, second)
    after = _common_prefix_length(text, first + length, second + length)
    first_old = _best_cuts(text, first + length, first + length + after, between)
    second_old = _best_cuts(text, first - before, first, between)
    if first_old == second_old:
        return None
    return first if first_old > second_old else second


def _best_cuts(text: str, low: int, high: int, length: int) -> int:
    return max(cut_score(text, at) + cut_score(text, at + length) for at in range(low, high + 1))


def _common_suffix_length(text: str, first: int, second: int) -> int:
    count = 0
    while count < min(first, MAX_SLIDE) and text[first - count - 1] == text[second - count - 1]:
        count += 1
    return count


def _common_prefix_length(text: str, first: int, second: int) -> int:
    count = 0
    while count < MAX_SLIDE and second + count < len(text) and text[first + count] == text[second + count]:
        count += 1
    return count
