"""Following a span's paragraph: where the old paragraph around a span is in the new text, and the span in it.

The revision's diff (articles/revision_map.py) sees a moved paragraph as a deletion plus an insertion, and its
semantic cleanup merges two edits close together into one replacement that swallows the unchanged words between
them. A span there is searched for by its quote and stored context (articles/reanchoring.py), and when an edit
right next to it changed that context too, nothing singled out one place. Its old paragraph tells more: pieces of
it that occur once in the old text and once in the new say where the paragraph's text may be now, a diff of the
two paragraphs says whether it is that paragraph, edited, and where the span is in it. That place is only where
to look: re-anchoring still weighs the quote and its context there. Offsets are code points, end exclusive.
Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

from articles.anchoring import CONTEXT_LENGTH, find_all
from articles.approximate_match import common_prefix, common_suffix
from articles.revision_map import PAIRED_CONTEXT, RevisionMap, diff

# Pieces of the old paragraph this long, this far apart, are looked up: one found once in the old text and once
# in the new says the paragraph's text may be there now.
PIECE_LENGTH = CONTEXT_LENGTH
PIECE_STEP = CONTEXT_LENGTH // 2
# The new paragraph is the old one, edited, when a diff of the two keeps at least this share of the old one.
KEPT_SHARE = 0.5
# Unchanged text shared by the two sides of one replacement in the paragraphs' diff (with insertions or deletions on
# both sides of it, or an insertion on one and a deletion on the other) that is taken as kept: words the diff's
# semantic cleanup merged into the replacement.
MIN_KEPT = 16

Run = tuple[str, int, int, int, int]  # "=" (unchanged) or "~" (replaced), old start and end, new start and end


@dataclass(frozen=True, slots=True)
class _Target:
    """The new paragraph [start, end) that an old paragraph became, and the diff of the two as runs."""

    start: int
    end: int
    runs: list[Run]


class ParagraphMap:
    """Maps old spans through the paragraphs that hold their text in the new text (cached per old paragraph).
    With the revision's diff, the paragraph holding the longest stretch of an old paragraph that the diff keeps is
    weighed too: a paragraph whose pieces all recur elsewhere (templated sentences) has no piece found once in each
    text, and another paragraph holding one of them must not win by default."""

    def __init__(self, old: str, new: str, revision: RevisionMap | None = None):
        self.old = old
        self.new = new
        self.revision = revision
        self._targets: dict[int, _Target | None] = {}
        self._sources: dict[int, tuple[int, _Target] | None] = {}

    def place(self, start: int, end: int) -> int | None:
        """Return the new start of old span [start, end) in the new paragraph that its old paragraph became,
        where the diff of the two keeps the span unchanged; None when no new paragraph is clearly its old one."""
        target = self._target_of(start, end)
        if target is None:
            return None
        low, high = paragraph(self.old, start, end)
        at = span_in(self.old[low:high], self.new[target.start : target.end], target.runs, start - low, end - low)
        return None if at is None else target.start + at

    def became(self, start: int, end: int) -> tuple[int, int] | None:
        """Return the bounds of the new paragraph that the old paragraph around span [start, end) clearly became
        (see _target), or None."""
        target = self._target_of(start, end)
        return None if target is None else (target.start, target.end)

    def holding_most(self, start: int, end: int) -> tuple[int, int] | None:
        """Return the bounds of the new paragraph holding the longest stretch of the old paragraph around span
        [start, end) that the revision's diff keeps, if that is at least PIECE_LENGTH code points: where the rest of
        an old paragraph that lost more than half of its text stands. None without a revision."""
        if "\n" in self.old[start:end]:
            return None
        return self._holding_longest_kept(*paragraph(self.old, start, end), self.new, new_side=False)

    def old_place(self, start: int, end: int) -> int | None:
        """Return where new [start, end) was in the old text when its new paragraph is clearly what one old
        paragraph became (moved, or edited) and the diff of the two keeps that text unchanged; else None. The diff
        of the whole texts sees a moved paragraph as new text: this says whose text it still is."""
        source = self._source_of(start, end)
        if source is None:
            return None
        old_low, target = source
        at, at_end = start - target.start, end - target.start
        for op, old_from, _, new_from, new_to in target.runs:
            if op == "=" and new_from <= at and at_end <= new_to:
                return old_low + old_from + at - new_from
        return None

    def _source_of(self, start: int, end: int) -> tuple[int, _Target] | None:
        """Return the old paragraph's start and its _Target when new [start, end) is in the new paragraph that
        exactly one old paragraph clearly became; else None."""
        if "\n" in self.new[start:end]:
            return None
        low, high = paragraph(self.new, start, end)
        if low not in self._sources:
            claims = [
                (old_low, target)
                for old_low, _ in self._candidates(self.new, low, high, self.old, new_side=True)
                if (target := self._target_of(old_low, old_low)) and (target.start, target.end) == (low, high)
            ]
            self._sources[low] = claims[0] if len(claims) == 1 else None
        return self._sources[low]

    def _candidates(self, text: str, low: int, high: int, other: str, *, new_side: bool) -> set[tuple[int, int]]:
        """Return the paragraphs of `other` that may hold paragraph text[low:high] (new text, with `new_side`): those
        holding a piece of it found once in each text, and the one holding the longest stretch of it that the diff
        keeps, if that is at least PIECE_LENGTH code points."""
        found = _holding(text, low, high, other)
        if (kept := self._holding_longest_kept(low, high, other, new_side=new_side)) is not None:
            found.add(kept)
        return found

    def _holding_longest_kept(self, low: int, high: int, other: str, *, new_side: bool) -> tuple[int, int] | None:
        """Return the paragraph of `other` holding the longest stretch of paragraph [low, high) (of the new text, with
        `new_side`) that the revision's diff keeps, if that is at least PIECE_LENGTH code points; else None."""
        kept = self.revision.longest_kept(low, high, new_side=new_side) if self.revision is not None else None
        return paragraph(other, *kept) if kept is not None and kept[1] - kept[0] >= PIECE_LENGTH else None

    def _target_of(self, start: int, end: int) -> _Target | None:
        if "\n" in self.old[start:end]:
            return None  # the span crosses a paragraph break
        low, high = paragraph(self.old, start, end)
        if low not in self._targets:
            self._targets[low] = self._target(low, high)
        return self._targets[low]

    def _target(self, low: int, high: int) -> _Target | None:
        """Return the new paragraph that keeps the most of old paragraph [low, high), at least KEPT_SHARE of it,
        among its candidates (see _candidates); None when there is none, or a tie."""
        old = self.old[low:high]
        ranked: list[tuple[int, _Target]] = []
        for start, end in self._candidates(self.old, low, high, self.new, new_side=False):
            runs = diff_runs(diff(old, self.new[start:end]))
            kept = sum(old_high - old_low for op, old_low, old_high, _, _ in runs if op == "=")
            ranked.append((kept, _Target(start, end, runs)))
        ranked.sort(key=lambda pair: -pair[0])
        if not ranked or ranked[0][0] < KEPT_SHARE * len(old) or len(ranked) > 1 and ranked[1][0] == ranked[0][0]:
            return None
        return ranked[0][1]


def _holding(text: str, low: int, high: int, other: str) -> set[tuple[int, int]]:
    """Return the paragraphs of `other` holding a piece of paragraph text[low:high] that occurs once in each text."""
    found = set()
    for at in range(low, max(low, high - PIECE_LENGTH) + 1, PIECE_STEP):
        piece = text[at : at + PIECE_LENGTH]
        if len(piece) == PIECE_LENGTH and len(find_all(text, piece, limit=2)) == 1:
            places = find_all(other, piece, limit=2)
            if len(places) == 1:
                found.add(paragraph(other, places[0], places[0]))
    return found


def paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the bounds of the paragraph (text between line breaks) around text[start:end], which has none."""
    high = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if high == -1 else high


def span_in(old: str, new: str, runs: list[Run], start: int, end: int) -> int | None:
    """Return where old[start:end] is in `new` by their diff (as runs) when it keeps the span unchanged in a run
    that surely pairs it (see _sure), or in text that one replacement kept (see kept_in); else None."""
    for index, (op, old_low, old_high, new_low, new_high) in enumerate(runs):
        if old_low <= start and end <= old_high:
            if op == "~":
                found = kept_in(old[old_low:old_high], new[new_low:new_high], start - old_low, end - old_low)
                return None if found is None else new_low + found
            return new_low + start - old_low if _sure(old, new, runs, index, start, end) else None
    return None


def _sure(old: str, new: str, runs: list[Run], index: int, start: int, end: int) -> bool:
    """True when unchanged run runs[index] surely pairs old[start:end] with its new text: the run goes on for
    PAIRED_CONTEXT code points beside the span or to the start or the end of both paragraphs, and no insertion or
    deletion right beside it begins (before it) or ends (after it) with text that the run has there up to the span:
    the diff could as well "slide" that edit over the span, pairing it with the copy in the insertion, or pairing
    the copy in the deletion with the span's new text."""
    _, old_low, old_high, new_low, new_high = runs[index]
    edge = (old_low, new_low) == (0, 0) or (old_high, new_high) == (len(old), len(new))
    if not edge and max(start - old_low, old_high - end) < PAIRED_CONTEXT:
        return False
    run = old[old_low:old_high]
    before = _edit_text(old, new, runs[index - 1]) if index > 0 else ""
    after = _edit_text(old, new, runs[index + 1]) if index + 1 < len(runs) else ""
    return start >= old_low + common_prefix(run, before) and end <= old_high - common_suffix(run, after)


def _edit_text(old: str, new: str, run: Run) -> str:
    """Return the text of a run that only inserts or only deletes; "" for others (a replacement does not slide)."""
    op, old_low, old_high, new_low, new_high = run
    if op == "=" or (old_low < old_high and new_low < new_high):
        return ""
    return new[new_low:new_high] if old_low == old_high else old[old_low:old_high]


def diff_runs(ops: list[tuple[str, int]]) -> list[Run]:
    """Return a diff as unchanged runs and replacements (what lies between two unchanged runs) with their bounds."""
    runs: list[Run] = []
    old_at = new_at = 0
    for op, count in ops:
        old_end = old_at + (count if op != "+" else 0)
        new_end = new_at + (count if op != "-" else 0)
        if op != "=" and runs and runs[-1][0] == "~":
            runs[-1] = ("~", runs[-1][1], old_end, runs[-1][3], new_end)
        else:
            runs.append(("=" if op == "=" else "~", old_at, old_end, new_at, new_end))
        old_at, new_at = old_end, new_end
    return runs


def kept_in(removed: str, added: str, start: int, end: int) -> int | None:
    """Return where removed[start:end] is in `added` when the replacement of `removed` by `added` really kept a run
    of at least MIN_KEPT code points around the span: all of one side, found once in the other (insertions or
    deletions on both sides of it), or the start of one side and the end of the other (an insertion on one side of
    it and a deletion on the other). Else None."""
    if len(removed) >= MIN_KEPT and added.count(removed) == 1:
        return added.index(removed) + start
    if len(added) >= MIN_KEPT and removed.count(added) == 1:
        at = removed.index(added)
        return start - at if at <= start and end <= at + len(added) else None
    for size in range(min(len(removed), len(added)), MIN_KEPT - 1, -1):
        if end <= size and removed[:size] == added[-size:]:
            return len(added) - size + start
        if start >= len(removed) - size and removed[-size:] == added[:size]:
            return start - (len(removed) - size)
    return None
