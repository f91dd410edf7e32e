"""Re-anchoring: carry annotations from one revision of an article's text to the next.

A correction usually changes a few places, so one character diff of old -> new text (diff-match-patch's C++ build)
maps every span that no edit touched by bisecting the diff's unchanged runs: no search at all for most annotations.
Only spans the diff touched (an edit inside them, or a moved paragraph, which a diff sees as delete + insert) and
spans already orphaned are searched for, Hypothesis-style: the quote by edit distance (Myers' bit-parallel algorithm
on Python integers), its stored prefix and suffix, and nearness to where the diff says the span went. A wrong
landing is worse than an orphan, so a found place must carry enough evidence and beat every other place clearly. Two
corrections to the diff: it may pair an untouched quote with an identical copy that an edit put right beside it (the
stored context then decides, articles/revision_map.py), and a span whose stored context cannot tell where it went
(its paragraph moved while its neighbours were edited, or the context also occurs elsewhere) may follow the rest of
its old paragraph (but not to a copy of its words a few words away, when the paragraph agrees better where the diff
maps the span). A span found outside the paragraph that its old paragraph became (or, if it lost more than half of
its text, the one holding most of what is left) must have all the rest of its old sentence around it, and the rest
of its old sentence must be gone from where it was (a moved sentence), or it is another passage of like words; a
span found inside it must be in the sentence where the rest of its old sentence still stands; and a fuzzy match may
not take in words that the diff keeps next to the span (nor match only with them at its ends), nor be another old
passage edited inside, nor reach across a paragraph break. Text in a new paragraph that is clearly an
old one, moved or edited (articles/reanchor_paragraphs.py), is that old paragraph's text, whatever the diff paired
it with, and a span the diff pairs unsurely goes where the diff of its paragraph surely keeps it, if anywhere. A
span still orphaned is searched for once more where its old paragraph's text is now (the diff sees a moved paragraph
as a deletion and an insertion, and merges two edits close together into one replacement).
Offsets are code points, end exclusive. Pure: strings in, Landings out; no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from articles.anchoring import CONTEXT_LENGTH, find_all, split_character
from articles.approximate_match import (
    ApproximateQuote,
    Pattern,
    agreement,
    common_prefix,
    common_suffix,
    seed_windows,
    surroundings_agreement,
)
from articles.diff_alignment import sentence_bounds
from articles.reanchor_paragraphs import ParagraphMap, paragraph
from articles.revision_map import RevisionMap

EXACT, SHIFTED, FUZZY, ORPHANED = "exact", "shifted", "fuzzy", "orphaned"

# A fuzzy landing needs at least this quote similarity (1 - edit distance / longer length): a fifth of the quote's
# code points may change. Chosen on the bench/reanchor_bench.py corpus (docs/performance.md): the lowest threshold
# with no wrong fuzzy landing (0.75 and 0.7 each had two, scored 0.75 and 0.78), and every span with up to 10%
# changed still lands (0.85 starts to lose them). The product exposes it as the setting REANCHOR_FUZZY_THRESHOLD.
DEFAULT_THRESHOLD = 0.8
# Evidence is the share of quote + prefix + suffix code points that agree at a place (see _Finder._evaluate).
MIN_EVIDENCE = 0.5
# A place away from where the diff maps the span (a moved paragraph, an orphan coming back) needs more: its
# paragraph's text moved along with it, so the context within the paragraph must mostly be back.
MOVED_EVIDENCE = 0.7
# ... and must beat, by this much, the best place in the old text that was not the anchor's: a place that only
# looks as good as some other passage did is no proof (templated sentences repeat their words).
DISTINCT_MARGIN = 0.15
# Two places whose evidence differs by less than this are "about equally good": orphan rather than guess.
AMBIGUITY_MARGIN = 0.03
# Where the diff says the span went (its mapped range) counts for this much evidence: enough to settle a near tie.
LOCAL_BONUS = 2 * AMBIGUITY_MARGIN
NEAR = 8  # code points of context next to the quote that weigh as much as the whole prefix (or suffix)
POSITION_WEIGHT = 0.01  # nearness to the expected start: a tie-breaker below any margin
MAX_EXACT_CANDIDATES = 8  # occurrences of the quote scored in full (the best by plain context agreement)
OCCURRENCE_LIMIT = 1000  # occurrences of a quote looked at all
SEED_WINDOWS = 4  # places (where most pieces of quote and context agree) searched
CONFIDENT = 0.9  # a place with this much evidence ends the search early
# A span whose stored context cannot tell where it went may follow its old paragraph: up to this many code points
# of it on each side of the span (given at least 3/5 of them) must agree this much (see _by_paragraph).
PARAGRAPH_WINDOW = 160
PARAGRAPH_EVIDENCE = 0.75
# A quote found once in each text lands without context if it is at least this long (see _sure).
SURE_LENGTH = 20


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a stored annotation knows about where it was: offsets in the old text (None when already
    orphaned: search only), its quote, and up to CONTEXT_LENGTH code points of prefix and suffix."""

    start: int | None
    end: int | None
    quote: str
    prefix: str = ""
    suffix: str = ""

    def paragraph_context(self) -> tuple[str, str]:
        """Return the stored prefix and suffix cut at paragraph breaks: context across a break says little
        (paragraphs move), context within the paragraph moves along with the span."""
        return self.prefix[self.prefix.rfind("\n") + 1 :], self.suffix.split("\n", 1)[0]


@dataclass(frozen=True, slots=True)
class Landing:
    """Where an annotation lands in the new text; start and end are None iff ORPHANED, score is set for FUZZY."""

    status: str
    start: int | None
    end: int | None
    score: float | None


_ORPHAN = Landing(ORPHANED, None, None, None)


def reanchor(
    old_text: str, new_text: str, anchors: Sequence[Anchor], *, threshold: float = DEFAULT_THRESHOLD
) -> list[Landing]:
    """Return one Landing per anchor, in the same order: EXACT or SHIFTED when the span's text is unchanged,
    FUZZY (with its quote similarity as score, at least `threshold`) when it changed a little, else ORPHANED."""
    if not 0 < threshold <= 1:
        raise ValueError("threshold must be more than 0 and at most 1.")
    revision = RevisionMap(old_text, new_text)
    finder = _Finder(new_text, threshold, revision, old_text, ParagraphMap(old_text, new_text, revision))
    old_finder = _Finder(old_text, threshold)
    landings = []
    for anchor in anchors:
        landing = _land(anchor, revision, finder, old_finder)
        if landing.status == EXACT and (landing.start, landing.end) != (anchor.start, anchor.end):
            landing = Landing(SHIFTED, landing.start, landing.end, None)  # a stale anchor's offsets changed
        landings.append(landing)
    return landings


def _land(anchor: Anchor, revision: RevisionMap, finder: _Finder, old_finder: _Finder) -> Landing:
    if anchor.start is not None and not _fits(old_finder.text, anchor):
        anchor = _repaired(anchor, old_finder)  # stale offsets: where is its quote in the old text?
    if anchor.start is None or anchor.end is None:
        return finder.find(anchor, None)  # orphaned: its quote and context are all it has
    start, end = anchor.start, anchor.end
    expected = (revision.map_start(start), revision.map_end(end), revision.anchored(start, end))
    mapped = revision.untouched(start, end)
    if (
        mapped is None
        or not finder.on_boundaries(mapped, mapped + end - start)
        or finder.paired_with_another_paragraph(mapped, mapped + end - start, (start, end))
    ):
        return _searched(anchor, expected, finder)
    # The diff may pair the quote with a copy of it that an edit brought right beside it: its context decides.
    new_start = revision.unslid(anchor.quote, anchor.prefix, anchor.suffix, start, mapped, finder.on_boundaries)
    new_end = new_start + end - start
    if (
        new_start != mapped
        or (revision.paired(new_start, new_end) and not finder.edge_disagrees(anchor, new_start, new_end))
        or (
            revision.paired_across_small_edits(new_start, new_end, anchor.quote)
            and finder.context_mostly_agrees(anchor, new_start, new_end)
        )
        or finder.context_kept(anchor, new_start, new_end)
    ):
        return Landing(EXACT if new_start == start else SHIFTED, new_start, new_end, None)
    placed = finder.paragraphs.place(start, end)
    if placed is not None and placed != new_start:  # the diff of its paragraph surely keeps the span elsewhere
        return finder.follow(anchor, placed, placed + end - start)
    return finder.recheck(anchor, new_start, new_end)


def _searched(anchor: Anchor, expected: tuple[int, int, bool], finder: _Finder) -> Landing:
    """Search for an anchor whose text the diff did not surely keep; an orphan may still follow its paragraph."""
    landing = finder.find(anchor, expected)
    if landing.status == ORPHANED and (followed := finder.paragraphs.place(anchor.start, anchor.end)) is not None:
        return finder.follow(anchor, followed, followed + anchor.end - anchor.start)
    if landing.status != ORPHANED and _left_its_paragraph(anchor, landing, finder):
        return _ORPHAN
    return landing


def _left_its_paragraph(anchor: Anchor, landing: Landing, finder: _Finder) -> bool:
    """True when a span the diff touched was found away from its old sentence, so in another passage of like words
    (templated sentences repeat their words, and a stored context of 32 code points may agree there):
    - outside the new paragraph that its old paragraph became (clearly, or else the one holding the longest stretch
      of it that the diff keeps: a paragraph that lost more than half of its text), and not with all the rest of
      its old sentence around it (more than its stored context): a sentence moved to another paragraph takes all of
      its words along. A whole sentence moved is its own evidence only when it is a long quote found once in each
      text (see _Finder.sure_anywhere): a sentence that is still in its paragraph, edited around a long span in it,
      is not. Nor is a sentence whose rest still stands where it was, kept by the diff of the old paragraph and the
      one it became: the span's own words were deleted, and a copy of the sentence stands elsewhere;
    - inside that paragraph, but outside the sentence where the rest of its old sentence still stands: the span's
      own words were deleted or changed there, and another sentence of the paragraph holds a copy of them."""
    inside = finder.in_the_paragraph_it_became(anchor.start, anchor.end, landing.start, landing.end, loosely=True)
    if inside is None:
        return False
    before, after = _rest_of_sentence(finder.old, anchor.start, anchor.end)
    # The rest of its sentence but the spaces next to the span, as old ranges.
    rest = [
        (low, high)
        for low, high in (
            (anchor.start - len(before), anchor.start - len(before) + len(before.rstrip())),
            (anchor.end + len(after) - len(after.lstrip()), anchor.end + len(after)),
        )
        if low < high
    ]
    if inside:
        return _away_from_its_sentence(landing, rest, finder)
    if not (before or after):  # a whole sentence (or more)
        return not finder.sure_anywhere(anchor.quote)
    text, start, end = finder.text, landing.start, landing.end
    if text[max(0, start - len(before)) : start] != before or text[end : end + len(after)] != after:
        return True
    return any(finder.paragraphs.place(low, high) is not None for low, high in rest)


def _away_from_its_sentence(landing: Landing, rest: list[tuple[int, int]], finder: _Finder) -> bool:
    """True when the diff of the span's old paragraph and the one it became keeps all of `rest` (old ranges: the
    rest of the span's old sentence) and `landing` lies outside the new sentences holding it."""
    kept = [(at, at + high - low) for low, high in rest if (at := finder.paragraphs.place(low, high)) is not None]
    if not rest or len(kept) < len(rest):
        return False
    sentences = [_sentence(finder.text, low, high) for low, high in kept]
    return landing.end <= min(low for low, _ in sentences) or landing.start >= max(high for _, high in sentences)


def _rest_of_sentence(old: str, start: int, end: int) -> tuple[str, str]:
    """Return the old text before and after old span [start, end) up to its sentence ends (within its paragraph):
    all of it, not just the stored context, as a sentence that moved took all of its words along."""
    low, high = _sentence(old, start, end)
    return old[low:start], old[end:high]


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the bounds of the sentence (or sentences) around text[start:end], within its paragraph."""
    return sentence_bounds(text, start, end, *paragraph(text, start, end))


def _fits(text: str, anchor: Anchor) -> bool:
    start, end = anchor.start, anchor.end
    return bool(anchor.quote) and end is not None and 0 <= start < end <= len(text) and text[start:end] == anchor.quote


def _repaired(anchor: Anchor, old_finder: _Finder) -> Anchor:
    """Return the anchor at the place in the old text where its quote and context clearly are, else orphaned
    (offsets that do not match the quote come from another revision, or were stored wrongly)."""
    landing = old_finder.find(Anchor(None, None, anchor.quote, anchor.prefix, anchor.suffix), None)
    if landing.status in (EXACT, SHIFTED):
        return Anchor(landing.start, landing.end, anchor.quote, anchor.prefix, anchor.suffix)
    return Anchor(None, None, anchor.quote, anchor.prefix, anchor.suffix)


@dataclass(slots=True)
class _Place:
    start: int
    end: int
    similarity: float  # of the quote: 1 - edit distance / longer length
    evidence: float  # agreeing share of prefix + quote + suffix code points
    local: bool  # overlaps where the diff maps the old span
    rank: float


class _Query:
    """One anchor being searched for, with its patterns prepared once."""

    def __init__(
        self, anchor: Anchor, threshold: float, expected: tuple[int, int, bool] | None, *, bonus: float = LOCAL_BONUS
    ):
        self.anchor = anchor
        self.bonus = bonus  # added to the rank of places that overlap the expected place
        quote = anchor.quote
        self.length = len(quote)
        self.approximate = ApproximateQuote(quote, anchor.prefix[-1:], anchor.suffix[:1], threshold)
        self.pattern, self.max_errors = self.approximate.pattern, self.approximate.max_errors
        self.prefix_text, self.suffix_text = anchor.paragraph_context()
        self.prefix = Pattern(self.prefix_text) if self.prefix_text else None
        self.suffix = Pattern(self.suffix_text) if self.suffix_text else None
        # The code points right next to the quote tell copies of a repeated phrase apart best: they count twice.
        self.prefix_near = Pattern(self.prefix_text[-NEAR:]) if self.prefix_text else None
        self.suffix_near = Pattern(self.suffix_text[:NEAR]) if self.suffix_text else None
        self.expected = expected  # where the diff maps the old span in the new text, and whether closely
        self.own = (anchor.start, anchor.end) if expected is not None else None  # the old span, when valid

    def similarity(self, found: str) -> float:
        """Return 1 - edit distance / longer length of the quote and `found`."""
        if found == self.anchor.quote:
            return 1.0
        return 1 - self.pattern.distance(found) / max(self.length, len(found))


class _Finder:
    """Searches one text for anchors: the new text for those the diff could not map, and (`revision` None) the
    old text for the places that were *not* the anchor's, which tell how distinctive its quote and context are."""

    def __init__(
        self,
        text: str,
        threshold: float,
        revision: RevisionMap | None = None,
        old: str = "",
        paragraphs: ParagraphMap | None = None,
    ):
        self.text = text
        self.threshold = threshold
        self.revision = revision
        self.old = old
        self.paragraphs = paragraphs
        self._old_finder: _Finder | None = None
        self._unique: dict[str, bool] = {}

    def on_boundaries(self, start: int, end: int) -> bool:
        """True when neither end of text[start:end] splits a user-perceived character."""
        return self._boundary(start) and self._boundary(end)

    def _boundary(self, offset: int) -> bool:
        text = self.text
        if offset <= 0 or offset >= len(text) or (text[offset - 1] < "\x80" and text[offset] < "\x80"):
            return True  # two ASCII characters always have a boundary between them (canonical text has no CR)
        return split_character(text, offset) is None

    def context_mostly_agrees(self, anchor: Anchor, start: int, end: int) -> bool:
        """True when at least half of the stored context within the paragraph agrees around text[start:end], code
        point for code point from the quote outwards: unchanged text beside small edits makes the diff's pairing
        sure only if the words next to the span are still mostly its own (a paragraph the diff pairs with another,
        templated one keeps a few words around a repeated phrase and little else)."""
        (before, prefix), (after, suffix) = self._agreeing_context(anchor, start, end)
        return 2 * (before + after) >= prefix + suffix

    def edge_disagrees(self, anchor: Anchor, start: int, end: int) -> bool:
        """True when the code point right before text[start:end] differs from the last of the stored prefix, or
        the one right after it from the first of the suffix (within the paragraph): a long unchanged run on the
        other side then pairs the span with the start or end of a repeated sentence, not surely with its own."""
        (before, prefix), (after, suffix) = self._agreeing_context(anchor, start, end)
        return (prefix > 0 and before == 0) or (suffix > 0 and after == 0)

    def _agreeing_context(self, anchor: Anchor, start: int, end: int) -> tuple[tuple[int, int], tuple[int, int]]:
        """Return (agreeing code points, length) of the stored prefix and of the suffix within the paragraph,
        counted from text[start:end] outwards."""
        prefix, suffix = anchor.paragraph_context()
        before = common_suffix(_before(self.text, start), prefix)
        return (before, len(prefix)), (common_prefix(_after(self.text, end), suffix), len(suffix))

    def context_kept(self, anchor: Anchor, start: int, end: int) -> bool:
        """True when the stored prefix or suffix is exactly around text[start:end] (a short one meaning the text's
        start or end), and the quote with either its prefix or its suffix occurs nowhere else in the text: a place
        the diff mapped there is then surely the anchor's, and not another copy of a repeated passage."""
        text, prefix, suffix, quote = self.text, anchor.prefix, anchor.suffix, anchor.quote
        low = start - len(prefix)
        kept = (text[max(0, low) : start] == prefix and (len(prefix) >= CONTEXT_LENGTH or low == 0)) or (
            text[end : end + len(suffix)] == suffix
            and (len(suffix) >= CONTEXT_LENGTH or end + len(suffix) == len(text))
        )
        return kept and all(
            find_all(text, probe, limit=2) in ([], [at])
            for probe, at in ((prefix + quote, low), (quote + suffix, start))
            if probe != quote
        )

    def find(self, anchor: Anchor, expected: tuple[int, int, bool] | None, *, bonus: float = LOCAL_BONUS) -> Landing:
        """Search the new text for the anchor's quote and context; land on the one clearly best place, or orphan.
        `expected` is where the diff maps the anchor's old span (None when it has no valid one) and whether that
        mapping is close (the diff kept some of the span, or the change is not much longer); a place there ranks
        `bonus` higher."""
        if not anchor.quote:
            return _ORPHAN
        query = _Query(anchor, self.threshold, expected, bonus=bonus)
        found = self._places(query)
        places = [place for place in found if place.evidence >= MIN_EVIDENCE or self._sure(place, query)]
        best = self._clear_winner(query, places) or self._by_paragraph(query, found)
        if best is None:
            return _ORPHAN
        exact = [
            place for place in places if place.similarity == 1 and place.start < best.end and best.start < place.end
        ]
        if best.similarity < 1 and exact:
            best = max(exact, key=lambda place: place.rank)  # the unchanged quote, where a variant of it ranked best
        if self.text[best.start : best.end] == anchor.quote:
            return Landing(EXACT if (best.start, best.end) == query.own else SHIFTED, best.start, best.end, None)
        return Landing(FUZZY, best.start, best.end, round(best.similarity, 4))

    def follow(self, anchor: Anchor, start: int, end: int) -> Landing:
        """Search again for an anchor that was orphaned, now expecting it at new [start, end), where the diff of
        its old paragraph and the new paragraph holding that text puts it (articles/reanchor_paragraphs.py); land
        only there, else orphan. That place gets no bonus: it must beat every other place on its own evidence, as
        that diff too may pair the quote with a copy of it beside it; only a long quote with no copy in its
        paragraph lands there without (see _kept_whole)."""
        landing = self.find(anchor, (start, end, True), bonus=0.0)
        if landing.status == ORPHANED and self._kept_whole(anchor.quote, start, end):
            return Landing(EXACT if (start, end) == (anchor.start, anchor.end) else SHIFTED, start, end, None)
        if landing.status == ORPHANED or not (landing.start < end and start < landing.end):
            return _ORPHAN
        return landing

    def _kept_whole(self, quote: str, start: int, end: int) -> bool:
        """True when new [start, end) is the quote, at least SURE_LENGTH code points long and found nowhere else in
        its paragraph: the diff of its paragraph keeps it there, and with no copy beside it to be mistaken for, it
        needs no stored context (sentences inserted on both sides of a quoted sentence change all of it)."""
        low, high = paragraph(self.text, start, end)
        return len(quote) >= SURE_LENGTH and self.text[start:end] == quote and self.text.count(quote, low, high) == 1

    def recheck(self, anchor: Anchor, start: int, end: int) -> Landing:
        """Land an anchor whose text the diff left unchanged at new [start, end), but where neither its context
        nor the diff's unchanged run around it make that pairing sure (a repeated phrase: the diff may pair one
        copy with another). Another copy of the quote wins if its context is clearly better, unless the diff maps
        it from another old copy that it suits as well, or it is new text (see _inserted); else the diff's copy."""
        query = _Query(anchor, self.threshold, (start, end, True), bonus=0.0)
        matches = {
            match
            for match in self._exact_matches(query)
            if not self._another_copys(query, *match) and not self._inserted(query, start, end, *match)
        }
        copies = [self._evaluate(query, *match) for match in matches | {(start, end)}]
        places = [place for place in copies if place is not None and self.text[place.start : place.end] == anchor.quote]
        best = self._clear_winner(  # the diff says the text is still there: the question is only which copy
            query,
            [p for p in places if p.evidence >= MIN_EVIDENCE or (p.start, p.end) == (start, end)],
            distinct=False,
        )
        if best is None or best.start < end and start < best.end:
            best = _Place(start, end, 1.0, 0.0, True, 0.0)  # rule 1: where the diff maps the unchanged text
        return Landing(EXACT if (best.start, best.end) == query.own else SHIFTED, best.start, best.end, None)

    def _inserted(self, query: _Query, start: int, end: int, other: int, other_end: int) -> bool:
        """True when another copy [other, other_end) is text the diff says is new and
        - in the paragraph of the diff's copy [start, end), and the paragraph map does not place it in the old text
          either: a sentence inserted beside the span's may carry the words that stood around the span (a stored
          context agrees better there), but the diff kept the span itself;
        - in another paragraph, and not in the paragraph that the anchor's old paragraph clearly became: the diff
          pairs a span with a copy in another paragraph wrongly only when the span's own paragraph moved, and the
          rest of that paragraph's text then tells where it went (a sentence inserted elsewhere is not it)."""
        if self.revision is None or self.revision.old_start(other, other_end) is not None or query.own is None:
            return False
        if "\n" not in self.text[min(start, other) : max(end, other_end)]:
            return self.paragraphs is not None and self.paragraphs.old_place(other, other_end) is None
        return not self.in_the_paragraph_it_became(*query.own, other, other_end)

    def _another_copys(self, query: _Query, start: int, end: int) -> bool:
        """True when the diff maps new [start, end) from another old copy of the quote whose own surroundings agree
        with the text around it at least as well as the anchor's stored context does: that copy is still there, so
        this place is not the anchor's. (Copies the diff paired crosswise, across swapped paragraphs, fail this.)"""
        old_start = self.revision.old_start(start, end) if self.revision is not None else None
        if old_start is None or old_start == query.anchor.start:
            return False
        before, after = _before(self.text, start), _after(self.text, end)
        theirs = common_suffix(before, _before(self.old, old_start)) + common_prefix(
            after, _after(self.old, old_start + end - start)
        )
        return theirs >= common_suffix(before, query.prefix_text) + common_prefix(after, query.suffix_text)

    def _clear_winner(self, query: _Query, places: list[_Place], *, distinct: bool = True) -> _Place | None:
        """Return the best-ranked place if it beats every place apart from it by a margin and has the evidence
        its kind needs: a place the diff does not support needs MOVED_EVIDENCE and (`distinct`) to beat every
        place in the old text that was not the anchor's, unless it is a unique phrase (see _sure). Else None."""
        if not places:
            return None
        places.sort(key=lambda place: -place.rank)
        best = places[0]
        for other in places[1:]:
            if (other.end <= best.start or other.start >= best.end) and other.rank > best.rank - AMBIGUITY_MARGIN:
                return None  # two places about equally good: a wrong landing is worse than an orphan
        if distinct and not best.local and not self._sure(best, query):
            if best.evidence < MOVED_EVIDENCE or best.evidence < self._background(query) + DISTINCT_MARGIN:
                return None  # not enough to follow it away from its place, or the old text had as good a place
        return best

    def _by_paragraph(self, query: _Query, places: list[_Place]) -> _Place | None:
        """Return the copy of the unchanged quote around which the anchor's old paragraph clearly is again, when
        its stored context could not tell (a one-word span whose paragraph moved while the words next to it were
        edited, or whose context also occurs elsewhere): the paragraph's other words moved along with it, so up to
        PARAGRAPH_WINDOW code points of it on each side must mostly agree, clearly better than at any other copy
        and than around any other copy of the quote in the old text. Else None (orphan)."""
        if query.own is None or not self.old:
            return None
        quote, (own_start, own_end) = query.anchor.quote, query.own
        scored = []
        for place in places:
            if self.text[place.start : place.end] == quote:
                agreeing = surroundings_agreement(
                    self.old, own_start, own_end, self.text, place.start, place.end, PARAGRAPH_WINDOW
                )
                if agreeing is not None:
                    scored.append((agreeing, place))
        scored.sort(key=lambda pair: -pair[0])
        if not scored or scored[0][0] < PARAGRAPH_EVIDENCE:
            return None
        agreeing, best = scored[0]
        if any(other > agreeing - DISTINCT_MARGIN for other, _ in scored[1:]):
            return None
        if self._agrees_better_where_expected(query, best, agreeing):
            return None
        revision, length = self.revision, len(quote)
        for start in find_all(self.old, quote, limit=OCCURRENCE_LIMIT):
            moved_to = revision.untouched(start, start + length) if revision is not None else None
            if moved_to is not None and moved_to != best.start and revision.paired(moved_to, moved_to + length):
                continue  # the diff surely keeps that copy elsewhere: the best place is not it
            if start != own_start:  # would the best place's paragraph agree as well with that copy's?
                other = surroundings_agreement(
                    self.old, start, start + length, self.text, best.start, best.end, PARAGRAPH_WINDOW
                )
                if other is not None and other > agreeing - DISTINCT_MARGIN:
                    return None  # the old text had another such paragraph: this may be its copy
        return best

    def _agrees_better_where_expected(self, query: _Query, best: _Place, agreeing: float) -> bool:
        """True when the diff maps the anchor's old span closely to a place away from `best` (whose paragraph agrees
        `agreeing` with the old one around the span) and the paragraph agrees better around that place, by
        LOCAL_BONUS: the span's own text was changed there, and `best` is a copy of its words shifted in the same
        paragraph (surroundings_agreement forgives a shift of a few words)."""
        low, high, close = query.expected
        if not close or low >= high or (best.start < high and low < best.end):
            return False
        there = surroundings_agreement(self.old, *query.own, self.text, low, high, PARAGRAPH_WINDOW)
        return there is not None and there >= agreeing + LOCAL_BONUS

    def _sure(self, place: _Place, query: _Query) -> bool:
        """True for the unchanged quote found once in the old text and once in the new: wherever it went, it is
        the anchor's text (a moved paragraph whose context changed all around; text the diff says was already
        there is another passage and never gets here, see _evaluate). A quote shorter than SURE_LENGTH (a word, a
        name) must also be where the diff replaced the anchor's old text (the edit rewrote the words around it), or,
        where the diff deleted its old text, have the evidence any place needs (MIN_EVIDENCE, not MOVED_EVIDENCE: a
        moved paragraph whose words next to the span changed): a short quote deleted in one place and written again
        elsewhere with other words around it is a new passage. A long one found away from there also needs its old
        text deleted, not rewritten, unless it is in the paragraph its old paragraph clearly became: a sentence
        edited where it stands is not the same sentence inserted elsewhere."""
        if place.similarity < 1 or self.revision is None:
            return False
        quote = query.anchor.quote
        if query.own is None:
            return self.sure_anywhere(quote)
        if not self._once_in_each(quote):
            return False
        low, high = self.revision.replaced_region(*query.own)
        if low <= place.start and place.end <= high:
            return True
        rewritten = bool(self.text[low:high].strip())  # not deleted: the diff put other text where it was
        if len(quote) < SURE_LENGTH:
            return not rewritten and place.evidence >= MIN_EVIDENCE
        return not rewritten or self.in_the_paragraph_it_became(*query.own, place.start, place.end) is not False

    def in_the_paragraph_it_became(
        self, own_start: int, own_end: int, start: int, end: int, *, loosely: bool = False
    ) -> bool | None:
        """Return whether new [start, end) lies in the new paragraph that the old paragraph around old span
        [own_start, own_end) clearly became (articles/reanchor_paragraphs.py); None when none clearly is. With
        `loosely`, the new paragraph holding what is left of it then stands in (see ParagraphMap.holding_most)."""
        if self.paragraphs is None:
            return None
        became = self.paragraphs.became(own_start, own_end)
        if became is None and loosely:
            became = self.paragraphs.holding_most(own_start, own_end)
        return None if became is None else became[0] <= start and end <= became[1]

    def sure_anywhere(self, quote: str) -> bool:
        """True for a quote of at least SURE_LENGTH code points found once in the old text and once in the new:
        wherever it went, it is the anchor's text."""
        return len(quote) >= SURE_LENGTH and self._once_in_each(quote)

    def _once_in_each(self, quote: str) -> bool:
        if quote not in self._unique:
            self._unique[quote] = (
                len(find_all(self.old, quote, limit=2)) == len(find_all(self.text, quote, limit=2)) == 1
            )
        return self._unique[quote]

    def paired_with_another_paragraph(self, start: int, end: int, own: tuple[int, int]) -> bool:
        """True when the diff maps old span `own` to new [start, end), but that text is, by the paragraph map, kept
        text of another old paragraph: one that moved next to a copy of the span, whose words the diff paired with
        the span's. A paragraph the diff keeps whole, line breaks included, is not questioned (nor looked up)."""
        return not self.revision.keeps_paragraph(start, end) and self.another_passage(start, end, own)

    def another_passage(self, start: int, end: int, own: tuple[int, int] | None) -> bool:
        """True when new [start, end) was already in the old text, elsewhere than the anchor's old span `own`
        (see _old_place): another passage, whose words these are."""
        old_start = self._old_place(start, end)
        if old_start is None:
            return False
        return own is None or not (old_start < own[1] and own[0] < old_start + end - start)

    def _old_place(self, start: int, end: int) -> int | None:
        """Return where new [start, end) was in the old text: by the old paragraph its new paragraph clearly is, or
        else by the diff (which sees a moved paragraph's text as new, or pairs pieces of it with like words near
        where it went); None for new text (or no revision)."""
        if self.revision is None:
            return None
        old_start = self.paragraphs.old_place(start, end) if self.paragraphs is not None else None
        return self.revision.old_place(start, end) if old_start is None else old_start

    def _edited_passage(self, start: int, end: int, own: tuple[int, int], max_errors: int) -> bool:
        """True when the diff pairs both ends of new [start, end) surely with old text away from the anchor's old
        span `own`, about as long apart: that old passage with a small edit inside (a typo fixed in a like
        sentence elsewhere), not the anchor's text."""
        bounds = self.revision.old_bounds(start, end)
        if bounds is None or (bounds[0] < own[1] and own[0] < bounds[1]):
            return False
        return abs(bounds[1] - bounds[0] - (end - start)) <= max_errors

    def _background(self, query: _Query) -> float:
        """Return the best evidence of a place in the old text other than the anchor's own span."""
        if self._old_finder is None:
            self._old_finder = _Finder(self.old, self.threshold)
        places = self._old_finder._places(_Query(query.anchor, self.threshold, None), exclude=query.own)
        return max((place.evidence for place in places), default=0.0)

    def _seed_windows(self, query: _Query) -> list[tuple[int, int]]:
        anchor, expected, length = query.anchor, query.expected, query.length
        probe = anchor.prefix + anchor.quote + anchor.suffix
        windows = seed_windows(self.text, probe, len(anchor.prefix), length, query.max_errors)[:SEED_WINDOWS]
        if expected is None:
            return windows
        # The expected place was searched already.
        return [(low, high) for low, high in windows if low >= expected[1] + length or high <= expected[0] - length]

    def _places(self, query: _Query, exclude: tuple[int, int] | None = None) -> list[_Place]:
        """Collect scored places: exact occurrences of the quote, the best approximate matches near the expected
        place, and (unless one place is already convincing) near where pieces of quote and context occur."""
        places: dict[tuple[int, int], _Place] = {}

        def add(start: int, end: int) -> None:
            if (start, end) not in places and not (exclude and start < exclude[1] and exclude[0] < end):
                if (place := self._evaluate(query, start, end)) is not None:
                    places[start, end] = place

        def convincing() -> bool:
            return any(place.evidence >= CONFIDENT for place in places.values())

        for start, end in self._exact_matches(query):
            add(start, end)
        if query.expected is not None and not convincing():
            slack = max(16, query.length // 2)
            for start, end in query.approximate.matches(
                self.text, query.expected[0] - slack, query.expected[1] + slack, self._boundary
            ):
                add(start, end)
        if not convincing():
            for low, high in self._seed_windows(query):  # where pieces of the quote and its context are
                for start, end in query.approximate.matches(self.text, low, high, self._boundary):
                    add(start, end)
        return list(places.values())

    def _exact_matches(self, query: _Query) -> list[tuple[int, int]]:
        """Return the occurrences of the quote (widened to whole characters): all of them when few; else those
        with a few code points of context around them, the best MAX_EXACT_CANDIDATES by plain agreement (a
        common word elsewhere, without context, could never carry enough evidence)."""
        anchor, text = query.anchor, self.text
        quote, prefix, suffix = anchor.quote, query.prefix_text, query.suffix_text
        if text.count(quote) <= MAX_EXACT_CANDIDATES:
            starts = find_all(text, quote)
        else:
            head, tail = prefix[-NEAR:], suffix[:NEAR]
            found: set[int] = set()
            if head:
                found.update(start + len(head) for start in find_all(text, head + quote, limit=OCCURRENCE_LIMIT))
            if tail or not head:
                found.update(find_all(text, quote + tail, limit=OCCURRENCE_LIMIT))
            starts = sorted(found)

            def agreement(start: int) -> int:
                before = text[max(0, start - len(prefix)) : start]
                after = text[start + len(quote) : start + len(quote) + len(suffix)]
                return common_suffix(before, prefix) + common_prefix(after, suffix)

            if len(starts) > MAX_EXACT_CANDIDATES:
                starts = sorted(starts, key=agreement, reverse=True)[:MAX_EXACT_CANDIDATES]
        matches = []
        for start in starts:
            end = start + len(quote)
            if not self.on_boundaries(start, end):  # widen to whole characters; scored again below
                start = (split_character(text, start) or (start,))[0]
                end = (split_character(text, end) or (0, end))[1]
            matches.append((start, end))
        return matches

    def _one_side(self, query: _Query, start: int, end: int) -> _Place | None:
        """Score the more similar side of the paragraph breaks inside text[start:end], which the quote does not
        have: a quote that lost its first or last words matches as well reaching into the paragraph before or
        after, whose words are another passage."""
        text, found = self.text, self.text[start:end]
        left = (start, start + len(found[: found.index("\n")].rstrip()))
        right_text = found[found.rindex("\n") + 1 :].lstrip()
        right = (end - len(right_text), end)
        sides = [side for side in (left, right) if side[0] < side[1] and self.on_boundaries(*side)]
        if not sides:
            return None
        return self._evaluate(query, *max(sides, key=lambda side: query.similarity(text[side[0] : side[1]])))

    def _evaluate(self, query: _Query, start: int, end: int) -> _Place | None:
        """Score a place: quote similarity (None below the threshold), evidence, locality; None for text that the
        diff says was already there, elsewhere (another passage, not this one)."""
        text, anchor = self.text, query.anchor
        if end <= start:
            return None
        if self.another_passage(start, end, query.own):
            return None
        found = text[start:end]
        if "\n" in found and "\n" not in anchor.quote:
            return self._one_side(query, start, end)
        similarity = query.similarity(found)
        if similarity < self.threshold:
            return None
        if similarity < 1 and self.revision is not None and (own := query.own) is not None:
            # Much of it is text the diff says was already there, beside the anchor's: another passage. Or it is a
            # match only with such text at its ends ("Lyon will", its " will cost" deleted, on "Lyon mill|ion").
            bounds = paragraph(self.old, *own)
            if self.revision.neighbours_kept(start, end, own, bounds) > query.max_errors:
                return None
            low, high = self.revision.without_neighbours(start, end, own, bounds)
            if (low, high) != (start, end) and (low >= high or query.similarity(text[low:high]) < self.threshold):
                return None
            if self._edited_passage(start, end, own, query.max_errors):
                return None
        prefix, suffix = query.prefix_text, query.suffix_text
        before, after = text[max(0, start - len(prefix)) : start], text[end : end + len(suffix)]
        run_before, run_after = common_suffix(before, prefix), common_prefix(after, suffix)
        prefix_agreement = (
            agreement(query.prefix, before, run_before) + agreement(query.prefix_near, before[-NEAR:], run_before)
        ) / 2
        suffix_agreement = (
            agreement(query.suffix, after, run_after) + agreement(query.suffix_near, after[:NEAR], run_after)
        ) / 2
        agreeing = len(prefix) * prefix_agreement + len(suffix) * suffix_agreement
        evidence = (query.length * similarity + agreeing) / (query.length + len(prefix) + len(suffix))
        local, rank = False, evidence
        if query.expected is not None:
            low, high, close = query.expected
            local = close and low < high and start < high and low < end
            rank += (query.bonus if local else 0) + POSITION_WEIGHT * (1 - abs(start - low) / max(1, len(text)))
        return _Place(start, end, similarity, evidence, local, rank)


def _before(text: str, at: int) -> str:
    """Up to CONTEXT_LENGTH code points before `at`, within its paragraph."""
    piece = text[max(0, at - CONTEXT_LENGTH) : at]
    return piece[piece.rfind("\n") + 1 :]


def _after(text: str, at: int) -> str:
    """Up to CONTEXT_LENGTH code points from `at`, within its paragraph."""
    return text[at : at + CONTEXT_LENGTH].split("\n", 1)[0]
