"""The review terms mean one thing everywhere: the Compare page and the Agreement page (and their API) count an
article's passages alike, each passage is exactly one of agreed, disputed or settled, and quotes read naturally."""

from __future__ import annotations

import re
from html import unescape

from django.test import Client
from django.urls import reverse

from articles.assignment import assign
from articles.models import Assignment
from articles.workflow import transition
from tests.api_client import api_as, url
from tests.factories import make_annotation, make_article

TEXT = "The minister said taxes will fall. Critics called the plan reckless and unfunded today."
STATES = ("agreed", "disputed", "settled")


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def span(text: str, words: str) -> dict[str, int]:
    start = text.index(words)
    return {"start": start, "end": start + len(words)}


def finished_by_both(team, text: str):
    """An article assigned to both annotators; the caller adds spans, then `submit` hands both in."""
    article = make_article(team["project"], text=text, by=team["owner"])
    assign(
        team["project"],
        articles=[article.pk],
        annotators=[team["annotator"].pk, team["annotator2"].pk],
        by=team["owner"],
    )

    def submit():
        for user in (team["annotator"], team["annotator2"]):
            transition(Assignment.objects.get(article=article, annotator=user), "submit", by=user)

    return article, submit


def counts_in(html: str, pattern: str) -> dict[str, int]:
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return dict(zip(STATES, map(int, found.groups())))


def test_compare_and_agreement_pages_count_the_same_disputes(team):
    a, b = team["annotator"], team["annotator2"]
    article, submit = finished_by_both(team, TEXT)
    make_annotation(article, author=a, **span(TEXT, "taxes will fall"))  # both: agreed
    make_annotation(article, author=b, **span(TEXT, "taxes will fall"))
    make_annotation(article, author=a, label="opinion", **span(TEXT, "reckless and unfunded"))  # overlapping
    make_annotation(article, author=b, label="opinion", **span(TEXT, "called the plan reckless and unfunded"))
    make_annotation(article, author=a, label="quote", **span(TEXT, "The minister"))  # same text, labels differ
    make_annotation(article, author=b, label="source", **span(TEXT, "The minister"))
    make_annotation(article, author=a, **span(TEXT, "Critics"))  # one annotator only
    make_annotation(article, author=b, **span(TEXT, "today"))  # one annotator only
    submit()
    # Approving accepts every span of the first annotator: their lone passages are now decided, the rest open.
    transition(Assignment.objects.get(article=article, annotator=a), "approve", by=team["reviewer"])
    expected = {"agreed": 1, "disputed": 3, "settled": 2}

    compare_api = api_as(team["reviewer"]).get(url("article-adjudication", article.pk)).json()
    agreement_api = api_as(team["reviewer"]).get(url("project-agreement", team["project"].pk)).json()
    compare_page = client_for(team["reviewer"]).get(reverse("article_adjudicate", args=[article.pk])).content.decode()
    agreement_page = (
        client_for(team["reviewer"]).get(reverse("project_agreement_page", args=[team["project"].pk])).content.decode()
    )

    assert compare_api["passages"] == expected
    assert [row["passages"] for row in agreement_api["articles"] if row["article"] == article.pk] == [expected]
    assert (
        counts_in(
            compare_page,
            r"<strong>(\d+)</strong> agreed · <strong>(\d+)</strong> disputed · "
            r"<strong>(\d+)</strong> settled",
        )
        == expected
    )
    link = re.escape(reverse("article_adjudicate", args=[article.pk]))
    assert counts_in(agreement_page, link + r'">(\d+) agreed · (\d+) disputed · (\d+) settled<') == expected

    clusters = compare_api["clusters"]
    assert len(clusters) == sum(expected.values())
    assert all(
        c["is_agreed"] == (c["state"] == "agreed") and c["is_settled"] == (c["state"] == "settled") for c in clusters
    )
    badges = re.findall(r'<li class="cluster is-(\w+)".*?<span class="badge[^"]*">(\w+)</span>', compare_page, re.S)
    assert len(badges) == len(clusters) and all(state == badge for state, badge in badges)
    lone = [c["state"] for c in clusters if len({m["author"] for v in c["versions"] for m in v["annotations"]}) == 1]
    assert sorted(lone) == ["disputed", "disputed", "settled", "settled"]  # decided or open, never both


def test_compare_page_quotes_have_one_pair_of_quotation_marks(team):
    long_quote = "“" + " ".join(["We will rebuild every road and every bridge"] * 5) + ".”"
    text = f'The mayor said “We will win.” Critics answered "never". Later: {long_quote} Then she left.'
    article, submit = finished_by_both(team, text)
    make_annotation(article, author=team["annotator"], label="quote", **span(text, "“We will win.”"))  # with marks
    make_annotation(article, author=team["annotator2"], label="quote", **span(text, "We will win."))  # inside them
    make_annotation(article, author=team["annotator"], label="quote", **span(text, '"never"'))
    make_annotation(article, author=team["annotator2"], label="quote", **span(text, long_quote))
    submit()
    page = client_for(team["reviewer"]).get(reverse("article_adjudicate", args=[article.pk])).content.decode()
    board = page[page.index('id="clusters"') :]
    assert "<q" not in board  # a browser draws its own marks around <q>: that was the second pair
    excerpts = [unescape(e) for e in re.findall(r'<span class="version-quote" dir="auto">(.*?)</span>', board)]
    assert excerpts[:3] == ["“We will win.”", "“We will win.”", '"never"']
    assert excerpts[3].startswith("“We will rebuild") and excerpts[3].endswith("…”")  # cut inside its marks
    for excerpt in excerpts:
        marks = [c for c in excerpt if c in '“”"']
        assert marks in (["“", "”"], ['"', '"']) and excerpt[0] == marks[0] and excerpt[-1] == marks[1], excerpt
