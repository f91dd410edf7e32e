"""Link types in the label editor: owners add, change and delete them (inline errors as 422, a type in use
as 409), every member reads them, and the pages read a fixed number of queries however many types there are."""

from __future__ import annotations

import re

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.link_type_write import create_link_type
from articles.links import LinkSpec, create_links, link_types_of
from articles.models import LinkType
from tests.factories import make_annotation, make_article, make_project

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
STANCE = {
    "key": "disputes",
    "name": "Disputes",
    "color": "#882255",
    "description": "A source that says the claim is wrong.",
    "from_labels": ["source", "quote"],
    "to_labels": ["claim"],
}


def url(name: str, project, link_type: LinkType | None = None) -> str:
    return reverse(name, args=[project.pk] + ([link_type.pk] if link_type else []))


def ends(project) -> dict[str, tuple[list[str], list[str]]]:
    return {each.key: (each.from_keys, each.to_keys) for each in link_types_of(project)}


def html(response):
    return lxml.html.fromstring(response.content.decode())


def field_errors(tree, form_id: str) -> list[str]:
    return [p.text_content() for p in tree.get_element_by_id(form_id).find_class("field-error")]


def test_the_labels_page_lists_the_link_types_with_their_ends(client, team):
    project = team["project"]
    client.force_login(team["owner"])
    tree = html(client.get(url("project_labels", project)))
    region = tree.get_element_by_id("link-types")
    assert region.getparent().get("id") == "label-editor"  # redrawn with the labels, so its boxes stay current
    said_by = tree.get_element_by_id("link-type-said_by")
    assert said_by.find(".//code").text == "said_by"
    assert said_by.find(".//line").get("stroke") == "#0072B2"
    assert " ".join(said_by.find_class("link-ends")[0].text_content().split()) == "From Quote → to Source"
    assert "Who said the quoted words." in said_by.text_content()
    boxes = tree.get_element_by_id("link-type-form-new").xpath(".//input[@name='from_labels']")
    assert [box.get("value") for box in boxes] == ["claim", "quote", "source", "opinion"]


def test_an_owner_adds_changes_and_deletes_a_link_type_with_htmx(client, team):
    project = team["project"]
    client.force_login(team["owner"])
    added = client.post(url("link_type_create", project), STANCE, **HTMX)
    assert added.status_code == 200
    tree = html(added)
    assert tree.get("id") == "link-types"
    assert "Link type “Disputes” added." in tree.find_class("notices")[0].text_content()
    assert tree.get_element_by_id("link-type-disputes") is not None
    assert ends(project)["disputes"] == (["quote", "source"], ["claim"])  # in label order
    disputes = project.link_types.get(key="disputes")
    assert (disputes.order, disputes.description) == (4, STANCE["description"])

    changed = {**STANCE, "key": "refutes", "name": "Refutes", "to_labels": ["claim", "opinion"]}
    saved = client.post(url("link_type_update", project, disputes), changed, **HTMX)
    assert saved.status_code == 200 and "Link type “Refutes” saved." in saved.content.decode()
    assert ends(project)["refutes"] == (["quote", "source"], ["claim", "opinion"])

    deleted = client.post(url("link_type_delete", project, disputes), **HTMX)
    assert deleted.status_code == 200 and "Link type “Refutes” deleted." in deleted.content.decode()
    assert list(ends(project)) == ["said_by", "claimed_by", "backed_by", "held_by"]


def test_a_plain_form_goes_back_to_the_labels_page_with_a_message(client, team):
    project = team["project"]
    client.force_login(team["owner"])
    response = client.post(url("link_type_create", project), STANCE)
    assert response.status_code == 302 and response["Location"] == url("project_labels", project) + "#link-types"
    assert "Link type “Disputes” added." in client.get(response["Location"]).content.decode()
    refused = client.post(url("link_type_create", project), STANCE)  # the same key again: the form comes back
    assert refused.status_code == 422
    assert "already has a link type with this key" in refused.content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"color": "#ffff00"}, "color", "contrast of 1.1:1"),
        ({"color": "yellow"}, "color", "Use a colour like #1A2B3C."),
        ({"from_labels": ["claim", "nope"]}, "from_labels", "Unknown label 'nope' in this project."),
        ({"to_labels": []}, "to_labels", "Tick at least one label."),
        ({"key": "said_by"}, "key", "already has a link type with this key"),
        ({"key": "Said By"}, "key", "Use lower-case letters"),
        ({"name": "a\x00b"}, "name", ""),
    ],
)
def test_refused_input_is_shown_in_the_form_as_422(client, team, change, field, message):
    project = team["project"]
    client.force_login(team["owner"])
    response = client.post(url("link_type_create", project), {**STANCE, **change}, **HTMX)
    assert response.status_code == 422
    tree = html(response)
    errors = field_errors(tree, "link-type-form-new")
    assert len(errors) == 1 and message in errors[0]
    assert tree.get_element_by_id("lt-new-description").text == STANCE["description"]  # what was typed stays
    form = tree.get_element_by_id("link-type-form-new")
    ticked = [box.get("value") for box in form.xpath(".//input[@name='from_labels'][@checked]")]
    posted = {**STANCE, **change}["from_labels"]
    assert ticked == [key for key in ("claim", "quote", "source", "opinion") if key in posted]
    assert "disputes" not in ends(project)


def test_a_failed_change_opens_its_own_form_with_the_errors(client, team):
    project = team["project"]
    said_by = project.link_types.get(key="said_by")
    client.force_login(team["owner"])
    data = {**STANCE, "key": "said_by", "name": "Said by", "color": "#eeeeee"}
    tree = html(client.post(url("link_type_update", project, said_by), data, **HTMX))
    assert "contrast" in field_errors(tree, f"link-type-form-{said_by.pk}")[0]
    assert tree.get_element_by_id("link-type-said_by").find(".//details").get("open") is not None
    assert field_errors(tree, "link-type-form-new") == []
    assert LinkType.objects.get(pk=said_by.pk).color == "#0072B2"
    unticked = {**data, "color": "#0072b2", "to_labels": []}
    tree = html(client.post(url("link_type_update", project, said_by), unticked, **HTMX))
    assert field_errors(tree, f"link-type-form-{said_by.pk}") == ["Tick at least one label."]
    assert ends(project)["said_by"] == (["quote"], ["source"])


def test_a_type_in_use_is_kept_and_says_why_by_its_delete_button(client, team):
    project = team["project"]
    article = make_article(project, text="“Taxes will fall,” said the minister.")
    quote = make_annotation(article, team["annotator"], "quote", quote="Taxes will fall,")
    minister = make_annotation(article, team["annotator"], "source", quote="the minister")
    create_links(article, [LinkSpec(quote.pk, minister.pk, "said_by")], author=team["annotator"])
    said_by = project.link_types.get(key="said_by")
    client.force_login(team["owner"])
    response = client.post(url("link_type_delete", project, said_by), **HTMX)
    assert response.status_code == 409
    card = html(response).get_element_by_id("link-type-said_by")
    assert "1 link" in card.find_class("link-type-head")[0].text_content()
    opened = [details for details in card.iter("details") if details.get("open") is not None]
    assert len(opened) == 1 and "This link type is used by 1 link" in opened[0].text_content()
    assert LinkType.objects.filter(pk=said_by.pk).exists()


def test_only_owners_change_link_types_and_outsiders_learn_nothing(client, team):
    project = team["project"]
    said_by = project.link_types.get(key="said_by")
    foreign = make_project(team["owner"]).link_types.get(key="said_by")
    for role in ("reviewer", "annotator", "viewer"):
        client.force_login(team[role])
        assert client.post(url("link_type_create", project), STANCE).status_code == 403
        assert client.post(url("link_type_update", project, said_by), STANCE).status_code == 403
        assert client.post(url("link_type_delete", project, said_by)).status_code == 403
    client.force_login(team["outsider"])
    assert client.get(url("project_link_types", project)).status_code == 404
    assert client.post(url("link_type_delete", project, said_by)).status_code == 404
    client.force_login(team["owner"])
    assert client.post(url("link_type_delete", project, foreign)).status_code == 404
    assert client.get(url("link_type_delete", project, said_by)).status_code == 405
    assert LinkType.objects.filter(pk__in=[said_by.pk, foreign.pk]).count() == 2
    assert "disputes" not in ends(project)


def test_members_read_the_link_types_without_forms(client, team):
    project = team["project"]
    client.force_login(team["viewer"])
    response = client.get(url("project_link_types", project))
    assert response.status_code == 200
    tree = html(response)
    assert [li.get("id") for li in tree.get_element_by_id("link-type-list")] == [
        "link-type-said_by",
        "link-type-claimed_by",
        "link-type-backed_by",
        "link-type-held_by",
    ]
    region = tree.get_element_by_id("link-types")
    assert not region.xpath(".//form") and not region.xpath(".//details")
    assert not re.search(r"\d+ links?\b", region.text_content())  # use counts are for owners


def queries_of(client, page_url: str) -> int:
    client.get(page_url)  # warm caches (session, templates)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(page_url).status_code == 200
    return len(captured)


def test_the_pages_read_a_fixed_number_of_queries_however_many_link_types(client, team, django_assert_num_queries):
    project = team["project"]
    article = make_article(project, text="“Taxes will fall,” said the minister.")
    quote = make_annotation(article, team["annotator"], "quote", quote="Taxes will fall,")
    minister = make_annotation(article, team["annotator"], "source", quote="the minister")
    create_links(article, [LinkSpec(quote.pk, minister.pk, "said_by")], author=team["annotator"])
    client.force_login(team["owner"])
    labels_page, types_page = url("project_labels", project), url("project_link_types", project)
    before = queries_of(client, labels_page), queries_of(client, types_page)
    for number in range(12):
        create_link_type(
            project,
            by=team["owner"],
            **{**STANCE, "key": f"type-{number}", "to_labels": ["claim", "opinion"][: 1 + number % 2]},
        )
    assert (queries_of(client, labels_page), queries_of(client, types_page)) == before
    # session, user, project with role, labels with use counts; link types, both ends, use counts
    with django_assert_num_queries(8):
        client.get(labels_page)
    client.force_login(team["viewer"])
    with django_assert_num_queries(7):  # readers get no use counts
        client.get(types_page)
