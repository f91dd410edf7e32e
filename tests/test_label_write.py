"""Label writes: owners only, readable colours, unique shortcuts, number fields, and merging a label in use."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from articles.annotation_write import create_annotation, update_annotation
from articles.attributes import validate_attributes
from articles.errors import InvalidInput
from articles.label_write import (
    MIN_CONTRAST,
    LabelInUse,
    contrast_ratio,
    create_label,
    delete_label,
    highlight_contrast,
    move_label,
    update_label,
)
from articles.labels import DEFAULT_LABELS, check_label_fields
from articles.models import Annotation, AnnotationEvent, EventAction, Label
from tests.api_client import api_as, url
from tests.factories import make_annotation, make_project

pytestmark = pytest.mark.django_db

NUMBER = [{"name": "amount", "label": "Amount", "type": "number"}]


def keys(project) -> list[str]:
    return list(Label.objects.filter(project=project).order_by("order", "id").values_list("key", flat=True))


def label(project, key: str) -> Label:
    return Label.objects.get(project=project, key=key)


@pytest.mark.parametrize("role", ["owner", "reviewer", "annotator", "viewer", "outsider"])
def test_only_owners_create_change_move_and_delete_labels(team, role):
    project, user = team["project"], team[role]
    calls = [
        lambda: create_label(project, by=user, key="stat", name="Statistic", color="#F0E442"),
        lambda: update_label(label(project, "claim"), by=user, changes={"name": "Fact"}),
        lambda: move_label(label(project, "quote"), by=user, step=-1),
        lambda: delete_label(label(project, "opinion"), by=user),
    ]
    for call in calls:
        if role == "owner":
            call()
        else:
            with pytest.raises(PermissionDenied):
                call()
    expected = ["quote", "claim", "source", "stat"] if role == "owner" else ["claim", "quote", "source", "opinion"]
    assert keys(project) == expected


def test_contrast_follows_wcag_and_every_default_colour_passes():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1)
    assert all(highlight_contrast(spec["color"]) >= MIN_CONTRAST for spec in DEFAULT_LABELS)
    assert highlight_contrast("#000000") < MIN_CONTRAST < highlight_contrast("#0072B2")


@pytest.mark.parametrize("color", ["#000000", "#0000FF", "#1a1a1a"])
def test_a_colour_that_makes_highlighted_text_unreadable_is_refused(team, color):
    with pytest.raises(InvalidInput) as refused:
        create_label(team["project"], by=team["owner"], key="dark", name="Dark", color=color)
    assert "contrast" in refused.value.errors["color"][0] and "4.5:1" in refused.value.errors["color"][0]
    with pytest.raises(InvalidInput):
        update_label(label(team["project"], "claim"), by=team["owner"], changes={"color": color})
    assert label(team["project"], "claim").color == "#E69F00"


def test_a_shortcut_or_key_another_label_has_is_refused(team):
    project, owner = team["project"], team["owner"]
    with pytest.raises(InvalidInput) as clash:
        create_label(project, by=owner, key="stat", name="Statistic", color="#F0E442", shortcut="1")
    assert "shortcut 1" in clash.value.errors["shortcut"][0]
    with pytest.raises(InvalidInput) as taken:
        update_label(label(project, "quote"), by=owner, changes={"key": "claim"})
    assert "key" in taken.value.errors
    with pytest.raises(InvalidInput):
        create_label(project, by=owner, key="stat", name="Statistic", color="#F0E442", shortcut="0")
    update_label(label(project, "quote"), by=owner, changes={"shortcut": "9"})
    assert create_label(project, by=owner, key="stat", name="Statistic", color="#F0E442", shortcut="2").order == 4


def test_number_fields_are_accepted_and_their_values_checked(team, article):
    assert check_label_fields(NUMBER) == NUMBER
    stat = create_label(team["project"], by=team["owner"], key="stat", name="Statistic", color="#F0E442", fields=NUMBER)
    assert validate_attributes({"amount": 12}, stat.fields) == {"amount": 12}
    assert validate_attributes({"amount": " 3.5 "}, stat.fields) == {"amount": " 3.5 "}
    for bad in ("twelve", True, "nan", "1e999", float("inf")):
        with pytest.raises(InvalidInput):
            validate_attributes({"amount": bad}, stat.fields)
    made = create_annotation(article, author=team["annotator"], label="stat", start=0, end=7, attributes={"amount": 4})
    with pytest.raises(InvalidInput):
        update_annotation(made, by=team["annotator"], changes={"attributes": {"amount": "many"}})


def test_moving_renumbers_and_stops_at_the_ends(team):
    project, owner = team["project"], team["owner"]
    move_label(label(project, "claim"), by=owner, step=-1)
    move_label(label(project, "opinion"), by=owner, step=1)
    assert keys(project) == ["claim", "quote", "source", "opinion"]
    move_label(label(project, "source"), by=owner, step=1)
    assert list(Label.objects.filter(project=project).order_by("order").values_list("order", flat=True)) == [0, 1, 2, 3]
    assert keys(project) == ["claim", "quote", "opinion", "source"]
    with pytest.raises(InvalidInput):
        move_label(label(project, "claim"), by=owner, step=2)


def test_a_label_in_use_is_refused_unless_merged(team, article):
    project = team["project"]
    make_annotation(article, team["annotator"], label="opinion")
    with pytest.raises(LabelInUse, match="in use by 1 annotation"):
        delete_label(label(project, "opinion"), by=team["owner"])
    other = make_project(team["owner"]).labels.get(key="claim")
    with pytest.raises(InvalidInput):
        delete_label(label(project, "opinion"), by=team["owner"], merge_into=other)
    with pytest.raises(InvalidInput):
        delete_label(label(project, "opinion"), by=team["owner"], merge_into=label(project, "opinion"))
    assert "opinion" in keys(project)


def test_merging_moves_annotations_and_records_it_in_their_history(team, article):
    project = team["project"]
    moved = make_annotation(article, team["annotator"], label="opinion", note="keep me")
    done = delete_label(label(project, "opinion"), by=team["owner"], merge_into=label(project, "claim"))
    assert (done.moved, done.duplicates) == (1, 0) and done.message == "Label merged: 1 annotation moved."
    moved_now = Annotation.objects.get(pk=moved.pk)
    assert (moved_now.label.key, moved_now.note, moved_now.version) == ("claim", "keep me", moved.version + 1)
    event = AnnotationEvent.objects.filter(annotation_id=moved.pk).latest("id")
    assert (event.action, event.actor, event.changes) == (
        EventAction.UPDATED,
        team["owner"],
        {"label": ["opinion", "claim"]},
    )
    assert event.snapshot["label"] == "claim"
    assert "opinion" not in keys(project)


def test_a_merge_removes_duplicates_the_other_label_already_covers_and_counts_them(team, article):
    project, author = team["project"], team["annotator"]
    kept = make_annotation(article, author, label="claim")
    duplicate = make_annotation(article, author, label="opinion")  # same author and span as `kept`
    elsewhere = make_annotation(article, author, label="opinion", start=2, end=9)
    someone_else = make_annotation(article, team["annotator2"], label="opinion")
    done = delete_label(label(project, "opinion"), by=team["owner"], merge_into=label(project, "claim"))
    assert (done.moved, done.duplicates) == (2, 1)
    assert "2 annotations moved" in done.message and "1 annotation already had the other label" in done.message
    assert not Annotation.objects.filter(pk=duplicate.pk).exists()
    remaining = set(Annotation.objects.filter(label__key="claim").values_list("pk", flat=True))
    assert remaining == {kept.pk, elsewhere.pk, someone_else.pk}
    gone = AnnotationEvent.objects.filter(annotation_id=duplicate.pk).latest("id")
    assert gone.action == EventAction.DELETED and gone.changes == {"label": ["opinion", "claim"]}


def test_the_api_merges_with_merge_into_and_refuses_dark_colours_as_400(team, article):
    project, client = team["project"], api_as(team["owner"])
    make_annotation(article, team["annotator"], label="opinion")
    opinion, quote = label(project, "opinion"), label(project, "quote")
    refused = client.delete(url("project-label-detail", project.pk, opinion.pk))
    assert refused.status_code == 409 and "in use" in refused.json()["detail"]
    unknown = client.delete(url("project-label-detail", project.pk, opinion.pk) + "?merge_into=x")
    assert unknown.status_code == 404
    merged = client.delete(url("project-label-detail", project.pk, opinion.pk) + f"?merge_into={quote.pk}")
    assert merged.status_code == 204 and Annotation.objects.get().label_id == quote.pk
    dark = client.post(url("project-label-list", project.pk), {"key": "dark", "name": "Dark", "color": "#000000"})
    assert dark.status_code == 400 and "contrast" in dark.json()["color"][0]
