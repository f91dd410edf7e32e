"""Validating patterns match whole values: "$" also matches before a final newline, "\\Z" does not."""

from __future__ import annotations

import json

import lxml.html
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from django.urls import reverse

from articles.models import Annotation, Label
from tests.api_client import api_as, url

NATIVE = {"format": "news-annotator/export", "version": 1, "articles": []}


def native_with_label(**label) -> dict:
    return {**NATIVE, "project": {"labels": [{"key": "verdict", "name": "Verdict", "color": "#1A2B3C", **label}]}}


def import_errors(answer) -> set[str]:
    assert answer.status_code == 400, answer.json()
    return {error["field"] for error in answer.json()["errors"]}


def test_trailing_newline_is_refused_by_every_pattern(team, client, settings, tmp_path):
    """INPUT: a label key, colour or shortcut ending in "\\n" is refused by the database, the API, imports and
    the import page (the API and forms strip it first), and a W3C target IRI ending in "\\n" is not ours."""
    project, owner = team["project"], team["owner"]
    for field, value in (("key", "verdict\n"), ("color", "#1A2B3C\n"), ("shortcut", "7\n")):
        label = {"project": project, "key": "verdict", "name": "Verdict", "color": "#1A2B3C", field: value}
        with pytest.raises(DatabaseError), transaction.atomic():  # a CHECK constraint (or PostgreSQL's varchar)
            Label.objects.create(**label)

    api = api_as(owner)
    created = api.post(url("project-label-list", project.pk), {"key": "verdict\n", "name": "V", "color": "#1A2B3C"})
    assert created.status_code in (201, 400) and not Label.objects.filter(key__endswith="\n").exists()

    document = native_with_label(key="verdict\n")
    assert import_errors(api.post(url("api_project_import", project.pk), {"format": "json", "content": document})) == {
        "key"
    }

    client.force_login(owner)
    upload = SimpleUploadedFile("labels.json", json.dumps(document).encode())
    page = client.post(reverse("project_import", args=[project.pk]), {"format": "auto", "files": [upload]})
    assert page.status_code == 422 and "Use lower-case letters" in lxml.html.fromstring(page.content).text_content()
    assert not Label.objects.filter(key__startswith="verdict").exclude(key="verdict").exists()


def test_a_target_iri_with_a_trailing_newline_names_no_article(team, article):
    source = f"http://testserver/api/v1/articles/{article.pk}/\n"
    item = {
        "type": "Annotation",
        "body": {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
        "target": {"source": source, "selector": {"type": "TextPositionSelector", "start": 0, "end": 7}},
    }
    answer = api_as(team["owner"]).post(
        url("api_project_import", team["project"].pk), {"format": "w3c", "content": [item]}
    )
    assert import_errors(answer) == {"target.source"} and not Annotation.objects.exists()
