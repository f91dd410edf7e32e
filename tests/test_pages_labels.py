"""The label editor pages: owners only (404 outside, 403 inside), inline errors as 422, htmx regions, plain forms."""

from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse

from articles.models import Annotation, AnnotationEvent, Label
from tests.factories import make_annotation, make_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def labels_url(project) -> str:
    return reverse("project_labels", args=[project.pk])


def label_url(name: str, label: Label) -> str:
    return reverse(name, args=[label.project_id, label.pk])


def keys(project) -> list[str]:
    return list(Label.objects.filter(project=project).order_by("order", "id").values_list("key", flat=True))


def test_only_owners_open_the_editor_and_outsiders_learn_nothing(client, team):
    project = team["project"]
    claim = project.labels.get(key="claim")
    client.force_login(team["outsider"])
    assert client.get(labels_url(project)).status_code == 404
    assert client.post(label_url("label_delete", claim)).status_code == 404
    for role in ("reviewer", "annotator", "viewer"):
        client.force_login(team[role])
        assert client.get(labels_url(project)).status_code == 403
        assert client.post(labels_url(project), {"name": "New", "color": "#56b4e9"}).status_code == 403
        assert client.post(label_url("label_move", claim), {"step": "1"}).status_code == 403
    client.force_login(team["owner"])
    page = client.get(labels_url(project))
    assert page.status_code == 200 and b'href="/projects/' in page.content
    assert keys(project) == ["claim", "quote", "source", "opinion"]


def test_the_labels_tab_is_shown_to_owners_only(client, team):
    project = team["project"]
    client.force_login(team["owner"])
    assert labels_url(project).encode() in client.get(reverse("project_members", args=[project.pk])).content
    client.force_login(team["reviewer"])
    assert labels_url(project).encode() not in client.get(reverse("review_queue", args=[project.pk])).content


def test_a_foreign_or_unknown_label_is_a_404(client, team):
    foreign = make_project(team["owner"]).labels.get(key="claim")
    client.force_login(team["owner"])
    project = team["project"]
    for name in ("label_update", "label_move", "label_delete"):
        assert client.post(reverse(name, args=[project.pk, foreign.pk])).status_code == 404
    merge = {"merge_into": str(foreign.pk)}
    assert client.post(label_url("label_delete", project.labels.get(key="opinion")), merge).status_code == 404
    assert Label.objects.filter(pk=foreign.pk).exists()


def test_an_owner_adds_a_label_with_a_number_field_by_plain_form(client, team):
    client.force_login(team["owner"])
    project = team["project"]
    data = {
        "name": "Statistic",
        "color": "#f0e442",
        "shortcut": "5",
        "description": "A figure.",
        "fields": "value | Value | number",
    }
    response = client.post(labels_url(project), data, follow=True)
    assert response.status_code == 200 and "Label “Statistic” added." in response.content.decode()
    label = project.labels.get(key="statistic")
    assert (label.shortcut, label.order, label.fields) == (
        "5",
        4,
        [{"name": "value", "label": "Value", "type": "number"}],
    )


def test_htmx_gets_the_editor_region_and_errors_inline_as_422(client, team):
    client.force_login(team["owner"])
    project = team["project"]
    dark = client.post(labels_url(project), {"name": "Dark", "color": "#000000", "fields": ""}, **HTMX)
    assert dark.status_code == 422
    tree = lxml.html.fromstring(dark.content)
    assert tree.get("id") == "label-editor"
    errors = [p.text_content() for p in tree.get_element_by_id("label-form-new").find_class("field-error")]
    assert len(errors) == 1 and "contrast of 3.3:1" in errors[0] and "4.5:1" in errors[0]
    assert tree.get_element_by_id("new-name").get("value") == "Dark"  # what was typed stays
    clash = client.post(labels_url(project), {"name": "Twin", "color": "#f0e442", "shortcut": "1"}, **HTMX)
    assert clash.status_code == 422 and "uses the shortcut 1" in clash.content.decode()
    claim = project.labels.get(key="claim")
    bad_fields = client.post(
        label_url("label_update", claim), {"name": "Claim", "color": "#e69f00", "fields": "x"}, **HTMX
    )
    assert bad_fields.status_code == 422 and "Line 1" in bad_fields.content.decode()
    assert keys(project) == ["claim", "quote", "source", "opinion"]


@pytest.mark.parametrize("field", ["name", "color", "shortcut", "description", "fields"])
def test_nul_and_control_characters_are_a_422_never_a_500(client, team, field):
    client.force_login(team["owner"])
    project = team["project"]
    data = {"name": "Nul", "color": "#f0e442", "shortcut": "", "description": "", "fields": "", field: "a\x00b"}
    if field == "fields":
        data[field] = "a | A\x00 | text"
    assert client.post(labels_url(project), data, **HTMX).status_code == 422
    assert not project.labels.filter(key="nul").exists()


def test_bad_move_steps_and_ids_are_4xx(client, team):
    client.force_login(team["owner"])
    project = team["project"]
    claim = project.labels.get(key="claim")
    assert client.post(label_url("label_move", claim), {"step": "5"}, **HTMX).status_code == 422
    assert client.post(label_url("label_move", claim), {"step": "\x00"}, **HTMX).status_code == 422
    assert client.post(label_url("label_delete", claim), {"merge_into": "x\x00"}, **HTMX).status_code == 404
    assert client.get(label_url("label_move", claim)).status_code == 405


def test_moving_and_deleting_by_merge_through_the_pages(client, team, article):
    client.force_login(team["owner"])
    project = team["project"]
    quote, opinion = project.labels.get(key="quote"), project.labels.get(key="opinion")
    assert client.post(label_url("label_move", quote), {"step": "-1"}, **HTMX).status_code == 200
    assert keys(project) == ["quote", "claim", "source", "opinion"]
    annotation = make_annotation(article, team["annotator"], label="opinion")
    refused = client.post(label_url("label_delete", opinion), {"merge_into": ""}, **HTMX)
    assert refused.status_code == 409 and "in use by 1 annotation" in refused.content.decode()
    merged = client.post(label_url("label_delete", opinion), {"merge_into": str(quote.pk)}, **HTMX)
    assert merged.status_code == 200 and "1 annotation moved" in merged.content.decode()
    assert Annotation.objects.get(pk=annotation.pk).label_id == quote.pk
    assert AnnotationEvent.objects.filter(annotation_id=annotation.pk, changes__label=["opinion", "quote"]).exists()


def test_the_editor_page_reads_in_a_fixed_number_of_queries(client, team, django_assert_num_queries):
    client.force_login(team["owner"])
    url = labels_url(team["project"])
    client.get(url)
    # session, user, project with role, labels with use counts; link types, their two ends and use counts
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
