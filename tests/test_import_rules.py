"""Imports check labels by the API's own rules, and no stored label can make a page or a list fail."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Label
from tests.api_client import api_as, url

NATIVE = {"format": "news-annotator/export", "version": 1, "articles": []}


def native_with_label(**label) -> dict:
    return {**NATIVE, "project": {"labels": [{"key": "verdict", "name": "Verdict", "color": "#123456", **label}]}}


def import_as(team, **payload):
    return api_as(team["owner"]).post(url("api_project_import", team["project"].pk), payload, format="json")


@pytest.mark.parametrize(
    "label",
    [
        {"fields": [{"name": "rating", "type": "text"}]},  # no "label"
        {"fields": [{"name": "rating", "label": "Rating", "type": "choice"}]},  # a choice without choices
        {"fields": [{"name": "Rating!", "label": "Rating", "type": "text"}]},
        {"fields": [{"name": "a", "label": "A", "type": "text"}, {"name": "a", "label": "B", "type": "text"}]},
        {"fields": "rating"},
        {"description": "Null \x00 inside"},
        {"name": "Bell\x07"},
    ],
)
def test_malformed_labels_in_a_native_import_are_refused_like_the_api_refuses_them(team, label):
    response = import_as(team, format="json", content=native_with_label(**label))
    assert response.status_code == 400, response.json()
    assert not Label.objects.filter(key="verdict").exists()
    api = api_as(team["owner"]).post(
        url("project-label-list", team["project"].pk),
        {"key": "verdict", "color": "#123456", "name": "Verdict", **label},
        format="json",
    )
    assert api.status_code == 400 and not Label.objects.filter(key="verdict").exists()


def test_a_stored_label_never_makes_a_list_or_page_fail(team, article):
    """Whatever a label holds (say, written before the rules, or by hand), every reader still gets 200."""
    Label.objects.create(
        project=team["project"],
        key="odd",
        name="Odd",
        color="#123456",
        fields=[{"name": "x"}, "not an object", {"type": "choice", "choices": None}],
    )
    api = api_as(team["annotator"])
    assert api.get(url("project-list")).status_code == 200
    assert api.get(url("project-detail", team["project"].pk)).status_code == 200
    assert api.get(url("project-label-list", team["project"].pk)).status_code == 200
    page = Client()
    page.force_login(team["annotator"])
    assert page.get(reverse("project_detail", args=[team["project"].pk])).status_code == 200
    assert page.get(reverse("article_annotate", args=[article.pk])).status_code == 200


def test_unknown_fields_of_an_import_request_are_a_400_naming_them(team):
    response = import_as(team, format="json", content=NATIVE, dryrun=True)
    assert response.status_code == 400 and response.json() == {"dryrun": ["Unknown field."]}
    url_import = api_as(team["owner"]).post(
        url("api_project_import_url", team["project"].pk), {"url": "https://example.org/", "extra": 1}, format="json"
    )
    assert url_import.status_code == 400 and "extra" in url_import.json()
