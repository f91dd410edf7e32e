"""Bad input on the pages gets the form's error or a 404, never a server error (on SQLite and PostgreSQL).

Classes: NUL and other control characters in form fields (PostgreSQL refuses NUL in text), and numbers
beyond 64 bits in form fields, query parameters and paths (SQLite raises OverflowError on them).
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Assignment, AssignmentState, Membership
from tests.factories import make_annotation

HUGE = "9" * 25
HOSTILE = ["a\x00b", "\x01\x02", "x" * 20_000, HUGE]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def submitted(team, article):
    span = make_annotation(article, author=team["annotator"])
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
    return work, span


@pytest.mark.parametrize("value", HOSTILE)
def test_nul_and_control_characters_in_page_form_fields_are_form_errors(team, submitted, value):
    work, span = submitted
    owner, reviewer = client_for(team["owner"]), client_for(team["reviewer"])
    members = owner.post(reverse("project_members", args=[team["project"].pk]), {"username": value, "role": "viewer"})
    assert members.status_code == 422
    role = owner.post(
        reverse("project_members", args=[team["project"].pk]),
        {"membership": Membership.objects.get(user=team["viewer"]).pk, "role": value},
    )
    assert role.status_code == 422
    fix = reviewer.post(
        reverse("assignment_correct", args=[work.pk]),
        {"annotation": span.pk, "label": value, "start": "0", "end": "4", "version": span.version},
    )
    assert fix.status_code == 422
    adjudicated = reviewer.post(
        reverse("article_adjudicate", args=[work.article_id]),
        {"action": "write", "label": value, "start": "0", "end": "4"},
    )
    assert adjudicated.status_code == 422
    comment = reviewer.post(reverse("assignment_comment", args=[work.pk]), {"annotation": span.pk, "body": value})
    assert comment.status_code == (302 if value == HUGE else 422)  # a plain POST that worked goes back
    decided = reviewer.post(
        reverse("assignment_transition", args=[work.pk]), {"action": "request_changes", "message": value}
    )
    assert decided.status_code == (302 if value == HUGE else 422)


def test_numbers_beyond_64_bits_in_page_parameters_are_ignored_or_not_found(team, submitted):
    work, span = submitted
    owner, reviewer = client_for(team["owner"]), client_for(team["reviewer"])
    assert (
        owner.get(
            reverse("article_annotate", args=[work.article_id]), {"selected": HUGE, "list_from": HUGE}
        ).status_code
        == 200
    )
    assert reviewer.get(reverse("assignment_review", args=[work.pk]), {"span": HUGE}).status_code == 200
    assert owner.get(reverse("project_detail", args=[team["project"].pk]), {"page": HUGE}).status_code == 200
    assert (
        owner.post(
            reverse("project_members", args=[team["project"].pk]), {"membership": HUGE, "role": "viewer"}
        ).status_code
        == 404
    )
    assert (
        reviewer.post(
            reverse("assignment_decide", args=[work.pk]), {"annotation": HUGE, "status": "accepted"}
        ).status_code
        == 404
    )
    assert (
        reviewer.post(
            reverse("assignment_comment", args=[work.pk]), {"annotation": span.pk, "thread": HUGE, "body": "Why?"}
        ).status_code
        == 302
    )
    assert (
        reviewer.post(
            reverse("article_adjudicate", args=[work.article_id]), {"action": "accept", "annotation": HUGE}
        ).status_code
        == 422
    )
    assert owner.get(f"/articles/{HUGE}/").status_code == 404
    assert owner.get(f"/assignments/{HUGE}/review/").status_code == 404
