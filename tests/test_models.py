"""The database itself refuses impossible rows, whatever code path writes them."""

import pytest
from django.db import IntegrityError, transaction

from articles.access import role_in
from articles.models import Annotation, Label, Membership, Project, Role
from tests.factories import make_article, make_project, make_user


def raw_annotation(article, **fields):
    values = dict(
        article=article,
        label=article.project.labels.first(),
        author=article.created_by,
        start=0,
        end=4,
        quote=article.text[0:4],
    )
    values.update(fields)
    return Annotation(**values)


@pytest.mark.parametrize(
    "fields",
    [
        {"start": 4, "end": 4, "quote": ""},
        {"start": 5, "end": 3, "quote": "ab"},
        {"start": 0, "end": 4, "quote": "abc"},
        {"version": 0},
        {"status": "bogus"},
    ],
    ids=["empty", "reversed", "quote-length-mismatch", "version-zero", "unknown-status"],
)
def test_database_refuses_impossible_annotations(db, fields):
    article = make_article()
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_annotation(article, **fields).save()


def test_database_refuses_the_same_span_twice_from_one_author(db):
    """CONC-2: the natural key makes a double submit impossible even if the code forgot to check."""
    article = make_article()
    raw_annotation(article).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_annotation(article).save()


@pytest.mark.parametrize(
    "fields",
    [{"color": '#fff" o'}, {"color": "red;x:1"}, {"key": "Bad Key"}, {"shortcut": "0"}],
)
def test_database_refuses_unsafe_label_values(db, fields):
    """XSS-3: colours, keys and shortcuts have strict shapes in the database too."""
    project = make_project()
    values = {"project": project, "key": "extra", "name": "Extra", "color": "#123456", "shortcut": "", **fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        Label.objects.create(**values)


def test_new_project_starts_with_four_distinct_labels_and_an_owner(db):
    owner = make_user()
    project = Project.create_with_owner(owner=owner, name="Election desk")
    labels = list(project.labels.values_list("key", "shortcut", "color"))
    assert [key for key, _, _ in labels] == ["claim", "quote", "source", "opinion"]
    assert [shortcut for _, shortcut, _ in labels] == ["1", "2", "3", "4"]
    assert len({color for _, _, color in labels}) == 4
    assert role_in(project, owner) == Role.OWNER and project.slug == "election-desk"


def test_project_slugs_stay_unique(db):
    first, second = make_project(name="Desk"), make_project(name="Desk")
    assert first.slug != second.slug


def test_membership_is_unique_per_user_and_project(db):
    project = make_project()
    owner = project.memberships.get().user
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=owner, project=project, role=Role.VIEWER)


def test_same_text_twice_in_one_project_is_refused_by_the_database(db):
    article = make_article()
    article.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        article.save()
