"""Articles enter the full-text index in the background, and are found by search before and after."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article
from articles.search_index import index_waiting
from tests.factories import make_article

pytestmark = pytest.mark.django_db


def found(project, query: str) -> set[int]:
    return set(Article.objects.filter(project=project).search(query).values_list("pk", flat=True))


def test_a_new_article_waits_for_the_index_and_is_found_before_and_after(team):
    waiting = make_article(team["project"], text="The harbour tram costs 40 million, officials said.")
    other = make_article(team["project"], text="Nothing about transport here.")
    assert not Article.objects.filter(pk=waiting.pk, search_ready=True).exists()  # adding it indexed nothing
    assert found(team["project"], "harbour tram") == {waiting.pk}
    assert index_waiting() == 2 and index_waiting() == 0
    assert Article.objects.filter(search_ready=False).count() == 0
    assert found(team["project"], "harbour tram") == {waiting.pk}
    assert found(team["project"], "transport") == {other.pk}


def test_indexing_is_not_a_change_users_see(team):
    article = make_article(team["project"], text="A text to index.")
    before = Article.objects.values("version", "updated_at").get(pk=article.pk)
    index_waiting(batch=1)
    assert Article.objects.values("version", "updated_at").get(pk=article.pk) == before


def test_the_periodic_pass_indexes_waiting_articles(team, capsys):
    make_article(team["project"], text="One.")
    make_article(team["project"], text="Two.")
    call_command("recover_jobs")
    assert "indexed 2 new article(s) for search" in capsys.readouterr().out
    assert not Article.objects.filter(search_ready=False).exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the partial GIN index is PostgreSQL's")
def test_search_uses_the_partial_index_for_ready_articles_and_the_small_one_for_waiting(team):
    for number in range(30):
        make_article(team["project"], text=f"Article {number} on the harbour tram.")
    index_waiting()
    make_article(team["project"], text="A waiting article on the harbour tram.")
    query = Article.objects.search("harbour").order_by()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny: make the planner show its indexes
    plan = query.values("pk").explain()
    assert "article_search_ready_gin" in plan and "article_search_waiting" in plan
    assert query.count() == 31
