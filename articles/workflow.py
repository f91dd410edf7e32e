"""The review workflow of one annotator's work on one article, as a table of transitions.

assigned -> in_progress -> submitted -> approved | changes_requested -> (in_progress ->) submitted ...
Each transition is one guarded UPDATE (state and version must still be what the caller saw), so two
concurrent decisions never both win; it is recorded as an AssignmentEvent and keeps Article.status in
step. Submitted and approved work is locked: articles.locking holds that rule.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from articles import webhooks
from articles.access import role_in
from articles.annotation_write import review_annotation, snapshot
from articles.discussion import add_comment
from articles.errors import InvalidInput, StaleVersion, version_guard
from articles.models import (
    Annotation,
    AnnotationEvent,
    Article,
    ArticleStatus,
    Assignment,
    AssignmentEvent,
    AssignmentState,
    EventAction,
    ReviewStatus,
)
from articles.permissions import Action, role_allows
from articles.text_rules import clean_text

State = AssignmentState


@dataclass(frozen=True)
class Transition:
    name: str
    verb: str  # completes "You can only ... work that is ..."
    sources: frozenset[str]
    target: str
    permission: Action
    by_assignee: bool  # True: only the assigned annotator; False: anyone allowed except the assignee
    needs_message: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition(
            "start",
            "start",
            frozenset({State.ASSIGNED, State.CHANGES_REQUESTED}),
            State.IN_PROGRESS,
            Action.ANNOTATE,
            by_assignee=True,
        ),
        Transition(
            "submit",
            "submit",
            frozenset({State.ASSIGNED, State.IN_PROGRESS, State.CHANGES_REQUESTED}),
            State.SUBMITTED,
            Action.ANNOTATE,
            by_assignee=True,
        ),
        Transition(
            "approve", "approve", frozenset({State.SUBMITTED}), State.APPROVED, Action.REVIEW, by_assignee=False
        ),
        Transition(
            "request_changes",
            "request changes on",
            frozenset({State.SUBMITTED}),
            State.CHANGES_REQUESTED,
            Action.REVIEW,
            by_assignee=False,
            needs_message=True,
        ),
        Transition(
            "reopen",
            "reopen",
            frozenset({State.APPROVED}),
            State.CHANGES_REQUESTED,
            Action.REVIEW,
            by_assignee=False,
            needs_message=True,
        ),
    )
}


def available_actions(assignment: Assignment, user, role: str | None) -> list[str]:
    """Return the transitions `user` (with `role` in the project) may apply to the assignment now."""
    return [
        rule.name
        for rule in TRANSITIONS.values()
        if assignment.state in rule.sources and _refusal(rule, assignment, user, role) is None
    ]


def _refusal(rule: Transition, assignment: Assignment, user, role: str | None) -> str | None:
    if not role_allows(role, rule.permission):
        return f"Your role may not {rule.verb} this work."
    is_assignee = assignment.annotator_id == getattr(user, "pk", None)
    if rule.by_assignee and not is_assignee:
        return f"Only the assigned annotator can {rule.verb} this work."
    if not rule.by_assignee and is_assignee:
        return "You cannot review your own work; another reviewer must."
    return None


def _state_error(rule: Transition, state: str) -> InvalidInput:
    names = [state.label.lower() for state in State if state in rule.sources]
    allowed = " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    return InvalidInput.single(
        "action",
        f"You can only {rule.verb} work that is {allowed}; this work is {State(state).label.lower()}.",
        state=state,
    )


def transition(
    assignment: Assignment, action: str, *, by, message: str = "", expected_version: int | None = None
) -> Assignment:
    """Move the assignment along the table as `by`; atomic, version-guarded and recorded."""
    rule = TRANSITIONS.get(action) if isinstance(action, str) else None
    if rule is None:
        raise InvalidInput.single("action", f"Unknown action; choose one of: {', '.join(TRANSITIONS)}.")
    refusal = _refusal(rule, assignment, by, role_in(assignment, by))
    if refusal:
        raise PermissionDenied(refusal)
    message = clean_text(message, field="message", strip=True)
    if rule.needs_message and not message:
        raise InvalidInput.single("message", "Tell the annotator what to change.")
    guard = version_guard(assignment.version, expected_version)
    now = timezone.now()
    values = {"state": rule.target, "version": F("version") + 1, "updated_at": now}
    if rule.name == "submit":
        values["submitted_at"] = now
    elif rule.permission == Action.REVIEW:
        values.update(reviewed_by=by, reviewed_at=now, message=message)
    with transaction.atomic():
        # Lock the article, then the assignment: steps on one article's assignments run one after another,
        # so each sees the state the previous one left and the article status is recomputed in turn.
        list(Article.objects.select_for_update().filter(pk=assignment.article_id).values_list("pk"))
        current = (
            Assignment.objects.select_for_update()
            .select_related("article", "annotator")
            .filter(pk=assignment.pk)
            .first()
        )
        if current is None:
            raise InvalidInput.single("assignment", "This assignment was removed meanwhile.")
        version = guard.get("version", current.version)  # ANY_VERSION: the one just read under the lock
        if current.version != version:
            raise StaleVersion(current)
        if current.state not in rule.sources:
            raise _state_error(rule, current.state)
        # The guarded UPDATE is the promise even where row locks do nothing (SQLite).
        if not Assignment.objects.filter(pk=current.pk, version=version, state=current.state).update(**values):
            raise StaleVersion(Assignment.objects.select_related("article", "annotator").get(pk=current.pk))
        if rule.name == "approve":
            _accept_pending(current, by)
        AssignmentEvent.objects.create(
            assignment=current,
            actor=by,
            action=rule.name,
            from_state=current.state,
            to_state=rule.target,
            message=message,
        )
        sync_article_statuses([current.article_id])
    assignment.refresh_from_db()
    if rule.name in ("submit", "approve"):
        webhooks.emit(f"work.{rule.target}", assignment)
    return assignment


def _accept_pending(assignment: Assignment, by) -> None:
    """Approval accepts every span the reviewer did not reject."""
    pending = list(
        Annotation.objects.select_related("label").filter(
            article_id=assignment.article_id, author_id=assignment.annotator_id, status=ReviewStatus.PENDING
        )
    )
    Annotation.objects.filter(pk__in=[a.pk for a in pending], status=ReviewStatus.PENDING).update(
        status=ReviewStatus.ACCEPTED, version=F("version") + 1, updated_at=timezone.now()
    )
    events = []
    for annotation in pending:
        annotation.status, annotation.version = ReviewStatus.ACCEPTED, annotation.version + 1
        events.append(
            AnnotationEvent(
                annotation_id=annotation.pk,
                article_id=annotation.article_id,
                actor=by,
                action=EventAction.REVIEWED,
                changes={"status": [ReviewStatus.PENDING, ReviewStatus.ACCEPTED]},
                snapshot=snapshot(annotation),
            )
        )
    AnnotationEvent.objects.bulk_create(events)


def article_status(states: Collection[str]) -> str:
    """Return the article status that its assignments' states imply (work awaiting a reviewer first)."""
    if not states:
        return ArticleStatus.NEW
    if State.SUBMITTED in states:
        return ArticleStatus.IN_REVIEW
    if State.CHANGES_REQUESTED in states:
        return ArticleStatus.CHANGES_REQUESTED
    if all(state == State.APPROVED for state in states):
        return ArticleStatus.APPROVED
    if any(state != State.ASSIGNED for state in states):
        return ArticleStatus.IN_PROGRESS
    return ArticleStatus.NEW


def sync_article_statuses(article_ids: Collection[int]) -> None:
    """Store the status each article's assignments imply (one read, one UPDATE per status that changes)."""
    states: dict[int, set[str]] = {pk: set() for pk in article_ids}
    for article_id, state in Assignment.objects.filter(article_id__in=states).values_list("article_id", "state"):
        states[article_id].add(state)
    by_status: dict[str, list[int]] = {}
    for article_id, found in states.items():
        by_status.setdefault(article_status(found), []).append(article_id)
    for status, ids in by_status.items():
        # The article's version (its ETag) moves only when its status really changes.
        Article.objects.filter(pk__in=ids).exclude(status=status).update(
            status=status, version=F("version") + 1, updated_at=timezone.now()
        )


def review_span(
    annotation: Annotation, *, by, status: str, expected_version: int | None = None, comment: str = ""
) -> Annotation:
    """Accept or reject one annotation (or set it back to pending) as a reviewer, never one's own;
    a comment (say, why it was rejected) starts a thread on it in the same transaction."""
    with transaction.atomic():
        annotation = review_annotation(annotation, by=by, status=status, expected_version=expected_version)
        if comment and comment.strip():
            add_comment(annotation, by=by, body=comment)
    return annotation
