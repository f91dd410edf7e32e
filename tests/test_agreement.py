"""Agreement figures checked against hand computations and against Krippendorff's published example.

Notation for alpha_U (Krippendorff 1995): m coders, continuum length L, sections = units and gaps.
D_o = 2 * sum(delta) / (m (m - 1) L^2) over overlapping sections of two coders, where delta is
(b1 - b2)^2 + (e1 - e2)^2 for two units and l^2 for a unit lying wholly inside the other's gap.
D_e = (2 / L) * sum_u [(N - 1) l(l - 1)(2l - 1) / 3 + l^2 * sum_{gaps g >= l} (g - l + 1)]
      / (m L (m L - 1) - sum_u l (l - 1)),   alpha = 1 - D_o / D_e.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.agreement import (
    Counts,
    Document,
    Mark,
    PassageCounts,
    Span,
    agreement_report,
    count_passages,
    disagreements,
    match_counts,
    passage_state,
    passages,
    unitizing_alpha,
)


def doc(length: int, key="d", **codings) -> Document:
    return Document(key, length, {coder: [Span(*s) for s in spans] for coder, spans in codings.items()})


def figures(document: Document, label: str) -> tuple[Fraction, Fraction, float | None]:
    observed, expected = disagreements([document], ["a", "b"], label)
    return observed, expected, unitizing_alpha([document], ["a", "b"]).labels[label]


def test_full_overlap_agrees_perfectly():
    """a = b = [2, 5) in L = 10. D_o = 0. D_e: N = 2, l = 3: (1 * 3*2*5 / 3 = 10) + 9 * ((5-3+1) + (5-3+1) = 6)
    = 64 per unit, 128 in all; * 2/10 = 25.6; / (20*19 - 2*6 = 368) = 8/115. alpha = 1."""
    document = doc(10, a=[(2, 5, "claim")], b=[(2, 5, "claim")])
    assert figures(document, "claim") == (0, Fraction(8, 115), 1.0)
    report = agreement_report([document])
    assert report.f1.exact.f1 == report.f1.overlap.f1 == 1.0


def test_no_overlap_is_worse_than_chance():
    """a = [0, 2), b = [5, 7) in L = 10. Each unit lies in the other's gap: delta = 4 + 4, D_o = 16/200 = 2/25.
    D_e: l = 2, gaps 8, 5, 3: (1 * 2*1*3 / 3 = 2) + 4 * (7 + 4 + 2 = 13) = 54 per unit, 108 in all;
    * 2/10 = 21.6; / (380 - 4 = 376) = 27/470. alpha = 1 - (2/25) / (27/470) = -53/135."""
    document = doc(10, a=[(0, 2, "claim")], b=[(5, 7, "claim")])
    observed, expected, alpha = figures(document, "claim")
    assert (observed, expected) == (Fraction(2, 25), Fraction(27, 470))
    assert alpha == pytest.approx(-53 / 135)
    report = agreement_report([document])
    assert report.f1.exact.f1 == report.f1.overlap.f1 == 0.0


def test_partial_overlap_earns_partial_credit_in_overlap_f1_and_alpha():
    """a = [2, 6), b = [4, 8) in L = 10. Units overlap: delta = (2-4)^2 + (6-8)^2 = 8, D_o = 2/25.
    D_e: l = 4, gaps 2, 4, 4, 2: (1 * 4*3*7 / 3 = 28) + 16 * (1 + 1) = 60 per unit, 120 in all; * 2/10 = 24;
    / (380 - 24 = 356) = 6/89. alpha = 1 - (2/25) / (6/89) = -14/75 (tiny continuum: chance is high)."""
    document = doc(10, a=[(2, 6, "claim")], b=[(4, 8, "claim")])
    observed, expected, alpha = figures(document, "claim")
    assert (observed, expected) == (Fraction(2, 25), Fraction(6, 89))
    assert alpha == pytest.approx(-14 / 75)
    report = agreement_report([document])
    assert (report.f1.exact.f1, report.f1.overlap.f1) == (0.0, 1.0)
    # A shifted span in a longer continuum scores between "no overlap" and "full overlap".
    shifted = unitizing_alpha([doc(100, a=[(20, 40, "claim")], b=[(25, 40, "claim")])], ["a", "b"]).overall
    same = unitizing_alpha([doc(100, a=[(20, 40, "claim")], b=[(20, 40, "claim")])], ["a", "b"]).overall
    apart = unitizing_alpha([doc(100, a=[(20, 40, "claim")], b=[(60, 80, "claim")])], ["a", "b"]).overall
    assert apart < 0 < shifted < same == 1.0


def test_label_disagreement_counts_as_a_missed_unit_in_each_label():
    """a = claim [2, 5), b = opinion [2, 5), L = 10. Per label one unit lies in the other's gap: D_o = 2*9/200.
    D_e: N = 1, l = 3, gaps 2, 5, 10: 9 * ((5-2) + (10-2) = 11) = 99; * 2/10 = 19.8; / (380 - 6 = 374) = 9/170.
    alpha = 1 - (9/100) / (9/170) = -0.7 for each label and overall."""
    document = doc(10, a=[(2, 5, "claim")], b=[(2, 5, "opinion")])
    assert figures(document, "claim") == (Fraction(9, 100), Fraction(9, 170), pytest.approx(-0.7))
    assert figures(document, "opinion")[2] == pytest.approx(-0.7)
    report = agreement_report([document])
    assert report.alpha == pytest.approx(-0.7)
    assert (report.f1.exact.f1, report.f1.overlap.f1) == (0.0, 0.0)
    exact, overlap = report.f1.labels["claim"]
    assert exact == overlap == Counts(0, 1, 0, 0)


def test_overlap_f1_is_the_harmonic_mean_of_matched_shares():
    """a has two claims, b one claim overlapping a's first: recall 1/2, precision 1/1, F1 = 2/3."""
    a = [Span(0, 10, "claim"), Span(20, 25, "claim")]
    b = [Span(5, 15, "claim")]
    assert match_counts(a, b, exact=False) == Counts(1, 2, 1, 1)
    assert match_counts(a, b, exact=False).f1 == pytest.approx(2 / 3)
    assert match_counts(a, b, exact=True).f1 == 0.0
    assert match_counts([], [], exact=True).f1 is None
    assert match_counts(a, [], exact=False).f1 == 0.0


def test_alpha_matches_dkpros_worked_example():
    """DKPro Agreement's UnitizingAgreementTest: one long unit against three short ones (alpha = -0.7003)."""
    document = Document("x", 10, {0: [Span(1, 9, "A")], 1: [Span(2, 3, "A"), Span(4, 5, "A"), Span(6, 7, "A")]})
    observed, expected = disagreements([document], [0, 1], "A")
    assert observed == Fraction(91, 100)
    assert float(expected) == pytest.approx(0.5351, abs=1e-4)
    assert unitizing_alpha([document], [0, 1]).overall == pytest.approx(-0.7003, abs=1e-4)


KRIPPENDORFF_1995 = [  # (offset, length, coder, category), Krippendorff (1995: 57), as in DKPro's tests
    (2, 8, 0, "A"),
    (14, 6, 0, "A"),
    (4, 4, 1, "A"),
    (15, 2, 1, "A"),
    (0, 18, 0, "B"),
    (0, 2, 1, "B"),
    (2, 1, 1, "B"),
    (3, 1, 1, "B"),
    (4, 1, 1, "B"),
    (5, 1, 1, "B"),
    (6, 3, 1, "B"),
    (9, 1, 1, "B"),
    (2, 6, 0, "C"),
    (10, 2, 0, "C"),
    (14, 4, 0, "C"),
    (20, 2, 0, "C"),
    (0, 2, 1, "C"),
    (4, 4, 1, "C"),
    (10, 4, 1, "C"),
    (16, 2, 1, "C"),
    (20, 2, 1, "C"),
    (0, 2, 0, "D"),
    (2, 8, 0, "D"),
    (10, 4, 0, "D"),
    (14, 6, 0, "D"),
    (20, 4, 0, "D"),
    (0, 4, 1, "D"),
    (4, 4, 1, "D"),
    (8, 7, 1, "D"),
    (15, 2, 1, "D"),
    (17, 7, 1, "D"),
]


def krippendorff_example(stretch: int) -> Document:
    codings: dict[int, list[Span]] = {0: [], 1: []}
    for offset, length, coder, category in KRIPPENDORFF_1995:
        codings[coder].append(Span(offset * stretch, (offset + length) * stretch, category))
    return Document("k", 24 * stretch, codings)


def test_alpha_matches_krippendorffs_published_example():
    """Observed disagreement exactly as published; alpha per category within the published rounding."""
    observed = {c: disagreements([krippendorff_example(1)], [0, 1], c)[0] for c in "ABCD"}
    assert {c: round(float(v), 5) for c, v in observed.items()} == {
        "A": 0.03125,
        "B": 2.26736,
        "C": 0.02778,
        "D": 0.38715,
    }
    alpha = unitizing_alpha([krippendorff_example(50_000)], [0, 1]).labels
    assert alpha["A"] == pytest.approx(0.553, abs=0.02)
    assert alpha["B"] == pytest.approx(-0.926, abs=0.02)
    assert alpha["C"] == pytest.approx(0.679, abs=0.02)
    assert alpha["D"] == pytest.approx(0.066, abs=0.02)


def test_a_pair_laid_end_to_end_over_articles_and_the_report_matrix():
    one = doc(10, key=1, ann=[(2, 5, "claim")], bob=[(2, 5, "claim")], cy=[(0, 2, "claim")])
    two = doc(10, key=2, ann=[(0, 2, "claim")], bob=[(5, 7, "claim")])
    report = agreement_report([one, two, doc(10, key=3, ann=[(1, 2, "quote")])])
    assert report.coders == ["ann", "bob", "cy"]
    assert set(report.pairs) == {("ann", "bob"), ("ann", "cy"), ("bob", "cy")}
    pair = report.pairs[("ann", "bob")]
    assert pair.documents == 2
    assert pair.f1.exact == Counts(1, 2, 1, 2)
    assert pair.alpha == unitizing_alpha([one, two], ["ann", "bob"])
    assert report.pairs[("ann", "cy")].documents == 1
    assert [d.key for d in report.documents] == [1, 2]  # article 3 has one coder: nothing to compare
    assert report.alpha == pytest.approx(sum(p.alpha.overall for p in report.pairs.values()) / 3)
    assert report.labels == ["claim"]


def test_each_passage_is_agreed_disputed_or_settled_and_the_counts_add_up():
    def mark(start, end, label, holder, pending=True):
        return Mark(Span(start, end, label), holder, pending)

    marks = [
        mark(0, 5, "claim", "ann", pending=False),
        mark(0, 5, "claim", "bob", pending=False),  # agreed, reviewed
        mark(10, 20, "claim", "ann"),
        mark(15, 25, "claim", "bob", pending=False),  # boundaries differ, open
        mark(30, 40, "quote", "ann", pending=False),
        mark(30, 40, "source", "bob", pending=False),  # labels differ
        mark(50, 55, "claim", "ann"),  # one annotator only, open
        mark(60, 65, "claim", "ann", pending=False),  # one annotator only, decided
    ]
    groups = passages(marks, lambda m: m.span)
    assert [[(m.span.start, m.holder) for m in g] for g in groups] == [
        [(0, "ann"), (0, "bob")],
        [(10, "ann"), (15, "bob")],
        [(30, "ann")],
        [(30, "bob")],
        [(50, "ann")],
        [(60, "ann")],
    ]
    assert [passage_state(g, ["ann", "bob"]) for g in groups] == [
        "agreed",
        "disputed",
        "settled",
        "settled",
        "disputed",
        "settled",
    ]
    counts = count_passages(marks, ["ann", "bob"])
    assert counts == PassageCounts(agreed=1, disputed=2, settled=3) and counts.total == len(groups)
    assert count_passages(marks[:2], []) == PassageCounts(settled=1)  # without annotators nothing is agreed


def test_a_chain_of_overlapping_spans_is_one_passage_and_touching_spans_are_two():
    chain = [Mark(Span(0, 10, "claim"), "a"), Mark(Span(8, 12, "claim"), "b"), Mark(Span(11, 15, "claim"), "a")]
    assert len(passages(chain, lambda m: m.span)) == 1
    touching = [Mark(Span(0, 5, "claim"), "a"), Mark(Span(5, 8, "claim"), "b")]
    assert len(passages(touching, lambda m: m.span)) == 2


def test_overlapping_spans_of_one_coder_and_label_are_merged_for_alpha():
    nested = doc(20, a=[(0, 10, "claim"), (2, 4, "claim")], b=[(0, 10, "claim")])
    assert unitizing_alpha([nested], ["a", "b"]).overall == 1.0


def test_no_spans_at_all_gives_no_figure():
    assert unitizing_alpha([doc(10, a=[], b=[])], ["a", "b"]).overall is None
    assert agreement_report([doc(10, a=[], b=[])]).f1.exact.f1 is None
    assert unitizing_alpha([doc(10, a=[(0, 1, "x")])], ["a"]).overall is None


spans = st.lists(
    st.tuples(st.integers(0, 29), st.integers(1, 10), st.sampled_from(["claim", "quote"])).map(
        lambda t: (t[0], min(30, t[0] + t[1]), t[2])
    ),
    max_size=6,
)


@given(a=spans, b=spans)
def test_agreement_is_symmetric_and_perfect_on_identical_codings(a, b):
    forward = unitizing_alpha([doc(30, x=a, y=b)], ["x", "y"])
    backward = unitizing_alpha([doc(30, x=b, y=a)], ["x", "y"])
    assert forward == backward
    spans_a, spans_b = [Span(*s) for s in a], [Span(*s) for s in b]
    assert match_counts(spans_a, spans_b, exact=False).f1 == match_counts(spans_b, spans_a, exact=False).f1
    if a:
        assert unitizing_alpha([doc(30, x=a, y=a)], ["x", "y"]).overall == 1.0
        assert match_counts(spans_a, spans_a, exact=True).f1 == 1.0


@given(a=spans, b=spans)
def test_passages_split_the_spans_so_that_only_spans_in_one_passage_overlap(a, b):
    marks = [Mark(Span(*s), "x") for s in a] + [Mark(Span(*s), "y") for s in b]
    groups = passages(marks, lambda m: m.span)
    assert sorted(map(id, marks)) == sorted(id(m) for g in groups for m in g)
    for one, two in ((g, h) for i, g in enumerate(groups) for h in groups[i + 1 :]):
        assert not any(
            m.span.label == n.span.label and m.span.start < n.span.end and n.span.start < m.span.end
            for m in one
            for n in two
        )
    assert count_passages(marks, ["x", "y"]).total == len(groups)
