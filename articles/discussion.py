"""Discussion on an annotation: threaded comments visible to the project, and "ask a reviewer" flags.

A thread is a root comment and its replies, one level deep (a reply to a reply joins the root's thread);
replying to a resolved thread reopens it. Bodies are plain text, stored as typed and escaped wherever
they are shown. Members who may comment write; a thread is resolved by whoever started it, the
annotation's author or a reviewer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction

from articles.access import role_in
from articles.annotation_write import update_annotation
from articles.errors import InvalidInput
from articles.models import Annotation, Comment
from articles.permissions import Action, role_allows
from articles.text_rules import clean_text


@dataclass
class Thread:
    root: Comment
    replies: list[Comment] = field(default_factory=list)

    @property
    def is_resolved(self) -> bool:
        return self.root.is_resolved


def _role(annotation: Annotation, user) -> str | None:
    """The user's role, provided they may read this annotation at all (blind projects hide some)."""
    if not Annotation.objects.visible_to(user).filter(pk=annotation.pk).exists():
        return None
    return role_in(annotation, user)


def add_comment(annotation: Annotation, *, by, body: str, parent: Comment | None = None) -> Comment:
    """Start a thread on the annotation, or reply to one (which reopens it if it was resolved)."""
    if not role_allows(_role(annotation, by), Action.COMMENT):
        raise PermissionDenied("Only members who annotate or review can comment.")
    body = clean_text(body, field="comment", required=True, strip=True)
    if parent is not None and parent.annotation_id != annotation.pk:
        raise InvalidInput.single("parent", "Reply within the same annotation's discussion.")
    root_id = parent.parent_id or parent.pk if parent is not None else None
    with transaction.atomic():
        if root_id is not None:
            Comment.objects.filter(pk=root_id).update(is_resolved=False, resolved_by=None)
        return Comment.objects.create(annotation=annotation, author=by, parent_id=root_id, body=body)


def set_resolved(comment: Comment, *, by, resolved: bool = True) -> Comment:
    """Mark the comment's thread resolved (or open again)."""
    root = comment if comment.parent_id is None else Comment.objects.get(pk=comment.parent_id)
    annotation = root.annotation
    role = _role(annotation, by)
    is_party = by.pk in (root.author_id, annotation.author_id)
    if not role_allows(role, Action.COMMENT) or not (is_party or role_allows(role, Action.REVIEW)):
        raise PermissionDenied("Threads are resolved by their starter, the annotation's author or a reviewer.")
    root.is_resolved, root.resolved_by = bool(resolved), by if resolved else None
    root.save(update_fields=["is_resolved", "resolved_by"])
    return root


def threads_for(annotation_ids: Iterable[int]) -> dict[int, list[Thread]]:
    """Return each annotation's threads in order, with their replies, in one query."""
    result: dict[int, list[Thread]] = {}
    roots: dict[int, Thread] = {}
    comments = Comment.objects.filter(annotation_id__in=list(annotation_ids)).select_related("author", "resolved_by")
    for comment in comments.order_by("created_at", "pk"):
        if comment.parent_id is None:
            roots[comment.pk] = Thread(comment)
            result.setdefault(comment.annotation_id, []).append(roots[comment.pk])
        elif comment.parent_id in roots:
            roots[comment.parent_id].replies.append(comment)
    return result


def ask_reviewer(annotation: Annotation, *, by, question: str, expected_version: int | None = None) -> Annotation:
    """Flag the annotation as unsure with a question; flagged work comes first in the reviewer queue."""
    question = clean_text(question, field="question", required=True, strip=True)
    return update_annotation(
        annotation, by=by, expected_version=expected_version, changes={"is_flagged": True, "question": question}
    )


def clear_flag(annotation: Annotation, *, by, expected_version: int | None = None) -> Annotation:
    """Take the flag off once answered (the question stays in the annotation's history)."""
    return update_annotation(annotation, by=by, expected_version=expected_version, changes={"is_flagged": False})
