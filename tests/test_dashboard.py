"""Dashboard figures: counts by status and label, per-annotator progress, throughput and agreement."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.assignment import assign
from articles.dashboard import agreement_documents, project_dashboard, week_of
from articles.models import Annotation, Assignment, AssignmentState, ReviewStatus
from articles.workflow import review_span, transition
from tests.api_client import api_as, url
from tests.factories import make_annotation, make_article, make_project

TEXT = "The minister said taxes will fall. Critics called the plan reckless and unfunded today."


def finished_pair(team, text=TEXT):
    """One article annotated by both annotators (one shared claim, one span each) and submitted."""
    article = make_article(team["project"], text=text, by=team["owner"])
    assign(
        team["project"],
        articles=[article.pk],
        annotators=[team["annotator"].pk, team["annotator2"].pk],
        by=team["owner"],
    )
    shared_a = make_annotation(article, author=team["annotator"], start=18, end=33)
    make_annotation(article, author=team["annotator2"], start=18, end=33)
    make_annotation(article, author=team["annotator"], label="opinion", start=59, end=80)
    make_annotation(article, author=team["annotator2"], label="quote", start=0, end=12)
    for annotator in (team["annotator"], team["annotator2"]):
        transition(Assignment.objects.get(article=article, annotator=annotator), "submit", by=annotator)
    return article, shared_a


def test_the_dashboard_counts_articles_labels_progress_and_throughput(team):
    article, shared_a = finished_pair(team)
    make_article(team["project"], by=team["owner"])
    review_span(shared_a, by=team["reviewer"], status=ReviewStatus.REJECTED)
    transition(Assignment.objects.get(article=article, annotator=team["annotator2"]), "approve", by=team["reviewer"])
    board = project_dashboard(team["project"], user=team["owner"])
    assert board.articles_by_status == {
        "new": 1,
        "in_progress": 0,
        "in_review": 1,
        "changes_requested": 0,
        "approved": 0,
    }
    assert board.article_total == 2
    assert [(label.key, label.count) for label in board.labels] == [
        ("claim", 2),
        ("quote", 1),
        ("source", 0),
        ("opinion", 1),
    ]
    assert board.statuses == {"pending": 1, "accepted": 2, "rejected": 1}
    assert board.acceptance_rate == pytest.approx(2 / 3)
    people = {p.username: p for p in board.people}
    assert set(people) == {"annotator", "annotator2"}
    assert people["annotator"].states["submitted"] == 1 and people["annotator"].acceptance_rate == 0.0
    assert people["annotator2"].finished == 1 and people["annotator2"].acceptance_rate == 1.0
    this_week = board.weeks[-1]
    assert (this_week.submitted, this_week.approved, this_week.articles) == (2, 1, 1)
    assert this_week.overlap_f1 == pytest.approx(0.5)  # each has 2 spans, 1 matches: P = R = 1/2
    assert board.largest == {"status": 1, "label": 2, "week": 2}
    assert len(board.weeks) == 12 and board.weeks[0].start < this_week.start == week_of(
        Annotation.objects.first().created_at
    )


def test_agreement_counts_only_annotators_who_finished_and_never_reviewers_own_spans(team):
    article, _ = finished_pair(team)
    make_annotation(article, author=team["reviewer"], label="source", start=0, end=3)
    unfinished = make_article(team["project"], by=team["owner"])
    assign(
        team["project"],
        articles=[unfinished.pk],
        annotators=[team["annotator"].pk, team["annotator2"].pk],
        by=team["owner"],
    )
    make_annotation(unfinished, author=team["annotator"])
    Assignment.objects.filter(article=unfinished, annotator=team["annotator"]).update(state=AssignmentState.SUBMITTED)
    unassigned = make_article(team["project"], by=team["owner"])
    make_annotation(unassigned, author=team["annotator"])
    make_annotation(unassigned, author=team["reviewer"])
    documents = [document for document, _ in agreement_documents(team["project"])]
    assert [(d.key, sorted(d.codings)) for d in documents] == [
        (article.pk, sorted([team["annotator"].pk, team["annotator2"].pk])),
        (unassigned.pk, sorted([team["annotator"].pk, team["reviewer"].pk])),
    ]
    assert all(
        span.label != "source" or span.end != 3 for d in documents for spans in d.codings.values() for span in spans
    )


def test_the_dashboard_never_counts_another_projects_rows(team):
    """AUTHZ-3: totals and agreement come from this project only."""
    finished_pair(team)
    other = make_project(name="Elsewhere")
    make_annotation(make_article(other), label="quote")
    board = project_dashboard(other, user=other.memberships.first().user)
    assert board.article_total == 1 and board.statuses["pending"] == 1
    assert board.agreement.pairs == {} and board.weeks[-1].submitted == 0


def test_the_dashboard_runs_the_same_number_of_queries_for_small_and_large_projects(team, django_assert_num_queries):
    finished_pair(team)
    with django_assert_num_queries(10):
        project_dashboard(team["project"], user=team["owner"])
    for n in range(12):
        finished_pair(team, text=f"{n}: {TEXT}")
    with django_assert_num_queries(10):
        board = project_dashboard(team["project"], user=team["owner"])
    assert board.weeks[-1].articles == 13


def test_dashboard_counts_only_annotations_the_reader_may_see(team):
    """A blind annotator of an independent project learns nothing of others' spans from the dashboard,
    on the page or through the API; owners still count everything."""
    team["project"].visibility = "independent"
    team["project"].save(update_fields=["visibility"])
    article = make_article(team["project"])
    make_annotation(article, author=team["annotator"], label="claim")
    make_annotation(article, author=team["annotator2"], label="quote")
    make_annotation(article, author=team["annotator2"], label="opinion", start=0, end=7)
    own = project_dashboard(team["project"], user=team["annotator"])
    assert own.statuses["pending"] == 1 and {label.key: label.count for label in own.labels}["quote"] == 0
    assert [person.username for person in own.people] == ["annotator"]
    assert project_dashboard(team["project"], user=team["owner"]).statuses["pending"] == 3
    board = api_as(team["annotator"]).get(url("project-dashboard", team["project"].pk)).json()
    assert board["annotations_by_status"]["pending"] == 1 and board["annotations_by_label"]["quote"] == 0
    page = Client()
    page.force_login(team["annotator"])
    html = page.get(reverse("project_dashboard_page", args=[team["project"].pk])).content.decode()
    assert "annotator2" not in html
