"""The Members and Assign pages without JavaScript: plain forms add, re-role and remove members (errors inline,
422), each member's work is shown in a constant number of queries, and the Assign page's checkbox lists post
the fields the domain reads while spreading lives in a form of its own."""

from __future__ import annotations

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.access import role_in
from articles.assignment import assign
from articles.models import Assignment, AssignmentState, Membership, Role
from articles.workflow import transition
from tests.factories import add_member, make_article, make_user

HTMX = {"HTTP_HX_REQUEST": "true"}


def owner_client(team) -> Client:
    client = Client()
    client.force_login(team["owner"])
    return client


def members_url(team) -> str:
    return reverse("project_members", args=[team["project"].pk])


def assign_url(team) -> str:
    return reverse("project_assignments", args=[team["project"].pk])


def tree_of(response):
    return lxml.html.fromstring(response.content.decode())  # htmx regions carry no charset of their own


def row_of(response, username: str):
    return tree_of(response).get_element_by_id(f"member-{username}")


def test_an_owner_adds_changes_and_removes_a_member_with_plain_forms(team):
    owner, url = owner_client(team), members_url(team)
    added = owner.post(url, {"username": "outsider", "role": "reviewer"})
    assert added.status_code == 302 and role_in(team["project"], team["outsider"]) == Role.REVIEWER
    page = owner.get(added["Location"])
    assert "outsider joined as reviewer" in page.content.decode() and row_of(page, "outsider") is not None

    member = Membership.objects.get(project=team["project"], user=team["outsider"])
    changed = owner.post(url, {"membership": member.pk, "role": "viewer"})
    assert changed.status_code == 302 and role_in(team["project"], team["outsider"]) == Role.VIEWER
    assert "outsider is now viewer" in owner.get(url).content.decode()

    removed = owner.post(url, {"membership": member.pk, "remove": "1"})
    assert removed.status_code == 302 and role_in(team["project"], team["outsider"]) is None
    page = owner.get(url)
    assert "outsider is no longer a member" in page.content.decode()
    assert 'id="member-outsider"' not in page.content.decode()


def test_an_unknown_username_is_refused_inline_and_the_form_keeps_what_was_typed(team):
    owner, url = owner_client(team), members_url(team)
    for headers in ({}, HTMX):
        refused = owner.post(url, {"username": "nobody-at-all", "role": "reviewer"}, **headers)
        assert refused.status_code == 422
        tree = tree_of(refused)
        error = tree.get_element_by_id("new-username-error").text_content()
        assert "“nobody-at-all”" in error and "No active user has this username" in error
        field = tree.get_element_by_id("new-username")
        assert field.get("value") == "nobody-at-all" and field.get("aria-invalid") == "true"
        assert "new-username-error" in field.get("aria-describedby")
        assert tree.xpath("//select[@id='new-role']/option[@selected]/@value") == ["reviewer"]
    assert not Membership.objects.filter(user__username="nobody-at-all").exists()
    twice = owner.post(url, {"username": "annotator", "role": "annotator"}, **HTMX)
    assert twice.status_code == 409 and "already a member" in twice.content.decode()


def test_a_refused_role_change_is_shown_in_that_members_row(team):
    owner, url = owner_client(team), members_url(team)
    own = Membership.objects.get(project=team["project"], user=team["owner"])
    refused = owner.post(url, {"membership": own.pk, "role": "viewer"}, **HTMX)
    assert refused.status_code == 422
    assert "at least one owner" in row_of(refused, "owner").text_content()
    assert "at least one owner" not in row_of(refused, "viewer").text_content()
    assert role_in(team["project"], team["owner"]) == Role.OWNER
    assert owner.post(url, {"membership": own.pk, "role": "superuser"}, **HTMX).status_code == 422
    assert owner.post(url, {"membership": "999999999", "remove": "1"}, **HTMX).status_code == 404
    assert owner.post(url, {"membership": "x", "remove": "1"}, **HTMX).status_code == 404


def test_only_owners_manage_members(team):
    reviewer = Client()
    reviewer.force_login(team["reviewer"])
    assert reviewer.post(members_url(team), {"username": "outsider", "role": "owner"}).status_code == 403
    assert role_in(team["project"], team["outsider"]) is None


def test_each_member_shows_counts_by_state_and_links_to_open_work(team):
    project, annotator = team["project"], team["annotator"]
    articles = [make_article(project, title=f"Story {n}") for n in range(3)]
    assign(project, articles=[a.pk for a in articles], annotators=[annotator.pk], by=team["owner"])
    works = {w.article_id: w for w in Assignment.objects.filter(annotator=annotator)}
    transition(works[articles[1].pk], "start", by=annotator)
    transition(works[articles[2].pk], "start", by=annotator)
    transition(Assignment.objects.get(pk=works[articles[2].pk].pk), "submit", by=annotator)
    transition(Assignment.objects.get(pk=works[articles[2].pk].pk), "approve", by=team["reviewer"])

    row = row_of(owner_client(team).get(members_url(team)), "annotator")
    counts = [item.text_content() for item in row.xpath(".//ul[@class='work-counts']/li")]
    assert counts == ["1 assigned", "1 in progress", "1 approved"]
    links = {a.text_content(): a.get("href") for a in row.xpath(".//details[@class='open-work']//a")}
    assert links == {
        "Story 0": reverse("assignment_review", args=[works[articles[0].pk].pk]),
        "Story 1": reverse("assignment_review", args=[works[articles[1].pk].pk]),
    }
    assert "2 open" in row.xpath(".//summary")[0].text_content()
    assert "None" in row_of(owner_client(team).get(members_url(team)), "viewer").text_content()


def grow_team(team, members: int) -> None:
    """Bring the team to `members` annotators, each with one open and one approved assignment elsewhere."""
    project = team["project"]
    while Membership.objects.filter(project=project).count() < members:
        user = add_member(project, Role.ANNOTATOR, make_user())
        article = make_article(project)
        Assignment.objects.create(article=article, annotator=user, state=AssignmentState.IN_PROGRESS)
        Assignment.objects.create(article=make_article(project), annotator=user, state=AssignmentState.APPROVED)


def test_the_members_page_costs_the_same_queries_for_3_and_30_members(team, django_assert_num_queries):
    Membership.objects.filter(project=team["project"]).exclude(user=team["owner"]).exclude(
        user__in=[team["annotator"], team["annotator2"]]
    ).delete()
    grow_team(team, 3)
    client, url = owner_client(team), members_url(team)
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow_team(team, 30)
    with django_assert_num_queries(len(small)):
        page = client.get(url)
    assert page.status_code == 200 and len(tree_of(page).xpath("//tbody/tr")) == 30


def form_with(tree, element_id: str):
    """The one form that holds the element with this id."""
    forms = [form for form in tree.xpath("//form") if form.xpath(".//*[@id=$id]", id=element_id)]
    assert len(forms) == 1, element_id
    return forms[0]


def test_the_assign_form_is_checkboxes_posting_articles_and_annotators(team):
    owner, url = owner_client(team), assign_url(team)
    articles = [make_article(team["project"], title=f"Story {n}") for n in range(3)]
    tree = tree_of(owner.get(url))
    form = form_with(tree, "assign-button")
    boxes = {(box.get("name"), box.get("value")) for box in form.xpath(".//input[@type='checkbox']")}
    assert {("articles", str(a.pk)) for a in articles} <= boxes
    assert {("annotators", str(team[who].pk)) for who in ("annotator", "annotator2", "reviewer", "owner")} <= boxes
    assert not form.xpath(".//select[@multiple]") and not form.xpath(".//input[@name='per_article']")
    assert any(src.endswith("articles/checkbox_filter.js") for src in tree.xpath("//script[@type='module']/@src"))
    assert all(box.get("hidden") is not None for box in tree.xpath("//*[@data-filter-for]"))  # shown by JS only

    fields = {"op": "assign", "articles": [articles[0].pk, articles[2].pk], "annotators": [team["annotator"].pk]}
    done = owner.post(url, fields, **HTMX)
    assert done.status_code == 200 and "2 new assignments" in done.content.decode()
    assert set(Assignment.objects.values_list("article_id", "annotator_id")) == {
        (articles[0].pk, team["annotator"].pk),
        (articles[2].pk, team["annotator"].pk),
    }
    again = owner.post(url, fields, **HTMX)
    assert again.status_code == 200 and "Nothing new" in again.content.decode()


def test_a_refused_assignment_keeps_the_boxes_checked(team):
    owner, url = owner_client(team), assign_url(team)
    article = make_article(team["project"])
    refused = owner.post(url, {"op": "assign", "articles": [article.pk], "annotators": [team["viewer"].pk]}, **HTMX)
    assert refused.status_code == 422 and "Not members who may annotate" in refused.content.decode()
    tree = tree_of(refused)
    assert tree.get_element_by_id(f"pick-{article.pk}").get("checked") is not None
    assert tree.get_element_by_id(f"annotator-{team['annotator'].pk}").get("checked") is None
    assert not Assignment.objects.exists()


def test_spreading_is_a_separate_form_that_ignores_checked_boxes(team):
    owner, url = owner_client(team), assign_url(team)
    articles = [make_article(team["project"]) for _ in range(2)]
    tree = tree_of(owner.get(url))
    spread = form_with(tree, "spread-button")
    assert spread.get("id") == "spread-form" and spread.get("id") != form_with(tree, "assign-button").get("id")
    assert spread.xpath(".//input[@name='op']/@value") == ["spread"]
    assert not spread.xpath(".//input[@type='checkbox']") and not spread.xpath(".//*[@id='assign-button']")
    assert "Spread unassigned work automatically" in tree.get_element_by_id("spread-title").text_content()

    done = owner.post(url, {"op": "spread", "per_article": "2", "articles": [articles[0].pk]}, **HTMX)
    assert done.status_code == 200 and "Spread 4 new assignments" in done.content.decode()
    assert Assignment.objects.filter(article__in=articles).count() == 4
    assert "Nothing to spread" in owner.post(url, {"op": "spread", "per_article": "2"}, **HTMX).content.decode()
    too_many = owner.post(url, {"op": "spread", "per_article": "9"}, **HTMX)
    assert too_many.status_code == 422 and "only 2 can be chosen" in too_many.content.decode()


@pytest.mark.parametrize("op", ["assign", "spread", "unassign"])
def test_plain_posts_redirect_back_to_the_page_they_came_from(team, op):
    owner, url = owner_client(team), assign_url(team)
    article = make_article(team["project"])
    fields = {
        "assign": {"articles": [article.pk], "annotators": [team["annotator"].pk]},
        "spread": {"per_article": "1"},
        "unassign": {},
    }[op]
    if op == "unassign":
        assign(team["project"], articles=[article.pk], annotators=[team["annotator"].pk], by=team["owner"])
        fields = {"assignment": Assignment.objects.get().pk}
    response = owner.post(url, {"op": op, **fields})
    assert response.status_code == 302 and response["Location"] == url
    assert "Saved." in owner.get(url).content.decode()
    assert Assignment.objects.exists() == (op != "unassign")


@pytest.mark.parametrize("value", ["a\x00b", "9" * 25, "-1", "", "x" * 10_000])
def test_hostile_values_in_any_field_get_a_clear_answer_not_a_server_error(team, value):
    owner = owner_client(team)
    member = Membership.objects.get(project=team["project"], user=team["viewer"]).pk
    posts = [
        (members_url(team), {"username": value, "role": "annotator"}),
        (members_url(team), {"username": "outsider", "role": value}),
        (members_url(team), {"membership": value, "role": "viewer"}),
        (members_url(team), {"membership": member, "role": value}),
        (assign_url(team), {"op": "assign", "articles": [value], "annotators": [team["annotator"].pk]}),
        (assign_url(team), {"op": "assign", "articles": [], "annotators": [value]}),
        (assign_url(team), {"op": "spread", "per_article": value}),
        (assign_url(team), {"op": "unassign", "assignment": value}),
    ]
    for url, fields in posts:
        answer = owner.post(url, fields, **HTMX)
        assert answer.status_code in (404, 409, 422), (fields, answer.status_code)
    assert role_in(team["project"], team["viewer"]) == Role.VIEWER and not Assignment.objects.exists()
