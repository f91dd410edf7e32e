"""The OpenAPI schema describes every endpoint and its errors truthfully; Swagger UI works offline."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from drf_spectacular.validation import validate_schema

from tests.api_client import url

JSON_SCHEMA = "application/vnd.oai.openapi+json"


@pytest.fixture
def schema(db) -> dict:
    response = Client().get(url("api_schema"), HTTP_ACCEPT=JSON_SCHEMA)
    assert response.status_code == 200
    return json.loads(response.content)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_the_schema_is_valid_openapi_3(schema):
    validate_schema(schema)
    assert schema["openapi"].startswith("3.")


def test_every_api_route_is_in_the_schema(schema):
    expected = {
        "/api/v1/auth/token/": {"post", "delete"},
        "/api/v1/projects/": {"get", "post"},
        "/api/v1/projects/{id}/": {"get", "patch", "delete"},
        "/api/v1/projects/{project_pk}/members/": {"get", "post"},
        "/api/v1/projects/{project_pk}/members/{id}/": {"get", "patch", "delete"},
        "/api/v1/projects/{project_pk}/labels/": {"get", "post"},
        "/api/v1/projects/{project_pk}/labels/{id}/": {"get", "patch", "delete"},
        "/api/v1/articles/": {"get", "post"},
        "/api/v1/articles/{id}/": {"get", "patch", "delete"},
        "/api/v1/articles/{article_pk}/annotations/": {"get", "post"},
        "/api/v1/annotations/{id}/": {"get", "patch", "delete"},
    }
    documented = {path: set(item) for path, item in schema["paths"].items()}
    assert {path: documented.get(path) for path in expected} == expected


def test_every_operation_documents_its_errors_with_a_json_body(schema):
    """Undocumented 4xx would contradict the schema (schemathesis ST103); each one is listed."""
    for path, method, operation in operations(schema):
        codes = set(operation["responses"])
        assert {"401", "429"} <= codes, (path, method)
        if method in ("post", "patch"):
            assert {"400", "413", "415"} <= codes, (path, method)
        if "{" in path:
            assert "404" in codes, (path, method)
        if method in ("patch", "delete") and path.startswith(("/api/v1/articles/{id}", "/api/v1/annotations/")):
            assert {"412", "428"} <= codes, (path, method)
            assert any(p["name"] == "If-Match" and p["required"] for p in operation["parameters"]), (path, method)
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                assert "application/json" in response["content"], (path, method, code)


def test_the_schema_says_lists_omit_the_article_text(schema):
    listed = schema["components"]["schemas"]["ArticleSummary"]
    assert "text" not in listed["properties"]
    assert "text" in listed["description"]
    assert "text" in schema["components"]["schemas"]["Article"]["properties"]


def test_filters_and_ordering_are_documented_as_closed_sets(schema):
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]}
    assert set(parameters) == {"project", "q", "status", "label", "author", "ordering", "page", "page_size"}
    ordering = parameters["ordering"]["schema"]["items"]["enum"]
    assert "title" in ordering and not any("__" in field for field in ordering)


def test_server_set_fields_are_read_only_and_offsets_bounded(schema):
    components = schema["components"]["schemas"]
    annotation = components["Annotation"]["properties"]
    assert all(annotation[name].get("readOnly") for name in ("id", "author", "version", "utf16_start", "status"))
    create = components["AnnotationCreateRequest"]["properties"]
    assert set(create) == {"label", "start", "end", "quote", "prefix", "suffix", "note", "attributes"}
    assert create["start"]["minimum"] == 0 and create["end"]["maximum"] > 0


def test_swagger_ui_is_served_from_our_own_static_files(db):
    """The docs page needs no internet: every script and stylesheet is local (sidecar)."""
    client = Client()
    page = client.get(url("api_docs")).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(asset.startswith("/") for asset in assets), assets
    assert "<style" not in page and "<script>" not in page
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


@pytest.mark.browser
def test_swagger_ui_renders_every_endpoint_under_the_strict_csp(page, live_server):
    """A real browser shows the operations with no CSP violation and no request leaving the machine."""
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("request", lambda request: request.url.startswith(live_server.url) or problems.append(request.url))
    page.goto(url("api_docs"))
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/articles/{article_pk}/annotations/" in path for path in paths)
    assert len(paths) >= 20
    assert problems == []
