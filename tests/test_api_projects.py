"""The projects API and its members and labels: members read, owners manage, a project keeps an owner."""

from __future__ import annotations

import pytest

from articles.access import role_in
from articles.models import Annotation, Article, Label, Membership, Project, Role
from tests.api_client import api_as, project_url, url
from tests.factories import add_member, make_annotation, make_project, make_user

PROJECTS = url("project-list")


def members_url(project, membership=None) -> str:
    if membership is None:
        return url("project-member-list", project.pk)
    return url("project-member-detail", project.pk, membership.pk)


def labels_url(project, label=None) -> str:
    if label is None:
        return url("project-label-list", project.pk)
    return url("project-label-detail", project.pk, label.pk)


def membership(project, user) -> Membership:
    return project.memberships.get(user=user)


# Projects


def test_creating_a_project_makes_you_its_owner_with_the_default_labels(db):
    user = make_user("founder")
    response = api_as(user).post(PROJECTS, {"name": "Election desk", "guidelines": "Tag every claim."})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["my_role"] == "owner" and body["slug"] == "election-desk"
    assert [label["key"] for label in body["labels"]] == ["claim", "quote", "source", "opinion"]
    assert role_in(Project.objects.get(pk=body["id"]), user) == Role.OWNER


def test_the_list_has_only_your_projects_with_your_role_in_each(team):
    """AUTHZ-3."""
    make_project(make_user("stranger"), name="Not yours")
    for role in ("owner", "reviewer", "annotator", "viewer"):
        rows = api_as(team[role]).get(PROJECTS).json()["results"]
        assert [(row["name"], row["my_role"]) for row in rows] == [("Desk", role)]
    assert api_as(team["outsider"]).get(PROJECTS).json()["count"] == 0


def test_project_detail_carries_labels_and_your_role(team):
    body = api_as(team["reviewer"]).get(project_url(team["project"])).json()
    assert body["my_role"] == "reviewer"
    assert body["labels"][0] == {
        "id": body["labels"][0]["id"],
        "key": "claim",
        "name": "Claim",
        "color": "#E69F00",
        "shortcut": "1",
        "description": "A checkable statement of fact presented as true.",
        "order": 0,
        "fields": Label.objects.get(project=team["project"], key="claim").fields,
    }


@pytest.mark.parametrize("role,status", [("owner", 200), ("reviewer", 403), ("annotator", 403), ("viewer", 403)])
def test_only_owners_change_a_project(team, role, status):
    response = api_as(team[role]).patch(project_url(team["project"]), {"guidelines": "New rules"})
    assert response.status_code == status
    assert (Project.objects.get(pk=team["project"].pk).guidelines == "New rules") == (status == 200)


def test_server_set_project_fields_cannot_be_assigned(team):
    """AUTHZ-6: slug, role and timestamps are the server's."""
    for field, value in (("slug", "taken"), ("my_role", "owner"), ("id", 5), ("labels", []), ("created_at", "x")):
        response = api_as(team["owner"]).patch(project_url(team["project"]), {field: value})
        assert response.status_code == 400 and field in response.json(), field


@pytest.mark.parametrize("role", ["reviewer", "annotator", "viewer"])
def test_only_owners_delete_a_project(team, role):
    assert api_as(team[role]).delete(project_url(team["project"])).status_code == 403
    assert Project.objects.filter(pk=team["project"].pk).exists()


def test_deleting_a_project_removes_everything_in_it(team, article):
    make_annotation(article, author=team["annotator"])
    assert api_as(team["owner"]).delete(project_url(team["project"])).status_code == 204
    assert not Project.objects.exists() and not Article.objects.exists()
    assert not Annotation.objects.exists() and not Label.objects.exists() and not Membership.objects.exists()


def test_strangers_and_ex_members_see_no_project_and_change_nothing(team):
    """AUTHZ-1, AUTHZ-7: never-member and ex-owner get the same 404 as for a missing id."""
    former = add_member(team["project"], Role.OWNER, make_user("former"))
    team["project"].memberships.filter(user=former).delete()
    for user in (team["outsider"], former):
        client = api_as(user)
        missing = client.get(url("project-detail", 999_999_999)).json()
        assert client.get(project_url(team["project"])).json() == missing
        assert client.patch(project_url(team["project"]), {"name": "Mine"}).status_code == 404
        assert client.delete(project_url(team["project"])).status_code == 404
        assert client.get(members_url(team["project"])).status_code == 404
        assert client.get(labels_url(team["project"])).status_code == 404
        label = {"key": "x", "name": "X", "color": "#000000"}
        assert client.post(labels_url(team["project"]), label).status_code == 404
    assert Project.objects.get(pk=team["project"].pk).name == "Desk"


# Members


def test_members_list_shows_usernames_and_roles_and_no_secrets(team):
    """AUTHZ-10: no email, password hash or token in any member row."""
    team["owner"].email = "owner@example.org"
    team["owner"].save()
    rows = api_as(team["viewer"]).get(members_url(team["project"])).json()["results"]
    assert {row["username"]: row["role"] for row in rows} == {
        "owner": "owner",
        "reviewer": "reviewer",
        "annotator": "annotator",
        "annotator2": "annotator",
        "viewer": "viewer",
    }
    assert set(rows[0]) == {"id", "user", "username", "role", "created_at"}
    body = str(rows)
    assert "example.org" not in body and "md5$" not in body


def test_owners_add_members_by_username(team):
    newcomer = make_user("newcomer")
    response = api_as(team["owner"]).post(members_url(team["project"]), {"username": "newcomer", "role": "reviewer"})
    assert response.status_code == 201 and response.json()["role"] == "reviewer"
    assert role_in(team["project"], newcomer) == Role.REVIEWER
    again = api_as(team["owner"]).post(members_url(team["project"]), {"username": "newcomer", "role": "viewer"})
    assert again.status_code == 409 and again.json()["existing"]["role"] == "reviewer"
    unknown = api_as(team["owner"]).post(members_url(team["project"]), {"username": "ghost", "role": "viewer"})
    assert unknown.status_code == 400 and "username" in unknown.json()


@pytest.mark.parametrize("role", ["reviewer", "annotator", "viewer"])
def test_only_owners_manage_members(team, role):
    """AUTHZ-5: invite, change roles and remove are the owner's."""
    make_user("hopeful")
    client = api_as(team[role])
    target = membership(team["project"], team["annotator2"])
    assert client.post(members_url(team["project"]), {"username": "hopeful", "role": "viewer"}).status_code == 403
    assert client.patch(members_url(team["project"], target), {"role": "reviewer"}).status_code == 403
    if role != "annotator":
        assert client.delete(members_url(team["project"], target)).status_code == 403
    target.refresh_from_db()
    assert target.role == Role.ANNOTATOR


@pytest.mark.parametrize("role,higher", [("viewer", "annotator"), ("annotator", "owner"), ("reviewer", "owner")])
def test_nobody_raises_their_own_role(team, role, higher):
    """AUTHZ-5."""
    own = membership(team["project"], team[role])
    assert api_as(team[role]).patch(members_url(team["project"], own), {"role": higher}).status_code == 403
    own.refresh_from_db()
    assert own.role == role


def test_the_last_owner_can_be_neither_demoted_nor_removed(team):
    """AUTHZ-5: a project always keeps an owner; with two owners, one may step down."""
    client = api_as(team["owner"])
    own = membership(team["project"], team["owner"])
    demoted = client.patch(members_url(team["project"], own), {"role": "reviewer"})
    assert demoted.status_code == 400 and "owner" in demoted.json()["role"][0]
    assert client.delete(members_url(team["project"], own)).status_code == 400
    second = membership(team["project"], team["reviewer"])
    assert client.patch(members_url(team["project"], second), {"role": "owner"}).status_code == 200
    assert client.patch(members_url(team["project"], own), {"role": "viewer"}).json()["role"] == "viewer"
    assert list(team["project"].memberships.filter(role=Role.OWNER).values_list("user__username", flat=True)) == [
        "reviewer"
    ]


def test_members_may_leave_a_project_and_owners_remove_others(team):
    assert (
        api_as(team["viewer"])
        .delete(members_url(team["project"], membership(team["project"], team["viewer"])))
        .status_code
        == 204
    )
    target = membership(team["project"], team["annotator2"])
    assert api_as(team["owner"]).delete(members_url(team["project"], target)).status_code == 204
    assert role_in(team["project"], team["viewer"]) is None and role_in(team["project"], team["annotator2"]) is None
    assert api_as(team["viewer"]).get(project_url(team["project"])).status_code == 404


def test_member_fields_that_the_server_sets_are_refused(team):
    target = membership(team["project"], team["annotator2"])
    for field, value in (("user", team["owner"].pk), ("username", "owner"), ("id", 1)):
        response = api_as(team["owner"]).patch(members_url(team["project"], target), {field: value})
        assert response.status_code == 400 and field in response.json()


# Labels


def test_owners_add_labels_with_attribute_fields(team):
    payload = {
        "key": "stat",
        "name": "Statistic",
        "color": "#123abc",
        "shortcut": "5",
        "order": 4,
        "fields": [{"name": "unit", "label": "Unit", "type": "choice", "choices": ["%", "EUR"]}],
    }
    response = api_as(team["owner"]).post(labels_url(team["project"]), payload)
    assert response.status_code == 201, response.json()
    assert Label.objects.get(project=team["project"], key="stat").fields == payload["fields"]


@pytest.mark.parametrize(
    "field,value",
    [
        ("color", "red;background:url(javascript:alert(1))"),
        ("color", '#fff" onmouseover="alert(1)'),
        ("color", "#12345g"),
        ("color", "#1234567"),
        ("shortcut", "10"),
        ("shortcut", "0"),
        ("shortcut", "a"),
        ("shortcut", "1"),
        ("key", "claim"),
        ("key", "Has Spaces"),
        ("key", "<script>"),
        ("name", "n" * 65),
        ("fields", [{"name": "x", "label": "X", "type": "choice"}]),
        ("fields", [{"name": "x", "label": "X", "type": "script"}]),
        ("fields", "not a list"),
        ("order", -1),
    ],
)
def test_label_input_is_checked(team, field, value):
    """XSS-3: colours only as #RRGGBB, shortcuts one free digit, keys slugs."""
    payload = {"key": "new", "name": "New", "color": "#000000", "shortcut": "", field: value}
    response = api_as(team["owner"]).post(labels_url(team["project"]), payload)
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Label.objects.filter(project=team["project"], name="New").exists()


@pytest.mark.parametrize("role", ["reviewer", "annotator", "viewer"])
def test_only_owners_manage_labels(team, role):
    """AUTHZ-5: a reviewer reviews but cannot change the label set."""
    claim = Label.objects.get(project=team["project"], key="claim")
    client = api_as(team[role])
    assert client.get(labels_url(team["project"])).json()["count"] == 4
    assert client.post(labels_url(team["project"]), {"key": "x", "name": "X", "color": "#000000"}).status_code == 403
    assert client.patch(labels_url(team["project"], claim), {"name": "Fact"}).status_code == 403
    assert client.delete(labels_url(team["project"], claim)).status_code == 403
    claim.refresh_from_db()
    assert claim.name == "Claim"


def test_a_label_in_use_cannot_be_deleted_but_can_be_renamed(team, article):
    claim = Label.objects.get(project=team["project"], key="claim")
    make_annotation(article, author=team["annotator"], label="claim")
    client = api_as(team["owner"])
    in_use = client.delete(labels_url(team["project"], claim))
    assert in_use.status_code == 409 and "in use" in in_use.json()["detail"]
    assert client.patch(labels_url(team["project"], claim), {"name": "Fact claim"}).status_code == 200
    opinion = Label.objects.get(project=team["project"], key="opinion")
    assert client.delete(labels_url(team["project"], opinion)).status_code == 204


def test_labels_of_another_project_are_not_reachable_through_yours(team):
    """AUTHZ-2: a label id from project B under project A's URL is a 404."""
    other = make_project(team["owner"])
    foreign = other.labels.get(key="claim")
    client = api_as(team["owner"])
    assert client.get(labels_url(team["project"], foreign)).status_code == 404
    assert client.delete(labels_url(team["project"], foreign)).status_code == 404
    assert Label.objects.filter(pk=foreign.pk).exists()


def test_a_label_patch_with_an_incomplete_attribute_field_is_a_400(team):
    """Found by fuzzing: inside a PATCH, DRF stops requiring nested fields; each field item must be whole."""
    label = Label.objects.get(project=team["project"], key="opinion")
    incomplete = {"fields": [{"name": "a", "label": "A"}]}
    response = api_as(team["owner"]).patch(labels_url(team["project"], label), incomplete)
    assert response.status_code == 400 and "type" in str(response.json())
    label.refresh_from_db()
    assert label.fields == []
