"""Inter-annotator agreement on links: pairwise F1 on (from-span, to-span, type), spans matched by overlap.

Pure module, the companion of articles.agreement (whose Counts it adds up): documents in, figures out.
A link of coder A matches a link of coder B when both have the same type, A's from-span overlaps B's
from-span and has its label, and A's to-span overlaps B's to-span and has its label (overlap as in the
span F1: at least one shared code point). Precision and recall count matched links on each side, so a
link that matches two of the other coder's counts once. Figures over many documents are micro-averaged
(counts summed first), per pair of coders, per link type and for the project (pooled over every pair),
as the span F1 is. A coder who finished an article without drawing a link still counts: the other
coder's links there are unmatched. None means "no data" (neither coder drew a link).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations

from articles.agreement import Counts, Span


@dataclass(frozen=True, slots=True)
class Link:
    """One coder's link: its two ends (offsets and label) and its type's key."""

    source: Span
    target: Span
    type: str


@dataclass(frozen=True)
class LinkDocument:
    """One article as linked by each coder who finished it (a coder with no links still counts)."""

    key: Hashable
    codings: Mapping[Hashable, Collection[Link]]


def _overlaps(one: Span, other: Span) -> bool:
    return one.label == other.label and one.start < other.end and other.start < one.end


def links_match(one: Link, other: Link) -> bool:
    """Whether two coders' links are the same link: same type, both ends overlapping with the same label."""
    return one.type == other.type and _overlaps(one.source, other.source) and _overlaps(one.target, other.target)


def _matched(links: Collection[Link], others: Collection[Link]) -> int:
    by_type: dict[str, list[Link]] = {}
    for other in others:
        by_type.setdefault(other.type, []).append(other)
    return sum(any(links_match(link, other) for other in by_type.get(link.type, ())) for link in links)


def link_counts(a: Collection[Link], b: Collection[Link]) -> Counts:
    """Count A's links matched in B and B's links matched in A."""
    return Counts(_matched(a, b), len(a), _matched(b, a), len(b))


@dataclass
class LinkF1:
    """Link counts of one pair (or pooled over pairs), overall and by link type; `.overall.f1` is the figure."""

    overall: Counts = field(default_factory=Counts)
    types: dict[str, Counts] = field(default_factory=dict)

    def add(self, a: Collection[Link], b: Collection[Link]) -> None:
        self.overall += link_counts(a, b)
        for key in {link.type for link in a} | {link.type for link in b}:
            counts = link_counts([x for x in a if x.type == key], [x for x in b if x.type == key])
            self.types[key] = self.types.get(key, Counts()) + counts

    def __iadd__(self, other: LinkF1) -> LinkF1:
        self.overall += other.overall
        for key, counts in other.types.items():
            self.types[key] = self.types.get(key, Counts()) + counts
        return self

    @property
    def f1(self) -> float | None:
        return self.overall.f1


@dataclass(frozen=True)
class LinkReport:
    pairs: dict[tuple[Hashable, Hashable], LinkF1]  # each pair of coders (in sorted order) over the articles both did
    pooled: LinkF1  # over every pair and article
    types: list[str]  # the link types anyone drew, sorted

    def pair(self, a: Hashable, b: Hashable) -> LinkF1 | None:
        """The figures of two coders, in either order; None when they share no article."""
        return self.pairs.get((a, b)) or self.pairs.get((b, a))


def link_agreement(documents: Iterable[LinkDocument]) -> LinkReport:
    """Link F1 of every pair of coders over the documents both finished, and pooled over all pairs."""
    documents = [d for d in documents if len(d.codings) >= 2]
    coders = sorted({c for d in documents for c in d.codings}, key=str)
    pairs: dict[tuple[Hashable, Hashable], LinkF1] = {}
    pooled = LinkF1()
    for a, b in combinations(coders, 2):
        shared = [d for d in documents if a in d.codings and b in d.codings]
        if not shared:
            continue
        figures = LinkF1()
        for document in shared:
            figures.add(document.codings[a], document.codings[b])
        pairs[(a, b)] = figures
        pooled += figures
    types = sorted({link.type for d in documents for links in d.codings.values() for link in links})
    return LinkReport(pairs, pooled, types)
