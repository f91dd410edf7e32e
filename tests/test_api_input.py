"""Hostile and malformed input to the API: always a clear 4xx with a JSON body, never a 500 (INPUT-1..9)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.core.handlers.asgi import ASGIRequest
from django.test import Client, RequestFactory, override_settings
from rest_framework.exceptions import ParseError
from rest_framework.request import Request

from articles.api.errors import bad_request, server_error
from articles.api.parsers import StrictJSONParser
from articles.models import Annotation, Article, RateCounter
from tests.api_client import annotation_url, annotations_url, api_as, article_url, url
from tests.factories import make_annotation

LIMIT = 2_621_440  # 2.5 MB, Django's default DATA_UPLOAD_MAX_MEMORY_SIZE


def post_raw(client, path: str, body: str | bytes, content_type: str = "application/json"):
    return client.generic("POST", path, body, content_type=content_type)


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


@pytest.mark.parametrize("megabytes", [3, 30])
@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_body_over_the_limit_is_a_json_413_and_stores_nothing(team, article, megabytes):
    """INPUT-1: 3 MB and 30 MB bodies against a 2.5 MB limit."""
    note = "x" * (megabytes * 1024 * 1024)
    body = json.dumps({"label": "claim", "start": 0, "end": 7, "note": note})
    response = post_raw(api_as(team["annotator"]), annotations_url(article), body)
    assert "larger than the server accepts" in assert_json_error(response, 413)["detail"]
    assert not Annotation.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=LIMIT)
def test_body_just_under_the_limit_is_parsed(team, article):
    """INPUT-1: 2.4 MB is within the limit, so it reaches validation (the note is too long: 400)."""
    body = json.dumps({"label": "claim", "start": 0, "end": 7, "note": "x" * 2_400_000})
    response = post_raw(api_as(team["annotator"]), annotations_url(article), body)
    assert "note" in assert_json_error(response, 400)


SMUGGLED = json.dumps({"label": "claim", "start": 0, "end": 7, "note": "x" * 500})  # 552 bytes


def test_a_lying_content_length_cannot_smuggle_a_bigger_body(team, article):
    """INPUT-1: the body ends where Content-Length says (50 bytes, within the limit); the bytes beyond are
    never read, and the cut JSON is a 400, not a 413 for bytes that are not part of the body."""
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        response = api_as(team["annotator"]).generic(
            "POST", annotations_url(article), SMUGGLED, content_type="application/json", CONTENT_LENGTH="50"
        )
    assert assert_json_error(response, 400)["detail"].startswith("JSON parse error")
    assert not Annotation.objects.exists()


def test_behind_asgi_too_the_body_ends_where_content_length_says():
    """INPUT-1: Django's ASGI request, unlike its WSGI request, keeps the bytes sent past Content-Length
    (within the limit); the parser does not read them, so a lying length is the same 400 on both servers."""
    body = json.dumps({"label": "claim", "start": 0, "end": 7, "note": "smuggled"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"20")]
    scope = {"type": "http", "method": "POST", "path": "/api/v1/", "headers": headers}
    request = Request(ASGIRequest(scope, io.BytesIO(body)), parsers=[StrictJSONParser()])
    with pytest.raises(ParseError, match="JSON parse error"):
        request.data  # noqa: B018 (reading it parses the body)


def test_oversized_body_seen_by_django_itself_becomes_json_413_on_api_paths():
    """INPUT-1: when Django raises RequestDataTooBig outside DRF, /api/ paths still get JSON."""
    request = RequestFactory().post("/api/v1/articles/", data="{}", content_type="application/json")
    response = bad_request(request, RequestDataTooBig("too big"))
    assert response.status_code == 413
    assert json.loads(response.content)["detail"]
    page = bad_request(RequestFactory().post("/accounts/login/"), RequestDataTooBig("too big"))
    assert page.status_code == 400 and not page["Content-Type"].startswith("application/json")


BOMBS = {
    "deep array": "[" * 100_000 + "]" * 100_000,
    "deep object": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "moderately deep array": "[" * 500 + "]" * 500,
    "huge exponent": '{"label": "claim", "start": 1e999999, "end": 5}',
    "huge negative exponent": '{"label": "claim", "start": -1e999999, "end": 5}',
    "NaN": '{"label": "claim", "start": NaN, "end": 5}',
    "Infinity": '{"label": "claim", "start": 0, "end": Infinity}',
    "5000-digit integer": '{"label": "claim", "start": ' + "9" * 5000 + ', "end": 5}',
    "duplicate keys": '{"label": "claim", "start": 1, "start": 0, "end": 5}',
    "NUL in a string": '{"label": "claim", "start": 0, "end": 5, "note": "a\\u0000b"}',
    "lone surrogate": '{"label": "claim", "start": 0, "end": 5, "note": "\\ud800"}',
    "lone surrogate key": '{"label": "claim", "start": 0, "end": 5, "attributes": {"\\udfff": 1}}',
    "truncated": '{"label": "claim", "start": 0,',
    "not JSON": "label=claim&start=0",
    "empty list": "[]",
    "top-level string": '"claim"',
    "top-level number": "7",
    "null": "null",
}


@pytest.mark.parametrize("body", BOMBS.values(), ids=BOMBS.keys())
def test_parser_bombs_and_malformed_json_are_400_json(team, article, body):
    """INPUT-2: nothing a client sends as JSON makes the server fail."""
    response = post_raw(api_as(team["annotator"]), annotations_url(article), body)
    assert_json_error(response, 400)
    assert not Annotation.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2 * LIMIT)
def test_a_million_element_list_is_refused_before_any_work(team, article):
    """INPUT-2: bulk creation is bounded. The 3 MB body is within the byte limit, so too many items is a
    400 naming the maximum, not a 413."""
    response = post_raw(api_as(team["annotator"]), annotations_url(article), "[" + ",".join(["{}"] * 1_000_000) + "]")
    assert "1000" in str(assert_json_error(response, 400))


def test_invalid_utf8_is_400(team, article):
    response = post_raw(api_as(team["annotator"]), annotations_url(article), b'{"label": "\xff\xfe"}')
    assert "UTF-8" in assert_json_error(response, 400)["detail"]


@pytest.mark.parametrize(
    "start,end",
    [(-1, 5), (1.5, 5), ("3", 5), (True, 5), (0, 2**31), (0, 2**63), (0, 10**23), (5, 3), (0, 10_000), (4, 4)],
)
def test_offsets_out_of_range_or_of_the_wrong_type_are_field_errors(team, article, start, end):
    """INPUT-3: offsets must be whole code-point numbers inside the text, start < end."""
    response = api_as(team["annotator"]).post(annotations_url(article), {"label": "claim", "start": start, "end": end})
    errors = assert_json_error(response, 400)
    assert {"start", "end"} & set(errors), errors
    assert not Annotation.objects.exists()


def test_the_same_bad_offsets_are_refused_by_patch(team, article):
    annotation = make_annotation(article, author=team["annotator"])
    client = api_as(team["annotator"])
    for change in ({"end": 10**23}, {"start": -1}, {"start": "2"}, {"end": 0}, {"start": 3, "end": 2}):
        response = client.patch(annotation_url(annotation), change, HTTP_IF_MATCH=annotation.etag)
        assert_json_error(response, 400)
    annotation.refresh_from_db()
    assert (annotation.start, annotation.end, annotation.version) == (0, 7, 1)


@pytest.mark.parametrize(
    "field,value",
    [
        ("note", "a\x00b"),
        ("quote", "\x00"),
        ("attributes", {"speaker": "a\x00b"}),
        ("attributes", {"nested": {"deep": 1}}),
        ("attributes", {"list": [1, 2]}),
        ("attributes", "not an object"),
        ("label", "no such label"),
        ("label", "<script>alert(1)</script>"),
    ],
)
def test_text_and_json_fields_refuse_nul_and_wrong_shapes(team, article, field, value):
    """INPUT-4: NUL characters and nested attribute values never reach the database."""
    payload = {"label": "claim", "start": 0, "end": 7, field: value}
    response = api_as(team["annotator"]).post(annotations_url(article), payload)
    assert field in assert_json_error(response, 400)


def test_article_text_is_stored_exactly_with_astral_characters_and_rtl_marks(team):
    """INPUT-4: emoji outside the BMP, ZWJ sequences, RTL overrides and CRLF survive (CRLF as LF)."""
    text = "👩🏽‍⚖️ said\r\n‮evil‬ “café” 𝒳 e\u0301"
    response = api_as(team["owner"]).post(
        url("article-list"), {"project": team["project"].pk, "title": "Odd text", "text": text}
    )
    assert response.status_code == 201, response.json()
    stored = Article.objects.get(pk=response.json()["id"]).text
    assert stored == "👩🏽‍⚖️ said\n‮evil‬ “café” 𝒳 é"
    assert response.json()["text"] == stored


@pytest.mark.parametrize(
    "path,payload,field",
    [
        ("article-list", {"title": "t" * 501, "text": "x"}, "title"),
        ("article-list", {"title": "t", "text": "x", "url": "javascript:alert(1)"}, "url"),
        ("article-list", {"title": "t", "text": "x", "url": "ftp://example.org/a"}, "url"),
        ("article-list", {"title": "t", "text": "x", "published_at": "9999-12-31T23:59:59-10:00"}, "published_at"),
        ("article-list", {"title": "t", "text": "x", "language": "l" * 17}, "language"),
        ("project-list", {"name": "n" * 201}, "name"),
        ("project-list", {"name": "n", "annotators_per_article": 0}, "annotators_per_article"),
        ("project-list", {"name": "n", "annotators_per_article": 21}, "annotators_per_article"),
        ("project-list", {"name": "n", "visibility": "public"}, "visibility"),
    ],
)
def test_lengths_and_ranges_are_checked_with_field_errors(team, path, payload, field):
    """INPUT-5: explicit maxima and ranges answer 400 naming the field."""
    if path == "article-list":
        payload = {**payload, "project": team["project"].pk}
    response = api_as(team["owner"]).post(url(path), payload)
    assert field in assert_json_error(response, 400)


def test_annotation_lengths_are_bounded(team, article):
    """INPUT-5: note, prefix and attribute values have maxima."""
    client = api_as(team["annotator"])
    for payload in (
        {"label": "claim", "start": 0, "end": 7, "note": "n" * 10_001},
        {"label": "claim", "quote": "minister", "prefix": "p" * 65},
        {"label": "claim", "start": 0, "end": 7, "attributes": {"speaker": "s" * 2001}},
        {"label": "claim", "start": 0, "end": 7, "attributes": {f"k{i}": 1 for i in range(51)}},
    ):
        assert_json_error(client.post(annotations_url(article), payload), 400)
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    "content_type,body",
    [
        ("application/x-www-form-urlencoded", "label=claim&start=0&end=7"),
        (
            "multipart/form-data; boundary=xyz",
            '--xyz\r\nContent-Disposition: form-data; name="label"\r\n\r\nclaim\r\n--xyz--',
        ),
        ("text/plain", '{"label": "claim", "start": 0, "end": 7}'),
        ("application/xml", "<label>claim</label>"),
    ],
)
def test_non_json_bodies_are_415(team, article, content_type, body):
    """INPUT-6: JSON only, which also keeps HTML forms on other sites from reaching the API."""
    response = post_raw(api_as(team["annotator"]), annotations_url(article), body, content_type)
    assert_json_error(response, 415)
    assert not Annotation.objects.exists()


def test_json_declared_as_latin1_is_still_read_as_utf8(team, article):
    """INPUT-6: a charset parameter does not change how the body is decoded (JSON is UTF-8)."""
    body = json.dumps({"label": "claim", "quote": "minister"}).encode()
    response = post_raw(api_as(team["annotator"]), annotations_url(article), body, "application/json; charset=latin-1")
    assert response.status_code == 201


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "PUT", "CONNECT", "OPTIONS"])
def test_unsupported_methods_are_405_json(team, article, method):
    """INPUT-6: only GET, POST, PATCH, DELETE (and HEAD, OPTIONS) exist."""
    response = api_as(team["owner"]).generic(method, article_url(article), "{}", content_type="application/json")
    assert_json_error(response, 405)


@pytest.mark.parametrize(
    "query,status",
    [
        ("page=-1", 404),
        ("page=0", 404),
        ("page=999999999", 404),
        ("page=99999999999999999999999999", 404),
        ("page=abc", 404),
        ("page=1e999", 404),
        ("page_size=abc", 200),
        ("page_size=-5", 200),
        ("project=abc", 400),
        ("project=-1", 400),
        ("project=99999999999999999999999", 400),
        ("project=1e3", 400),
        ("status=archived", 400),
        ("ordering=bogus", 400),
        ("q=" + "w" * 201, 400),
        ("q=%00", 400),
        ("limit=abc", 400),
        ("offset=1000000000", 400),
    ],
)
def test_query_parameters_are_checked_never_500(team, article, query, status):
    """INPUT-8: bad pages are 404, bad filters 400, unknown parameters 400: never a 500."""
    response = api_as(team["viewer"]).get(url("article-list") + "?" + query)
    assert_json_error(response, status) if status != 200 else None
    assert response.status_code == status


def test_page_size_is_clamped_to_the_maximum(team, monkeypatch):
    """INPUT-8: page_size=1000000 answers at most max_page_size rows, with no unbounded query."""
    from articles.api.pagination import PageNumberPagination
    from tests.factories import make_article

    for number in range(3):
        make_article(team["project"], title=f"Clamp {number}")
    monkeypatch.setattr(PageNumberPagination, "max_page_size", 2)
    response = api_as(team["viewer"]).get(url("article-list") + "?page_size=1000000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2 and response.json()["count"] == 3


def test_repeated_parameters_use_one_value_and_never_widen_the_scope(team, article):
    """INPUT-8 and AUTHZ-3: ?project=A&project=B cannot reach a project the caller is not in."""
    from tests.factories import make_article, make_project

    foreign = make_article(make_project(), title="Foreign")
    client, listing = api_as(team["viewer"]), url("article-list")
    response = client.get(f"{listing}?project={foreign.project_id}&project={article.project_id}")
    ids = {row["id"] for row in response.json()["results"]}
    assert foreign.pk not in ids
    response = client.get(f"{listing}?project={article.project_id}&project={foreign.project_id}")
    assert response.json()["results"] == []


def test_unknown_api_paths_are_json_404(team):
    """INPUT-9: the API never answers with an HTML page."""
    for path in ("/api/v1/nope/", "/api/v1/articles/abc/", "/api/v1/articles/-1/", "/api/v2/"):
        response = api_as(team["viewer"]).get(path)
        assert_json_error(response, 404)


def test_server_errors_on_the_api_are_json_with_a_request_id_and_nothing_else(team, article, monkeypatch, caplog):
    """INPUT-9: an unhandled failure answers a generic JSON 500 and logs the traceback with the same id."""
    from articles.api.views import ArticleViewSet

    def explode(self, request, *args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd SELECT * FROM auth_user")

    monkeypatch.setattr(ArticleViewSet, "retrieve", explode)
    client = Client(raise_request_exception=False)
    client.force_login(team["viewer"])
    response = client.get(article_url(article))
    body = assert_json_error(response, 500)
    assert set(body) == {"detail", "request_id"}
    assert "secret" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert any(body["request_id"] in record.getMessage() and record.exc_info for record in caplog.records)


def test_server_error_handler_leaves_html_paths_to_django():
    response = server_error(RequestFactory().get("/projects/"))
    assert response.status_code == 500 and not response["Content-Type"].startswith("application/json")


def test_rate_limits_answer_429_json_with_retry_after(team, monkeypatch):
    """LOAD-1: over the per-user rate the API answers 429 with a JSON body and Retry-After (tests switch
    the configured throttles off, so this one turns a strict one on)."""
    from articles.api.throttling import UserRateThrottle
    from articles.api.views.base import ApiViewSet

    class TwoPerMinute(UserRateThrottle):
        rate = "2/min"

    monkeypatch.setattr(ApiViewSet, "throttle_classes", [TwoPerMinute])
    client = api_as(team["viewer"])
    statuses = [client.get(url("project-list")).status_code for _ in range(3)]
    response = client.get(url("project-list"))
    assert statuses == [200, 200, 429]
    assert_json_error(response, 429)
    assert int(response["Retry-After"]) > 0
    cache.clear()  # the throttle's history lives in the cache; leave none for other tests


def test_rate_limits_count_in_windows_and_keep_one_small_counter_per_caller(team, monkeypatch):
    """LOAD-1: the throttle's state stays one integer however many requests a caller makes, and a new
    window starts a new count (DRF's own throttle rewrote a list of every request time on each call)."""
    from articles.api.throttling import UserRateThrottle
    from articles.api.views.base import ApiViewSet

    clock = [1_000_000.0]

    class ThreePerMinute(UserRateThrottle):
        rate = "3/min"
        timer = staticmethod(lambda: clock[0])

    monkeypatch.setattr(ApiViewSet, "throttle_classes", [ThreePerMinute])
    client = api_as(team["viewer"])
    cache.clear()
    statuses = [client.get(url("project-list")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    counters = RateCounter.objects.filter(key__startswith="user:")  # one row per caller and window
    assert [counter.hits for counter in counters] == [5]
    assert int(client.get(url("project-list"))["Retry-After"]) == 20  # the window ends at 1,000,020
    clock[0] += 20
    assert client.get(url("project-list")).status_code == 200
    cache.clear()
