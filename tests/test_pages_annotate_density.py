"""Dense articles on the annotate page: picking the place of an ambiguous quote, and focusing one label."""

from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse

from articles.models import Annotation, Visibility
from articles.views.label_styles import label_stylesheet
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = "First the plan was praised. Then the plan was dropped. Later the plan came back."


def create(client, article, *, htmx: bool = True, **data):
    return client.post(reverse("annotation_create", args=[article.pk]), data, **(HTMX if htmx else {}))


def choice_forms(response) -> list:
    tree = lxml.html.fromstring(response.content)
    return tree.get_element_by_id("quote-choices").findall(".//form")


def test_an_ambiguous_quote_lists_each_place_with_its_context(client, team):
    article = make_article(team["project"], text=TEXT)
    client.force_login(team["annotator"])
    response = create(client, article, label="claim", quote="the plan")
    assert response.status_code == 422
    forms = choice_forms(response)
    assert [form.find(".//strong").text_content() for form in forms] == ["the plan"] * 3
    assert "Then the plan was dropped" in " ".join(forms[1].find(".//button").text_content().split())
    fields = [{field.get("name"): field.get("value") for field in form.findall(".//input")} for form in forms]
    assert [(int(f["start"]), int(f["end"])) for f in fields] == [
        (index, index + 8) for index in (6, TEXT.index("the plan", 10), TEXT.rindex("the plan"))
    ]
    assert {(f["quote"], f["label"]) for f in fields} == {("the plan", "claim")}
    assert not Annotation.objects.exists()


def test_a_plain_post_keeps_the_typed_quote_and_label_in_the_form(client, team):
    article = make_article(team["project"], text=TEXT)
    client.force_login(team["annotator"])
    response = create(client, article, htmx=False, label="source", quote="the plan")
    assert response.status_code == 422
    tree = lxml.html.fromstring(response.content)
    assert tree.get_element_by_id("quote-add").get("open") is not None
    assert tree.get_element_by_id("quote-text").text_content() == "the plan"
    assert tree.get_element_by_id("quote-label").value == "source"
    assert len(choice_forms(response)) == 3


def test_picking_a_place_creates_exactly_that_span(client, team):
    article = make_article(team["project"], text=TEXT)
    client.force_login(team["annotator"])
    fields = {
        f.get("name"): f.get("value")
        for f in choice_forms(create(client, article, label="claim", quote="the plan"))[1].findall(".//input")
    }
    response = create(client, article, **fields)
    assert response.status_code == 200
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end, annotation.quote) == (
        TEXT.index("the plan", 10),
        TEXT.index("the plan", 10) + 8,
        "the plan",
    )
    assert 'id="quote-choices"' not in response.content.decode()


def test_hostile_text_around_the_places_stays_escaped(client, team):
    article = make_article(
        team["project"], text="<script>alert(1)</script> x <img src=x onerror=alert(1)> x <b>bold</b>"
    )
    client.force_login(team["annotator"])
    response = create(client, article, label="claim", quote=" x ")
    html = response.content.decode()
    assert response.status_code == 422
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>bold" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_focus_one_label_renders_pressed_and_marks_the_text(client, team):
    article = make_article(team["project"], text=TEXT)
    make_annotation(article, team["annotator"], label="claim", start=0, end=5)
    client.force_login(team["annotator"])
    response = client.get(reverse("article_annotate", args=[article.pk]), {"focus": "claim"})
    tree = lxml.html.fromstring(response.content)
    text = tree.get_element_by_id("article-text")
    assert ("is-focused" in text.get("class"), text.get("data-focus")) == (True, "claim")
    pressed = {b.get("data-focus-label"): b.get("aria-pressed") for b in tree.find_class("focus-toggle")}
    assert pressed["claim"] == "true" and pressed["source"] == "false"
    assert tree.get_element_by_id("view-focus").value == "claim"


@pytest.mark.parametrize("value", ["nope", '"><script>alert(1)</script>', "claim source", ""])
def test_an_unknown_focus_is_ignored(client, team, value):
    article = make_article(team["project"], text=TEXT)
    client.force_login(team["annotator"])
    response = client.get(reverse("article_annotate", args=[article.pk]), {"focus": value})
    assert response.status_code == 200
    tree = lxml.html.fromstring(response.content)
    text = tree.get_element_by_id("article-text")
    assert ("is-focused" in text.get("class"), text.get("data-focus")) == (False, "")
    assert {b.get("aria-pressed") for b in tree.find_class("focus-toggle")} == {"false"}
    assert "<script>alert(1)" not in response.content.decode()


def test_the_label_stylesheet_fades_the_other_labels_when_one_is_focused(team):
    css = label_stylesheet(list(team["project"].labels.all()))
    assert '.is-focused[data-focus="claim"] .hl:not([data-labels~="claim"]) { opacity: var(--faded); }' in css


def covering_ids(response) -> list[int]:
    tree = lxml.html.fromstring(response.content.decode())
    return [int(link.get("data-ann")) for link in tree.find_class("covering-item")]


def test_the_editor_lists_every_annotation_covering_the_place(client, team):
    article = make_article(team["project"], text="The minister said taxes will fall next year.")
    outer = make_annotation(article, author=team["annotator"], label="quote", start=4, end=32)
    middle = make_annotation(article, author=team["reviewer"], label="claim", start=13, end=32)
    inner = make_annotation(article, author=team["annotator"], label="opinion", start=18, end=23)
    client.force_login(team["annotator"])
    here = f"{outer.pk} {middle.pk} {inner.pk} junk -1 99999999999999"
    response = client.get(reverse("annotation_detail", args=[inner.pk]), {"here": here}, HTTP_HX_REQUEST="true")
    assert covering_ids(response) == [outer.pk, middle.pk, inner.pk]  # in text order
    links = lxml.html.fromstring(response.content.decode()).find_class("covering-item")
    assert [int(link.get("data-ann")) for link in links if link.get("aria-current") == "true"] == [inner.pk]
    alone = client.get(reverse("annotation_detail", args=[inner.pk]), {"here": str(inner.pk)}, HTTP_HX_REQUEST="true")
    assert covering_ids(alone) == []


def test_the_covering_list_names_only_annotations_the_user_may_see(client, team):
    team["project"].visibility = Visibility.INDEPENDENT
    team["project"].save()
    article = make_article(team["project"], text="The minister said taxes will fall next year.")
    mine = make_annotation(article, author=team["annotator"], label="quote", start=4, end=32)
    theirs = make_annotation(article, author=team["annotator2"], label="claim", start=13, end=32)
    other_article = make_article(team["project"], text="Another text entirely.")
    elsewhere = make_annotation(other_article, author=team["annotator"], label="claim", start=0, end=7)
    client.force_login(team["annotator"])
    here = f"{mine.pk} {theirs.pk} {elsewhere.pk}"
    response = client.get(reverse("annotation_detail", args=[mine.pk]), {"here": here}, HTTP_HX_REQUEST="true")
    assert covering_ids(response) == []  # only one visible annotation here: no list
    assert f'data-ann="{theirs.pk}"' not in response.content.decode()
