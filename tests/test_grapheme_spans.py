"""A span never splits a user-perceived character (an extended grapheme cluster), whichever way it is written."""

from __future__ import annotations

import json

import lxml.html
import pytest
import regex
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from articles.anchoring import SpanError, validate_span
from articles.annotation_write import update_annotation
from articles.errors import InvalidInput
from articles.models import Annotation
from tests.api_client import annotation_url, annotations_url, api_as, url
from tests.factories import make_annotation, make_article

TEXT = "Judge 👩🏽‍⚖️ ruled 🇫🇷 x\u0301 fine."  # the judge is 6-11, the flag 18-20, x + accent 21-23
JUDGE, FLAG, ACCENTED = (6, 11), (18, 20), (21, 23)
# Pieces that join into one character: emoji with skin tone and ZWJ, flags, accents, Indic conjuncts and
# linkers, Hangul jamo, prepended and spacing marks, CR LF; mixed with arbitrary characters.
PIECES = [
    "a",
    " ",
    "\n",
    "\r",
    "\u0301",
    "\u200d",
    "\ufe0f",
    "👩",
    "🏽",
    "⚖",
    "🇫",
    "🇷",
    "क",
    "्",
    "ष",
    "ि",
    "\u1cf5",
    "ᄀ",
    "ᅡ",
    "ᆨ",
    "가",
    "\u0600",
    "\u0903",
    "©",
    "中",
]
texts = st.lists(
    st.sampled_from(PIECES) | st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=30
).map("".join)


def boundaries(text: str) -> list[int]:
    return [0] + [character.end() for character in regex.finditer(r"\X", text)]


@given(texts)
@example("a\r\nb\nc")
@example("\u0600a b")
@example("🇫🇷🇩🇪🇫 x")
@example("a🇫🇷🇩🇪🇫🇷🇩\u0301🇪 \u0600🇫🇷b\u0600\u0600🇩🇪🇫")
@example("क्षि 👩🏽‍⚖️x\u0301 a\u1cf5क")
def test_validate_span_accepts_exactly_the_spans_whose_ends_are_grapheme_boundaries(text):
    edges = boundaries(text)
    for start in range(len(text)):
        for end in range(start + 1, len(text) + 1):
            try:
                validate_span(text, start, end)
            except SpanError as error:
                offset = start if start not in edges else end
                assert error.field == ("start" if offset == start else "end")
                nearest = (max(e for e in edges if e < offset), min(e for e in edges if e > offset))
                assert error.message.endswith(f"the nearest boundaries are {nearest[0]} and {nearest[1]}.")
                assert start not in edges or end not in edges
            else:
                assert start in edges and end in edges


@pytest.mark.parametrize(
    ("start", "end", "field", "nearest"),
    [
        (8, 18, "start", JUDGE),
        (0, 9, "end", JUDGE),
        (19, 23, "start", FLAG),
        (11, 19, "end", FLAG),
        (22, 23, "start", ACCENTED),
        (18, 22, "end", ACCENTED),
    ],
)
def test_a_split_character_names_its_nearest_boundaries(start, end, field, nearest):
    with pytest.raises(SpanError) as caught:
        validate_span(TEXT, start, end)
    assert caught.value.field == field
    assert caught.value.message == (
        f"The span splits a character at its {field}; the nearest boundaries are {nearest[0]} and {nearest[1]}."
    )
    validate_span(TEXT, *nearest)


@pytest.fixture
def judged(team):
    return make_article(team["project"], text=TEXT, by=team["owner"])


def test_the_api_refuses_split_characters_on_create_by_offsets_or_quote(team, judged):
    client = api_as(team["annotator"])
    answer = client.post(annotations_url(judged), {"label": "claim", "start": 8, "end": 18})
    assert answer.status_code == 400
    assert answer.json()["start"] == ["The span splits a character at its start; the nearest boundaries are 6 and 11."]
    answer = client.post(annotations_url(judged), {"label": "claim", "quote": "🇷 x"})  # the second half of the flag
    assert answer.status_code == 400 and "nearest boundaries are 18 and 20" in answer.json()["start"][0]
    assert client.post(annotations_url(judged), {"label": "claim", "start": 6, "end": 11}).status_code == 201
    assert Annotation.objects.count() == 1


def test_a_bulk_create_with_one_split_character_stores_nothing(team, judged):
    specs = [{"label": "claim", "start": 0, "end": 5}, {"label": "quote", "start": 18, "end": 22}]
    answer = api_as(team["annotator"]).post(annotations_url(judged), specs)
    assert answer.status_code == 400 and "nearest boundaries are 21 and 23" in answer.json()["1"]["end"][0]
    assert not Annotation.objects.exists()


def test_moving_a_boundary_into_a_character_is_refused(team, judged):
    annotation = make_annotation(judged, author=team["annotator"], start=0, end=5)
    answer = api_as(team["annotator"]).patch(annotation_url(annotation), {"end": 9}, HTTP_IF_MATCH=annotation.etag)
    assert answer.status_code == 400 and "nearest boundaries are 6 and 11" in answer.json()["end"][0]
    annotation.refresh_from_db()
    assert (annotation.end, annotation.version) == (5, 1)


def test_an_import_with_a_split_character_is_refused_whole(team):
    line = {
        "title": "Verdict",
        "text": TEXT,
        "spans": [{"start": 0, "end": 5, "label": "claim"}, {"start": 19, "end": 23, "label": "claim"}],
    }
    answer = api_as(team["owner"]).post(
        url("api_project_import", team["project"].pk),
        {"filename": "verdict.jsonl", "content": json.dumps(line, ensure_ascii=False)},
    )
    assert answer.status_code == 400, answer.json()
    assert any("nearest boundaries are 18 and 20" in error["message"] for error in answer.json()["errors"])
    assert not Annotation.objects.exists()


def test_the_page_refuses_a_split_character_too(client, team, judged):
    client.force_login(team["annotator"])
    answer = client.post(
        reverse("annotation_create", args=[judged.pk]),
        {"label": "claim", "start": 7, "end": 11},
        HTTP_HX_REQUEST="true",
    )
    notices = lxml.html.fromstring(answer.content).get_element_by_id("notices").text_content()
    assert answer.status_code == 422 and "nearest boundaries are 6 and 11" in notices
    assert not Annotation.objects.exists()


def test_a_span_stored_before_the_rule_keeps_its_place_when_only_its_note_changes(team):
    """A span that splits a character (stored before the rule existed) can still get a note; moving it is checked."""
    article = make_article(team["project"], text="Judge 👩🏽‍⚖️ ruled today.")
    span = make_annotation(article, author=team["annotator"], start=0, end=5)
    Annotation.objects.filter(pk=span.pk).update(end=7, quote=article.text[0:7])
    span.refresh_from_db()
    assert update_annotation(span, by=team["annotator"], changes={"note": "kept"}).note == "kept"
    with pytest.raises(InvalidInput):
        update_annotation(span, by=team["annotator"], changes={"end": 8})
