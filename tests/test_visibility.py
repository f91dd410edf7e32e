"""Who sees which annotations: members only; independent projects are blind until submission."""

from articles.models import Annotation, Assignment, AssignmentState, Visibility
from tests.factories import make_annotation, make_article


def visible(user):
    return set(Annotation.objects.visible_to(user).values_list("pk", flat=True))


def test_shared_project_members_see_everything_and_outsiders_nothing(team, article):
    """AUTHZ-3: an outsider's lists stay empty."""
    mine = make_annotation(article, author=team["annotator"])
    theirs = make_annotation(article, author=team["annotator2"], label="quote")
    for role in ("owner", "reviewer", "annotator", "annotator2", "viewer"):
        assert visible(team[role]) == {mine.pk, theirs.pk}
    assert visible(team["outsider"]) == set()


def test_independent_project_hides_other_annotators_until_they_submit(team, article):
    team["project"].visibility = Visibility.INDEPENDENT
    team["project"].save()
    mine = make_annotation(article, author=team["annotator"])
    theirs = make_annotation(article, author=team["annotator2"], label="quote")
    assert visible(team["annotator"]) == {mine.pk}
    assert visible(team["reviewer"]) == visible(team["viewer"]) == {mine.pk, theirs.pk}
    Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
    assert visible(team["annotator"]) == {mine.pk, theirs.pk}
    assert visible(team["annotator2"]) == {theirs.pk}


def test_ex_members_lose_access(team, article):
    """AUTHZ-7: removing the membership removes visibility at once."""
    make_annotation(article, author=team["annotator"])
    team["project"].memberships.filter(user=team["annotator2"]).delete()
    assert visible(team["annotator2"]) == set()


def test_visibility_query_returns_each_annotation_once(team):
    article = make_article(team["project"], by=team["owner"])
    make_annotation(article, author=team["annotator"])
    assert Annotation.objects.visible_to(team["owner"]).count() == 1
