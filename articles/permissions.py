"""Who may do what in a project: one table used by the web pages and the API alike.

Non-members may do nothing and must not even learn that an object exists (callers answer 404).
Reviewers differ from annotators: they review, edit and adjudicate others' annotations.
"""

from __future__ import annotations

from enum import StrEnum

from articles.models import Annotation, Role


class Action(StrEnum):
    VIEW = "view"
    EXPORT = "export"
    ANNOTATE = "annotate"
    COMMENT = "comment"
    EDIT_OTHERS_ANNOTATIONS = "edit_others_annotations"
    REVIEW = "review"
    MANAGE_PROJECT = "manage_project"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_LABELS = "manage_labels"
    MANAGE_ARTICLES = "manage_articles"
    IMPORT = "import"
    ASSIGN = "assign"
    DELETE_PROJECT = "delete_project"
    VIEW_AGREEMENT = "view_agreement"
    REVISE_ARTICLES = "revise_articles"


ALL_ROLES = frozenset(Role.values)
WRITERS = frozenset({Role.OWNER, Role.REVIEWER, Role.ANNOTATOR})
REVIEWERS = frozenset({Role.OWNER, Role.REVIEWER})
OWNERS = frozenset({Role.OWNER})

PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.VIEW: ALL_ROLES,
    Action.EXPORT: ALL_ROLES,
    Action.ANNOTATE: WRITERS,
    Action.COMMENT: WRITERS,
    Action.EDIT_OTHERS_ANNOTATIONS: REVIEWERS,
    Action.REVIEW: REVIEWERS,
    Action.MANAGE_PROJECT: OWNERS,
    Action.MANAGE_MEMBERS: OWNERS,
    Action.MANAGE_LABELS: OWNERS,
    Action.MANAGE_ARTICLES: OWNERS,
    Action.IMPORT: OWNERS,
    Action.ASSIGN: OWNERS,
    Action.DELETE_PROJECT: OWNERS,
    # Annotators are the ones measured: agreement reports are for those who see every layer.
    Action.VIEW_AGREEMENT: frozenset({Role.OWNER, Role.REVIEWER, Role.VIEWER}),
    # A correction of the text moves everyone's annotations: those who check the work bring it in.
    Action.REVISE_ARTICLES: REVIEWERS,
}


def role_allows(role: str | None, action: Action) -> bool:
    """Return whether a member with `role` (None: not a member) may perform `action`."""
    return role is not None and role in PERMISSIONS[action]


def can_change_annotation(role: str | None, user, annotation: Annotation) -> bool:
    """Authors edit their own annotations; reviewers and owners edit anyone's."""
    if annotation.author_id == getattr(user, "pk", None):
        return role_allows(role, Action.ANNOTATE)
    return role_allows(role, Action.EDIT_OTHERS_ANNOTATIONS)
