"""Bulk imports of articles through the API: a constant number of queries, and all or nothing with the item at fault."""

from __future__ import annotations

import json

import pytest

from articles.models import Article
from tests.api_client import api_as, url


def records(count: int, first: int = 0) -> list[dict]:
    return [
        {
            "title": f"Story {number}",
            "text": f"Story {number}. The council said “taxes will fall” next year. " * 60,
            "url": f"https://news.example/{number}",
            "published_at": "2026-03-02T07:15:00Z",
            "external_id": f"wire-{number}",
        }
        for number in range(first, first + count)
    ]


def import_json(team, content, filename: str = "articles.json", client=None):
    payload = {"filename": filename, "format": "auto", "content": content}
    client = client or api_as(team["owner"])
    return client.post(url("api_project_import", team["project"].pk), payload, format="json")


# The token, the project with the caller's role, its labels, the stored articles sharing a text hash, an
# external id or a url (one query), then one INSERT of every article (in a savepoint: the test runs in a
# transaction).
IMPORT_QUERIES = 7


@pytest.mark.parametrize(("count", "first"), [(2, 0), (40, 100)])
def test_a_bulk_import_runs_the_same_queries_for_any_number_of_articles(team, django_assert_num_queries, count, first):
    """One INSERT for all the articles and one lookup each for duplicate texts and external ids: nothing per
    article, no re-read of what was stored."""
    client = api_as(team["owner"])
    with django_assert_num_queries(IMPORT_QUERIES) as queries:
        response = import_json(team, records(count, first), client=client)
    assert response.status_code == 201, response.json()
    assert response.json()["created"]["articles"] == count == Article.objects.count()
    inserts = [query["sql"] for query in queries.captured_queries if query["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and inserts[0].startswith('INSERT INTO "articles_article"')


def test_the_same_import_again_skips_every_article_and_stores_nothing(team, django_assert_num_queries):
    client = api_as(team["owner"])
    import_json(team, records(30), client=client)
    with django_assert_num_queries(IMPORT_QUERIES - 3):  # no savepoint, INSERT, release: nothing to store
        again = import_json(team, records(30), client=client)
    assert again.status_code == 201 and again.json()["created"]["articles"] == 0
    assert len(again.json()["skipped"]) == 30 and Article.objects.count() == 30


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "nul \x00 inside"}, "text"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"title": "t" * 501}, "title"),
        ({"published_at": "yesterday"}, "published_at"),
    ],
)
def test_one_bad_article_in_a_bulk_import_stores_nothing_and_is_named(team, bad, field):
    content = records(5)
    content[3].update(bad)
    response = import_json(team, content)
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert [(e["file"], e["record"], e["field"]) for e in errors] == [("articles.json", "record 4", field)]
    assert errors[0]["message"]
    assert not Article.objects.exists()


def test_a_bad_line_of_a_jsonl_import_stores_nothing_and_is_named(team):
    lines = [json.dumps(record, ensure_ascii=False) for record in records(4)]
    lines[2] = lines[2].replace('"text": "Story 2.', '"text": 5, "x": "')
    response = import_json(team, "\n".join(lines), filename="articles.jsonl")
    assert response.status_code == 400, response.json()
    assert [(e["record"], e["field"]) for e in response.json()["errors"]] == [("line 3", "text")]
    assert not Article.objects.exists()


def test_a_lone_surrogate_in_a_file_inside_the_request_is_refused_where_it_is(team):
    """The API's parser refuses lone surrogates in the body; a file sent as a string is parsed by the import."""
    text = json.dumps([{"title": "ok", "text": "fine"}, {"title": "bad", "text": "bad \\ud800 text"}])
    response = import_json(team, text.replace("\\\\ud800", "\\ud800"))
    assert response.status_code == 400, response.json()
    assert [(e["field"]) for e in response.json()["errors"]] == ["[1]['text']"]
    assert not Article.objects.exists()
