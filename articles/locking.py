"""Locked work: once an annotator submits their work on an article, it stays as submitted until a reviewer
answers, and approved work stays as approved until a reviewer reopens it.

The lowest rule of the write path: annotation_write, workflow and discussion all build on it, and it builds
on none of them. A locked author may change nothing of theirs on the article; reviewers are not locked.
"""

from __future__ import annotations

from django.db.models import Subquery

from articles.errors import InvalidInput
from articles.models import Assignment, AssignmentState

LOCKED_STATES = (AssignmentState.SUBMITTED, AssignmentState.APPROVED)


def locked_state(article_id: int, user_id: int) -> Subquery:
    """The state of the user's locked work on the article, NULL when not locked (at most one row: an
    assignment is unique per article and annotator). The write path reads it with the labels it needs
    anyway, so a change costs one round trip less; `refuse_locked` applies the rule to the result."""
    locked = Assignment.objects.filter(article_id=article_id, annotator_id=user_id, state__in=LOCKED_STATES)
    return Subquery(locked.values("state")[:1])


def refuse_locked(state: str | None) -> None:
    """Raise InvalidInput when `state` (from `locked_state`) locks the caller's work on the article."""
    if state == AssignmentState.SUBMITTED:
        raise InvalidInput.single(
            "article", "Your work on this article is submitted and locked until a reviewer answers.", state=state
        )
    if state == AssignmentState.APPROVED:
        raise InvalidInput.single(
            "article", "Your work on this article is approved and locked; a reviewer can reopen it.", state=state
        )


def ensure_editable(article_id: int, user) -> None:
    """Refuse changes by `user` on an article whose work they submitted (until a reviewer answers)."""
    if user is None or not getattr(user, "pk", None):
        return
    refuse_locked(
        Assignment.objects.filter(article_id=article_id, annotator=user, state__in=LOCKED_STATES)
        .values_list("state", flat=True)
        .first()
    )
