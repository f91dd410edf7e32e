"""Compiled queries return exactly what their queryset returns, for any parameter values."""

from __future__ import annotations

import pytest
from django.db.models import F
from django.http import Http404

from articles.access import article_with_role, articles_with_role
from articles.compiled import CompiledQuery
from articles.models import Annotation, Article, Label
from tests.factories import make_annotation, make_article, make_project, make_user

WITH_LABEL = CompiledQuery(
    lambda article, key: (
        Annotation.objects.filter(article_id=article, label__key=key)
        .annotate(label_key=F("label__key"))
        .order_by("start")
    ),
    int,
    str,
)


def test_rows_match_the_queryset_with_annotations_json_and_times(team, article):
    make_annotation(article, start=0, end=7, attributes={})
    make_annotation(article, author=team["annotator"], start=2, end=9, label="quote")
    make_annotation(article, author=team["annotator"], start=8, end=12, label="claim", note="Zoë 🚲")
    for key in ("claim", "quote", "opinion"):
        expected = list(Annotation.objects.filter(article=article, label__key=key).order_by("start"))
        found = WITH_LABEL.run(article.pk, key)
        assert [a.pk for a in found] == [a.pk for a in expected]
        for got, want in zip(found, expected, strict=True):
            assert got.label_key == key
            assert (got.note, got.attributes, got.created_at, got.start) == (
                want.note,
                want.attributes,
                want.created_at,
                want.start,
            )
            assert got._state.adding is False and got._state.db == "default"


def test_the_same_compiled_query_serves_other_values(team):
    first, second = make_article(team["project"]), make_article(team["project"])
    make_annotation(first, start=0, end=4)
    assert len(WITH_LABEL.run(first.pk, "claim")) == 1
    assert WITH_LABEL.run(second.pk, "claim") == []
    assert WITH_LABEL.first(second.pk, "claim") is None


def test_article_with_role_is_scoped_like_the_queryset(team, article):
    other = make_article(make_project(make_user("stranger")))
    for user in (team["owner"], team["annotator"], team["viewer"]):
        found = article_with_role(user, article.pk)
        expected = articles_with_role(user).get(pk=article.pk)
        assert (found.pk, found.text, found.my_role, found.project_visibility) == (
            expected.pk,
            expected.text,
            expected.my_role,
            expected.project_visibility,
        )
    for user, pk in ((team["outsider"], article.pk), (team["owner"], other.pk), (team["owner"], 2**63)):
        with pytest.raises(Http404):  # AUTHZ-1: unknown and foreign articles look the same
            article_with_role(user, pk)


def test_queries_that_cannot_be_compiled_are_refused(team, article):
    joined = CompiledQuery(lambda pk: Annotation.objects.select_related("label").filter(pk=pk), int)
    with pytest.raises(ValueError, match="select_related"):
        joined.run(1)
    transformed = CompiledQuery(lambda key: Label.objects.filter(key__contains=key), str)  # sends %key%
    with pytest.raises(ValueError, match="as it was passed"):
        transformed.run("claim")
    assert Article.objects.count() == 1
