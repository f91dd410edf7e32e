"""The whole job on the article page: Start and Submit from it, locked work shown as locked, and "ask a reviewer"
from the annotation editor; with htmx and as plain forms, for exactly the users who may."""

from __future__ import annotations

import json

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.assignment import assign
from articles.models import Annotation, Assignment, AssignmentState
from articles.workflow import transition
from tests.factories import make_annotation

pytestmark = pytest.mark.django_db

State = AssignmentState
HTMX = {"HTTP_HX_REQUEST": "true"}
SUBMITTED_LOCK = "locked until a reviewer answers. A reviewer or owner can request changes."


@pytest.fixture
def work(team, article) -> Assignment:
    """The article assigned to the annotator, not started yet."""
    return assign(team["project"], articles=[article.pk], annotators=[team["annotator"].pk], by=team["owner"])[0]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def tree_of(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content)


def by_id(tree: lxml.html.HtmlElement, element_id: str) -> list[lxml.html.HtmlElement]:
    """The element with this id, as a list: empty when the page does not have it."""
    return tree.xpath("//*[@id=$id]", id=element_id)


def work_buttons(response) -> list[str]:
    """The workflow steps the page offers, by the action each form sends."""
    return [field.get("value") for field in tree_of(response).xpath("//*[@id='my-work']//input[@name='action']")]


def article_page(client, article, **query):
    return client.get(reverse("article_annotate", args=[article.pk]), query)


def step(client, work: Assignment, action: str, **headers):
    """Send a workflow step from the article page, as its form does."""
    work.refresh_from_db()
    data = {"action": action, "version": work.version, "back": "article"}
    return client.post(reverse("assignment_transition", args=[work.pk]), data, **headers)


def flag(client, annotation: Annotation, **data):
    annotation.refresh_from_db()
    return client.post(
        reverse("annotation_flag", args=[annotation.pk]), {"version": annotation.version, **data}, **HTMX
    )


def test_the_page_shows_the_annotators_state_and_only_the_steps_the_workflow_allows(team, article, work):
    annotator = client_for(team["annotator"])
    page = article_page(annotator, article)
    assert "Assigned" in tree_of(page).get_element_by_id("my-work").text_content()
    assert work_buttons(page) == ["start", "submit"]
    assert tree_of(page).xpath("//*[@id='my-work']//input[@name='back']")[0].get("value") == "article"

    transition(work, "start", by=team["annotator"])
    page = article_page(annotator, article)
    assert "In progress" in tree_of(page).get_element_by_id("my-work").text_content()
    assert work_buttons(page) == ["submit"]
    for other in ("owner", "reviewer", "annotator2", "viewer"):  # nothing of theirs to start or submit here
        assert not by_id(tree_of(article_page(client_for(team[other]), article)), "my-work")


def test_start_and_submit_from_the_article_page_with_htmx(team, article, work):
    annotator = client_for(team["annotator"])
    started = step(annotator, work, "start", **HTMX)
    assert started.status_code == 200
    assert tree_of(started).get("id") == "workspace"  # the region, not the whole page
    assert "Started." in started.content.decode() and work_buttons(started) == ["submit"]
    work.refresh_from_db()
    assert work.state == State.IN_PROGRESS

    submitted = step(annotator, work, "submit", **HTMX)
    assert submitted.status_code == 200 and work_buttons(submitted) == []
    assert SUBMITTED_LOCK in submitted.content.decode()
    assert tree_of(submitted).get("data-can-annotate") == "false"
    work.refresh_from_db()
    assert work.state == State.SUBMITTED


def test_start_and_submit_work_as_plain_forms_without_javascript(team, article, work):
    annotator = client_for(team["annotator"])
    started = step(annotator, work, "start")
    assert started.status_code == 302 and started["Location"] == reverse("article_annotate", args=[article.pk])
    page = annotator.get(started["Location"])
    assert "Started. Your assignment is in progress." in page.content.decode()
    submitted = step(annotator, work, "submit")
    assert submitted.status_code == 302
    assert SUBMITTED_LOCK in annotator.get(submitted["Location"]).content.decode()


def test_a_refused_step_answers_with_the_reason_and_the_current_state(team, article, work):
    annotator = client_for(team["annotator"])
    transition(work, "submit", by=team["annotator"])
    again = step(annotator, work, "start", **HTMX)
    assert again.status_code == 422
    assert "You can only start work that is assigned or changes requested" in again.content.decode()
    stale = annotator.post(
        reverse("assignment_transition", args=[work.pk]),
        {"action": "start", "version": work.version - 1, "back": "article"},
    )
    assert stale.status_code == 412 and tree_of(stale).get_element_by_id("annotate") is not None


def test_submitted_work_is_locked_says_why_and_offers_no_toolbar_or_editing(team, article, work):
    mine = make_annotation(article, team["annotator"], start=0, end=7)
    annotator = client_for(team["annotator"])
    before = tree_of(article_page(annotator, article, selected=mine.pk))
    assert by_id(before, "selection-toolbar") and by_id(before, "editor-form") and by_id(before, "flag-form")

    transition(work, "submit", by=team["annotator"])
    page = article_page(annotator, article, selected=mine.pk)
    tree = tree_of(page)
    assert SUBMITTED_LOCK in tree.get_element_by_id("work-lock").text_content()
    assert tree.get_element_by_id("work-lock").text_content().startswith("Submitted on ")
    for absent in ("selection-toolbar", "quote-add", "editor-form", "flag-form", "delete-form"):
        assert not by_id(tree, absent), absent
    assert json.loads(tree.get_element_by_id("annotator-config").text)["canAnnotate"] is False
    assert tree.get_element_by_id("workspace").get("data-can-annotate") == "false"
    editor = annotator.get(reverse("annotation_detail", args=[mine.pk]), **HTMX)
    assert editor.status_code == 200 and not by_id(tree_of(editor), "editor-form")
    assert "locked" in editor.content.decode()

    reviewer_page = tree_of(article_page(client_for(team["reviewer"]), article))
    assert by_id(reviewer_page, "selection-toolbar")  # reviewers are not locked by someone else's submission


def test_approved_work_is_locked_until_a_reviewer_reopens_it(team, article, work):
    transition(work, "submit", by=team["annotator"])
    transition(work, "approve", by=team["reviewer"])
    page = article_page(client_for(team["annotator"]), article)
    tree = tree_of(page)
    lock = tree.get_element_by_id("work-lock").text_content()
    assert lock.startswith("Approved on ") and "by reviewer" in lock and "a reviewer or owner can reopen it" in lock
    assert not by_id(tree, "selection-toolbar") and work_buttons(page) == []

    transition(work, "reopen", by=team["reviewer"], message="Split the second claim.")
    tree = tree_of(article_page(client_for(team["annotator"]), article))
    assert "Split the second claim." in tree.get_element_by_id("my-work").text_content()
    assert by_id(tree, "selection-toolbar") and not by_id(tree, "work-lock")


def test_asking_a_reviewer_flags_the_annotation_and_lands_in_the_review_queue(team, article, work):
    mine = make_annotation(article, team["annotator"], start=0, end=7)
    annotator = client_for(team["annotator"])
    asked = flag(annotator, mine, question="Is this a claim or an opinion?", who="all")
    assert asked.status_code == 200 and tree_of(asked).get("id") == "workspace"
    assert "Is this a claim or an opinion?" in tree_of(asked).get_element_by_id("flag-form").text_content()
    assert by_id(tree_of(asked), "clear-flag-button")
    mine.refresh_from_db()
    assert mine.is_flagged and mine.question == "Is this a claim or an opinion?"
    queue = client_for(team["reviewer"]).get(reverse("review_queue", args=[team["project"].pk]))
    assert "Is this a claim or an opinion?" in queue.content.decode()

    cleared = flag(annotator, mine, clear="1")
    assert cleared.status_code == 200 and "Flag cleared." in cleared.content.decode()
    mine.refresh_from_db()
    assert not mine.is_flagged and by_id(tree_of(cleared), "flag-button")


@pytest.mark.parametrize(
    ("question", "message"),
    [("", "Write a question first."), ("   ", "Write a question first."), ("x" * 2001, "under 2000 characters")],
)
def test_a_flag_without_a_proper_question_is_refused_inline(team, article, question, message):
    mine = make_annotation(article, team["annotator"], start=0, end=7)
    refused = flag(client_for(team["annotator"]), mine, question=question)
    assert refused.status_code == 422
    tree = tree_of(refused)
    assert message in tree.get_element_by_id("flag-error").text_content()
    assert tree.get_element_by_id("flag-question").get("aria-invalid") == "true"
    mine.refresh_from_db()
    assert not mine.is_flagged


def test_flagging_works_as_a_plain_form(team, article):
    mine = make_annotation(article, team["annotator"], start=0, end=7)
    answer = client_for(team["annotator"]).post(
        reverse("annotation_flag", args=[mine.pk]), {"version": mine.version, "question": "Quote or claim?"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("article_annotate", args=[article.pk]) + f"?selected={mine.pk}"
    assert Annotation.objects.get(pk=mine.pk).is_flagged


def test_a_stale_flag_changes_nothing(team, article):
    mine = make_annotation(article, team["annotator"], start=0, end=7)
    answer = client_for(team["annotator"]).post(
        reverse("annotation_flag", args=[mine.pk]), {"version": mine.version + 5, "question": "Quote?"}, **HTMX
    )
    assert answer.status_code == 412 and "Not flagged." in answer.content.decode()
    assert not Annotation.objects.get(pk=mine.pk).is_flagged


def test_locked_work_cannot_be_flagged(team, article, work):
    mine = make_annotation(article, team["annotator"], start=0, end=7)
    transition(work, "submit", by=team["annotator"])
    refused = flag(client_for(team["annotator"]), mine, question="Still unsure?")
    assert refused.status_code == 422 and "submitted and locked" in refused.content.decode()
    assert not Annotation.objects.get(pk=mine.pk).is_flagged


def test_viewers_and_outsiders_may_neither_flag_nor_step_the_work(team, article, work):
    mine = make_annotation(article, team["annotator"], start=0, end=7)
    # Another annotator sees the annotation but may not change it, and never sees the assignment.
    for name, flagged, stepped in (("viewer", 403, 403), ("annotator2", 403, 404), ("outsider", 404, 404)):
        client = client_for(team[name])
        assert flag(client, mine, question="Why?").status_code == flagged, name
        assert step(client, work, "submit", **HTMX).status_code == stepped, name
    mine.refresh_from_db()
    work.refresh_from_db()
    assert not mine.is_flagged and work.state == State.ASSIGNED
    viewer_page = tree_of(article_page(client_for(team["viewer"]), article, selected=mine.pk))
    assert not by_id(viewer_page, "flag-form") and not by_id(viewer_page, "my-work")


def test_the_work_panel_costs_one_query_whatever_the_state(team, article, work):
    make_annotation(article, team["annotator"], start=0, end=7)
    annotator, owner = client_for(team["annotator"]), client_for(team["owner"])

    def count(client, **headers) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("article_annotate", args=[article.pk]), **headers).status_code == 200
        return len(queries)

    assigned = count(annotator)
    transition(work, "submit", by=team["annotator"])
    assert count(annotator) == assigned == count(owner) <= 9  # 9: whether the project runs suggesters
    assert count(annotator, **HTMX) == count(owner, **HTMX)
