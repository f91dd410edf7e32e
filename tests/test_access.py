"""The access layer: every lookup is scoped to the user, carries their role, and its shortcuts agree with the rules."""

from __future__ import annotations

import pytest

from articles.access import (
    article_with_role,
    articles_with_role,
    sees_every_annotation,
    visible_annotation_list,
    visible_annotations_of,
)
from articles.models import Annotation, Assignment, AssignmentState, Role, Visibility
from tests.factories import add_member, make_annotation, make_article, make_project, make_user


@pytest.mark.parametrize("visibility", Visibility.values)
@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("state", [None, *AssignmentState.values])
def test_the_fast_path_shows_exactly_what_visible_to_shows(db, visibility, role, state):
    """For every role, project visibility and assignment state: same annotations as AnnotationQuerySet.visible_to."""
    owner = make_user("scope-owner")
    project = make_project(owner, visibility=visibility)
    reader = owner if role == Role.OWNER else add_member(project, role, make_user("reader"))
    other = add_member(project, Role.ANNOTATOR, make_user("other"))
    article = make_article(project, by=owner)
    make_annotation(article, author=other)
    make_annotation(article, author=owner, label="quote")
    if role in (Role.REVIEWER, Role.ANNOTATOR):
        make_annotation(article, author=reader, label="opinion")
    if state is not None:
        Assignment.objects.create(article=article, annotator=reader, state=state)
    with_role = articles_with_role(reader).get(pk=article.pk)
    assert with_role.my_role == role
    fast = set(visible_annotations_of(with_role, reader).values_list("pk", flat=True))
    domain = set(Annotation.objects.visible_to(reader).filter(article=article).values_list("pk", flat=True))
    assert fast == domain
    compiled = visible_annotation_list(article_with_role(reader, article.pk), reader)  # what GET article reads
    assert [a.pk for a in compiled] == list(visible_annotations_of(with_role, reader).values_list("pk", flat=True))
    if sees_every_annotation(with_role):
        assert domain == set(article.annotations.values_list("pk", flat=True))
