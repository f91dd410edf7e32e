"""API authentication: tokens for scripts, sessions (with CSRF) for the browser, 401 JSON otherwise."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils.crypto import get_random_string
from rest_framework.authtoken.models import Token

from articles.models import Annotation, Article, Project
from tests.api_client import annotation_url, annotations_url, api_as, article_url, project_url, url
from tests.factories import PASSWORD, make_annotation, make_user

TOKEN = url("api_token")


def test_a_correct_password_gets_a_token_that_then_authenticates(team):
    response = api_as().post(TOKEN, {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=team["viewer"]).key == key
    assert api_as().post(TOKEN, {"username": "viewer", "password": PASSWORD}).json()["token"] == key
    client = api_as()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get(url("project-list")).json()["count"] == 1


@pytest.mark.parametrize(
    "payload",
    [{"username": "viewer", "password": "wrong"}, {"username": "ghost", "password": PASSWORD},
     {"username": "viewer"}, {"username": "viewer", "password": PASSWORD, "is_staff": True}],
)
def test_wrong_or_incomplete_credentials_get_400_and_no_token(team, payload):
    response = api_as().post(TOKEN, payload)
    assert response.status_code == 400 and response.json()
    assert not Token.objects.exists()


def test_a_deactivated_user_gets_no_token_and_their_old_token_stops_working(team):
    """AUTHZ-9."""
    client = api_as(team["viewer"])
    team["viewer"].is_active = False
    team["viewer"].save()
    assert api_as().post(TOKEN, {"username": "viewer", "password": PASSWORD}).status_code == 400
    assert client.get(url("project-list")).status_code == 401


def test_deleting_the_token_revokes_it(team):
    client = api_as(team["viewer"])
    assert client.delete(TOKEN).status_code == 204
    assert not Token.objects.filter(user=team["viewer"]).exists()
    response = client.get(url("project-list"))
    assert response.status_code == 401 and response.json()["detail"]
    assert api_as().delete(TOKEN).status_code == 401


@pytest.mark.parametrize(
    "header", ["Token", "Token ", "Token nonsense", "Token a b", "Bearer abc", "Basic dmlld2VyOng="]
)
def test_empty_malformed_or_unknown_tokens_get_401(team, header):
    """AUTHZ-9."""
    client = api_as()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(url("project-list"))
    assert response.status_code == 401 and response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"


def test_every_endpoint_answers_401_json_to_anonymous_callers_and_changes_nothing(team, article):
    """AUTHZ-9: every API URL and method without credentials."""
    annotation = make_annotation(article, author=team["annotator"])
    project = team["project"]
    label = project.labels.first()
    member = project.memberships.first()
    calls = [
        ("get", url("project-list")), ("post", url("project-list")),
        ("get", project_url(project)), ("patch", project_url(project)), ("delete", project_url(project)),
        ("get", url("project-member-list", project.pk)), ("post", url("project-member-list", project.pk)),
        ("patch", url("project-member-detail", project.pk, member.pk)),
        ("delete", url("project-member-detail", project.pk, member.pk)),
        ("get", url("project-label-list", project.pk)), ("post", url("project-label-list", project.pk)),
        ("patch", url("project-label-detail", project.pk, label.pk)),
        ("delete", url("project-label-detail", project.pk, label.pk)),
        ("get", url("article-list")), ("post", url("article-list")),
        ("get", article_url(article)), ("patch", article_url(article)), ("delete", article_url(article)),
        ("get", annotations_url(article)), ("post", annotations_url(article)),
        ("get", annotation_url(annotation)), ("patch", annotation_url(annotation)),
        ("delete", annotation_url(annotation)), ("delete", TOKEN),
    ]
    client = api_as()
    for method, path in calls:
        response = getattr(client, method)(path, {"name": "x", "label": "claim", "start": 0, "end": 7},
                                           HTTP_IF_MATCH="*")
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json()["detail"], (method, path)
    assert (Project.objects.count(), Article.objects.count(), Annotation.objects.count()) == (1, 1, 1)


def test_session_authentication_works_and_needs_the_csrf_token_for_writes(team, article):
    """CSRF-1: a signed-in browser can use the API, but only with the CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(team["annotator"])
    assert browser.get(annotations_url(article)).status_code == 200
    payload = '{"label": "claim", "start": 0, "end": 7}'
    forged = browser.post(annotations_url(article), payload, content_type="application/json")
    assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
    assert not Annotation.objects.exists()
    token = get_random_string(32)  # the secret Django would set in the CSRF cookie
    browser.cookies[settings.CSRF_COOKIE_NAME] = token
    sent = browser.post(annotations_url(article), payload, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert sent.status_code == 201


def test_the_token_endpoint_takes_json_only(db):
    """INPUT-6: no form posts, so another site's form cannot log anyone in."""
    make_user("formuser")
    response = Client().post(TOKEN, {"username": "formuser", "password": PASSWORD})
    assert response.status_code == 415
