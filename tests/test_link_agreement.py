"""Agreement on links: pairwise F1 on (from-span, to-span, type), ends matched by overlap, micro-averaged.

Pure cases for articles.link_agreement, then the agreement page: the project figure, each pair's cell and
the table by link type, read in a number of queries that does not grow with the links.
"""

from __future__ import annotations

import itertools

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from articles.agreement import Counts, Span
from articles.dashboard import project_agreement
from articles.link_agreement import Link, LinkDocument, link_agreement, link_counts, links_match
from articles.links import LinkSpec, create_link
from articles.models import Assignment, AssignmentState
from tests.factories import make_annotation, make_article


def said_by(quote: tuple[int, int], source: tuple[int, int], type: str = "said_by") -> Link:
    return Link(Span(*quote, "quote"), Span(*source, "source"), type)


def doc(key="d", **codings) -> LinkDocument:
    return LinkDocument(key, codings)


# --- Pure -------------------------------------------------------------------------------------------


def test_identical_links_agree_perfectly():
    links = [said_by((0, 10), (20, 25)), said_by((30, 40), (20, 25))]
    assert link_counts(links, links) == Counts(2, 2, 2, 2) and link_counts(links, links).f1 == 1.0


@pytest.mark.parametrize(
    ("other", "matches"),
    [
        (said_by((5, 12), (22, 30)), True),  # both ends overlap: the same link
        (said_by((10, 12), (20, 25)), False),  # from-ends only touch: no shared code point
        (said_by((0, 10), (25, 30)), False),  # to-ends only touch
        (said_by((0, 10), (20, 25), "claimed_by"), False),  # another type
        (Link(Span(0, 10, "claim"), Span(20, 25, "source"), "said_by"), False),  # a from-end of another label
        (Link(Span(0, 10, "quote"), Span(20, 25, "quote"), "said_by"), False),  # a to-end of another label
    ],
)
def test_a_link_matches_when_type_and_both_ends_agree(other, matches):
    assert links_match(said_by((0, 10), (20, 25)), other) is matches
    assert links_match(other, said_by((0, 10), (20, 25))) is matches


def test_f1_is_the_harmonic_mean_of_each_side_s_matched_share():
    a = [said_by((0, 10), (20, 25)), said_by((30, 40), (50, 55))]
    b = [said_by((2, 8), (21, 24))]
    counts = link_counts(a, b)
    assert counts == Counts(1, 2, 1, 1)
    assert counts.f1 == pytest.approx(2 / 3)  # recall 1/2, precision 1


def test_a_link_matching_two_of_the_other_coder_s_counts_once():
    a = [said_by((0, 10), (20, 25))]
    b = [said_by((0, 5), (20, 22)), said_by((5, 10), (22, 25))]
    assert link_counts(a, b) == Counts(1, 1, 2, 2)


def test_no_links_is_no_figure_and_links_against_none_score_zero():
    report = link_agreement([doc(a=[], b=[])])
    assert report.pair("a", "b").f1 is None and report.pooled.f1 is None
    report = link_agreement([doc(a=[said_by((0, 10), (20, 25))], b=[])])
    assert report.pair("a", "b").f1 == 0.0


def test_articles_are_micro_averaged_like_the_span_f1():
    one = doc("one", a=[said_by((0, 10), (20, 25))], b=[said_by((0, 10), (20, 25))])
    two = doc("two", a=[said_by((0, 10), (20, 25)), said_by((30, 40), (20, 25)), said_by((50, 60), (20, 25))], b=[])
    pair = link_agreement([one, two]).pair("a", "b")
    assert pair.overall == Counts(1, 4, 1, 1)
    assert pair.f1 == pytest.approx(0.4)  # recall 1/4, precision 1; the mean of the articles would say 0.5


def test_pairs_cover_the_articles_both_finished_and_the_project_figure_pools_them():
    link = said_by((0, 10), (20, 25))
    report = link_agreement(
        [
            doc("one", a=[link], b=[link]),
            doc("two", a=[link], c=[said_by((0, 10), (20, 25), "claimed_by")]),
            doc("three", c=[link]),  # one coder: nothing to compare
        ]
    )
    assert set(report.pairs) == {("a", "b"), ("a", "c")}
    assert report.pair("b", "a") is report.pair("a", "b") and report.pair("b", "c") is None
    assert (report.pair("a", "b").f1, report.pair("a", "c").f1) == (1.0, 0.0)
    assert report.pooled.overall == Counts(1, 2, 1, 2) and report.pooled.f1 == 0.5
    assert report.types == ["claimed_by", "said_by"]
    assert report.pooled.types["said_by"] == Counts(1, 2, 1, 1)
    assert report.pooled.types["claimed_by"] == Counts(0, 0, 0, 1)


ends = st.tuples(st.integers(0, 30), st.integers(1, 8)).map(lambda p: (p[0], p[0] + p[1]))
links = st.lists(
    st.builds(
        Link,
        st.builds(lambda e, label: Span(*e, label), ends, st.sampled_from(["quote", "claim"])),
        st.builds(lambda e: Span(*e, "source"), ends),
        st.sampled_from(["said_by", "claimed_by"]),
    ),
    max_size=6,
)


@given(a=links, b=links)
def test_link_agreement_is_symmetric_and_perfect_on_identical_links(a, b):
    forward, backward = link_counts(a, b), link_counts(b, a)
    assert (forward.matched_a, forward.total_a) == (backward.matched_b, backward.total_b)
    assert forward.f1 == backward.f1
    if a:
        assert link_counts(a, a).f1 == 1.0


# --- The agreement page -----------------------------------------------------------------------------

TEXT = "“Taxes will fall,” said the minister. Prices rose 5% last year, the Statistics Office said."
_numbers = itertools.count(1)


def linked_article(team, *, second_agrees: bool = True):
    """An article both annotators finished, each with a quote, a source and a said_by link between them."""
    article = make_article(team["project"], text=f"{TEXT} ({next(_numbers)})", by=team["owner"])
    for who, agrees in (("annotator", True), ("annotator2", second_agrees)):
        quote = make_annotation(article, team[who], "quote", quote="Taxes will fall,")
        source = make_annotation(article, team[who], "source", quote="the minister" if agrees else "Statistics Office")
        create_link(article, LinkSpec(quote.pk, source.pk, "said_by"), author=team[who])
    for who in ("annotator", "annotator2"):
        Assignment.objects.create(article=article, annotator=team[who], state=AssignmentState.SUBMITTED)
    return article


def agreement_page(team) -> lxml.html.HtmlElement:
    client = Client()
    client.force_login(team["viewer"])
    response = client.get(reverse("project_agreement_page", args=[team["project"].pk]))
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def test_the_agreement_page_shows_link_f1_for_the_project_each_pair_and_each_type(team):
    linked_article(team)
    linked_article(team, second_agrees=False)
    page = agreement_page(team)
    figure = page.get_element_by_id("link-f1")
    assert figure.find_class("figure-value")[0].text_content() == "0.500"
    cells = [cell.text_content() for cell in page.find_class("cell-links")]
    assert cells == ["Links 0.50", "Links 0.50"]  # the pair, seen from either row
    rows = [
        [cell.text_content() for cell in row] for row in page.get_element_by_id("link-type-agreement").xpath(".//tr")
    ]
    assert rows[1:] == [["said_by", "0.500"]]


def test_links_of_someone_who_did_not_finish_the_article_are_not_compared(team):
    article = linked_article(team)
    quote = make_annotation(article, team["reviewer"], "quote", quote="Taxes will fall,")
    source = make_annotation(article, team["reviewer"], "source", quote="Statistics Office")
    create_link(article, LinkSpec(quote.pk, source.pk, "said_by"), author=team["reviewer"])
    report = project_agreement(team["project"]).links
    assert list(report.pairs) == [(team["annotator"].pk, team["annotator2"].pk)]
    assert report.pooled.f1 == 1.0


def test_without_links_the_page_shows_no_link_figure_and_no_type_table(team):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    for who in ("annotator", "annotator2"):
        make_annotation(article, team[who], "quote", quote="Taxes will fall,")
        Assignment.objects.create(article=article, annotator=team[who], state=AssignmentState.SUBMITTED)
    page = agreement_page(team)
    assert page.get_element_by_id("link-f1").find_class("figure-value")[0].text_content() == "—"
    assert page.get_element_by_id("link-type-agreement", None) is None


def test_the_page_reads_links_in_queries_that_do_not_grow_with_them(team):
    linked_article(team)
    client = Client()
    client.force_login(team["viewer"])
    url = reverse("project_agreement_page", args=[team["project"].pk])
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(3):
        linked_article(team, second_agrees=False)
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
    assert sum('FROM "articles_link"' in query["sql"] for query in more.captured_queries) == 1
