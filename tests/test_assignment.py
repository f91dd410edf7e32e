"""Assigning articles: by hand, in bulk, spread evenly; and the queues that come out of it."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given
from hypothesis import strategies as st

from articles.annotation_write import update_annotation
from articles.assignment import (
    annotator_queue,
    assign,
    assign_automatically,
    assignment_counts,
    open_questions,
    plan_spread,
    review_queue,
    unassign,
)
from articles.errors import InvalidInput
from articles.models import Article, ArticleStatus, Assignment, AssignmentEvent, AssignmentState, Role
from articles.workflow import transition
from tests.factories import add_member, make_annotation, make_article, make_project

State = AssignmentState


def test_an_owner_assigns_articles_by_hand_once_and_the_history_says_who(team, article):
    created = assign(team["project"], articles=[article.pk], annotators=[team["annotator"].pk], by=team["owner"])
    assert [(a.article_id, a.annotator_id, a.state) for a in created] == [
        (article.pk, team["annotator"].pk, "assigned")
    ]
    assert assign(team["project"], articles=[article.pk], annotators=[team["annotator"].pk], by=team["owner"]) == []
    event = AssignmentEvent.objects.get()
    assert (event.action, event.actor, event.to_state) == ("assign", team["owner"], "assigned")
    assert Assignment.objects.get().assigned_by == team["owner"]
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.NEW


def test_bulk_assignment_gives_every_article_to_every_chosen_annotator(team):
    articles = [make_article(team["project"], by=team["owner"]) for _ in range(3)]
    people = [team["annotator"].pk, team["annotator2"].pk, team["reviewer"].pk]
    created = assign(team["project"], articles=[a.pk for a in articles], annotators=people, by=team["owner"])
    assert len(created) == 9
    assert Counter(a.annotator_id for a in created) == {pk: 3 for pk in people}


def test_a_request_mixing_in_a_foreign_article_or_person_assigns_nothing(team, article):
    """AUTHZ-8: ids from another project, viewers, outsiders and ex-members refuse the whole request."""
    foreign = make_article(make_project(), title="Elsewhere")
    ex_member = add_member(team["project"], Role.ANNOTATOR)
    team["project"].memberships.filter(user=ex_member).delete()
    attempts = [
        ([article.pk, foreign.pk], [team["annotator"].pk], "articles"),
        ([article.pk], [team["annotator"].pk, team["viewer"].pk], "annotators"),
        ([article.pk], [team["outsider"].pk], "annotators"),
        ([article.pk], [ex_member.pk], "annotators"),
        ([article.pk], [], "annotators"),
        (["1"], [team["annotator"].pk], "articles"),
        ([True], [team["annotator"].pk], "articles"),
    ]
    for articles, annotators, field in attempts:
        with pytest.raises(InvalidInput) as error:
            assign(team["project"], articles=articles, annotators=annotators, by=team["owner"])
        assert field in error.value.errors
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "annotator", "annotator2", "viewer", "outsider"])
def test_only_owners_assign(team, article, role):
    """AUTHZ-5: assigning, spreading and unassigning are owner actions."""
    with pytest.raises(PermissionDenied):
        assign(team["project"], articles=[article.pk], annotators=[team["annotator"].pk], by=team[role])
    with pytest.raises(PermissionDenied):
        assign_automatically(team["project"], by=team[role])
    work = Assignment.objects.create(article=article, annotator=team["annotator"])
    with pytest.raises(PermissionDenied):
        unassign(work, by=team[role])
    assert Assignment.objects.count() == 1


def test_spreading_gives_each_article_distinct_annotators_and_balances_the_load():
    needs = {1: set(), 2: set(), 3: {11}, 4: set(), 5: set()}
    plan = plan_spread(needs, pool=[10, 11, 12], loads={10: 0, 11: 0, 12: 0}, per_article=2)
    by_article: dict[int, list[int]] = {}
    for article_id, user in plan:
        by_article.setdefault(article_id, []).append(user)
    assert by_article == {1: [10, 11], 2: [12, 10], 3: [12], 4: [11, 10], 5: [11, 12]}
    assert Counter(user for _, user in plan) == {10: 3, 11: 3, 12: 3}


def test_spreading_prefers_whoever_has_the_least_open_work():
    assert plan_spread({1: set(), 2: set(), 3: set()}, pool=[10, 11, 12], loads={10: 5, 11: 1}, per_article=1) == [
        (1, 12),
        (2, 11),
        (3, 12),
    ]


@given(
    articles=st.integers(min_value=0, max_value=40),
    pool_size=st.integers(min_value=1, max_value=8),
    per_article=st.integers(min_value=1, max_value=8),
)
def test_spreading_always_gives_n_distinct_annotators_with_loads_within_one(articles, pool_size, per_article):
    per_article = min(per_article, pool_size)
    pool = list(range(100, 100 + pool_size))
    plan = plan_spread({a: set() for a in range(articles)}, pool, {}, per_article)
    per = Counter(article for article, _ in plan)
    assert all(per[a] == per_article for a in range(articles))
    assert len(set(plan)) == len(plan)
    loads = Counter(user for _, user in plan)
    counts = [loads.get(user, 0) for user in pool]
    assert max(counts) - min(counts) <= 1


def test_automatic_assignment_uses_the_project_setting_and_skips_approved_articles(team):
    project = team["project"]
    project.annotators_per_article = 2
    project.save()
    articles = [make_article(project, by=team["owner"]) for _ in range(4)]
    Article.objects.filter(pk=articles[3].pk).update(status=ArticleStatus.APPROVED)
    created = assign_automatically(project, by=team["owner"])
    assert len(created) == 6
    per_article = Counter(a.article_id for a in created)
    assert per_article == {articles[0].pk: 2, articles[1].pk: 2, articles[2].pk: 2}
    assert Counter(a.annotator_id for a in created) == {team["annotator"].pk: 3, team["annotator2"].pk: 3}
    assert assign_automatically(project, by=team["owner"]) == []  # running it again changes nothing


def test_automatic_assignment_refuses_more_annotators_per_article_than_there_are(team, article):
    with pytest.raises(InvalidInput, match="needs 3 annotators but only 2"):
        assign_automatically(team["project"], by=team["owner"], per_article=3)
    with pytest.raises(InvalidInput, match="between 1 and 20"):
        assign_automatically(team["project"], by=team["owner"], per_article=0)
    created = assign_automatically(
        team["project"],
        by=team["owner"],
        per_article=3,
        annotators=[team["annotator"].pk, team["reviewer"].pk, team["owner"].pk],
    )
    assert len(created) == 3


def test_unassigning_works_until_the_annotator_submits(team, article):
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=State.IN_PROGRESS)
    Article.objects.filter(pk=article.pk).update(status=ArticleStatus.IN_PROGRESS)
    unassign(work, by=team["owner"])
    assert not Assignment.objects.exists()
    assert Article.objects.get(pk=article.pk).status == ArticleStatus.NEW
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=State.SUBMITTED)
    with pytest.raises(InvalidInput, match="cannot be unassigned"):
        unassign(work, by=team["owner"])
    assert Assignment.objects.count() == 1


def test_my_queue_lists_my_work_what_needs_me_first_and_forgets_projects_i_left(team):
    states = [State.APPROVED, State.ASSIGNED, State.CHANGES_REQUESTED, State.SUBMITTED, State.IN_PROGRESS]
    for state in states:
        Assignment.objects.create(
            article=make_article(team["project"], by=team["owner"]), annotator=team["annotator"], state=state
        )
    Assignment.objects.create(article=make_article(team["project"], by=team["owner"]), annotator=team["annotator2"])
    assert [a.state for a in annotator_queue(team["annotator"])] == [
        "changes_requested",
        "in_progress",
        "assigned",
        "submitted",
        "approved",
    ]
    team["project"].memberships.filter(user=team["annotator"]).delete()
    assert list(annotator_queue(team["annotator"])) == []


def test_the_review_queue_puts_flagged_work_first_and_never_ones_own(team):
    """Ask a reviewer: a submission with a flagged span jumps the queue."""
    plain, flagged, own = (make_article(team["project"], by=team["owner"]) for _ in range(3))
    for article, annotator in ((plain, team["annotator"]), (flagged, team["annotator2"]), (own, team["reviewer"])):
        span = make_annotation(article, author=annotator)
        work = Assignment.objects.create(article=article, annotator=annotator)
        if article is flagged:
            update_annotation(span, by=annotator, changes={"is_flagged": True, "question": "Opinion or claim?"})
        transition(work, "submit", by=annotator)
    queue = list(review_queue(team["reviewer"]))
    assert [(a.article_id, a.flagged) for a in queue] == [(flagged.pk, 1), (plain.pk, 0)]
    assert len(review_queue(team["owner"])) == 3
    assert list(review_queue(team["annotator"])) == list(review_queue(team["viewer"])) == []
    assert [q.question for q in open_questions(team["project"])] == ["Opinion or claim?"]
    assert assignment_counts(team["project"]) == {
        "assigned": 0,
        "in_progress": 0,
        "submitted": 3,
        "changes_requested": 0,
        "approved": 0,
    }
