"""The diff of two revisions of an article's text, as a map from old offsets to new ones.

One character diff of old -> new text (diff-match-patch's C++ build: 2-8 ms on 50,000 code points, where
difflib takes seconds; its pure insertions and deletions slid to sentence ends, articles/diff_alignment.py) is
kept as sorted offset lists of unchanged runs and changed hunks, so each annotation's span is mapped by
bisection. Re-anchoring (articles/reanchoring.py) uses it to land every span no edit touched without any search,
after correcting the diff's "slides" by the span's stored context (unslid). Offsets are code points, end
exclusive. Pure: no Django.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

import fast_diff_match_patch

from articles.anchoring import CONTEXT_LENGTH
from articles.approximate_match import common_prefix, common_suffix
from articles.diff_alignment import aligned, survivor

# Past this many seconds diff-match-patch returns a coarser but valid diff (a full rewrite of 50,000 code points
# takes it 17 s otherwise); the search then finds the spans that the diff did not map.
DIFF_TIME_LIMIT = 0.25
# Unchanged code points beside a place, within its paragraph, that make the diff's pairing of it with old text sure.
PAIRED_CONTEXT = CONTEXT_LENGTH
# Edits this small (a typo fix, a word or two inserted) do not break that unchanged text: runs on both sides of them
# count together (see paired_across_small_edits).
SMALL_EDIT = 16


class RevisionMap:
    """The character diff of old -> new text as sorted runs: each unchanged run and each changed hunk
    (delete and/or insert), in old and new offsets."""

    def __init__(self, old: str, new: str):
        self.new = new
        self.old_length, self.new_length = len(old), len(new)
        self.equal_old: list[int] = []
        self.equal_old_end: list[int] = []
        self.equal_new: list[int] = []
        self.hunk_old: list[int] = []
        self.hunk_old_end: list[int] = []
        self.hunk_new: list[int] = []
        self.hunk_new_end: list[int] = []
        old_at = new_at = 0
        in_hunk = False
        for op, count in diff(old, new):
            if op == "=":
                self.equal_old.append(old_at)
                self.equal_new.append(new_at)
                old_at += count
                new_at += count
                self.equal_old_end.append(old_at)
                in_hunk = False
                continue
            if not in_hunk:
                self.hunk_old.append(old_at)
                self.hunk_new.append(new_at)
                self.hunk_old_end.append(old_at)
                self.hunk_new_end.append(new_at)
                in_hunk = True
            if op == "-":
                old_at += count
                self.hunk_old_end[-1] = old_at
            else:
                new_at += count
                self.hunk_new_end[-1] = new_at

    def untouched(self, start: int, end: int) -> int | None:
        """Return the new start of old span [start, end) if it lies inside one unchanged run, else None."""
        run = bisect_right(self.equal_old, start) - 1
        if run >= 0 and end <= self.equal_old_end[run]:
            return self.equal_new[run] + start - self.equal_old[run]
        return None

    def unslid(
        self, quote: str, prefix: str, suffix: str, old_start: int, start: int, boundary: Callable[[int, int], bool]
    ) -> int:
        """Return the new start of the unchanged quote that the diff maps to new offset `start` (from
        `old_start`), judged by its stored context: a diff "slides" an insertion that begins or ends with a copy
        of the quote (a templated sentence inserted next to its twin), pairing the quote with either copy at equal
        cost. When the context on one side no longer agrees, a copy on that side in the text the diff does not
        surely pair (see unsure_around) wins if more of the stored context within the paragraph agrees with it,
        code point for code point from the quote outwards, and the text between the two copies is not better
        placed as an insertion with the diff's copy kept (at sentence ends rather than mid-sentence, see
        diff_alignment.survivor); else the diff's place stays. `boundary(start, end)` says whether a copy is whole
        characters."""
        text, length, end = self.new, len(quote), start + len(quote)
        prefix, suffix = prefix[prefix.rfind("\n") + 1 :], suffix.split("\n", 1)[0]

        def agreeing(at: int) -> tuple[int, int]:
            before, after = text[max(0, at - len(prefix)) : at], text[at + length : at + length + len(suffix)]
            return common_suffix(before, prefix), common_prefix(after, suffix)

        if text.endswith(prefix, 0, start) and text.startswith(suffix, end):
            return start  # the context is whole on both sides (most spans): nothing slid
        before, after = agreeing(start)
        low, high = self.unsure_around(start, end)
        paragraph_low, paragraph_high = text.rfind("\n", 0, start) + 1, text.find("\n", end)
        windows = []
        if before < len(prefix):
            windows.append((max(low - length, paragraph_low), start))
        if after < len(suffix):
            windows.append((end, min(high + length, len(text) if paragraph_high == -1 else paragraph_high)))
        best, most = start, before + after
        for low, high in windows:
            at = text.find(quote, low, high)
            while at != -1:
                paired = self.old_place(at, at + length)
                if (paired is None or paired == old_start) and boundary(at, at + length):
                    count = sum(agreeing(at))
                    if count > most and survivor(text, min(at, best), max(at, best), length) != best:
                        best, most = at, count
                at = text.find(quote, at + 1, high)
        return best

    def unsure_around(self, start: int, end: int) -> tuple[int, int]:
        """Return the new range around new span [start, end) (inside one unchanged run) out to the nearest
        unchanged runs of at least PAIRED_CONTEXT code points on either side, not counting its own: between them
        the diff's pairing of text is not sure (changed hunks, and short runs that may pair a repeated phrase with
        another copy of it)."""
        run = bisect_right(self.equal_new, start) - 1
        if run < 0:
            return start, end
        low_run = run - 1
        while low_run >= 0 and self.equal_old_end[low_run] - self.equal_old[low_run] < PAIRED_CONTEXT:
            low_run -= 1
        high_run = run + 1
        while (
            high_run < len(self.equal_new) and self.equal_old_end[high_run] - self.equal_old[high_run] < PAIRED_CONTEXT
        ):
            high_run += 1
        low = 0 if low_run < 0 else self.equal_new[low_run] + self.equal_old_end[low_run] - self.equal_old[low_run]
        high = self.new_length if high_run >= len(self.equal_new) else self.equal_new[high_run]
        return low, high

    def old_start(self, start: int, end: int) -> int | None:
        """Return the old start of new span [start, end) if it lies inside one unchanged run, else None."""
        run = bisect_right(self.equal_new, start) - 1
        if run < 0 or end > self.equal_new[run] + self.equal_old_end[run] - self.equal_old[run]:
            return None
        return self.equal_old[run] + start - self.equal_new[run]

    def old_place(self, start: int, end: int) -> int | None:
        """Return the old start of new span [start, end) if it lies inside one unchanged run that goes on for at
        least PAIRED_CONTEXT code points on one side, else None: the diff surely pairs it with that old text (a
        run that is just a repeated phrase may pair one copy with another)."""
        run = bisect_right(self.equal_new, start) - 1
        if run < 0:
            return None
        run_start, run_end = self.equal_new[run], self.equal_new[run] + self.equal_old_end[run] - self.equal_old[run]
        if end > run_end or not self._paired(run_start, run_end, start, end):
            return None
        return self.equal_old[run] + start - self.equal_new[run]

    def longest_kept(self, low: int, high: int, *, new_side: bool = False) -> tuple[int, int] | None:
        """Return where the longest unchanged stretch of old [low, high) is in the new text (with `new_side`: of
        new [low, high), in the old text), or None when the diff keeps none of it."""
        starts, others = (self.equal_new, self.equal_old) if new_side else (self.equal_old, self.equal_new)
        best = None
        run = max(0, bisect_right(starts, low) - 1)
        while run < len(starts) and starts[run] < high:
            length = self.equal_old_end[run] - self.equal_old[run]
            kept_low, kept_high = max(low, starts[run]), min(high, starts[run] + length)
            if kept_low < kept_high and (best is None or kept_high - kept_low > best[1] - best[0]):
                best = (others[run] + kept_low - starts[run], others[run] + kept_high - starts[run])
            run += 1
        return best

    def old_bounds(self, start: int, end: int) -> tuple[int, int] | None:
        """Return the old offsets of both ends of new span [start, end) when each end lies inside an unchanged run of
        at least PAIRED_CONTEXT code points that goes on past it: the span is then old text of that place, perhaps
        edited inside. Else None."""
        bounds = []
        for at in (start, end):
            run = bisect_right(self.equal_new, at - 1) - 1  # the run holding the code point before `at`
            if run < 0:
                return None
            length = self.equal_old_end[run] - self.equal_old[run]
            if length < PAIRED_CONTEXT or at >= self.equal_new[run] + length:
                return None
            bounds.append(self.equal_old[run] + at - self.equal_new[run])
        return bounds[0], bounds[1]

    def keeps_paragraph(self, start: int, end: int) -> bool:
        """True when new span [start, end) lies in one unchanged run that holds its whole paragraph with the line
        breaks around it (or the text's edges): the diff pairs that paragraph with an old one word for word."""
        run = bisect_right(self.equal_new, start) - 1
        if run < 0:
            return False
        run_start, old_start = self.equal_new[run], self.equal_old[run]
        run_end, old_end = run_start + self.equal_old_end[run] - old_start, self.equal_old_end[run]
        before, after = self.new.rfind("\n", 0, start), self.new.find("\n", end)
        starts = run_start <= before if before != -1 else run_start == old_start == 0
        ends = after < run_end if after != -1 else (run_end, old_end) == (self.new_length, self.old_length)
        return end <= run_end and starts and ends

    def paired(self, start: int, end: int) -> bool:
        """True when new span [start, end) lies inside one unchanged run that goes on for at least PAIRED_CONTEXT
        code points on one side within its paragraph: the diff surely pairs it with its old text."""
        run = bisect_right(self.equal_new, start) - 1
        if run < 0:
            return False
        run_end = self.equal_new[run] + self.equal_old_end[run] - self.equal_old[run]
        return end <= run_end and self._paired(self.equal_new[run], run_end, start, end)

    def paired_across_small_edits(self, start: int, end: int, quote: str) -> bool:
        """True when new span [start, end) (inside one unchanged run) has at least PAIRED_CONTEXT code points of
        unchanged text on one side within its paragraph, counting the runs on both sides of edits of at most
        SMALL_EDIT code points (a typo fixed or a word inserted right next to the span), and its quote occurs nowhere
        else near it: the diff then surely pairs it with its old text, though its own run is short."""
        run = bisect_right(self.equal_new, start) - 1
        if run < 0:
            return False
        new = self.new
        low = new.rfind("\n", 0, start) + 1
        high = len(new) if (found := new.find("\n", end)) == -1 else found
        if new.count(quote, max(low, start - 2 * PAIRED_CONTEXT), min(high, end + 2 * PAIRED_CONTEXT)) != 1:
            return False  # a copy nearby: the diff may have paired the span with it
        return max(self._unchanged_before(run, start, low), self._unchanged_after(run, end, high)) >= PAIRED_CONTEXT

    def _unchanged_before(self, run: int, offset: int, low: int) -> int:
        """Count unchanged new code points from `offset` (in run `run`) back to `low`, across small edits."""
        total = 0
        while True:
            run_start = self.equal_new[run]
            total += offset - max(run_start, low)
            if run_start <= low or run == 0 or total >= PAIRED_CONTEXT:
                return total
            previous_end = self.equal_new[run - 1] + self.equal_old_end[run - 1] - self.equal_old[run - 1]
            edit = max(run_start - previous_end, self.equal_old[run] - self.equal_old_end[run - 1])
            if edit > SMALL_EDIT or previous_end <= low:
                return total
            run, offset = run - 1, previous_end

    def _unchanged_after(self, run: int, offset: int, high: int) -> int:
        """Count unchanged new code points from `offset` (in run `run`) on to `high`, across small edits."""
        total = 0
        while True:
            run_end = self.equal_new[run] + self.equal_old_end[run] - self.equal_old[run]
            total += min(run_end, high) - offset
            if run_end >= high or run + 1 == len(self.equal_new) or total >= PAIRED_CONTEXT:
                return total
            next_start = self.equal_new[run + 1]
            edit = max(next_start - run_end, self.equal_old[run + 1] - self.equal_old_end[run])
            if edit > SMALL_EDIT or next_start >= high:
                return total
            run, offset = run + 1, next_start

    def _paired(self, run_start: int, run_end: int, start: int, end: int) -> bool:
        # Only unchanged text within the place's paragraph counts: paragraphs move (a run that goes on across a
        # paragraph break may be another copy of a repeated sentence followed by the same next paragraph).
        before = start - max(run_start, self.new.rfind("\n", run_start, start) + 1)
        after_break = self.new.find("\n", end, run_end)
        after = (run_end if after_break == -1 else after_break) - end
        return max(before, after) >= PAIRED_CONTEXT

    def neighbours_kept(self, start: int, end: int, own: tuple[int, int], paragraph: tuple[int, int]) -> int:
        """Return how many code points of new span [start, end) lie in unchanged runs of at least PAIRED_CONTEXT
        code points that the diff pairs with old `paragraph` (bounds) outside old span `own` in it: the words next
        to that span, which the diff says are still there (the sentence before a deleted one)."""
        (own_start, own_end), (low, high) = own, paragraph
        count = 0
        run = max(0, bisect_right(self.equal_new, start) - 1)
        while run < len(self.equal_new) and self.equal_new[run] < end:
            length = self.equal_old_end[run] - self.equal_old[run]
            new_low, new_high = max(start, self.equal_new[run]), min(end, self.equal_new[run] + length)
            if new_low < new_high and length >= PAIRED_CONTEXT:
                old_low = self.equal_old[run] + new_low - self.equal_new[run]
                old_high = old_low + new_high - new_low
                count += max(0, min(old_high, own_start) - max(old_low, low))
                count += max(0, min(old_high, high) - max(old_low, own_end))
            run += 1
        return count

    def without_neighbours(
        self, start: int, end: int, own: tuple[int, int], paragraph: tuple[int, int]
    ) -> tuple[int, int]:
        """Return new span [start, end) without the text at either end of it that lies in an unchanged run of at
        least PAIRED_CONTEXT code points pairing it with old `paragraph` (bounds) before or after old span `own`:
        the words next to that span, which the diff says are still there, are not the span's."""
        (own_start, own_end), (low, high) = own, paragraph
        run = bisect_right(self.equal_new, start) - 1
        if run >= 0:
            length = self.equal_old_end[run] - self.equal_old[run]
            run_end = self.equal_new[run] + length
            old_start = self.equal_old[run] + start - self.equal_new[run]
            if length >= PAIRED_CONTEXT and start < run_end and low <= old_start < own_start:
                start = min(run_end, start + own_start - old_start)
        run = bisect_right(self.equal_new, end - 1) - 1
        if run >= 0:
            length = self.equal_old_end[run] - self.equal_old[run]
            old_end = self.equal_old[run] + end - self.equal_new[run]
            if length >= PAIRED_CONTEXT and end <= self.equal_new[run] + length and own_end < old_end <= high:
                end = max(self.equal_new[run], end - (old_end - own_end))
        return start, end

    def replaced_region(self, start: int, end: int) -> tuple[int, int]:
        """Return the new range that the diff puts between old `start` and old `end`: from where the unchanged text
        before `start` ends (or `start` itself, if unchanged) to where the unchanged text after `end` begins."""
        run = bisect_right(self.equal_old, start) - 1
        if run < 0:
            low = 0
        elif start < self.equal_old_end[run]:
            low = self.equal_new[run] + start - self.equal_old[run]
        else:
            low = self.equal_new[run] + self.equal_old_end[run] - self.equal_old[run]
        run = bisect_right(self.equal_old, end - 1) - 1
        if run >= 0 and end <= self.equal_old_end[run]:
            high = self.equal_new[run] + end - self.equal_old[run]
        else:
            high = self.equal_new[run + 1] if run + 1 < len(self.equal_new) else self.new_length
        return low, high

    def anchored(self, start: int, end: int) -> bool:
        """True when the diff maps old span [start, end) closely: its first or last code point is unchanged, or
        the change covering both is not much longer than the span (a rewording, not a moved paragraph, whose
        span the diff maps to some place in the inserted text)."""
        if self.untouched(start, start + 1) is not None or self.untouched(end - 1, end) is not None:
            return True
        hunk = bisect_right(self.hunk_old, start) - 1
        return (
            hunk >= 0
            and end <= self.hunk_old_end[hunk]
            and self.hunk_old_end[hunk] - self.hunk_old[hunk] <= 2 * (end - start) + CONTEXT_LENGTH
        )

    def map_start(self, offset: int) -> int:
        """Map an old start offset: text inserted just before it stays outside, a replacement of it inside."""
        run = bisect_right(self.equal_old, offset) - 1
        if run >= 0 and offset < self.equal_old_end[run]:
            return self.equal_new[run] + offset - self.equal_old[run]
        hunk = bisect_right(self.hunk_old, offset) - 1
        if hunk < 0 or offset >= self.hunk_old_end[hunk]:
            return self.new_length
        return self.hunk_new[hunk] + min(offset - self.hunk_old[hunk], self.hunk_new_end[hunk] - self.hunk_new[hunk])

    def map_end(self, offset: int) -> int:
        """Map an old end offset: text inserted just after it stays outside, a replacement of it inside."""
        run = bisect_right(self.equal_old, offset - 1) - 1
        if run >= 0 and offset <= self.equal_old_end[run]:
            return self.equal_new[run] + offset - self.equal_old[run]
        hunk = bisect_right(self.hunk_old, offset - 1) - 1
        if hunk < 0:
            return 0
        if offset >= self.hunk_old_end[hunk]:
            return self.hunk_new_end[hunk]
        return self.hunk_new[hunk] + min(offset - self.hunk_old[hunk], self.hunk_new_end[hunk] - self.hunk_new[hunk])


def diff(old: str, new: str) -> list[tuple[str, int]]:
    """Return the character diff of old -> new as ("=" | "-" | "+", code points) runs, semantically cleaned
    (no chance one-letter equalities inside a rewritten sentence), its pure insertions and deletions slid to
    sentence ends (diff_alignment.aligned)."""
    runs = fast_diff_match_patch.diff(old, new, timelimit=DIFF_TIME_LIMIT, checklines=True, cleanup="Semantic")
    return aligned(runs, old, new)
