"""Every write path that changes an annotation moves its `updated_at` (the W3C `modified`, the CSV `updated_at`)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from articles import adjudication, discussion, workflow
from articles.annotation_write import review_annotation, update_annotation
from articles.models import Annotation, Assignment, AssignmentState
from tests.api_client import annotation_url, api_as
from tests.factories import make_annotation

LONG_AGO = timezone.now() - timedelta(days=30)


def _aged(annotation: Annotation) -> Annotation:
    Annotation.objects.filter(pk=annotation.pk).update(updated_at=LONG_AGO)
    return Annotation.objects.select_related("article__project", "label").get(pk=annotation.pk)


def _submitted(team, article) -> Assignment:
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
    return Assignment.objects.select_related("article__project").get(pk=work.pk)


PATHS = {
    "edit": lambda t, a, s: update_annotation(s, by=t["annotator"], changes={"note": "edited"}),
    "review": lambda t, a, s: review_annotation(s, by=t["reviewer"], status="accepted"),
    "review_span": lambda t, a, s: workflow.review_span(s, by=t["reviewer"], status="rejected", comment="No."),
    "flag": lambda t, a, s: discussion.ask_reviewer(s, by=t["annotator"], question="Claim?"),
    "approve": lambda t, a, s: workflow.transition(_submitted(t, a), "approve", by=t["reviewer"]),
    "adjudicate": lambda t, a, s: adjudication.write_own(
        a, by=t["reviewer"], label="quote", start=0, end=7, replaces=[s.pk]
    ),
    "api_patch": lambda t, a, s: api_as(t["annotator"]).patch(annotation_url(s), {"note": "api"}, HTTP_IF_MATCH="*"),
    "api_review": lambda t, a, s: api_as(t["reviewer"]).patch(
        annotation_url(s), {"status": "accepted"}, HTTP_IF_MATCH="*"
    ),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_write_path_moves_updated_at(team, article, path):
    span = _aged(make_annotation(article, author=team["annotator"]))
    before = timezone.now()
    PATHS[path](team, article, span)
    assert Annotation.objects.get(pk=span.pk).updated_at >= before


def test_clearing_a_flag_moves_updated_at(team, article):
    span = discussion.ask_reviewer(
        make_annotation(article, author=team["annotator"]), by=team["annotator"], question="Claim?"
    )
    span = _aged(span)
    before = timezone.now()
    discussion.clear_flag(span, by=team["annotator"])
    assert Annotation.objects.get(pk=span.pk).updated_at >= before
