"""Links between spans: the domain rules of articles.links (types, ends, versions, history, undo)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from articles.annotation_write import delete_annotation, restore_annotation
from articles.errors import AlreadyExists, InvalidInput, StaleVersion
from articles.links import (
    LinkSpec,
    create_link,
    create_links,
    delete_link,
    link_types_of,
    review_link,
    types_allowed,
    update_link,
)
from articles.models import Link, LinkEvent, LinkType, Project
from articles.revisions import add_revision
from tests.factories import make_annotation, make_article, make_project

TEXT = "“Taxes will fall,” said the minister. The State Department disagreed. Prices rose 5% last year."


@pytest.fixture
def spans(team):
    article = make_article(team["project"], text=TEXT)
    author = team["annotator"]
    quote = make_annotation(article, author, "quote", quote="Taxes will fall,")
    minister = make_annotation(article, author, "source", quote="the minister")
    department = make_annotation(article, author, "source", quote="The State Department")
    claim = make_annotation(article, author, "claim", quote="Prices rose 5% last year.")
    return {"article": article, "quote": quote, "minister": minister, "department": department, "claim": claim}


def said_by(spans, source="minister"):
    return LinkSpec(spans["quote"].pk, spans[source].pk, "said_by")


def test_new_projects_get_the_default_link_types(team):
    types = {each.key: (each.from_keys, each.to_keys) for each in link_types_of(team["project"])}
    assert types == {
        "said_by": (["quote"], ["source"]),
        "claimed_by": (["claim"], ["source"]),
        "backed_by": (["claim"], ["source"]),
        "held_by": (["opinion"], ["source"]),
    }


def test_only_types_allowed_for_the_two_labels_are_offered(team):
    types = link_types_of(team["project"])
    assert [each.key for each in types_allowed(types, "claim", "source")] == ["claimed_by", "backed_by"]
    assert types_allowed(types, "source", "quote") == []


def test_a_link_is_stored_with_its_history(spans, team):
    link = create_link(spans["article"], said_by(spans), author=team["annotator"])
    stored = Link.objects.get(pk=link.pk)
    assert (stored.from_annotation_id, stored.to_annotation_id, stored.type.key) == (
        spans["quote"].pk,
        spans["minister"].pk,
        "said_by",
    )
    assert stored.version == 1 and stored.status == "pending"
    assert list(LinkEvent.objects.filter(link_id=link.pk).values_list("action", flat=True)) == ["created"]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        (lambda s: LinkSpec(s["quote"].pk, s["quote"].pk, "said_by"), "to"),
        (lambda s: LinkSpec(s["quote"].pk, s["claim"].pk, "said_by"), "type"),
        (lambda s: LinkSpec(s["quote"].pk, s["minister"].pk, "nope"), "type"),
        (lambda s: LinkSpec(s["quote"].pk, 10**9, "said_by"), "to"),
        (lambda s: LinkSpec("1", s["minister"].pk, "said_by"), "from"),
        (lambda s: LinkSpec(s["quote"].pk, s["minister"].pk, "said\x00by"), "type"),
    ],
)
def test_bad_links_are_refused_with_the_field_at_fault(spans, team, spec, field):
    with pytest.raises(InvalidInput) as refused:
        create_link(spans["article"], spec(spans), author=team["annotator"])
    assert field in refused.value.errors
    assert not Link.objects.exists()


def test_ends_in_different_articles_are_refused(spans, team):
    other = make_article(team["project"], text=TEXT + " Later.")
    elsewhere = make_annotation(other, team["annotator"], "source", quote="the minister")
    with pytest.raises(InvalidInput) as refused:
        create_link(spans["article"], LinkSpec(spans["quote"].pk, elsewhere.pk, "said_by"), author=team["annotator"])
    assert "same article" in str(refused.value.errors["to"])


def test_an_annotation_of_another_project_is_unknown(spans, team):
    other = make_article(make_project(team["owner"]), text=TEXT)
    foreign = make_annotation(other, team["owner"], "source", quote="the minister")
    with pytest.raises(InvalidInput) as refused:
        create_link(spans["article"], LinkSpec(spans["quote"].pk, foreign.pk, "said_by"), author=team["owner"])
    assert "no annotation" in str(refused.value.errors["to"])


def test_a_duplicate_is_already_there(spans, team):
    first = create_link(spans["article"], said_by(spans), author=team["annotator"])
    with pytest.raises(AlreadyExists) as duplicate:
        create_link(spans["article"], said_by(spans), author=team["annotator"])
    assert duplicate.value.existing.pk == first.pk


def test_a_list_is_all_or_nothing_with_errors_by_index(spans, team):
    specs = [said_by(spans), LinkSpec(spans["claim"].pk, spans["claim"].pk, "backed_by")]
    with pytest.raises(InvalidInput) as refused:
        create_links(spans["article"], specs, author=team["annotator"])
    assert set(refused.value.errors) == {"1"}
    assert not Link.objects.exists()
    made = create_links(
        spans["article"],
        [said_by(spans), LinkSpec(spans["claim"].pk, spans["department"].pk, "backed_by")],
        author=team["annotator"],
    )
    assert len(made) == Link.objects.count() == 2


def test_viewers_may_not_link(spans, team):
    with pytest.raises(PermissionDenied):
        create_link(spans["article"], said_by(spans), author=team["viewer"])


def test_changing_the_type_checks_the_labels_and_the_version(spans, team):
    link = create_link(
        spans["article"], LinkSpec(spans["claim"].pk, spans["department"].pk, "backed_by"), author=team["annotator"]
    )
    with pytest.raises(InvalidInput):
        update_link(link, by=team["annotator"], changes={"type": "said_by"})
    update_link(link, by=team["annotator"], expected_version=1, changes={"type": "claimed_by", "note": "n"})
    link.refresh_from_db()
    assert (link.type.key, link.note, link.version) == ("claimed_by", "n", 2)
    with pytest.raises(StaleVersion):
        update_link(link, by=team["annotator"], expected_version=1, changes={"note": "again"})


def test_others_may_not_change_an_annotators_link_but_reviewers_review_it(spans, team):
    link = create_link(spans["article"], said_by(spans), author=team["annotator"])
    with pytest.raises(PermissionDenied):
        update_link(link, by=team["annotator2"], changes={"note": "mine now"})
    with pytest.raises(PermissionDenied):
        review_link(link, by=team["annotator"], status="accepted")
    review_link(link, by=team["reviewer"], status="accepted", expected_version=1)
    link.refresh_from_db()
    assert (link.status, link.version) == ("accepted", 2)


def test_deleting_a_link_keeps_its_history(spans, team):
    link = create_link(spans["article"], said_by(spans), author=team["annotator"])
    with pytest.raises(StaleVersion):
        delete_link(link, by=team["annotator"], expected_version=7)
    delete_link(link, by=team["annotator"], expected_version=1)
    assert not Link.objects.exists()
    assert list(LinkEvent.objects.filter(link_id=link.pk).values_list("action", flat=True)) == ["created", "deleted"]


def test_deleting_an_end_deletes_its_links_and_undo_restores_them(spans, team):
    said = create_link(spans["article"], said_by(spans), author=team["annotator"])
    backed = create_link(
        spans["article"], LinkSpec(spans["claim"].pk, spans["department"].pk, "backed_by"), author=team["annotator"]
    )
    delete_annotation(spans["minister"], by=team["annotator"])
    assert list(Link.objects.values_list("pk", flat=True)) == [backed.pk]
    assert LinkEvent.objects.get(link_id=said.pk, action="deleted").changes == {"with_annotation": spans["minister"].pk}
    restore_annotation(spans["article"], spans["minister"].pk, by=team["annotator"])
    restored = Link.objects.get(pk=said.pk)
    assert (restored.from_annotation_id, restored.to_annotation_id) == (spans["quote"].pk, spans["minister"].pk)
    assert LinkEvent.objects.filter(link_id=said.pk).latest("id").action == "restored"


def test_a_link_comes_back_once_both_its_ends_are_restored(spans, team):
    create_link(spans["article"], said_by(spans), author=team["annotator"])
    delete_annotation(spans["minister"], by=team["annotator"])
    delete_annotation(spans["quote"], by=team["annotator"])
    restore_annotation(spans["article"], spans["minister"].pk, by=team["annotator"])
    assert not Link.objects.exists()
    restore_annotation(spans["article"], spans["quote"].pk, by=team["annotator"])
    assert Link.objects.count() == 1


def test_a_revision_keeps_links_and_an_orphaned_end_flags_them(spans, team):
    link = create_link(spans["article"], said_by(spans), author=team["annotator"])
    add_revision(spans["article"], text=TEXT.replace("said the minister", "a spokesperson said"), by=team["owner"])
    link = Link.objects.select_related("from_annotation", "to_annotation").get(pk=link.pk)
    assert link.end_orphaned


def test_a_project_with_links_can_be_deleted(spans, team):
    from articles.project_write import delete_project

    create_link(spans["article"], said_by(spans), author=team["annotator"])
    delete_project(team["project"], by=team["owner"])
    assert not Project.objects.filter(pk=team["project"].pk).exists()
    assert not LinkType.objects.exists()
