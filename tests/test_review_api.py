"""The team-review API: the whole workflow, the role matrix (AUTHZ-5..8), races (CONC-1, CONC-2) and reports."""

from __future__ import annotations

import json

import pytest

from articles.assignment import assign
from articles.discussion import add_comment
from articles.export_scope import ExportFilters, ExportScope, export
from articles.models import Annotation, Assignment, AssignmentState, Comment, ReviewStatus, Role, Visibility
from articles.workflow import transition
from tests.api_client import api_as, url
from tests.factories import add_member, make_annotation, make_article

State = AssignmentState
TEXT = "The minister said taxes will fall. Critics called the plan reckless and unfunded today."


def etag(response) -> str:
    return response["ETag"]


def move(user, work, action, *, if_match=None, message=""):
    client = api_as(user)
    tag = if_match or client.get(url("assignment-detail", work.pk))["ETag"]
    return client.post(url("assignment-transition", work.pk), {"action": action, "message": message}, HTTP_IF_MATCH=tag)


def review(user, annotation, status, comment="", if_match=None):
    client = api_as(user)
    tag = if_match or client.get(url("annotation-detail", annotation.pk))["ETag"]
    return client.post(
        url("annotation-review", annotation.pk), {"status": status, "comment": comment}, HTTP_IF_MATCH=tag
    )


def accepted_export(team) -> list[dict]:
    scope = ExportScope(team["project"], team["owner"], filters=ExportFilters(statuses=(ReviewStatus.ACCEPTED,)))
    return [json.loads(line) for line in "".join(export(scope, "jsonl", base_url="http://testserver")).splitlines()]


def test_the_whole_workflow_through_the_api(team):
    """Annotate and submit, reject one span with a comment and request changes, fix, resubmit, approve."""
    owner, annotator, reviewer = api_as(team["owner"]), api_as(team["annotator"]), api_as(team["reviewer"])
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    response = owner.post(
        url("project-assignment-list", team["project"].pk),
        {"articles": [article.pk], "annotators": [team["annotator"].pk]},
    )
    assert response.status_code == 201, response.json()
    work = Assignment.objects.get(pk=response.json()[0]["id"])
    queue = annotator.get(url("assignment-mine")).json()["results"]
    assert [(item["article"], item["state"], item["actions"]) for item in queue] == [
        (article.pk, "assigned", ["start", "submit"])
    ]
    spans = annotator.post(
        url("article-annotation-list", article.pk),
        [
            {"label": "claim", "quote": "taxes will fall"},
            {"label": "opinion", "quote": "Critics called the plan"},
        ],
    ).json()
    assert move(team["annotator"], work, "start").status_code == 200
    submitted = move(team["annotator"], work, "submit")
    assert submitted.json()["state"] == "submitted" and submitted["ETag"] == f'"s{work.pk}v3"'
    locked = annotator.post(url("article-annotation-list", article.pk), {"label": "quote", "quote": "minister"})
    assert locked.status_code == 400 and "locked" in locked.json()["article"][0]

    queue = reviewer.get(url("project-review-queue", team["project"].pk)).json()["results"]
    assert [(item["id"], item["actions"]) for item in queue] == [(work.pk, ["approve", "request_changes"])]
    wrong = Annotation.objects.get(pk=spans[1]["id"])
    rejected = review(team["reviewer"], wrong, "rejected", comment="This is a quote, not an opinion.")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    asked = move(team["reviewer"], work, "request_changes", message="Please fix the rejected span.")
    assert asked.status_code == 200
    mine = annotator.get(url("assignment-mine")).json()["results"][0]
    assert (mine["state"], mine["message"], mine["reviewed_by"]) == (
        "changes_requested",
        "Please fix the rejected span.",
        "reviewer",
    )
    threads = annotator.get(url("annotation-comments", wrong.pk)).json()
    assert threads[0]["root"]["body"] == "This is a quote, not an opinion."

    fixed = annotator.patch(
        url("annotation-detail", wrong.pk),
        {"label": "quote"},
        HTTP_IF_MATCH=annotator.get(url("annotation-detail", wrong.pk))["ETag"],
    )
    assert fixed.status_code == 200 and fixed.json()["status"] == "pending"
    assert move(team["annotator"], work, "submit").status_code == 200
    assert move(team["reviewer"], work, "approve").json()["state"] == "approved"

    assert set(Annotation.objects.values_list("status", flat=True)) == {"accepted"}
    exported = accepted_export(team)
    assert [(s["start"], s["end"], s["label"]) for line in exported for s in line["spans"]] == [
        (18, 33, "claim"),
        (35, 58, "quote"),
    ]
    steps = [e["action"] for e in annotator.get(url("assignment-history", work.pk)).json()]
    assert steps == ["assign", "start", "submit", "request_changes", "submit", "approve"]
    history = annotator.get(url("annotation-history", wrong.pk)).json()
    assert [(e["action"], e["actor"]) for e in history] == [
        ("created", "annotator"),
        ("reviewed", "reviewer"),
        ("updated", "annotator"),
        ("reviewed", "reviewer"),
    ]
    assert history[2]["changes"] == {"label": ["opinion", "quote"], "status": ["rejected", "pending"]}


# The role matrix: every workflow action x every role, with a never-member and an ex-member (AUTHZ-5, AUTHZ-7).

ROLES = ["owner", "reviewer", "annotator", "annotator2", "viewer", "outsider", "ex_member"]
OK = {"owner": 0, "reviewer": 0, "annotator": 0, "annotator2": 0, "viewer": 0}
NOT_FOUND = {"outsider": 404, "ex_member": 404}


def expect(allowed: str, hidden: str = "") -> dict[str, int]:
    """Expected status per role: O R A B V letters allowed (2xx), `hidden` members get 404, others 403."""
    letters = {"O": "owner", "R": "reviewer", "A": "annotator", "B": "annotator2", "V": "viewer"}
    result = {role: 403 for role in OK}
    result.update({letters[c]: 200 for c in allowed})
    result.update({letters[c]: 404 for c in hidden})
    return {**result, **NOT_FOUND}


def setup_case(team, state=State.ASSIGNED):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    span = make_annotation(article, author=team["annotator"], start=18, end=33)
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=state)
    thread = add_comment(span, by=team["reviewer"], body="Why here?")
    return article, span, work, thread


def _transition(action, state):
    def run(client, team, case):
        article, span, work, thread = case
        tag = f'"s{work.pk}v{work.version}"'
        return client.post(
            url("assignment-transition", work.pk), {"action": action, "message": "Look again."}, HTTP_IF_MATCH=tag
        )

    return state, run


ACTIONS = {
    "assign": (
        State.ASSIGNED,
        lambda c, t, case: c.post(
            url("project-assignment-list", t["project"].pk),
            {"articles": [case[0].pk], "annotators": [t["annotator2"].pk]},
        ),
        expect("O"),
    ),
    "spread": (
        State.ASSIGNED,
        lambda c, t, case: c.post(url("project-assignment-spread", t["project"].pk), {}),
        expect("O"),
    ),
    "unassign": (State.ASSIGNED, lambda c, t, case: c.delete(url("assignment-detail", case[2].pk)), expect("O", "B")),
    "start": (*_transition("start", State.ASSIGNED), expect("A", "B")),
    "submit": (*_transition("submit", State.IN_PROGRESS), expect("A", "B")),
    "approve": (*_transition("approve", State.SUBMITTED), expect("OR", "B")),
    "request_changes": (*_transition("request_changes", State.SUBMITTED), expect("OR", "B")),
    "reopen": (*_transition("reopen", State.APPROVED), expect("OR", "B")),
    "review_span": (
        State.IN_PROGRESS,
        lambda c, t, case: c.post(
            url("annotation-review", case[1].pk), {"status": "accepted"}, HTTP_IF_MATCH=case[1].etag
        ),
        expect("OR"),
    ),
    "comment": (
        State.IN_PROGRESS,
        lambda c, t, case: c.post(url("annotation-comments", case[1].pk), {"body": "A remark"}),
        expect("ORAB"),
    ),
    "resolve": (State.IN_PROGRESS, lambda c, t, case: c.post(url("comment-resolve", case[3].pk), {}), expect("ORA")),
    "flag": (
        State.IN_PROGRESS,
        lambda c, t, case: c.post(
            url("annotation-flag", case[1].pk), {"question": "Claim?"}, HTTP_IF_MATCH=case[1].etag
        ),
        expect("ORA"),
    ),
    "adjudicate": (
        State.SUBMITTED,
        lambda c, t, case: c.post(
            url("article-adjudication", case[0].pk), {"action": "accept", "annotation": case[1].pk}
        ),
        expect("OR"),
    ),
    "see_adjudication": (
        State.SUBMITTED,
        lambda c, t, case: c.get(url("article-adjudication", case[0].pk)),
        expect("ORABV"),
    ),
    "review_queue": (
        State.SUBMITTED,
        lambda c, t, case: c.get(url("project-review-queue", t["project"].pk)),
        expect("OR"),
    ),
    "agreement": (State.SUBMITTED, lambda c, t, case: c.get(url("project-agreement", t["project"].pk)), expect("ORV")),
    "dashboard": (
        State.SUBMITTED,
        lambda c, t, case: c.get(url("project-dashboard", t["project"].pk)),
        expect("ORABV"),
    ),
    "span_history": (State.SUBMITTED, lambda c, t, case: c.get(url("annotation-history", case[1].pk)), expect("ORABV")),
    "article_history": (State.SUBMITTED, lambda c, t, case: c.get(url("article-history", case[0].pk)), expect("ORABV")),
    "assignment_history": (
        State.SUBMITTED,
        lambda c, t, case: c.get(url("assignment-history", case[2].pk)),
        expect("ORAV", "B"),
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(ACTIONS))
def test_every_role_gets_exactly_what_the_table_allows(team, name, role):
    """AUTHZ-5 / AUTHZ-7: one expectation table; never-members and ex-members get 404 and change nothing."""
    ex_member = add_member(team["project"], Role.REVIEWER)
    team["project"].memberships.filter(user=ex_member).delete()
    team["ex_member"] = ex_member
    state, run, expected = ACTIONS[name]
    case = setup_case(team, state)
    before = snapshot_rows()
    response = run(api_as(team[role]), team, case)
    wanted = expected[role]
    if wanted == 200:
        assert 200 <= response.status_code < 300, (name, role, response.status_code, response.content[:300])
    else:
        assert response.status_code == wanted, (name, role, response.status_code, response.content[:300])
        assert snapshot_rows() == before, (name, role)
        assert response["Content-Type"] == "application/json"


def snapshot_rows() -> tuple:
    return (
        list(Assignment.objects.order_by("pk").values_list("pk", "state", "version")),
        list(Annotation.objects.order_by("pk").values_list("pk", "status", "version", "is_flagged")),
        list(Comment.objects.order_by("pk").values_list("pk", "is_resolved")),
    )


def test_an_annotator_removed_from_the_project_loses_their_queue_and_their_assignment(team, article):
    """AUTHZ-7: an ex-annotator cannot submit old work or read it; the work itself stays for the team."""
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=State.IN_PROGRESS)
    team["project"].memberships.filter(user=team["annotator"]).delete()
    client = api_as(team["annotator"])
    assert client.get(url("assignment-mine")).json()["results"] == []
    assert client.get(url("assignment-detail", work.pk)).status_code == 404
    assert move(team["annotator"], work, "submit", if_match=f'"s{work.pk}v1"').status_code == 404
    assert Assignment.objects.get(pk=work.pk).state == State.IN_PROGRESS


def test_a_bulk_assignment_naming_a_foreign_article_changes_nothing(team, article):
    """AUTHZ-8: ids of another project in a bulk request: 400 and no partial effect."""
    other = make_article(text="Someone else's article.")
    response = api_as(team["owner"]).post(
        url("project-assignment-list", team["project"].pk),
        {"articles": [article.pk, other.pk], "annotators": [team["annotator"].pk]},
    )
    assert response.status_code == 400 and "articles" in response.json()
    assert not Assignment.objects.exists()
    refused = api_as(team["owner"]).post(
        url("project-assignment-list", team["project"].pk),
        {"articles": [article.pk], "annotators": [team["annotator"].pk], "state": "approved"},
    )
    assert refused.status_code == 400 and refused.json() == {"state": ["Unknown field."]}  # AUTHZ-6


def test_two_decisions_with_the_same_etag_never_both_win(team, article):
    """CONC-1 / CONC-2: approve and request changes sent against one ETag: one 200, one 412 with the state."""
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=State.SUBMITTED)
    tag = api_as(team["reviewer"]).get(url("assignment-detail", work.pk))["ETag"]
    first = move(team["reviewer"], work, "approve", if_match=tag)
    second = move(team["owner"], work, "request_changes", if_match=tag, message="Redo.")
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.json()["current"]["state"] == "approved" and second["ETag"] == first["ETag"]
    missing = api_as(team["owner"]).post(url("assignment-transition", work.pk), {"action": "reopen", "message": "x"})
    assert missing.status_code == 428
    assert Assignment.objects.get(pk=work.pk).events.count() == 1


def test_two_reviews_of_one_span_with_the_same_etag_never_both_win(team, article):
    """CONC-1: accept and reject sent with the same If-Match: the second is a 412 and changes nothing."""
    span = make_annotation(article, author=team["annotator"])
    first = review(team["reviewer"], span, "accepted", if_match=span.etag)
    second = review(team["owner"], span, "rejected", comment="No.", if_match=span.etag)
    assert (first.status_code, second.status_code) == (200, 412)
    assert second.json()["current"]["status"] == "accepted"
    assert not Comment.objects.exists()  # the comment of the losing decision is not stored either


def test_invalid_transitions_answer_400_with_a_clear_message(team, article):
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=State.IN_PROGRESS)
    response = move(team["reviewer"], work, "approve")
    assert response.status_code == 400
    assert response.json() == {
        "action": ["You can only approve work that is submitted; this work is in progress."],
        "state": "in_progress",
    }
    unknown = move(team["annotator"], work, "publish")
    assert unknown.status_code == 400 and "action" in unknown.json()
    no_message = move(
        team["reviewer"],
        Assignment.objects.create(
            article=make_article(team["project"]), annotator=team["annotator"], state=State.SUBMITTED
        ),
        "request_changes",
    )
    assert no_message.status_code == 400 and no_message.json() == {"message": ["Tell the annotator what to change."]}


def test_spreading_through_the_api_reports_what_it_created(team):
    for _ in range(3):
        make_article(team["project"], by=team["owner"])
    response = api_as(team["owner"]).post(url("project-assignment-spread", team["project"].pk), {"per_article": 2})
    assert response.status_code == 201
    assert response.json()["created"] == 6 and len(response.json()["assignments"]) == 6
    bad = api_as(team["owner"]).post(url("project-assignment-spread", team["project"].pk), {"per_article": 3})
    assert bad.status_code == 400 and "per_article" in bad.json()


def test_flags_and_threads_through_the_api(team, article):
    span = make_annotation(article, author=team["annotator"])
    client = api_as(team["annotator"])
    flagged = client.post(url("annotation-flag", span.pk), {"question": "Claim or opinion?"}, HTTP_IF_MATCH=span.etag)
    assert flagged.status_code == 200 and flagged.json()["is_flagged"] is True
    root = client.post(url("annotation-comments", span.pk), {"body": "<b>bold?</b>"}).json()
    reply = api_as(team["reviewer"]).post(url("annotation-comments", span.pk), {"body": "Claim.", "parent": root["id"]})
    assert reply.status_code == 201 and reply.json()["parent"] == root["id"]
    resolved = client.post(url("comment-resolve", reply.json()["id"]), {"resolved": True})
    assert resolved.json()["is_resolved"] is True and resolved.json()["id"] == root["id"]
    cleared = api_as(team["reviewer"]).delete(url("annotation-flag", span.pk), HTTP_IF_MATCH=flagged["ETag"])
    assert cleared.status_code == 200 and cleared.json()["is_flagged"] is False
    threads = client.get(url("annotation-comments", span.pk)).json()
    assert threads[0]["root"]["body"] == "<b>bold?</b>" and len(threads[0]["replies"]) == 1
    foreign = client.post(url("annotation-comments", span.pk), {"body": "x", "parent": 10**12})
    assert foreign.status_code == 404


def test_article_history_keeps_deleted_spans_but_hides_others_from_a_blind_annotator(team, article):
    team["project"].visibility = Visibility.INDEPENDENT
    team["project"].save()
    mine = make_annotation(article, author=team["annotator"])
    theirs = make_annotation(article, author=team["annotator2"], label="quote")
    api_as(team["annotator2"]).delete(url("annotation-detail", theirs.pk), HTTP_IF_MATCH=theirs.etag)
    assert [
        (e["annotation"], e["action"]) for e in api_as(team["reviewer"]).get(url("article-history", article.pk)).json()
    ] == [(mine.pk, "created"), (theirs.pk, "created"), (theirs.pk, "deleted")]
    blind = api_as(team["annotator"]).get(url("article-history", article.pk)).json()
    assert [e["annotation"] for e in blind] == [mine.pk]


def test_adjudication_and_agreement_through_the_api(team):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    a = make_annotation(article, author=team["annotator"], start=18, end=33)
    b = make_annotation(article, author=team["annotator2"], start=18, end=30)
    assign(
        team["project"],
        articles=[article.pk],
        annotators=[team["annotator"].pk, team["annotator2"].pk],
        by=team["owner"],
    )
    for user in (team["annotator"], team["annotator2"]):
        transition(Assignment.objects.get(article=article, annotator=user), "submit", by=user)
    reviewer = api_as(team["reviewer"])
    board = reviewer.get(url("article-adjudication", article.pk)).json()
    assert [(c["label"], c["is_agreed"], len(c["versions"])) for c in board["clusters"]] == [("claim", False, 2)]
    assert reviewer.post(url("article-adjudication", article.pk), {"action": "accept"}).status_code == 400
    settled = reviewer.post(url("article-adjudication", article.pk), {"action": "accept", "annotation": b.pk}).json()
    assert settled["accepted"] == [[18, 30, "claim"]] and settled["clusters"][0]["is_settled"] is True
    assert Annotation.objects.get(pk=a.pk).status == "rejected"
    report = reviewer.get(url("project-agreement", team["project"].pk)).json()
    assert report["annotators"] == ["annotator", "annotator2"]
    assert report["overall"]["exact_f1"] == 0.0 and report["overall"]["overlap_f1"] == 1.0
    assert report["pairs"][0]["articles"] == 1 and report["articles"][0]["title"] == article.title
    assert report["articles"][0]["passages"] == settled["passages"] == {"agreed": 0, "disputed": 0, "settled": 1}
    board = api_as(team["annotator"]).get(url("project-dashboard", team["project"].pk)).json()
    assert board["agreement"] is None and board["articles_by_status"]["in_review"] == 1


def test_lists_and_reports_run_a_constant_number_of_queries(team, django_assert_max_num_queries):
    def grow(n):
        articles = [make_article(team["project"], by=team["owner"]) for _ in range(n)]
        assign(team["project"], articles=[a.pk for a in articles], annotators=[team["annotator"].pk], by=team["owner"])
        Assignment.objects.filter(annotator=team["annotator"]).update(state=State.SUBMITTED)

    counts = []
    for n in (2, 20):
        grow(n)
        for name, user in (
            ("project-review-queue", "reviewer"),
            ("project-assignment-list", "owner"),
            ("project-dashboard", "owner"),
            ("project-agreement", "owner"),
        ):
            client = api_as(team[user])
            with django_assert_max_num_queries(20) as captured:
                assert client.get(url(name, team["project"].pk)).status_code == 200
            counts.append((name, len(captured)))
    assert counts[:4] == counts[4:]
