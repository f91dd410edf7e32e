"""Discussion threads on annotations, and asking a reviewer about an unsure span."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from articles.discussion import add_comment, ask_reviewer, clear_flag, set_resolved, threads_for
from articles.errors import InvalidInput
from articles.models import AnnotationEvent, Assignment, AssignmentState, Comment, Role, Visibility
from tests.factories import add_member, make_annotation

PAYLOAD = "<script>alert(1)</script> <img src=x onerror=alert(1)> {{ 7*7 }}"


def test_comments_form_threads_one_level_deep(team, article, django_assert_num_queries):
    span = make_annotation(article, author=team["annotator"])
    root = add_comment(span, by=team["reviewer"], body="  Is this really a claim?  ")
    reply = add_comment(span, by=team["annotator"], body="Yes: it can be checked.", parent=root)
    nested = add_comment(span, by=team["owner"], body="Agreed.", parent=reply)
    second = add_comment(span, by=team["annotator2"], body=PAYLOAD)
    assert root.body == "Is this really a claim?"
    assert nested.parent_id == root.pk
    assert second.body == PAYLOAD  # stored exactly as typed; pages escape it
    with django_assert_num_queries(1):
        threads = threads_for([span.pk])
    assert [(t.root.pk, [r.pk for r in t.replies]) for t in threads[span.pk]] == [
        (root.pk, [reply.pk, nested.pk]),
        (second.pk, []),
    ]


def test_comment_bodies_are_checked(team, article):
    span = make_annotation(article, author=team["annotator"])
    other = make_annotation(article, author=team["annotator2"], label="quote")
    foreign_root = add_comment(other, by=team["reviewer"], body="Elsewhere")
    for body, message in (("   ", "Write a comment"), ("x" * 5001, "under 5000"), ("a\x00b", "Null"), (None, "Write")):
        with pytest.raises(InvalidInput, match=message):
            add_comment(span, by=team["reviewer"], body=body)
    with pytest.raises(InvalidInput, match="same annotation"):
        add_comment(span, by=team["reviewer"], body="Reply", parent=foreign_root)
    assert Comment.objects.count() == 1


def test_only_members_who_write_can_comment_and_blind_projects_hide_others_spans(team, article):
    """AUTHZ-5 / AUTHZ-7: viewers, outsiders and ex-members cannot comment."""
    span = make_annotation(article, author=team["annotator"])
    ex_member = add_member(team["project"], Role.REVIEWER)
    team["project"].memberships.filter(user=ex_member).delete()
    for user in (team["viewer"], team["outsider"], ex_member):
        with pytest.raises(PermissionDenied):
            add_comment(span, by=user, body="Hello")
    team["project"].visibility = Visibility.INDEPENDENT
    team["project"].save()
    with pytest.raises(PermissionDenied):
        add_comment(span, by=team["annotator2"], body="I cannot even see this span.")
    add_comment(span, by=team["annotator"], body="My own span.")
    add_comment(span, by=team["reviewer"], body="Reviewers see every span.")
    assert Comment.objects.count() == 2


def test_threads_are_resolved_by_the_starter_the_author_or_a_reviewer_and_reopened_by_a_reply(team, article):
    span = make_annotation(article, author=team["annotator"])
    root = add_comment(span, by=team["annotator2"], body="Should this end earlier?")
    reply = add_comment(span, by=team["annotator"], body="Fixed.", parent=root)
    for user in (team["viewer"], team["outsider"]):
        with pytest.raises(PermissionDenied):
            set_resolved(root, by=user)
    third = add_member(team["project"], Role.ANNOTATOR)
    with pytest.raises(PermissionDenied):
        set_resolved(root, by=third)
    for user in (team["annotator2"], team["annotator"], team["reviewer"]):
        resolved = set_resolved(reply, by=user)  # resolving from a reply resolves its thread
        assert (resolved.pk, resolved.is_resolved, resolved.resolved_by) == (root.pk, True, user)
        set_resolved(root, by=user, resolved=False)
    set_resolved(root, by=team["owner"])
    add_comment(span, by=team["reviewer"], body="Not quite.", parent=reply)
    root.refresh_from_db()
    assert (root.is_resolved, root.resolved_by) == (False, None)


def test_asking_a_reviewer_flags_the_span_with_a_question_until_a_reviewer_clears_it(team, article):
    span = make_annotation(article, author=team["annotator"])
    with pytest.raises(InvalidInput, match="Write a question"):
        ask_reviewer(span, by=team["annotator"], question=" ")
    with pytest.raises(PermissionDenied):
        ask_reviewer(span, by=team["annotator2"], question="Someone else's span?")
    ask_reviewer(span, by=team["annotator"], question="Opinion or claim?")
    assert (span.is_flagged, span.question) == (True, "Opinion or claim?")
    with pytest.raises(PermissionDenied):
        clear_flag(span, by=team["viewer"])
    clear_flag(span, by=team["reviewer"])
    assert (span.is_flagged, span.question) == (False, "Opinion or claim?")
    changes = list(AnnotationEvent.objects.filter(annotation_id=span.pk).values_list("changes", flat=True))
    assert changes[1] == {"is_flagged": [False, True], "question": ["", "Opinion or claim?"]}
    assert changes[2] == {"is_flagged": [True, False]}


def test_a_question_must_be_asked_before_submitting(team, article):
    span = make_annotation(article, author=team["annotator"])
    Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
    with pytest.raises(InvalidInput, match="locked"):
        ask_reviewer(span, by=team["annotator"], question="Too late?")
