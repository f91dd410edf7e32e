"""Adjusting a span's boundaries (issue 12): the create rules hold for a changed span (no split character,
no duplicate, no stale write), and the review page's fix form offers the shared control, reports a refusal
on the span's card and keeps working without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.annotation_write import create_annotation, update_annotation
from articles.errors import AlreadyExists, InvalidInput, StaleVersion
from articles.models import Annotation, AnnotationEvent, Assignment, AssignmentState, EventAction
from tests.api_client import annotation_url, api_as
from tests.factories import make_article

FAMILY = "👩\u200d👩\u200d👧"
# Code points: "Family " 0-7, the family emoji 7-12, " and " 12-17, the French flag 17-19, " flag. " 19-26,
# Hindi "नमस्ते" 26-32, " 東京 " 32-36, Arabic "مرحبا" 36-41.
TEXT = f"Family {FAMILY} and 🇫🇷 flag. नमस्ते 東京 مرحبا"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def article(team):
    return make_article(team["project"], text=TEXT, by=team["owner"])


@pytest.fixture
def span(article, team):
    return create_annotation(article, author=team["annotator"], label="claim", start=0, end=6)


def test_the_text_has_the_offsets_the_tests_use():
    assert TEXT[7:12] == FAMILY and TEXT[17:19] == "🇫🇷" and TEXT[26:32] == "नमस्ते" and TEXT[36:41] == "مرحبا"


def test_a_boundary_change_onto_whole_characters_is_saved(span, team):
    update_annotation(span, by=team["annotator"], expected_version=1, changes={"end": 12})
    span.refresh_from_db()
    assert span.quote == f"Family {FAMILY}" and span.version == 2
    update_annotation(span, by=team["annotator"], expected_version=2, changes={"start": 17, "end": 32})
    span.refresh_from_db()
    assert span.quote == "🇫🇷 flag. नमस्ते"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": 9}, "end"),  # inside the family emoji (a ZWJ sequence)
        ({"start": 18, "end": 24}, "start"),  # between the flag's two regional indicators
        ({"start": 26, "end": 29}, "end"),  # before the virama of "नमस्ते" (a combining mark)
    ],
)
def test_a_boundary_that_splits_a_character_is_refused_with_the_nearest_boundaries(span, team, changes, field):
    with pytest.raises(InvalidInput) as error:
        update_annotation(span, by=team["annotator"], expected_version=1, changes=changes)
    message = error.value.errors[field][0]
    assert "splits a character" in message and "nearest boundaries" in message
    assert Annotation.objects.get(pk=span.pk).version == 1  # nothing written


def test_moving_onto_a_span_the_author_already_has_with_that_label_is_a_duplicate(span, article, team):
    twin = create_annotation(article, author=team["annotator"], label="claim", start=0, end=12)
    with pytest.raises(AlreadyExists) as error:
        update_annotation(span, by=team["annotator"], expected_version=1, changes={"end": 12})
    assert error.value.existing.pk == twin.pk
    assert str(error.value) == "You already have this label on exactly this span; nothing was changed."
    stored = Annotation.objects.get(pk=span.pk)
    assert (stored.start, stored.end, stored.version) == (0, 6, 1)
    assert not AnnotationEvent.objects.filter(annotation_id=span.pk, action=EventAction.UPDATED).exists()


def test_a_reviewer_moving_onto_a_duplicate_is_told_whose_it_is(span, article, team):
    create_annotation(article, author=team["annotator"], label="claim", start=0, end=12)
    with pytest.raises(AlreadyExists, match="Its author already has this label on exactly this span"):
        update_annotation(span, by=team["reviewer"], changes={"end": 12})


def test_changing_the_label_onto_a_duplicate_is_refused_too(span, article, team):
    create_annotation(article, author=team["annotator"], label="opinion", start=0, end=6)
    with pytest.raises(AlreadyExists):
        update_annotation(span, by=team["annotator"], changes={"label": "opinion"})


def test_the_same_span_by_another_author_or_label_is_no_duplicate(span, article, team):
    create_annotation(article, author=team["annotator2"], label="claim", start=0, end=12)
    create_annotation(article, author=team["annotator"], label="opinion", start=0, end=12)
    update_annotation(span, by=team["annotator"], changes={"end": 12})
    assert Annotation.objects.get(pk=span.pk).end == 12


def test_a_stale_version_is_refused_before_the_duplicate_rule(span, article, team):
    """A write from an old version changes nothing and says so, even when its span would also duplicate."""
    create_annotation(article, author=team["annotator"], label="claim", start=0, end=12)
    update_annotation(span, by=team["annotator"], expected_version=1, changes={"note": "first"})
    with pytest.raises(StaleVersion) as error:
        update_annotation(span, by=team["reviewer"], expected_version=1, changes={"end": 12})
    assert error.value.current.version == 2 and error.value.current.end == 6


# The review page: the fix form with the shared control.


@pytest.fixture
def submitted(article, team, span):
    return Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)


def reviewer_client(team) -> Client:
    client = Client()
    client.force_login(team["reviewer"])
    return client


def fix(client, work, span, **data):
    values = {"annotation": span.pk, "version": span.version, "label": "claim", "start": span.start, "end": span.end}
    return client.post(reverse("assignment_correct", args=[work.pk]), {**values, **data}, **HTMX)


def test_the_review_page_offers_the_control_and_keeps_the_number_inputs(team, submitted, span):
    page = reviewer_client(team).get(reverse("assignment_review", args=[submitted.pk])).content.decode()
    assert f'data-start="{span.start}" data-end="{span.end}"' in page
    assert "data-adjust " in page and "data-adjust-help hidden" in page
    assert f'id="fix-start-{span.pk}" name="start"' in page and f'id="fix-end-{span.pk}" name="end"' in page
    assert 'id="review-announcer"' in page and "span_adjust.js" not in page  # imported by review.js


def test_the_review_text_is_the_article_text_so_the_control_can_count_on_it(team, submitted):
    page = reviewer_client(team).get(reverse("assignment_review", args=[submitted.pk])).content.decode()
    inner = re.search(r'<div id="review-text"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", inner) == TEXT


def test_a_reviewer_fix_saves_new_boundaries(team, submitted, span):
    response = fix(reviewer_client(team), submitted, span, end=12)
    assert response.status_code == 200 and "Fixed." in response.content.decode()
    assert Annotation.objects.get(pk=span.pk).quote == f"Family {FAMILY}"


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"end": 9}, 422, "splits a character at its end"),
        ({"end": 12, "duplicate": True}, 409, "Its author already has this label on exactly this span"),
        ({"end": 12, "version": 5}, 412, "Someone else changed this meanwhile"),
    ],
)
def test_a_refused_fix_is_reported_on_the_span_card(team, article, submitted, span, data, status, message):
    if data.pop("duplicate", False):  # made before the submission locked the annotator's work
        Assignment.objects.filter(pk=submitted.pk).update(state=AssignmentState.IN_PROGRESS)
        create_annotation(article, author=team["annotator"], label="claim", start=0, end=12)
        Assignment.objects.filter(pk=submitted.pk).update(state=AssignmentState.SUBMITTED)
    response = fix(reviewer_client(team), submitted, span, **data)
    page = response.content.decode()
    assert response.status_code == status
    card = page[page.index(f'id="span-{span.pk}"') :]
    assert 'class="notice notice-error span-error" role="alert"' in card and message in card
    assert page.count(message) == 1  # on the card only, not again at the top
    assert Annotation.objects.get(pk=span.pk).end == 6


def test_without_javascript_a_fix_redirects_and_a_refusal_renders_the_page(team, submitted, span):
    client = reviewer_client(team)
    url = reverse("assignment_correct", args=[submitted.pk])
    values = {"annotation": span.pk, "version": span.version, "label": "claim", "start": 0}
    refused = client.post(url, {**values, "end": 9})
    assert refused.status_code == 422 and "splits a character" in refused.content.decode()
    saved = client.post(url, {**values, "end": 12})
    assert saved.status_code == 302 and saved["Location"] == reverse("assignment_review", args=[submitted.pk])
    assert Annotation.objects.get(pk=span.pk).end == 12


def test_the_api_answers_a_moved_duplicate_with_409_and_the_stored_one(span, article, team):
    twin = create_annotation(article, author=team["annotator"], label="claim", start=0, end=12)
    response = api_as(team["annotator"]).patch(annotation_url(span), {"end": 12}, HTTP_IF_MATCH=span.etag)
    assert response.status_code == 409 and response.json()["existing"]["id"] == twin.pk
    assert "already have this label on exactly this span" in response.json()["detail"]
    split = api_as(team["annotator"]).patch(annotation_url(span), {"end": 9}, HTTP_IF_MATCH=span.etag)
    assert split.status_code == 400 and "splits a character" in split.json()["end"][0]
