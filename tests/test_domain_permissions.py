"""Every domain write function refuses, by itself, a caller who may not act (AUTHZ-5).

Each function is called as every role and as an outsider, straight through the domain (no view in
front of it): the table says who may act; everyone else gets PermissionDenied and nothing changes.
The annotations acted on belong to `annotator2`, so "annotator" is a colleague, not the author.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied

from articles import adjudication, assignment, discussion, imports, label_write, workflow
from articles.annotation_write import (
    create_annotation,
    create_annotations,
    delete_annotation,
    restore_annotation,
    review_annotation,
    update_annotation,
)
from articles.article_write import create_article, delete_article, update_article
from articles.imports.drafts import ArticleDraft, Batch
from articles.models import Annotation, Article, Assignment, AssignmentState, Comment, Label, Membership, Project
from articles.project_write import add_member, change_role, delete_project, remove_member, update_project
from tests.factories import make_annotation, make_user

ROLES = ("owner", "reviewer", "annotator", "viewer", "outsider")
WRITERS = {"owner", "reviewer", "annotator"}
REVIEWERS = {"owner", "reviewer"}
OWNERS = {"owner"}


def _theirs(team, article) -> Annotation:
    return make_annotation(article, author=team["annotator2"])


def _deleted(team, article) -> int:
    annotation = _theirs(team, article)
    pk = annotation.pk
    delete_annotation(annotation, by=team["annotator2"])
    return pk


def _submitted(team, article) -> Assignment:
    work = Assignment.objects.create(article=article, annotator=team["annotator2"], state=AssignmentState.SUBMITTED)
    return Assignment.objects.select_related("article__project").get(pk=work.pk)


def _thread(team, article) -> Comment:
    return discussion.add_comment(_theirs(team, article), by=team["annotator2"], body="Is this a claim?")


def _assigned(team, article) -> Assignment:
    work = Assignment.objects.create(article=article, annotator=team["annotator2"])
    return Assignment.objects.select_related("article__project").get(pk=work.pk)


def _membership(team, name="annotator2") -> Membership:
    return Membership.objects.select_related("project").get(project=team["project"], user=team[name])


def NOTHING(team, article) -> None:
    return None


# name -> (who may act, the scene set up beforehand, the call; `x` is the scene, `a` the article, `u` the caller)
CASES: dict[str, tuple[set[str], Callable, Callable]] = {
    "create_annotation": (
        WRITERS,
        NOTHING,
        lambda x, t, a, u: create_annotation(a, author=u, label="claim", start=0, end=7),
    ),
    "create_annotations": (
        WRITERS,
        NOTHING,
        lambda x, t, a, u: create_annotations(a, [{"label": "claim", "start": 0, "end": 7}], author=u),
    ),
    "update_annotation": (REVIEWERS, _theirs, lambda x, t, a, u: update_annotation(x, by=u, changes={"note": "x"})),
    "delete_annotation": (REVIEWERS, _theirs, lambda x, t, a, u: delete_annotation(x, by=u)),
    "restore_annotation": (REVIEWERS, _deleted, lambda x, t, a, u: restore_annotation(a, x, by=u)),
    "review_annotation": (REVIEWERS, _theirs, lambda x, t, a, u: review_annotation(x, by=u, status="accepted")),
    "workflow.review_span": (REVIEWERS, _theirs, lambda x, t, a, u: workflow.review_span(x, by=u, status="rejected")),
    "workflow.transition approve": (REVIEWERS, _submitted, lambda x, t, a, u: workflow.transition(x, "approve", by=u)),
    "discussion.add_comment": (WRITERS, _theirs, lambda x, t, a, u: discussion.add_comment(x, by=u, body="Why?")),
    "discussion.set_resolved": (REVIEWERS, _thread, lambda x, t, a, u: discussion.set_resolved(x, by=u)),
    "discussion.ask_reviewer": (
        REVIEWERS,
        _theirs,
        lambda x, t, a, u: discussion.ask_reviewer(x, by=u, question="Claim?"),
    ),
    "discussion.clear_flag": (REVIEWERS, _theirs, lambda x, t, a, u: discussion.clear_flag(x, by=u)),
    "adjudication.accept_agreed": (REVIEWERS, NOTHING, lambda x, t, a, u: adjudication.accept_agreed(a, by=u)),
    "adjudication.write_own": (
        REVIEWERS,
        NOTHING,
        lambda x, t, a, u: adjudication.write_own(a, by=u, label="quote", start=0, end=7),
    ),
    "assignment.assign": (
        OWNERS,
        NOTHING,
        lambda x, t, a, u: assignment.assign(t["project"], articles=[a.pk], annotators=[t["annotator2"].pk], by=u),
    ),
    "assignment.unassign": (OWNERS, _assigned, lambda x, t, a, u: assignment.unassign(x, by=u)),
    "create_article": (
        OWNERS,
        NOTHING,
        lambda x, t, a, u: create_article(t["project"], by=u, title="New", text="Fresh text."),
    ),
    "update_article": (OWNERS, NOTHING, lambda x, t, a, u: update_article(a, by=u, changes={"title": "Renamed"})),
    "delete_article": (OWNERS, NOTHING, lambda x, t, a, u: delete_article(a, by=u)),
    "imports.run_import": (
        OWNERS,
        NOTHING,
        lambda x, t, a, u: imports.run_import(
            t["project"], [Batch([ArticleDraft(record="1", title="Imported", text="Imported text.")])], by=u
        ),
    ),
    "add_member": (
        OWNERS,
        lambda t, a: make_user("newcomer"),
        lambda x, t, a, u: add_member(t["project"], username=x.username, role="viewer", by=u),
    ),
    "change_role": (OWNERS, lambda t, a: _membership(t), lambda x, t, a, u: change_role(x, role="viewer", by=u)),
    "remove_member": (OWNERS, lambda t, a: _membership(t), lambda x, t, a, u: remove_member(x, by=u)),
    "label_write.create_label": (
        OWNERS,
        NOTHING,
        lambda x, t, a, u: label_write.create_label(t["project"], by=u, key="stat", name="Stat", color="#F0E442"),
    ),
    "label_write.update_label": (
        OWNERS,
        lambda t, a: t["project"].labels.get(key="claim"),
        lambda x, t, a, u: label_write.update_label(x, by=u, changes={"name": "Fact"}),
    ),
    "label_write.move_label": (
        OWNERS,
        lambda t, a: t["project"].labels.get(key="quote"),
        lambda x, t, a, u: label_write.move_label(x, by=u, step=-1),
    ),
    "label_write.delete_label merge": (
        OWNERS,
        _theirs,
        lambda x, t, a, u: label_write.delete_label(x.label, by=u, merge_into=t["project"].labels.get(key="quote")),
    ),
    "update_project": (OWNERS, NOTHING, lambda x, t, a, u: update_project(t["project"], by=u, changes={"name": "D"})),
    "delete_project": (OWNERS, NOTHING, lambda x, t, a, u: delete_project(t["project"], by=u)),
}


def _counts() -> tuple[int, ...]:
    return (
        Annotation.objects.count(),
        Article.objects.count(),
        Comment.objects.count(),
        Membership.objects.count(),
        Project.objects.count(),
        Assignment.objects.count(),
        Label.objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(CASES))
def test_every_domain_write_refuses_whoever_may_not_act(team, article, name, role):
    allowed, scene, call = CASES[name]
    target = scene(team, article)
    if role in allowed:
        call(target, team, article, team[role])
        return
    before = _counts()
    with pytest.raises(PermissionDenied):
        call(target, team, article, team[role])
    assert _counts() == before


def test_authors_change_their_own_annotations_and_may_leave_a_project(team, article):
    mine = make_annotation(article, author=team["annotator"])
    assert update_annotation(mine, by=team["annotator"], changes={"note": "mine"}).note == "mine"
    remove_member(_membership(team, "annotator"), by=team["annotator"])
    assert not Membership.objects.filter(project=team["project"], user=team["annotator"]).exists()
