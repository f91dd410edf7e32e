"""Adjudication: clusters of disputed spans side by side, and a reviewer forming the accepted set."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from articles import adjudication
from articles.adjudication import (
    accept_agreed,
    accept_version,
    accepted_spans,
    reject_version,
    side_by_side,
    write_own,
)
from articles.errors import InvalidInput, StaleVersion
from articles.models import Annotation, AnnotationEvent, Assignment, AssignmentState, Visibility
from tests.factories import make_annotation, make_article

TEXT = "The minister said taxes will fall. Critics called the plan reckless and unfunded today."


@pytest.fixture
def disputed(team):
    """Two annotators on one article: one agreed claim, one boundary dispute, one label dispute."""
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    a, b = team["annotator"], team["annotator2"]
    spans = {
        "agreed_a": make_annotation(article, author=a, start=18, end=33),
        "agreed_b": make_annotation(article, author=b, start=18, end=33),
        "short_a": make_annotation(article, author=a, label="opinion", start=59, end=80),
        "long_b": make_annotation(article, author=b, label="opinion", start=43, end=80),
        "quote_a": make_annotation(article, author=a, label="quote", start=0, end=12),
        "source_b": make_annotation(article, author=b, label="source", start=0, end=12),
    }
    for annotator in (a, b):
        Assignment.objects.create(article=article, annotator=annotator, state=AssignmentState.SUBMITTED)
    return article, spans


def status(annotation) -> str:
    return Annotation.objects.get(pk=annotation.pk).status


def test_clusters_group_overlapping_spans_of_one_label_and_say_which_are_agreed(team, disputed):
    article, s = disputed
    found = side_by_side(article, team["reviewer"])
    summary = [
        (c.label, c.start, c.end, c.is_agreed, [(v.start, v.end, sorted(v.author_ids)) for v in c.versions])
        for c in found
    ]
    a, b = team["annotator"].pk, team["annotator2"].pk
    assert summary == [
        ("quote", 0, 12, False, [(0, 12, [a])]),
        ("source", 0, 12, False, [(0, 12, [b])]),
        ("claim", 18, 33, True, [(18, 33, [a, b])]),
        ("opinion", 43, 80, False, [(43, 80, [b]), (59, 80, [a])]),
    ]
    assert not any(c.is_settled for c in found)


def test_accepting_a_version_accepts_its_holders_and_rejects_the_alternatives(team, disputed):
    article, s = disputed
    accept_version(article, s["long_b"].pk, by=team["reviewer"])
    assert (status(s["long_b"]), status(s["short_a"])) == ("accepted", "rejected")
    event = AnnotationEvent.objects.filter(annotation_id=s["short_a"].pk).last()
    assert (event.action, event.actor, event.changes) == (
        "reviewed",
        team["reviewer"],
        {"status": ["pending", "rejected"]},
    )
    reject_version(article, s["quote_a"].pk, by=team["reviewer"])
    accept_version(article, s["source_b"].pk, by=team["reviewer"])  # label dispute: two one-version clusters
    assert accept_agreed(article, by=team["reviewer"]) == 2
    states = [(c.label, c.state) for c in side_by_side(article, team["reviewer"])]
    assert states == [("quote", "settled"), ("source", "settled"), ("claim", "agreed"), ("opinion", "settled")]
    assert accepted_spans(article) == [(0, 12, "source"), (18, 33, "claim"), (43, 80, "opinion")]


def test_a_reviewer_can_write_their_own_span_instead(team, disputed):
    article, s = disputed
    own = write_own(
        article, by=team["reviewer"], label="opinion", start=54, end=80, replaces=[s["short_a"].pk, s["long_b"].pk]
    )
    assert (own.author, own.status, own.quote) == (team["reviewer"], "accepted", "plan reckless and unfunded")
    assert (status(s["short_a"]), status(s["long_b"])) == ("rejected", "rejected")
    assert (54, 80, "opinion") in accepted_spans(article)
    with pytest.raises(InvalidInput, match="on this article"):
        write_own(
            article,
            by=team["reviewer"],
            label="claim",
            start=0,
            end=3,
            replaces=[make_annotation(make_article(team["project"], by=team["owner"])).pk],
        )
    with pytest.raises(InvalidInput):
        write_own(article, by=team["reviewer"], label="claim", start=5, end=3)


def test_only_reviewers_who_did_not_annotate_the_passage_adjudicate(team, disputed):
    """AUTHZ-5: annotators, viewers and outsiders cannot; a reviewer never settles their own spans."""
    article, s = disputed
    for who in ("annotator", "annotator2", "viewer", "outsider"):
        with pytest.raises(PermissionDenied):
            accept_version(article, s["long_b"].pk, by=team[who])
        with pytest.raises(PermissionDenied):
            accept_agreed(article, by=team[who])
        with pytest.raises(PermissionDenied):
            write_own(article, by=team[who], label="claim", start=0, end=3)
    mine = make_annotation(article, author=team["reviewer"], label="opinion", start=54, end=80)
    with pytest.raises(PermissionDenied, match="yourself"):
        accept_version(article, s["long_b"].pk, by=team["reviewer"])
    with pytest.raises(PermissionDenied, match="yourself"):
        write_own(article, by=team["reviewer"], label="opinion", start=43, end=50, replaces=[mine.pk])
    accept_version(article, s["long_b"].pk, by=team["owner"])
    with pytest.raises(InvalidInput, match="No annotation"):
        accept_version(article, -1, by=team["owner"])
    assert set(Annotation.objects.exclude(label__key="opinion").values_list("status", flat=True)) == {"pending"}


def test_a_failed_step_leaves_the_whole_decision_undone(team, disputed, monkeypatch):
    """CONC-2: if another reviewer changed one annotation meanwhile, nothing of this decision lands."""
    article, s = disputed
    real = adjudication.review_annotation

    def stale_on_second(annotation, **kwargs):
        if annotation.pk == s["short_a"].pk:
            raise StaleVersion(annotation)
        return real(annotation, **kwargs)

    monkeypatch.setattr(adjudication, "review_annotation", stale_on_second)
    with pytest.raises(StaleVersion):
        accept_version(article, s["long_b"].pk, by=team["reviewer"])
    assert (status(s["long_b"]), status(s["short_a"])) == ("pending", "pending")


def test_a_blind_annotator_compares_only_after_submitting(team):
    team["project"].visibility = Visibility.INDEPENDENT
    team["project"].save()
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    make_annotation(article, author=team["annotator"], start=18, end=33)
    make_annotation(article, author=team["annotator2"], start=18, end=33)
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.IN_PROGRESS)
    assert [len(c.annotations) for c in side_by_side(article, team["annotator"])] == [1]
    work.state = AssignmentState.SUBMITTED
    work.save()
    assert [len(c.annotations) for c in side_by_side(article, team["annotator"])] == [2]
