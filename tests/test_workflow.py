"""The review workflow: the transition table, who may move work, locking, approval and races."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections

from articles.annotation_write import create_annotations, delete_annotation, restore_annotation, update_annotation
from articles.errors import InvalidInput, StaleVersion
from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    ArticleStatus,
    Assignment,
    AssignmentEvent,
    AssignmentState,
    ReviewStatus,
    Role,
    Visibility,
)
from articles.workflow import (
    TRANSITIONS,
    article_status,
    available_actions,
    review_span,
    transition,
)
from tests.factories import add_member, make_annotation, make_article, make_project, make_user

State = AssignmentState


def assign(article, annotator, state=State.ASSIGNED) -> Assignment:
    return Assignment.objects.create(article=article, annotator=annotator, state=state)


def status_of(article) -> str:
    return Article.objects.get(pk=article.pk).status


def test_work_moves_from_assigned_through_changes_to_approved_and_the_article_follows(team, article):
    work = assign(article, team["annotator"])
    assert status_of(article) == ArticleStatus.NEW
    transition(work, "start", by=team["annotator"])
    assert (work.state, status_of(article)) == (State.IN_PROGRESS, ArticleStatus.IN_PROGRESS)
    transition(work, "submit", by=team["annotator"])
    assert (work.state, status_of(article)) == (State.SUBMITTED, ArticleStatus.IN_REVIEW)
    assert work.submitted_at is not None
    transition(work, "request_changes", by=team["reviewer"], message="  Mark the second quote too.  ")
    assert (work.state, status_of(article)) == (State.CHANGES_REQUESTED, ArticleStatus.CHANGES_REQUESTED)
    assert work.message == "Mark the second quote too."
    assert work.reviewed_by == team["reviewer"]
    transition(work, "submit", by=team["annotator"])  # resubmitting needs no "start" first
    transition(work, "approve", by=team["reviewer"])
    assert (work.state, status_of(article)) == (State.APPROVED, ArticleStatus.APPROVED)
    assert work.version == 6
    steps = list(AssignmentEvent.objects.filter(assignment=work).values_list("action", "from_state", "to_state"))
    assert steps == [
        ("start", "assigned", "in_progress"),
        ("submit", "in_progress", "submitted"),
        ("request_changes", "submitted", "changes_requested"),
        ("submit", "changes_requested", "submitted"),
        ("approve", "submitted", "approved"),
    ]
    assert (
        AssignmentEvent.objects.get(assignment=work, action="request_changes").message == "Mark the second quote too."
    )


def test_invalid_transitions_are_refused_with_a_clear_message_and_change_nothing(team, article):
    work = assign(article, team["annotator"], State.IN_PROGRESS)
    with pytest.raises(InvalidInput) as error:
        transition(work, "approve", by=team["reviewer"])
    assert error.value.errors == {"action": ["You can only approve work that is submitted; this work is in progress."]}
    transition(work, "submit", by=team["annotator"])
    with pytest.raises(InvalidInput, match="only submit work that is assigned, in progress or changes requested"):
        transition(work, "submit", by=team["annotator"])
    with pytest.raises(InvalidInput, match="Unknown action"):
        transition(work, "publish", by=team["reviewer"])
    with pytest.raises(InvalidInput, match="Tell the annotator what to change"):
        transition(work, "request_changes", by=team["reviewer"], message="   ")
    with pytest.raises(InvalidInput, match="under 5000"):
        transition(work, "request_changes", by=team["reviewer"], message="x" * 5001)
    work.refresh_from_db()
    assert (work.state, work.version) == (State.SUBMITTED, 2)
    assert AssignmentEvent.objects.filter(assignment=work).count() == 1


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_each_action_is_allowed_to_exactly_the_right_people(team, article, action):
    """AUTHZ-5 and AUTHZ-7 for the workflow: the assignee moves their work, another reviewer decides it."""
    ex_member = add_member(team["project"], Role.REVIEWER)
    team["project"].memberships.filter(user=ex_member).delete()
    source = sorted(TRANSITIONS[action].sources)[0]
    expected = {"annotator"} if TRANSITIONS[action].by_assignee else {"owner", "reviewer"}
    for who in ("owner", "reviewer", "annotator", "annotator2", "viewer", "outsider", "ex_member"):
        user = ex_member if who == "ex_member" else team[who]
        Assignment.objects.filter(article=article).delete()
        work = assign(article, team["annotator"], source)
        if who in expected:
            transition(work, action, by=user, message="Please look again.")
            assert work.state == TRANSITIONS[action].target, who
        else:
            with pytest.raises(PermissionDenied):
                transition(work, action, by=user, message="Please look again.")
            work.refresh_from_db()
            assert work.state == source, who


def test_nobody_reviews_their_own_work(team, article):
    """A reviewer who annotated an article cannot approve their own submission (four eyes)."""
    work = assign(article, team["reviewer"], State.SUBMITTED)
    with pytest.raises(PermissionDenied, match="own work"):
        transition(work, "approve", by=team["reviewer"])
    assert available_actions(work, team["reviewer"], Role.REVIEWER) == []
    assert available_actions(work, team["owner"], Role.OWNER) == ["approve", "request_changes"]
    transition(work, "approve", by=team["owner"])


def test_available_actions_follow_the_state_and_the_role(team, article):
    work = assign(article, team["annotator"])
    assert available_actions(work, team["annotator"], Role.ANNOTATOR) == ["start", "submit"]
    assert available_actions(work, team["reviewer"], Role.REVIEWER) == []
    assert available_actions(work, team["viewer"], Role.VIEWER) == []
    assert available_actions(work, team["outsider"], None) == []
    work.state = State.APPROVED
    assert available_actions(work, team["reviewer"], Role.REVIEWER) == ["reopen"]


def test_submitting_locks_the_annotators_spans_until_the_reviewer_answers(team, article):
    span = make_annotation(article, author=team["annotator"])
    work = assign(article, team["annotator"], State.IN_PROGRESS)
    transition(work, "submit", by=team["annotator"])
    with pytest.raises(InvalidInput, match="submitted and locked"):
        make_annotation(article, author=team["annotator"], label="quote", start=8, end=14)
    with pytest.raises(InvalidInput, match="submitted and locked"):
        update_annotation(span, by=team["annotator"], changes={"note": "late thought"})
    with pytest.raises(InvalidInput, match="submitted and locked"):
        delete_annotation(span, by=team["annotator"])
    # Reviewers still fix the work they review, and other annotators keep working.
    update_annotation(span, by=team["reviewer"], changes={"label": "quote"})
    make_annotation(article, author=team["annotator2"], label="opinion")
    transition(work, "request_changes", by=team["reviewer"], message="Shorter span, please.")
    update_annotation(span, by=team["annotator"], changes={"end": 5})
    event = delete_annotation(span, by=team["annotator"])
    transition(work, "submit", by=team["annotator"])
    transition(work, "approve", by=team["reviewer"])
    with pytest.raises(InvalidInput, match="approved and locked"):
        restore_annotation(article, event.annotation_id, by=team["annotator"])
    transition(work, "reopen", by=team["reviewer"], message="One more source to mark.")
    restore_annotation(article, event.annotation_id, by=team["annotator"])


def test_approval_accepts_every_span_the_reviewer_did_not_reject(team, article):
    kept = make_annotation(article, author=team["annotator"], start=0, end=7)
    wrong = make_annotation(article, author=team["annotator"], label="opinion", start=8, end=14)
    other = make_annotation(article, author=team["annotator2"], label="quote")
    work = assign(article, team["annotator"], State.SUBMITTED)
    review_span(wrong, by=team["reviewer"], status=ReviewStatus.REJECTED)
    transition(work, "approve", by=team["reviewer"])
    statuses = dict(Annotation.objects.values_list("pk", "status"))
    assert statuses == {kept.pk: "accepted", wrong.pk: "rejected", other.pk: "pending"}
    kept.refresh_from_db()
    assert kept.version == 2
    history = AnnotationEvent.objects.filter(annotation_id=kept.pk).order_by("id")
    assert [(e.action, e.actor_id) for e in history] == [
        ("created", team["annotator"].pk),
        ("reviewed", team["reviewer"].pk),
    ]
    assert history.last().changes == {"status": ["pending", "accepted"]}
    assert history.last().snapshot["status"] == "accepted"


def test_an_author_fixing_a_rejected_span_sends_it_back_for_review(team, article):
    span = make_annotation(article, author=team["annotator"])
    review_span(span, by=team["reviewer"], status=ReviewStatus.REJECTED)
    span.refresh_from_db()
    update_annotation(span, by=team["annotator"], changes={"is_flagged": True, "question": "Is it a claim?"})
    assert span.status == ReviewStatus.REJECTED  # asking a question is not a fix
    update_annotation(span, by=team["annotator"], changes={"label": "quote"})
    assert span.status == ReviewStatus.PENDING
    review_span(span, by=team["reviewer"], status=ReviewStatus.ACCEPTED)
    update_annotation(span, by=team["reviewer"], changes={"end": 6})
    assert span.status == ReviewStatus.ACCEPTED  # a reviewer's own fix keeps the decision


def test_only_other_reviewers_review_a_span(team, article):
    """AUTHZ-5: annotators and viewers cannot review; reviewers cannot review their own spans."""
    theirs = make_annotation(article, author=team["annotator"])
    own = make_annotation(article, author=team["reviewer"], label="quote")
    for who in ("annotator", "annotator2", "viewer", "outsider"):
        with pytest.raises(PermissionDenied):
            review_span(theirs, by=team[who], status=ReviewStatus.ACCEPTED)
    with pytest.raises(PermissionDenied, match="own annotation"):
        review_span(own, by=team["reviewer"], status=ReviewStatus.ACCEPTED)
    with pytest.raises(InvalidInput):
        review_span(theirs, by=team["reviewer"], status="maybe")
    with pytest.raises(PermissionDenied):
        update_annotation(theirs, by=team["annotator2"], changes={"label": "quote"})
    assert set(Annotation.objects.values_list("status", flat=True)) == {"pending"}


def test_two_decisions_on_one_stale_version_never_both_win(team, article):
    """CONC-1 / CONC-2: two reviewers load the same submission; only the first decision lands."""
    assign(article, team["annotator"], State.SUBMITTED)
    first = Assignment.objects.get(article=article)
    second = Assignment.objects.get(article=article)
    transition(first, "approve", by=team["reviewer"])
    with pytest.raises(StaleVersion) as error:
        transition(second, "request_changes", by=team["owner"], message="No, redo it.")
    assert error.value.current.state == State.APPROVED
    with pytest.raises(StaleVersion):
        transition(first, "reopen", by=team["owner"], message="Stale tab.", expected_version=1)
    first.refresh_from_db()
    assert (first.state, first.version) == (State.APPROVED, 2)
    assert AssignmentEvent.objects.filter(assignment=first).count() == 1


def test_two_reviews_of_one_span_with_the_same_version_never_both_win(team, article):
    """CONC-1: accept and reject sent against the same version: one 412-style StaleVersion."""
    span = make_annotation(article, author=team["annotator"])
    review_span(span, by=team["reviewer"], status=ReviewStatus.ACCEPTED, expected_version=1)
    with pytest.raises(StaleVersion):
        review_span(
            Annotation.objects.get(pk=span.pk), by=team["owner"], status=ReviewStatus.REJECTED, expected_version=1
        )
    assert Annotation.objects.get(pk=span.pk).status == ReviewStatus.ACCEPTED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real row locks and parallel connections")
@pytest.mark.django_db(transaction=True)
def test_two_threads_deciding_one_submission_at_once_never_both_win():
    """CONC-2 on PostgreSQL: two connections approve and request changes at the same instant."""
    owner = make_user()
    project = make_project(owner)
    reviewer = add_member(project, Role.REVIEWER)
    annotator = add_member(project, Role.ANNOTATOR)
    article = make_article(project, by=owner)
    work_id = assign(article, annotator, State.SUBMITTED).pk
    barrier, outcomes = threading.Barrier(2), []

    def decide(user, action):
        try:
            work = Assignment.objects.select_related("article__project").get(pk=work_id)
            barrier.wait()
            transition(work, action, by=user, message="Concurrent decision.")
            outcomes.append(action)
        except (StaleVersion, InvalidInput) as error:
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(owner, "approve")),
        threading.Thread(target=decide, args=(reviewer, "request_changes")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    work = Assignment.objects.get(pk=work_id)
    winners = [outcome for outcome in outcomes if outcome in ("approve", "request_changes")]
    assert len(winners) == 1 and sorted(outcomes) == sorted([winners[0], "StaleVersion"]), outcomes
    assert work.version == 2 and AssignmentEvent.objects.filter(assignment_id=work_id).count() == 1
    assert Article.objects.get(pk=article.pk).status in (ArticleStatus.APPROVED, ArticleStatus.CHANGES_REQUESTED)


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ([], "new"),
        (["assigned", "assigned"], "new"),
        (["assigned", "in_progress"], "in_progress"),
        (["approved", "assigned"], "in_progress"),
        (["approved", "approved"], "approved"),
        (["changes_requested", "approved"], "changes_requested"),
        (["changes_requested", "submitted"], "in_review"),
    ],
)
def test_the_article_status_follows_its_assignments(states, expected):
    assert article_status(states) == expected


def test_an_independent_project_reveals_others_spans_when_the_annotator_submits(team, article):
    """Blind, then reveal: the calibration moment comes with the submit transition."""
    team["project"].visibility = Visibility.INDEPENDENT
    team["project"].save()
    mine = make_annotation(article, author=team["annotator"])
    theirs = make_annotation(article, author=team["annotator2"], label="quote")
    work = assign(article, team["annotator"], State.IN_PROGRESS)
    visible = lambda: set(Annotation.objects.visible_to(team["annotator"]).values_list("pk", flat=True))  # noqa: E731
    assert visible() == {mine.pk}
    transition(work, "submit", by=team["annotator"])
    assert visible() == {mine.pk, theirs.pk}


def test_submitted_work_refuses_bulk_creation_and_an_unknown_label_is_still_named_first(team, article):
    """The lock state now comes with the label lookup: the rule and the order of errors stay the same."""
    work = assign(article, team["annotator"], State.IN_PROGRESS)
    transition(work, "submit", by=team["annotator"])
    with pytest.raises(InvalidInput, match="submitted and locked"):
        create_annotations(article, [{"label": "claim", "start": 0, "end": 3}], author=team["annotator"])
    with pytest.raises(InvalidInput, match="Unknown label"):
        make_annotation(article, author=team["annotator"], label="no-such-label")
    assert not Annotation.objects.filter(author=team["annotator"]).exists()
    create_annotations(article, [{"label": "claim", "start": 0, "end": 3}], author=team["annotator2"])
