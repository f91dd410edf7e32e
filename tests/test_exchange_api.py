"""Export and import over the API: permissions, headers, streaming, filters, and all-or-nothing imports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.export_download import download_name
from articles.export_scope import ExportScope
from articles.fetching import GENERIC_MESSAGE
from articles.models import Annotation, Article, Project, Visibility
from tests.api_client import api_as, url
from tests.factories import make_annotation, make_article, make_project
from tests.local_web_server import LocalWebServer

MEDIA_TYPES = {
    "json": "application/json",
    "w3c": "application/json",
    "claimreview": "application/json",
    "jsonl": "application/x-ndjson",
    "csv": "text/csv",
}


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()  # user ids repeat between tests on SQLite; the URL-import rate is per user id
    yield
    cache.clear()


def body(response) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def project_export(team, user="viewer", **query):
    return api_as(team[user]).get(url("api_project_export", team["project"].pk), query)


@pytest.mark.parametrize("key", sorted(MEDIA_TYPES))
def test_every_format_downloads_as_a_streamed_attachment_with_safe_headers(team, article, key):
    """XSS-8: JSON is application/json, never sniffed; the file name is built from safe characters."""
    make_annotation(article, team["annotator"], attributes={"verdict": "false"}, note="<script>alert(1)</script>")
    response = project_export(team, format=key, **({"status": "pending"} if key == "claimreview" else {}))
    text = body(response)
    assert response["Content-Type"] == f"{MEDIA_TYPES[key]}; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="desk-')
    if key == "csv":
        assert list(csv.reader(io.StringIO(text)))[1][9] == "<script>alert(1)</script>"
    elif key == "jsonl":
        assert json.loads(text.splitlines()[0])["spans"][0]["label"] == "claim"
    else:
        assert "<script>alert(1)</script>" in json.dumps(json.loads(text), ensure_ascii=False)


def test_article_export_holds_only_that_article(team, article):
    other = make_article(team["project"], by=team["owner"])
    make_annotation(other, team["annotator"])
    response = api_as(team["annotator"]).get(url("api_article_export", article.pk), {"format": "json"})
    document = json.loads(body(response))
    assert [a["id"] for a in document["articles"]] == [article.pk] and document["scope"]["article"] == article.pk
    assert f"article-{article.pk}" in response["Content-Disposition"]


def test_filters_reach_the_export(team, article):
    make_annotation(article, team["annotator"], label="claim", start=0, end=7)
    make_annotation(article, team["annotator2"], label="quote", start=8, end=14)
    rows = list(csv.DictReader(io.StringIO(body(project_export(team, format="csv", label="quote")))))
    assert [(r["label"], r["author"]) for r in rows] == [("quote", "annotator2")]
    document = json.loads(body(project_export(team, author="annotator", status="pending")))
    assert document["counts"]["annotations"] == 1


@pytest.mark.parametrize(
    "query, field",
    [
        ({"format": "pdf"}, "format"),
        ({"status": "maybe"}, "status"),
        ({"since": "soon"}, "since"),
        ({"ordering": "user__password"}, "ordering"),
    ],
)
def test_bad_export_parameters_are_a_json_400(team, query, field):
    response = project_export(team, **query)
    assert response.status_code == 400 and field in response.json()


def strings_in(key: str, text: str) -> Iterator[str]:
    """Every text value of an export: CSV cells, or the strings anywhere in its JSON documents."""
    if key == "csv":
        yield from (cell for row in csv.reader(io.StringIO(text)) for cell in row)
        return
    pending: list = [json.loads(line) for line in text.splitlines()] if key == "jsonl" else [json.loads(text)]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, (list, dict)):
            pending.extend(value.values() if isinstance(value, dict) else value)


@pytest.mark.parametrize("visibility, user", [(Visibility.SHARED, "viewer"), (Visibility.INDEPENDENT, "annotator")])
def test_every_app_iri_in_every_export_resolves_for_the_user_who_exported(team, article, visibility, user):
    """DATA-8: ids, sources and the W3C collection's pages are links the same user can follow."""
    Project.objects.filter(pk=team["project"].pk).update(visibility=visibility)
    make_annotation(article, team["annotator"], attributes={"verdict": "false"}, note="Checked.")
    make_annotation(article, team["annotator2"], label="quote", start=8, end=14)
    client = api_as(team[user])
    iris = set()
    for export_url in (url("api_project_export", team["project"].pk), url("api_article_export", article.pk)):
        for key in MEDIA_TYPES:
            text = body(client.get(export_url, {"format": key}))
            iris |= {value for value in strings_in(key, text) if value.startswith("http://testserver/")}
    kinds = {iri.split("/api/v1/")[1].split("/")[0] + ("&page=1" if iri.endswith("&page=1") else "") for iri in iris}
    assert kinds == {"annotations", "articles", "projects", "projects&page=1", "articles&page=1"}
    for iri in sorted(iris):
        response = client.get(iri)
        assert response.status_code == 200, (iri, response.content[:300])
        if iri.endswith("&page=1"):
            page = json.loads(b"".join(response.streaming_content))
            assert page["type"] == "AnnotationPage" and page["id"] == iri and page["partOf"]["id"] == iri[:-7]


def test_authz3_outsiders_and_strangers_get_404_and_anonymous_401(team, article):
    foreign = make_project()
    assert project_export(team, "outsider").status_code == 404
    assert api_as(team["owner"]).get(url("api_project_export", foreign.pk)).status_code == 404
    assert api_as(team["outsider"]).get(url("api_article_export", article.pk)).status_code == 404
    assert api_as().get(url("api_project_export", team["project"].pk)).status_code == 401


def test_load3_export_queries_do_not_grow_with_the_project(team):
    """LOAD-3: the same number of queries for 2 or 20 articles with annotations."""
    counts = []
    for size in (2, 20):
        project = make_project(team["owner"], name=f"Big {size}")
        for number in range(size):
            article = make_article(project, text=f"Article {number}: the mayor said the budget is balanced.")
            make_annotation(article, team["owner"], start=0, end=7)
        client = api_as(team["owner"])
        with CaptureQueriesContext(connection) as queries:
            text = body(client.get(url("api_project_export", project.pk), {"format": "jsonl"}))
        assert len(text.splitlines()) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 8


def test_download_names_keep_only_safe_characters(team):
    project = Project(pk=5, slug='evil"; filename=x.html\r\n', name="x")
    assert download_name(ExportScope(project, team["owner"]), "csv").endswith(".csv")
    assert set(download_name(ExportScope(project, team["owner"]), "csv")) <= set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"
    )


def import_as(team, user="owner", **payload):
    return api_as(team[user]).post(url("api_project_import", team["project"].pk), payload, format="json")


def test_owners_import_a_jsonl_file_and_get_a_summary(team):
    content = "\n".join(
        json.dumps(
            {"title": f"Story {n}", "text": f"Text of story {n}.", "spans": [{"start": 0, "end": 4, "label": "claim"}]}
        )
        for n in range(3)
    )
    response = import_as(team, filename="stories.jsonl", content=content)
    assert response.status_code == 201, response.json()
    summary = response.json()
    assert summary["committed"] and summary["created"] == {
        "articles": 3,
        "annotations": 3,
        "labels": 0,
        "revisions": 0,
        "links": 0,
        "link_types": 0,
    }
    assert [a["title"] for a in summary["articles"]] == ["Story 0", "Story 1", "Story 2"]
    again = import_as(team, filename="stories.jsonl", content=content).json()
    assert again["created"]["articles"] == 0 and len(again["skipped"]) == 3


def test_a_native_export_can_be_sent_as_a_json_document(team, article):
    make_annotation(article, team["annotator"], note="keep me")
    document = json.loads(body(project_export(team, "owner")))
    target = make_project(team["owner"], name="Copy")
    response = api_as(team["owner"]).post(
        url("api_project_import", target.pk), {"format": "json", "content": document}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert Annotation.objects.get(article__project=target).note == "keep me"


def test_dry_run_reports_without_storing(team):
    response = import_as(team, filename="a.json", content=[{"text": "Fresh story."}], dry_run=True)
    assert response.status_code == 200 and response.json()["created"]["articles"] == 1
    assert not response.json()["committed"] and not Article.objects.exists()


def test_a_refused_import_lists_every_problem_and_stores_nothing(team):
    """DATA-6, INPUT-7: the 400 names file, record and field for each problem."""
    content = '{"text": "fine"}\n{"text": \n{"title": "no text"}\n'
    response = import_as(team, filename="../../etc/bad.jsonl", content=content)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["file"], e["record"], e["field"]) for e in errors] == [
        ("bad.jsonl", "line 2, column 10", "json"),
        ("bad.jsonl", "line 3", "text"),
    ]
    assert response.json()["detail"] == "Nothing was imported: 2 problem(s)." and not Article.objects.exists()


@pytest.mark.parametrize("role, status", [("reviewer", 403), ("annotator", 403), ("viewer", 403), ("outsider", 404)])
def test_only_owners_import(team, role, status):
    assert import_as(team, role, filename="a.json", content=[{"text": "x"}]).status_code == status
    assert not Article.objects.exists()


def test_bad_import_requests_are_400_not_500(team):
    assert import_as(team, filename="a.json").status_code == 400  # no content
    assert import_as(team, format="yaml", content="a: 1").status_code == 400
    assert import_as(team, format="csv", content={"not": "text"}).status_code == 400
    raw = json.dumps({"format": "json", "content": [{"text": "bad \ud800"}]})  # an escaped lone surrogate
    response = api_as(team["owner"]).post(
        url("api_project_import", team["project"].pk), raw, content_type="application/json"
    )
    assert response.status_code == 400 and not Article.objects.exists()


def test_w3c_annotations_import_onto_one_article(team, article):
    quote = article.text[18:33]
    items = [
        {
            "type": "Annotation",
            "body": {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
            "creator": {"type": "Person", "nickname": "annotator"},
            "target": {
                "source": "https://elsewhere.example/x",
                "selector": {"type": "TextQuoteSelector", "exact": quote},
            },
        }
    ]
    client = api_as(team["owner"])
    response = client.post(url("api_article_import", article.pk), {"format": "w3c", "content": items}, format="json")
    assert response.status_code == 201, response.json()
    stored = Annotation.objects.get(article=article)
    assert (stored.quote, stored.author) == (quote, team["annotator"])
    assert (
        api_as(team["reviewer"])
        .post(url("api_article_import", article.pk), {"content": items}, format="json")
        .status_code
        == 403
    )


@pytest.fixture
def page_server(settings):
    with LocalWebServer() as server:
        settings.URL_IMPORT_ALLOWED_PORTS = (server.port,)
        yield server


def test_url_import_stores_the_extracted_text_of_a_local_page_when_allowed(team, page_server, settings):
    """The answer is a job (run at once by the tests' immediate backend); its report names the article."""
    settings.URL_IMPORT_ALLOW_PRIVATE = True
    client = api_as(team["owner"])
    response = client.post(
        url("api_project_import_url", team["project"].pk), {"url": page_server.url("/article")}, format="json"
    )
    assert response.status_code == 202, response.json()
    job = response.json()
    assert job["kind"] == "url_import" and response["Location"].endswith(f"/api/v1/jobs/{job['id']}/")
    followed = client.get(response["Location"]).json()
    assert followed["status"] == "succeeded" and (followed["done"], followed["total"]) == (1, 1)
    article = Article.objects.get()
    assert article.title == "Harbour bridge to close for repairs" and article.outlet == "The Coast Gazette"
    assert article.url == page_server.url("/article") and "<" not in article.text
    report = json.loads(b"".join(client.get(followed["result"]).streaming_content))
    assert [(a["outcome"], a["article"]) for a in report["addresses"]] == [("stored", article.pk)]


def test_ssrf1_url_import_refuses_internal_addresses_with_one_generic_message(team, page_server, settings):
    """Addresses refused by their text alone are a 400 at once; the others become a job that reports each
    as failed with the one generic message, and never connects."""
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    client = api_as(team["owner"])
    target = url("api_project_import_url", team["project"].pk)
    refused = [
        client.post(target, {"url": address}, format="json")
        for address in ("file:///etc/passwd", "http://[::1]:22/", "https://></a><img src=# onerror=alert(1) />")
    ]
    assert {a.status_code for a in refused} == {400}
    assert all(a.json() == {"url": [GENERIC_MESSAGE]} for a in refused)
    internal = [page_server.url("/article"), f"http://169.254.169.254:{page_server.port}/latest/"]
    answer = client.post(target, {"urls": internal}, format="json")
    assert answer.status_code == 202 and answer.json()["status"] == "succeeded"
    report = json.loads(b"".join(client.get(client.get(answer["Location"]).json()["result"]).streaming_content))
    assert [(a["outcome"], a["message"]) for a in report["addresses"]] == [("failed", GENERIC_MESSAGE)] * 2
    assert page_server.connections == 0 and not Article.objects.exists()


def test_ssrf8_url_import_is_for_owners_and_rate_limited(team, page_server, settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    target = url("api_project_import_url", team["project"].pk)
    assert api_as(team["reviewer"]).post(target, {"url": "http://x/"}, format="json").status_code == 403
    assert api_as(team["outsider"]).post(target, {"url": "http://x/"}, format="json").status_code == 404
    client = api_as(team["owner"])
    statuses = [client.post(target, {"url": "gopher://x/"}, format="json").status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
