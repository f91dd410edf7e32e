"""Review cards: each span shows its attributes under the label's field names (a verdict is seen before it is
accepted), its history reads "Verdict: true → false", hostile values stay text (XSS-1), and no stored label or
attribute shape can break the page."""

from __future__ import annotations

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.annotation_write import update_annotation
from articles.labels import ShownAttribute, describe_attributes
from articles.models import Annotation, AnnotationEvent, Assignment, AssignmentState, Label
from tests.factories import make_annotation, make_article

TEXT = "The minister said taxes will fall next year. Critics cited the Audit Office report on Monday."
PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def span_of(article, author, label: str, quote: str, **fields) -> Annotation:
    start = article.text.index(quote)
    return make_annotation(article, author, label=label, start=start, end=start + len(quote), **fields)


def submitted(article, annotator) -> Assignment:
    """Submit the annotator's work without the workflow, so the test can still edit the spans first."""
    return Assignment.objects.create(article=article, annotator=annotator, state=AssignmentState.SUBMITTED)


def review_page(user, work: Assignment) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("assignment_review", args=[work.pk]))
    assert response.status_code == 200
    return response.content.decode()


def card_text(page: str, span: Annotation) -> str:
    """The visible text of one span's card, tags dropped and white space collapsed."""
    card = re.search(rf'<li class="review-span[^"]*" id="span-{span.pk}".*?</details>\s*</li>', page, re.S).group(0)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", card)).split())


def test_each_card_shows_the_attributes_under_the_labels_field_names_in_field_order(team):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    claim = span_of(
        article,
        team["annotator"],
        "claim",
        "taxes will fall next year",
        attributes={"verdict": "mostly false", "check_worthiness": "high"},
    )
    quote = span_of(article, team["annotator"], "quote", "The minister said", attributes={"speaker": "The minister"})
    source = span_of(
        article,
        team["annotator"],
        "source",
        "the Audit Office report",
        attributes={"url": "https://audit.example/report?a=1&b=2", "name": "Audit Office"},
    )
    page = review_page(team["reviewer"], submitted(article, team["annotator"]))
    assert "Check-worthiness: high Verdict: mostly false" in card_text(page, claim)
    assert "Speaker: The minister" in card_text(page, quote)
    assert "Source name: Audit Office Source URL: https://audit.example/report?a=1&b=2" in card_text(page, source)
    assert (
        '<a href="https://audit.example/report?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">' in page
    )


def test_hostile_attribute_values_and_names_stay_text(team):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    quote = span_of(
        article, team["annotator"], "quote", "The minister said", attributes={"speaker": PAYLOAD, "x<b>": PAYLOAD}
    )
    source = span_of(article, team["annotator"], "source", "the Audit Office report")
    for url in ("javascript:alert(1)", 'https://a.example/"onmouseover="alert(1)'):
        Annotation.objects.filter(pk=source.pk).update(attributes={"url": url})  # stored under older rules
        page = review_page(team["reviewer"], submitted(article, team["annotator"]))
        Assignment.objects.filter(article=article).delete()
        assert "<script>alert(1)" not in page and "<img src=x" not in page and "<b>" not in page
        assert f"Speaker: {PAYLOAD}" in card_text(page, quote) and f"x<b>: {PAYLOAD}" in card_text(page, quote)
        assert f"Source URL: {url}" in card_text(page, source)
        assert 'href="javascript:' not in page and 'href="https://a.example/' not in page


BROKEN_FIELDS = [
    "not a list",
    {"name": "verdict"},
    [None, 7, "verdict", {"label": "No name"}, {"name": 5, "label": "Number"}, {"name": "verdict", "label": ["x"]}],
]
BROKEN_ATTRIBUTES = [["a", "list"], "text", 42, False, {"verdict": {"nested": [1, 2]}, "seen": True, "score": 0.5}]


@pytest.mark.parametrize("fields", BROKEN_FIELDS)
@pytest.mark.parametrize("attributes", BROKEN_ATTRIBUTES)
def test_no_stored_label_or_attribute_shape_breaks_the_review_page(team, fields, attributes):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    claim = span_of(article, team["annotator"], "claim", "taxes will fall next year")
    Label.objects.filter(project=team["project"], key="claim").update(fields=fields)
    Annotation.objects.filter(pk=claim.pk).update(attributes=attributes)
    text = card_text(review_page(team["reviewer"], submitted(article, team["annotator"])), claim)
    if isinstance(attributes, dict):
        for shown in ('verdict: {"nested": [1, 2]}', "seen: yes", "score: 0.5"):  # keys undefined: stored order
            assert shown in text


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        (["not", "a", "mapping"], ["Created by"]),
        ({"status": "accepted", "label": ["gone", "claim"]}, ["Status: — → Accepted", "Label: gone → Claim"]),
        # Without a readable snapshot the label is unknown, so the attribute keeps its stored name.
        ({"attributes": ["text", {"verdict": "false"}], "is_flagged": [False, True]}, ["verdict: — → false"]),
        ({"attributes": [{"verdict": [1]}, None], "custom": [{"a": 1}, 2]}, ['custom: {"a": 1} → 2']),
    ],
)
def test_no_stored_history_shape_breaks_the_review_page(team, changes, shown):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    claim = span_of(article, team["annotator"], "claim", "taxes will fall next year")
    AnnotationEvent.objects.filter(annotation_id=claim.pk).update(changes=changes, snapshot="not a mapping")
    text = card_text(review_page(team["reviewer"], submitted(article, team["annotator"])), claim)
    assert all(change in text for change in shown)


def test_describe_attributes_pairs_fields_in_order_and_links_only_http_addresses():
    fields = [
        {"name": "url", "label": "Source URL", "type": "url"},
        {"name": "name", "label": "Source name", "type": "text"},
        {"name": "empty", "label": "Empty", "type": "text"},
    ]
    attributes = {
        "extra": "ftp://files.example/a",
        "name": "http://not-a-url but text",
        "empty": "",
        "url": "HTTP://A.b",
    }
    assert describe_attributes(attributes, fields) == [
        ShownAttribute("url", "Source URL", "HTTP://A.b", "HTTP://A.b"),
        ShownAttribute("name", "Source name", "http://not-a-url but text"),
        ShownAttribute("extra", "extra", "ftp://files.example/a"),
    ]
    assert describe_attributes({"url": "http://[broken"}, fields) == [
        ShownAttribute("url", "Source URL", "http://[broken")
    ]


def test_history_shows_each_change_as_field_old_to_new_in_words(team):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    claim = span_of(article, team["annotator"], "claim", "taxes will fall", attributes={"verdict": "true"})
    claim = update_annotation(claim, by=team["annotator"], changes={"attributes": {"verdict": "false"}})
    claim = update_annotation(claim, by=team["annotator"], changes={"end": claim.end + len(" next year")})
    claim = update_annotation(claim, by=team["annotator"], changes={"label": "opinion", "note": "Not checkable."})
    work = submitted(article, team["annotator"])
    client = Client()
    client.force_login(team["reviewer"])
    decided = client.post(
        reverse("assignment_decide", args=[work.pk]),
        {"annotation": claim.pk, "version": claim.version, "status": "accepted"},
        HTTP_HX_REQUEST="true",
    )
    assert decided.status_code == 200
    text = card_text(decided.content.decode(), claim)
    assert "History (5)" in text
    assert "Verdict: true → false" in text
    assert "Text: “taxes will fall” → “taxes will fall next year”" in text
    assert "Label: Claim → Opinion Note: — → Not checkable." in text  # the form's order, on every database
    assert "Status: Pending → Accepted" in text
    assert "prefix" not in text and "{'" not in text and "Start:" not in text


def test_cards_with_attributes_and_history_cost_no_query_per_span(team, django_assert_num_queries):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.IN_PROGRESS)
    client = Client()
    client.force_login(team["reviewer"])
    url = reverse("assignment_review", args=[work.pk])

    def add_spans(starts: range) -> None:
        Assignment.objects.filter(pk=work.pk).update(state=AssignmentState.IN_PROGRESS)
        for start in starts:
            span = make_annotation(
                article, team["annotator"], start=start, end=start + 5, attributes={"verdict": "true"}
            )
            update_annotation(span, by=team["annotator"], changes={"attributes": {"check_worthiness": "low"}})
        Assignment.objects.filter(pk=work.pk).update(state=AssignmentState.SUBMITTED)

    add_spans(range(1))
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    add_spans(range(1, 8))
    with django_assert_num_queries(len(one)):
        page = client.get(url).content.decode()
    assert page.count("Check-worthiness:</dt>") == 8 and page.count("Verdict: <del") == 8
