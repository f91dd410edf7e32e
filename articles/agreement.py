"""Inter-annotator agreement on spans: pairwise F1 and Krippendorff's unitizing alpha.

Pure module: documents (an article's length and each coder's spans) in, figures out.
- Exact F1: a span matches a span of the other coder with the same label, start and end.
- Overlap F1: a span matches if the other coder has a span of the same label sharing a code point;
  precision and recall count matched spans on each side, F1 is their harmonic mean.
- Alpha: Krippendorff's alpha_U for unitizing (1995; as in DKPro Agreement, which INCEpTION uses),
  per label: units are spans, everything else is gap; distances are squared differences of boundaries
  between overlapping units, or a unit's squared length where the other coder has only gap, so partly
  overlapping spans earn partial credit. A coder's overlapping spans of one label are merged first.
  A pair's articles are laid end to end as one continuum; the project figure is the pairs' mean.
F1 figures over many documents are micro-averaged (counts summed first). None means "no data".
Passages (the terms the Compare page and the agreement report share): a passage is a chain of
overlapping spans of one label; it is agreed when it has one version (start, end) held by every
annotator, otherwise disputed while any of its spans awaits review and settled once none does.
Every passage is exactly one of the three.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from itertools import accumulate, combinations
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Document:
    """One article as coded by each coder who finished it (a coder with no spans still counts)."""

    key: Hashable
    length: int
    codings: Mapping[Hashable, Collection[Span]]


@dataclass(frozen=True)
class Counts:
    """Matched and total spans of coder A and coder B; adds up over documents and labels."""

    matched_a: int = 0
    total_a: int = 0
    matched_b: int = 0
    total_b: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.matched_a + other.matched_a,
            self.total_a + other.total_a,
            self.matched_b + other.matched_b,
            self.total_b + other.total_b,
        )

    @property
    def f1(self) -> float | None:
        """Harmonic mean of precision (B's matched share) and recall (A's); None when neither has spans."""
        if self.total_a + self.total_b == 0:
            return None
        recall = self.matched_a / self.total_a if self.total_a else 0.0
        precision = self.matched_b / self.total_b if self.total_b else 0.0
        return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def match_counts(a: Collection[Span], b: Collection[Span], *, exact: bool) -> Counts:
    """Count A's spans matched in B and B's spans matched in A (exact or overlapping, same label)."""
    if exact:
        common = len(set(a) & set(b))
        return Counts(common, len(set(a)), common, len(set(b)))
    return Counts(_overlapping(a, b), len(a), _overlapping(b, a), len(b))


def _overlapping(spans: Collection[Span], others: Collection[Span]) -> int:
    by_label: dict[str, list[Span]] = {}
    for other in others:
        by_label.setdefault(other.label, []).append(other)
    return sum(any(o.start < s.end and s.start < o.end for o in by_label.get(s.label, ())) for s in spans)


def _by_label(spans: Iterable[Span]) -> dict[str, list[Span]]:
    result: dict[str, list[Span]] = {}
    for span in spans:
        result.setdefault(span.label, []).append(span)
    return result


@dataclass
class PairF1:
    exact: Counts = field(default_factory=Counts)
    overlap: Counts = field(default_factory=Counts)
    labels: dict[str, tuple[Counts, Counts]] = field(default_factory=dict)  # label: (exact, overlap)

    def add(self, a: Collection[Span], b: Collection[Span]) -> None:
        self.exact += match_counts(a, b, exact=True)
        self.overlap += match_counts(a, b, exact=False)
        spans_a, spans_b = _by_label(a), _by_label(b)
        for label in spans_a.keys() | spans_b.keys():
            la, lb = spans_a.get(label, []), spans_b.get(label, [])
            old_exact, old_overlap = self.labels.get(label, (Counts(), Counts()))
            self.labels[label] = (
                old_exact + match_counts(la, lb, exact=True),
                old_overlap + match_counts(la, lb, exact=False),
            )

    def __iadd__(self, other: PairF1) -> PairF1:
        self.exact += other.exact
        self.overlap += other.overlap
        for label, (exact, overlap) in other.labels.items():
            old_exact, old_overlap = self.labels.get(label, (Counts(), Counts()))
            self.labels[label] = (old_exact + exact, old_overlap + overlap)
        return self


# --- Krippendorff's alpha_U -------------------------------------------------------------------------


def _units(spans: Iterable[Span], label: str, offset: int) -> list[tuple[int, int]]:
    """Return the coder's units of `label` as sorted (start, end), overlapping ones merged."""
    merged: list[list[int]] = []
    for start, end in sorted((s.start + offset, s.end + offset) for s in spans if s.label == label):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _sections(units: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int, bool]]:
    """Partition [0, length) into (start, end, is_unit) sections: the units and the gaps between them."""
    sections, position = [], 0
    for start, end in units:
        if start > position:
            sections.append((position, start, False))
        sections.append((start, end, True))
        position = end
    if position < length:
        sections.append((position, length, False))
    return sections


def _distance(one: tuple[int, int, bool], two: tuple[int, int, bool]) -> int:
    """Krippendorff's squared distance between two overlapping sections of two coders."""
    (b1, e1, unit1), (b2, e2, unit2) = one, two
    if unit1 and unit2:
        return (b1 - b2) ** 2 + (e1 - e2) ** 2
    if unit1 and not unit2 and b2 <= b1 and e1 <= e2:
        return (e1 - b1) ** 2
    if unit2 and not unit1 and b1 <= b2 and e2 <= e1:
        return (e2 - b2) ** 2
    return 0


def _observed_sum(one: list[tuple[int, int, bool]], two: list[tuple[int, int, bool]]) -> int:
    """Sum the distances of every overlapping pair of sections, sweeping both partitions once."""
    total, i, j = 0, 0, 0
    while i < len(one) and j < len(two):
        total += _distance(one[i], two[j])
        end1, end2 = one[i][1], two[j][1]
        i, j = i + (end1 <= end2), j + (end2 <= end1)
    return total


def _expected_sum(lengths: Sequence[int], gaps: Sequence[int]) -> int:
    """Krippendorff's sum over units of the ways each could fall into a gap or another unit."""
    gaps = sorted(gaps)
    suffix = list(accumulate(reversed(gaps)))[::-1] + [0]
    total = 0
    for size in lengths:
        first = bisect_left(gaps, size)
        fits = suffix[first] - (len(gaps) - first) * (size - 1)  # sum over gaps g >= size of (g - size + 1)
        # (N - 1)(2l^3 - 3l^2 + l) / 3 is an integer: l(l - 1)(2l - 1) is a multiple of 6.
        total += (len(lengths) - 1) * size * (size - 1) * (2 * size - 1) // 3 + size * size * fits
    return total


def disagreements(documents: Sequence[Document], coders: Sequence[Hashable], label: str) -> tuple[Fraction, Fraction]:
    """Return alpha_U's observed and expected disagreement (D_o, D_e) for one label, exactly."""
    if len(coders) < 2:
        raise ValueError("Agreement needs at least two coders.")
    documents = [d for d in documents if d.length > 0]
    if not documents:
        return Fraction(0), Fraction(0)
    offsets = list(accumulate([0] + [d.length for d in documents[:-1]]))
    length, m = sum(d.length for d in documents), len(coders)
    units = [[u for d, at in zip(documents, offsets) for u in _units(d.codings[c], label, at)] for c in coders]
    sections = [_sections(u, length) for u in units]
    observed = sum(_observed_sum(sections[x], sections[y]) for x, y in combinations(range(m), 2))
    lengths = [end - start for u in units for start, end in u]
    gaps = [end - start for s in sections for start, end, is_unit in s if not is_unit]
    denominator = m * length * (m * length - 1) - sum(size * (size - 1) for size in lengths)
    return (
        Fraction(2 * observed, m * (m - 1) * length * length),
        Fraction(2 * _expected_sum(lengths, gaps), length * denominator),
    )


@dataclass(frozen=True)
class Alpha:
    overall: float | None
    labels: dict[str, float | None]


def _ratio(observed: Fraction, expected: Fraction) -> float | None:
    if observed == expected:
        return 0.0  # also 0/0: DKPro's convention for a study without disagreement information
    return None if expected == 0 else float(1 - observed / expected)


def unitizing_alpha(documents: Sequence[Document], coders: Sequence[Hashable]) -> Alpha:
    """Krippendorff's alpha_U of `coders` over the documents (each must be coded by all of them)."""
    documents = [d for d in documents if d.length > 0]
    labels = sorted({s.label for d in documents for c in coders for s in d.codings[c]})
    if len(coders) < 2 or not labels:
        return Alpha(None, {})
    parts = {label: disagreements(documents, coders, label) for label in labels}
    total_observed = sum(observed for observed, _ in parts.values())
    total_expected = sum(expected for _, expected in parts.values())
    return Alpha(_ratio(total_observed, total_expected), {label: _ratio(*pair) for label, pair in parts.items()})


# --- Reports ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairReport:
    coders: tuple[Hashable, Hashable]
    documents: int
    f1: PairF1
    alpha: Alpha


@dataclass(frozen=True)
class DocumentReport:
    key: Hashable
    coders: list[Hashable]
    f1: PairF1  # pooled over every pair of its coders
    alpha: Alpha


@dataclass(frozen=True)
class Report:
    coders: list[Hashable]
    labels: list[str]
    pairs: dict[tuple[Hashable, Hashable], PairReport]
    documents: list[DocumentReport]
    f1: PairF1  # pooled over every pair and document
    alpha: float | None  # mean of the pairs' alpha_U
    alpha_labels: dict[str, float | None]


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _document_report(document: Document) -> DocumentReport:
    coders = sorted(document.codings, key=str)
    pooled = PairF1()
    for a, b in combinations(coders, 2):
        pooled.add(document.codings[a], document.codings[b])
    return DocumentReport(document.key, coders, pooled, unitizing_alpha([document], coders))


def agreement_report(documents: Iterable[Document]) -> Report:
    """Agreement of every pair of coders over the documents both coded, per document, and overall."""
    documents = [d for d in documents if len(d.codings) >= 2]
    coders = sorted({c for d in documents for c in d.codings}, key=str)
    pairs: dict[tuple[Hashable, Hashable], PairReport] = {}
    pooled = PairF1()
    for a, b in combinations(coders, 2):
        shared = [d for d in documents if a in d.codings and b in d.codings]
        if not shared:
            continue
        f1 = PairF1()
        for document in shared:
            f1.add(document.codings[a], document.codings[b])
        pooled += f1
        pairs[(a, b)] = PairReport((a, b), len(shared), f1, unitizing_alpha(shared, (a, b)))
    labels = sorted({s.label for d in documents for spans in d.codings.values() for s in spans})
    return Report(
        coders=coders,
        labels=labels,
        pairs=pairs,
        documents=[_document_report(d) for d in documents],
        f1=pooled,
        alpha=_mean(p.alpha.overall for p in pairs.values()),
        alpha_labels={label: _mean(p.alpha.labels.get(label) for p in pairs.values()) for label in labels},
    )


# --- Passages: what the Compare page settles and the agreement report counts -----------------------


class PassageState(StrEnum):
    AGREED = "agreed"  # one version, held by every annotator of the article
    DISPUTED = "disputed"  # not agreed, and some span in it still awaits a reviewer
    SETTLED = "settled"  # not agreed, and a reviewer has decided every span in it


@dataclass(frozen=True, slots=True)
class Mark:
    """One person's span on an article and whether it still awaits review: what passages are made of."""

    span: Span
    holder: Hashable
    is_pending: bool = True


def passages(items: Iterable[T], span_of: Callable[[T], Span]) -> list[list[T]]:
    """Group items into passages: chains of overlapping spans of one label, in text order."""
    by_label: dict[str, list[T]] = {}
    for item in items:
        by_label.setdefault(span_of(item).label, []).append(item)
    groups: list[list[T]] = []
    for members in by_label.values():
        reach: int | None = None
        for item in sorted(members, key=lambda i: (span_of(i).start, span_of(i).end)):
            span = span_of(item)
            if reach is None or span.start >= reach:
                groups.append([])
                reach = span.end
            groups[-1].append(item)
            reach = max(reach, span.end)

    def text_order(group: list[T]) -> tuple[int, int, str]:
        spans = [span_of(item) for item in group]
        return min(s.start for s in spans), -max(s.end for s in spans), spans[0].label

    return sorted(groups, key=text_order)


def passage_state(marks: Collection[Mark], annotators: Collection[Hashable]) -> PassageState:
    """Agreed when one version is held by every annotator; else disputed until no span awaits review."""
    holders: dict[Span, set[Hashable]] = {}
    for mark in marks:
        holders.setdefault(mark.span, set()).add(mark.holder)
    if len(holders) == 1 and annotators and set(annotators) <= next(iter(holders.values())):
        return PassageState.AGREED
    return PassageState.DISPUTED if any(m.is_pending for m in marks) else PassageState.SETTLED


@dataclass(frozen=True)
class PassageCounts:
    """How many of an article's passages are agreed, disputed and settled (they add up to all of them)."""

    agreed: int = 0
    disputed: int = 0
    settled: int = 0

    @classmethod
    def of(cls, states: Iterable[PassageState]) -> PassageCounts:
        found = Counter(states)
        return cls(found[PassageState.AGREED], found[PassageState.DISPUTED], found[PassageState.SETTLED])

    @property
    def total(self) -> int:
        return self.agreed + self.disputed + self.settled


def count_passages(marks: Iterable[Mark], annotators: Collection[Hashable]) -> PassageCounts:
    """Count one article's passages by state."""
    return PassageCounts.of(passage_state(group, annotators) for group in passages(marks, lambda m: m.span))
