"""AUTHZ-5: the role x action table, asserted from one expectation table."""

import pytest

from articles.access import role_in
from articles.permissions import Action, can_change_annotation, role_allows
from tests.factories import make_annotation

EXPECTED = {
    # action: roles allowed (owner, reviewer, annotator, viewer)
    Action.VIEW: "ORAV",
    Action.EXPORT: "ORAV",
    Action.ANNOTATE: "ORA",
    Action.COMMENT: "ORA",
    Action.EDIT_OTHERS_ANNOTATIONS: "OR",
    Action.REVIEW: "OR",
    Action.MANAGE_PROJECT: "O",
    Action.MANAGE_MEMBERS: "O",
    Action.MANAGE_LABELS: "O",
    Action.MANAGE_ARTICLES: "O",
    Action.IMPORT: "O",
    Action.ASSIGN: "O",
    Action.DELETE_PROJECT: "O",
    Action.VIEW_AGREEMENT: "ORV",
    Action.REVISE_ARTICLES: "OR",
}
ROLES = {"O": "owner", "R": "reviewer", "A": "annotator", "V": "viewer"}


@pytest.mark.parametrize("action", list(Action))
def test_each_role_may_do_exactly_what_the_table_says(team, action):
    allowed = {ROLES[letter] for letter in EXPECTED[action]}
    for role in ROLES.values():
        assert role_allows(role_in(team["project"], team[role]), action) == (role in allowed), (role, action)
    assert not role_allows(role_in(team["project"], team["outsider"]), action)
    assert not role_allows(None, action)


def test_annotators_change_only_their_own_annotations_reviewers_anyones(team, article):
    """doccano #2013: reviewer and annotator really differ."""
    own = make_annotation(article, author=team["annotator"])
    assert can_change_annotation("annotator", team["annotator"], own)
    assert not can_change_annotation("annotator", team["annotator2"], own)
    assert can_change_annotation("reviewer", team["reviewer"], own)
    assert not can_change_annotation("viewer", team["viewer"], own)
    assert not can_change_annotation(None, team["outsider"], own)
