"""API authentication: tokens for scripts, sessions (with CSRF) for the browser, 401 JSON otherwise."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.utils.crypto import get_random_string
from rest_framework.authtoken.models import Token

from articles.models import Annotation, Article, Project
from tests.api_client import annotation_url, annotations_url, api_as, article_url, project_url, url
from tests.factories import PASSWORD, make_annotation, make_user

TOKEN = url("api_token")


def token_client(key: str):
    client = api_as()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_correct_password_gets_a_token_that_then_authenticates(team):
    response = api_as().post(TOKEN, {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 201
    key = response.json()["token"]
    assert Token.objects.get(user=team["viewer"]).key == key
    assert token_client(key).get(url("project-list")).json()["count"] == 1


def test_a_token_is_shown_only_when_it_is_created_and_creating_one_again_rotates_it(team):
    """The answer that issues a token is the only one that shows it; a new one replaces the old at once."""
    first = api_as().post(TOKEN, {"username": "viewer", "password": PASSWORD}).json()["token"]
    second = api_as().post(TOKEN, {"username": "viewer", "password": PASSWORD}).json()["token"]
    assert first != second
    assert list(Token.objects.filter(user=team["viewer"]).values_list("key", flat=True)) == [second]
    assert token_client(first).get(url("project-list")).status_code == 401
    assert token_client(second).get(url("project-list")).status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "viewer", "password": "wrong"},
        {"username": "ghost", "password": PASSWORD},
        {"username": "viewer"},
        {"username": "viewer", "password": PASSWORD, "is_staff": True},
    ],
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
        ("get", url("project-list")),
        ("post", url("project-list")),
        ("get", project_url(project)),
        ("patch", project_url(project)),
        ("delete", project_url(project)),
        ("get", url("project-member-list", project.pk)),
        ("post", url("project-member-list", project.pk)),
        ("patch", url("project-member-detail", project.pk, member.pk)),
        ("delete", url("project-member-detail", project.pk, member.pk)),
        ("get", url("project-label-list", project.pk)),
        ("post", url("project-label-list", project.pk)),
        ("patch", url("project-label-detail", project.pk, label.pk)),
        ("delete", url("project-label-detail", project.pk, label.pk)),
        ("get", url("article-list")),
        ("post", url("article-list")),
        ("get", article_url(article)),
        ("patch", article_url(article)),
        ("delete", article_url(article)),
        ("get", annotations_url(article)),
        ("post", annotations_url(article)),
        ("get", annotation_url(annotation)),
        ("patch", annotation_url(annotation)),
        ("delete", annotation_url(annotation)),
        ("delete", TOKEN),
    ]
    client = api_as()
    for method, path in calls:
        response = getattr(client, method)(
            path, {"name": "x", "label": "claim", "start": 0, "end": 7}, HTTP_IF_MATCH="*"
        )
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


@pytest.fixture
def guessing_limits(settings):
    """Password guessing switched on (tests switch it off), with small limits; returns the cool-off."""
    settings.AXES_ENABLED = True
    settings.SIGN_IN_FAILURE_LIMITS = {("username", "ip_address"): 3, ("ip_address",): 5}
    return settings.AXES_COOLOFF_TIME


def sign_in(username: str, password: str, address: str):
    return api_as().post(TOKEN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_password_guessing_is_throttled_per_username_and_address(team, guessing_limits):
    """Three failures lock one username at one address (its right password included) but not that username
    elsewhere; five failures with any usernames lock the address; the cool-off unlocks both."""
    assert [sign_in("viewer", "wrong", "10.0.0.1").status_code for _ in range(3)] == [400, 400, 429]
    refused = sign_in("viewer", PASSWORD, "10.0.0.1")
    assert refused.status_code == 429 and refused["Content-Type"] == "application/json"
    assert refused.json() == {"detail": "Too many failed sign-ins. Try again in 15 minutes."}
    assert int(refused["Retry-After"]) == guessing_limits.total_seconds()
    assert not Token.objects.exists()
    assert sign_in("viewer", PASSWORD, "10.0.0.2").status_code == 201

    assert sign_in("annotator", "wrong", "10.0.0.1").status_code == 429  # the address's fifth failure
    assert sign_in("reviewer", PASSWORD, "10.0.0.1").status_code == 429
    assert sign_in("reviewer", PASSWORD, "10.0.0.3").status_code == 201

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - guessing_limits)
    assert sign_in("viewer", PASSWORD, "10.0.0.1").status_code == 201
    assert sign_in("annotator", PASSWORD, "10.0.0.1").status_code == 201


def test_password_guessing_answers_alike_for_known_and_unknown_usernames(team, guessing_limits):
    """No account enumeration: the same statuses, bodies and Retry-After, failure after failure."""

    def answers(username: str, address: str) -> list:
        responses = [sign_in(username, "wrong", address) for _ in range(4)]
        return [(r.status_code, r.json(), r.get("Retry-After")) for r in responses]

    known, unknown = answers("viewer", "10.0.0.4"), answers("nobody-by-this-name", "10.0.0.5")
    assert known == unknown
    assert [status for status, _body, _retry in known] == [400, 400, 429, 429]


def test_password_change_revokes_tokens(team):
    """set_password() and save() (as the admin and the password forms do) revoke the token; others keep theirs."""
    viewer_key = api_as().post(TOKEN, {"username": "viewer", "password": PASSWORD}).json()["token"]
    owner_key = api_as().post(TOKEN, {"username": "owner", "password": PASSWORD}).json()["token"]
    team["viewer"].set_password("a-brand-new-passphrase")
    team["viewer"].save()
    assert token_client(viewer_key).get(url("project-list")).status_code == 401
    assert token_client(owner_key).get(url("project-list")).status_code == 200
    assert api_as().post(TOKEN, {"username": "viewer", "password": PASSWORD}).status_code == 400
    assert api_as().post(TOKEN, {"username": "viewer", "password": "a-brand-new-passphrase"}).status_code == 201
