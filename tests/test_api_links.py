"""The links API: links between two spans of an article (one or a list, all or nothing), read, changed with
If-Match and reviewed like annotations; and a project's link types. Bad input is a 400, never a 500."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.links import LinkSpec, create_link
from articles.models import Link, LinkEvent, LinkType, Role, Visibility
from articles.revisions import add_revision
from tests.api_client import api_as, url
from tests.factories import add_member, make_annotation, make_article, make_project, make_user

TEXT = "“Taxes will fall,” said the minister. The State Department disagreed. Prices rose 5% last year."
LINK_FIELDS = [
    "id",
    "article",
    "from",
    "to",
    "type",
    "from_label",
    "to_label",
    "note",
    "author",
    "status",
    "version",
    "end_orphaned",
    "created_at",
    "updated_at",
]


@pytest.fixture
def spans(team):
    article = make_article(team["project"], text=TEXT)
    author = team["annotator"]
    return {
        "article": article,
        "quote": make_annotation(article, author, "quote", quote="Taxes will fall,"),
        "minister": make_annotation(article, author, "source", quote="the minister"),
        "department": make_annotation(article, author, "source", quote="The State Department"),
        "claim": make_annotation(article, author, "claim", quote="Prices rose 5% last year."),
    }


def links_url(article) -> str:
    return url("article-link-list", article.pk)


def link_url(link) -> str:
    return url("link-detail", link if isinstance(link, int) else link.pk)


def types_url(project) -> str:
    return url("project-link-type-list", project.pk)


def type_url(project, link_type) -> str:
    return url("project-link-type-detail", project.pk, link_type if isinstance(link_type, int) else link_type.pk)


def said_by(spans, source: str = "minister", **extra) -> dict:
    return {"from": spans["quote"].pk, "to": spans[source].pk, "type": "said_by", **extra}


def stored_link(spans, team, source: str = "minister", author: str = "annotator") -> Link:
    return create_link(spans["article"], LinkSpec(spans["quote"].pk, spans[source].pk, "said_by"), author=team[author])


# Links: create


def test_linking_two_spans_answers_201_with_the_link_its_etag_and_location(spans, team):
    response = api_as(team["annotator"]).post(links_url(spans["article"]), said_by(spans, note=" why  "))
    assert response.status_code == 201, response.json()
    body = response.json()
    link = Link.objects.get(pk=body["id"])
    assert list(body) == LINK_FIELDS
    assert body == {
        **body,
        "article": spans["article"].pk,
        "from": spans["quote"].pk,
        "to": spans["minister"].pk,
        "type": "said_by",
        "from_label": "quote",
        "to_label": "source",
        "note": " why  ",
        "author": "annotator",
        "status": "pending",
        "version": 1,
        "end_orphaned": False,
    }
    assert response["ETag"] == f'"l{link.pk}v1"'
    assert response["Location"].endswith(link_url(link))
    assert LinkEvent.objects.filter(link_id=link.pk, action="created").exists()


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda s, other: said_by(s, "claim"), "type", "goes from quote to source"),  # claim is not a source
        (lambda s, other: {"from": s["claim"].pk, "to": s["minister"].pk, "type": "said_by"}, "type", "goes from"),
        (lambda s, other: said_by(s, type="no_such_type"), "type", "Unknown link type"),
        (lambda s, other: said_by(s, to=s["quote"].pk), "to", "itself"),
        (lambda s, other: said_by(s, to=other.pk), "to", "same article"),
        (lambda s, other: said_by(s, to=10**9), "to", "no annotation"),
    ],
    ids=["pair", "pair-reversed", "unknown-type", "to-itself", "other-article", "unknown-end"],
)
def test_links_the_rules_refuse_are_400_naming_the_field(spans, team, make, field, words):
    other = make_annotation(make_article(team["project"], text=TEXT + " Later."), team["annotator"], "source")
    response = api_as(team["annotator"]).post(links_url(spans["article"]), make(spans, other))
    assert response.status_code == 400
    assert words in response.json()[field][0]
    assert not Link.objects.exists()


def test_the_same_link_again_is_a_409_with_the_stored_one(spans, team):
    client = api_as(team["annotator"])
    first = client.post(links_url(spans["article"]), said_by(spans))
    second = client.post(links_url(spans["article"]), said_by(spans, note="again"))
    assert second.status_code == 409
    assert second.json()["existing"]["id"] == first.json()["id"]
    assert second["ETag"] == first["ETag"]
    assert Link.objects.count() == 1


def test_a_list_makes_many_links(spans, team):
    body = [said_by(spans), {"from": spans["claim"].pk, "to": spans["department"].pk, "type": "backed_by"}]
    response = api_as(team["annotator"]).post(links_url(spans["article"]), body)
    assert response.status_code == 201, response.json()
    assert [(row["type"], row["to_label"]) for row in response.json()] == [
        ("said_by", "source"),
        ("backed_by", "source"),
    ]
    assert Link.objects.count() == 2


@pytest.mark.parametrize(
    ("make", "keys"),
    [
        (lambda s: [said_by(s), said_by(s, "department", type="held_by")], {"1"}),  # the domain refuses item 1
        (lambda s: [said_by(s), said_by(s, "department", **{"from": "1"})], {"1"}),  # the shape of item 1
        (lambda s: [said_by(s, "claim")], {"0"}),  # one item alone in a list is still keyed
        (lambda s: [said_by(s), said_by(s)], {"1"}),  # the same link twice in one request
        (lambda s: [said_by(s), "not an object", said_by(s, to=s["quote"].pk)], {"1"}),  # shapes first
    ],
    ids=["domain", "shape", "list-of-one", "twice", "junk"],
)
def test_a_list_stores_nothing_when_an_item_is_refused_and_keys_errors_by_index(spans, team, make, keys):
    response = api_as(team["annotator"]).post(links_url(spans["article"]), make(spans))
    assert response.status_code == 400
    assert set(response.json()) == keys
    assert not Link.objects.exists()


def test_a_list_repeating_a_stored_link_or_an_empty_list_stores_nothing(spans, team):
    stored_link(spans, team)
    client = api_as(team["annotator"])
    for body in ([said_by(spans)], [said_by(spans, "department"), said_by(spans)], []):
        response = client.post(links_url(spans["article"]), body)
        assert response.status_code == 400, body
        assert "non_field_errors" in response.json()
    assert Link.objects.count() == 1


# Links: read


def test_the_list_shows_the_links_you_can_see_in_an_independent_project(db):
    """Blind annotation holds for links: another annotator's links stay hidden until work is revealed."""
    owner = make_user("indie-owner")
    project = make_project(owner, visibility=Visibility.INDEPENDENT)
    first, second = add_member(project, Role.ANNOTATOR), add_member(project, Role.ANNOTATOR)
    article = make_article(project, text=TEXT)
    theirs = [make_annotation(article, first, "quote", quote="Taxes will fall,")]
    theirs.append(make_annotation(article, first, "source", quote="the minister"))
    mine = [make_annotation(article, second, "claim", quote="Prices rose 5% last year.")]
    mine.append(make_annotation(article, second, "source", quote="The State Department"))
    hidden = create_link(article, LinkSpec(theirs[0].pk, theirs[1].pk, "said_by"), author=first)
    shown = create_link(article, LinkSpec(mine[0].pk, mine[1].pk, "backed_by"), author=second)
    listed = api_as(second).get(links_url(article)).json()["results"]
    assert [row["id"] for row in listed] == [shown.pk]
    assert api_as(second).get(link_url(hidden)).status_code == 404
    refused = api_as(second).post(links_url(article), {"from": mine[0].pk, "to": theirs[1].pk, "type": "backed_by"})
    assert refused.status_code == 400 and "no annotation" in refused.json()["to"][0]
    assert [row["id"] for row in api_as(owner).get(links_url(article)).json()["results"]] == [hidden.pk, shown.pk]


def test_listing_links_takes_the_same_queries_however_many_there_are(spans, team, django_assert_num_queries):
    article, client = spans["article"], api_as(team["viewer"])
    stored_link(spans, team)

    def measured() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(links_url(article))
        return len(queries), len(response.json()["results"])

    few = measured()
    for number in range(8):  # more spans and links, by another author
        source = make_annotation(article, team["annotator2"], "source", start=40 + number, end=41 + number)
        create_link(article, LinkSpec(spans["claim"].pk, source.pk, "claimed_by"), author=team["annotator2"])
    assert [few, measured()] == [(4, 1), (4, 9)]  # token, article and role, count, page with everything joined
    with django_assert_num_queries(4):
        assert len(client.get(links_url(article) + "?page_size=3").json()["results"]) == 3


def test_one_link_has_its_etag_and_tells_when_a_revision_orphaned_an_end(spans, team):
    link = stored_link(spans, team)
    client = api_as(team["viewer"])
    response = client.get(link_url(link))
    assert response.status_code == 200 and response["ETag"] == link.etag
    assert response.json()["end_orphaned"] is False
    add_revision(spans["article"], text=TEXT.replace("said the minister", "a spokesperson said"), by=team["owner"])
    assert client.get(link_url(link)).json()["end_orphaned"] is True
    assert client.get(links_url(spans["article"])).json()["results"][0]["end_orphaned"] is True


def test_the_hand_built_representation_has_exactly_the_declared_fields(spans, team):
    from articles.api.link_serializers import LinkSerializer

    link = Link.objects.select_related("type", "author").get(pk=stored_link(spans, team).pk)
    assert list(LinkSerializer(link).data) == list(LinkSerializer().fields) == LINK_FIELDS


# Links: change, review, delete


def test_patch_with_the_current_etag_changes_type_and_note(spans, team):
    link = create_link(
        spans["article"], LinkSpec(spans["claim"].pk, spans["department"].pk, "backed_by"), author=team["annotator"]
    )
    response = api_as(team["annotator"]).patch(
        link_url(link), {"type": "claimed_by", "note": "said, not shown"}, HTTP_IF_MATCH=link.etag
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["type"], response.json()["note"], response.json()["version"]) == (
        "claimed_by",
        "said, not shown",
        2,
    )
    assert response["ETag"] == f'"l{link.pk}v2"'


def test_retyping_a_link_onto_its_twin_is_a_409_with_the_twin(spans, team):
    ends = (spans["claim"].pk, spans["department"].pk)
    twin = create_link(spans["article"], LinkSpec(*ends, "claimed_by"), author=team["annotator"])
    link = create_link(spans["article"], LinkSpec(*ends, "backed_by"), author=team["annotator"])
    response = api_as(team["annotator"]).patch(link_url(link), {"type": "claimed_by"}, HTTP_IF_MATCH=link.etag)
    assert response.status_code == 409
    assert response.json()["existing"]["id"] == twin.pk and response["ETag"] == twin.etag
    link.refresh_from_db()
    assert (link.type.key, link.version) == ("backed_by", 1)


def test_a_type_that_does_not_fit_the_labels_or_a_field_that_cannot_change_is_a_400(spans, team):
    link = stored_link(spans, team)
    client = api_as(team["annotator"])
    for change, field in (
        ({"type": "backed_by"}, "type"),
        ({"type": "nope"}, "type"),
        ({"from": spans["claim"].pk}, "from"),
        ({"to": spans["department"].pk}, "to"),
        ({"author": "owner"}, "author"),
        ({"version": 9}, "version"),
        ({"article": 1}, "article"),
    ):
        response = client.patch(link_url(link), change, HTTP_IF_MATCH=link.etag)
        assert response.status_code == 400 and field in response.json(), (change, response.json())
    link.refresh_from_db()
    assert (link.type.key, link.version) == ("said_by", 1)


def test_a_change_without_if_match_is_428_and_a_stale_one_412_with_the_current_link(spans, team):
    link = stored_link(spans, team)
    client = api_as(team["annotator"])
    assert client.patch(link_url(link), {"note": "x"}).status_code == 428
    assert client.delete(link_url(link)).status_code == 428
    assert client.patch(link_url(link), {"note": "x"}, HTTP_IF_MATCH=f'"a{link.pk}v1"').status_code == 412
    assert client.patch(link_url(link), {"note": "x"}, HTTP_IF_MATCH="W/" + link.etag).status_code == 412
    newer = client.patch(link_url(link), {"note": "newer"}, HTTP_IF_MATCH=link.etag)
    stale = client.patch(link_url(link), {"note": "lost?"}, HTTP_IF_MATCH=link.etag)
    assert stale.status_code == 412
    assert stale.json()["current"]["note"] == "newer" and stale.json()["current"]["version"] == 2
    assert stale["ETag"] == newer["ETag"]
    assert client.delete(link_url(link), HTTP_IF_MATCH=link.etag).status_code == 412
    assert client.patch(link_url(link), {"note": "mine"}, HTTP_IF_MATCH="*").json()["version"] == 3
    link.refresh_from_db()
    assert (link.note, link.version) == ("mine", 3)


def test_delete_with_the_current_etag_deletes_and_keeps_history(spans, team):
    link = stored_link(spans, team)
    response = api_as(team["annotator"]).delete(link_url(link), HTTP_IF_MATCH=link.etag)
    assert response.status_code == 204
    assert not Link.objects.exists()
    assert LinkEvent.objects.filter(link_id=link.pk, action="deleted").exists()
    assert api_as(team["annotator"]).get(link_url(link)).status_code == 404


def test_reviewers_set_the_status_of_others_links_never_their_own(spans, team):
    link = stored_link(spans, team)
    denied = api_as(team["annotator"]).patch(link_url(link), {"status": "accepted"}, HTTP_IF_MATCH=link.etag)
    assert denied.status_code == 403
    both = api_as(team["reviewer"]).patch(
        link_url(link), {"status": "accepted", "note": "checked"}, HTTP_IF_MATCH=link.etag
    )
    assert both.status_code == 200, both.json()
    assert (both.json()["status"], both.json()["note"], both.json()["version"]) == ("accepted", "checked", 3)
    assert LinkEvent.objects.filter(link_id=link.pk, action="reviewed").exists()
    bad = api_as(team["reviewer"]).patch(link_url(link), {"status": "maybe"}, HTTP_IF_MATCH=both["ETag"])
    assert bad.status_code == 400 and "status" in bad.json()
    own = stored_link(spans, team, "department", author="reviewer")
    response = api_as(team["reviewer"]).patch(link_url(own), {"status": "accepted"}, HTTP_IF_MATCH=own.etag)
    assert response.status_code == 403 and "your own" in response.json()["detail"]
    own.refresh_from_db()
    assert (own.status, own.version) == ("pending", 1)


def test_a_review_refused_after_an_edit_in_the_same_patch_changes_nothing(spans, team):
    """Edit then review run in one transaction: the author's note is not kept when the review is refused."""
    link = stored_link(spans, team)
    response = api_as(team["annotator"]).patch(
        link_url(link), {"note": "n", "status": "accepted"}, HTTP_IF_MATCH=link.etag
    )
    assert response.status_code == 403
    link.refresh_from_db()
    assert (link.note, link.status, link.version) == ("", "pending", 1)


# AUTHZ: one row per role; columns: create, edit own, edit another's, delete another's, review another's.
MATRIX = {
    "owner": (201, 200, 200, 204, 200),
    "reviewer": (201, 200, 200, 204, 200),
    "annotator2": (201, 200, 403, 403, 403),
    "viewer": (403, None, 403, 403, 403),
}


@pytest.mark.parametrize("role", MATRIX)
def test_role_matrix_for_links(spans, team, role):
    create_status, edit_own, edit_other, delete_other, review_other = MATRIX[role]
    client = api_as(team[role])
    created = client.post(links_url(spans["article"]), said_by(spans, "department"))
    assert created.status_code == create_status
    if edit_own is not None:
        edited = client.patch(link_url(created.json()["id"]), {"note": "n"}, HTTP_IF_MATCH=created["ETag"])
        assert edited.status_code == edit_own
    other = stored_link(spans, team)  # the annotator's
    assert client.get(link_url(other)).status_code == 200
    assert client.patch(link_url(other), {"note": "x"}, HTTP_IF_MATCH=other.etag).status_code == edit_other
    other.refresh_from_db()
    assert client.patch(link_url(other), {"status": "rejected"}, HTTP_IF_MATCH=other.etag).status_code == review_other
    other.refresh_from_db()
    assert client.delete(link_url(other), HTTP_IF_MATCH=other.etag).status_code == delete_other
    assert Link.objects.filter(pk=other.pk).exists() == (delete_other != 204)


@pytest.fixture
def ex_member(team):
    user = add_member(team["project"], Role.ANNOTATOR, make_user("leaver"))
    team["project"].memberships.filter(user=user).delete()
    return user


@pytest.mark.parametrize("who", ["outsider", "ex_member"])
def test_strangers_get_404_for_every_link_and_link_type_endpoint_and_change_nothing(spans, team, ex_member, who):
    user = ex_member if who == "ex_member" else team["outsider"]
    project, link = team["project"], stored_link(spans, team)
    link_type = LinkType.objects.get(project=project, key="said_by")
    client = api_as(user)
    missing = client.get(link_url(999_999_999))
    for response in (
        client.get(links_url(spans["article"])),
        client.post(links_url(spans["article"]), said_by(spans, "department")),
        client.get(link_url(link)),
        client.patch(link_url(link), {"note": "x"}, HTTP_IF_MATCH=link.etag),
        client.delete(link_url(link), HTTP_IF_MATCH=link.etag),
        client.get(types_url(project)),
        client.post(types_url(project), new_type()),
        client.get(type_url(project, link_type)),
        client.patch(type_url(project, link_type), {"name": "x"}),
        client.delete(type_url(project, link_type)),
    ):
        assert response.status_code == 404 and response.json().keys() == missing.json().keys()
    assert client.get(link_url(link)).json() == missing.json()
    link.refresh_from_db()
    assert (Link.objects.count(), link.version, link.note, LinkType.objects.filter(project=project).count()) == (
        1,
        1,
        "",
        4,
    )


# Link types


def new_type(**extra) -> dict:
    return {
        "key": "denied_by",
        "name": "Denied by",
        "color": "#5B2A86",
        "description": "A source that denies the claim.",
        "from_labels": ["claim"],
        "to_labels": ["source", "quote"],
        **extra,
    }


def test_members_read_the_link_types_with_the_labels_at_each_end(team):
    response = api_as(team["viewer"]).get(types_url(team["project"]))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["key"], row["from_labels"], row["to_labels"]) for row in rows] == [
        ("said_by", ["quote"], ["source"]),
        ("claimed_by", ["claim"], ["source"]),
        ("backed_by", ["claim"], ["source"]),
        ("held_by", ["opinion"], ["source"]),
    ]
    assert list(rows[0]) == ["id", "key", "name", "color", "description", "from_labels", "to_labels", "order"]
    one = api_as(team["annotator"]).get(type_url(team["project"], rows[1]["id"]))
    assert one.status_code == 200 and one.json() == rows[1]


def test_reading_link_types_takes_the_same_queries_however_many_there_are(team, django_assert_num_queries):
    client, path = api_as(team["viewer"]), types_url(team["project"])
    with django_assert_num_queries(5):  # token, project and role, types, labels at each end
        assert len(client.get(path).json()["results"]) == 4
    for number in range(6):
        client_owner = api_as(team["owner"])
        assert client_owner.post(path, new_type(key=f"extra{number}")).status_code == 201
    with django_assert_num_queries(5):
        assert len(client.get(path).json()["results"]) == 10


def test_owners_add_change_and_delete_link_types(team):
    project, client = team["project"], api_as(team["owner"])
    created = client.post(types_url(project), new_type())
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body == {**new_type(), "id": body["id"], "to_labels": ["quote", "source"], "order": 4}
    changed = client.patch(type_url(project, body["id"]), {"name": "Denied by (source)", "to_labels": ["source"]})
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["name"], changed.json()["to_labels"], changed.json()["key"]) == (
        "Denied by (source)",
        ["source"],
        "denied_by",
    )
    assert client.delete(type_url(project, body["id"])).status_code == 204
    assert not LinkType.objects.filter(pk=body["id"]).exists()
    assert client.get(type_url(project, body["id"])).status_code == 404


def test_a_new_type_can_be_used_for_links_at_once(spans, team):
    api_as(team["owner"]).post(types_url(team["project"]), new_type())
    response = api_as(team["annotator"]).post(
        links_url(spans["article"]), {"from": spans["claim"].pk, "to": spans["quote"].pk, "type": "denied_by"}
    )
    assert response.status_code == 201, response.json()


def test_a_type_in_use_cannot_be_deleted(spans, team):
    stored_link(spans, team)
    said = LinkType.objects.get(project=team["project"], key="said_by")
    response = api_as(team["owner"]).delete(type_url(team["project"], said))
    assert response.status_code == 409
    assert response.json()["detail"] == "This link type is used by 1 link; delete them or change their type first."
    assert LinkType.objects.filter(pk=said.pk).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (new_type(key="said_by"), "key"),
        (new_type(key="Not A Key"), "key"),
        (new_type(key="k\x00"), "key"),
        (new_type(color="#FFFFF0"), "color"),  # too pale to see as a line
        (new_type(color="red"), "color"),
        (new_type(from_labels=["no_such_label"]), "from_labels"),
        (new_type(from_labels=[]), "from_labels"),
        (new_type(from_labels="claim"), "from_labels"),
        (new_type(to_labels=[["source"]]), "to_labels"),
        (new_type(to_labels=[{"key": "source"}]), "to_labels"),
        (new_type(name=""), "name"),
        (new_type(name="n\x00"), "name"),
        (new_type(name="n" * 65), "name"),
        (new_type(description="d" * 2001), "description"),
        (new_type(order="1"), "order"),
        (new_type(order=10**30), "order"),
        (new_type(order=-1), "order"),
        ({k: v for k, v in new_type().items() if k != "color"}, "color"),
        (new_type(id=5), "id"),
        (new_type(project=1), "project"),
    ],
)
def test_bad_link_types_are_400_naming_the_field(team, payload, field):
    response = api_as(team["owner"]).post(types_url(team["project"]), payload)
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert LinkType.objects.filter(project=team["project"]).count() == 4


@pytest.mark.parametrize("role", ["reviewer", "annotator", "viewer"])
def test_only_owners_change_link_types(team, role):
    project, client = team["project"], api_as(team[role])
    said = LinkType.objects.get(project=project, key="said_by")
    assert client.get(types_url(project)).status_code == 200
    assert client.post(types_url(project), new_type()).status_code == 403
    assert client.post(types_url(project), {"key": "\x00"}).status_code == 403  # refused before any check
    assert client.patch(type_url(project, said), {"name": "x"}).status_code == 403
    assert client.delete(type_url(project, said)).status_code == 403
    said.refresh_from_db()
    assert (said.name, LinkType.objects.filter(project=project).count()) == ("Said by", 4)


def test_a_type_of_another_project_is_not_found(team):
    other = make_project(team["owner"], name="Other desk")
    foreign = LinkType.objects.get(project=other, key="said_by")
    client = api_as(team["owner"])
    assert client.get(type_url(team["project"], foreign)).status_code == 404
    assert client.patch(type_url(team["project"], foreign), {"name": "x"}).status_code == 404
    assert client.delete(type_url(team["project"], foreign)).status_code == 404


# Bad input: never a 500


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from": "1"}, "from"),
        ({"from": 1.0}, "from"),
        ({"from": True}, "from"),
        ({"from": None}, "from"),
        ({"from": -1}, "from"),
        ({"from": 0}, "from"),
        ({"from": 2**63}, "from"),
        ({"to": 10**30}, "to"),
        ({"to": {"nested": [1, {"deep": None}]}}, "to"),
        ({"to": [1, 2]}, "to"),
        ({"type": "said\x00by"}, "type"),
        ({"type": {"key": "said_by"}}, "type"),
        ({"type": ["said_by"]}, "type"),
        ({"type": "t" * 33}, "type"),
        ({"type": ""}, "type"),
        ({"note": "a\x00b"}, "note"),
        ({"note": "a\x07b"}, "note"),
        ({"note": ["n"]}, "note"),
        ({"note": "n" * 10_001}, "note"),
        ({"status": "accepted"}, "status"),
        ({"id": 5}, "id"),
        ({"author": "owner"}, "author"),
        ({"from_annotation": 1}, "from_annotation"),
    ],
)
def test_malformed_link_fields_are_400_with_field_messages(spans, team, change, field):
    body = {**said_by(spans), **change}
    response = api_as(team["annotator"]).post(links_url(spans["article"]), body)
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()
    assert not Link.objects.exists()


def test_missing_fields_are_named(spans, team):
    response = api_as(team["annotator"]).post(links_url(spans["article"]), {"note": "only a note"})
    assert response.status_code == 400
    assert {"from", "to", "type"} <= set(response.json())


@pytest.mark.parametrize(
    "change",
    [{"type": "said\x00by"}, {"type": {"a": 1}}, {"note": "\x00"}, {"note": ["n"]}, {"status": "maybe"}, {"status": 1}],
)
def test_malformed_changes_are_400(spans, team, change):
    link = stored_link(spans, team)
    response = api_as(team["reviewer"]).patch(link_url(link), change, HTTP_IF_MATCH=link.etag)
    assert response.status_code == 400 and set(change) <= set(response.json()), response.content[:300]
    link.refresh_from_db()
    assert link.version == 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/links/abc/",
        "/api/v1/links/-1/",
        "/api/v1/links/0/",
        "/api/v1/links/99999999999999999999999/",
        "/api/v1/articles/99999999999999999999999/links/",
        "/api/v1/articles/abc/links/",
        "/api/v1/projects/99999999999999999999999/link-types/",
        "/api/v1/projects/{project}/link-types/99999999999999999999999/",
        "/api/v1/projects/{project}/link-types/0/",
    ],
)
def test_ids_that_cannot_exist_are_404(team, path):
    response = api_as(team["owner"]).get(path.format(project=team["project"].pk))
    assert response.status_code == 404 and response["Content-Type"].startswith("application/json")


def test_unknown_query_parameters_are_400(spans, team):
    response = api_as(team["viewer"]).get(links_url(spans["article"]) + "?type__key=said_by")
    assert response.status_code == 400 and "type__key" in response.json()


def test_a_body_that_is_not_an_object_or_list_is_400(spans, team):
    client = api_as(team["annotator"])
    for body in ('"said_by"', "7", "null", "[[1, 2]]", '{"from": 1e999999, "to": 1, "type": "said_by"}'):
        response = client.generic("POST", links_url(spans["article"]), body, content_type="application/json")
        assert response.status_code == 400, body
    assert not Link.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submits_and_edits_on_real_connections(spans, team):
    """Two identical links sent at once make one row (201 and 409); two edits from one version: 200 and 412."""
    if connection.vendor != "postgresql":
        pytest.skip("needs parallel database connections with row locks (PostgreSQL)")
    from tests.test_api_annotations import _in_parallel

    clients = [api_as(team["annotator"]), api_as(team["annotator"])]
    creates = _in_parallel(
        *[
            lambda client=client: client.post(links_url(spans["article"]), said_by(spans)).status_code
            for client in clients
        ]
    )
    assert sorted(creates) == [201, 409]
    link = Link.objects.get()
    first, second = api_as(team["annotator"]), api_as(team["reviewer"])
    edits = _in_parallel(
        lambda: first.patch(link_url(link), {"note": "A"}, HTTP_IF_MATCH=link.etag).status_code,
        lambda: second.patch(link_url(link), {"note": "B"}, HTTP_IF_MATCH=link.etag).status_code,
    )
    assert sorted(edits) == [200, 412]
    link.refresh_from_db()
    assert link.version == 2
