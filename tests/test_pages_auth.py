"""Signing in and out, and what anonymous visitors get (AUTHZ-11, CSRF-5, XSS-9, CSRF-6)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_sign_in_page_renders_a_form_with_a_csrf_token(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in response.content
    assert b'name="username"' in response.content and b'name="password"' in response.content


def test_signing_in_goes_to_the_project_list_and_shows_the_username(client):
    make_user("maria")
    response = client.post(reverse("login"), {"username": "maria", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("project_list")
    assert b"maria" in response.content and b"Sign out" in response.content


def test_wrong_password_shows_a_readable_error_and_signs_nobody_in(client):
    make_user("maria")
    response = client.post(reverse("login"), {"username": "maria", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "_auth_user_id" not in client.session


def test_a_local_next_is_followed_after_sign_in(client):
    make_user("maria")
    response = client.post(
        reverse("login") + "?next=/accounts/token/",
        {"username": "maria", "password": PASSWORD, "next": "/accounts/token/"},
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/token/"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "https:evil.example"]
)
def test_sign_in_never_redirects_to_another_site_authz_11(client, target):
    make_user("maria")
    response = client.post(reverse("login"), {"username": "maria", "password": PASSWORD, "next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("project_list")


def test_sign_in_needs_the_csrf_token_csrf_5():
    make_user("maria")
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "maria", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_sign_out_is_post_only_csrf_3_and_csrf_5(client):
    user = make_user("maria")
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("name", ["project_list", "account_token"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_every_page_sends_the_security_headers_xss_9_csrf_6(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_pages_configure_htmx_for_the_strict_csp_xss_7(client):
    html = client.get(reverse("login")).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1)
    assert '"selfRequestsOnly": true' in config
    assert '"allowEval": false' in config and '"allowScriptTags": false' in config
    assert '"historyCacheSize": 0' in config
    assert 'hx-history="false"' in html
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    assert re.search(r'<script src="/static/django_htmx/htmx-2[^"]*\.js"', html)


@pytest.fixture
def guessing_limits(settings):
    """Password guessing switched on (tests switch it off), with small limits."""
    settings.AXES_ENABLED = True
    settings.SIGN_IN_FAILURE_LIMITS = {("username", "ip_address"): 3, ("ip_address",): 5}


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password, "next": "/"})


def test_password_guessing_is_throttled_per_username_and_address(client, guessing_limits):
    """The third failure and every sign-in after it answer 429, Retry-After and a clear message on the page,
    even with the right password; the same account signs in from another address."""
    make_user("maria")
    assert [sign_in(client, "maria", "nope").status_code for _ in range(3)] == [200, 200, 429]
    refused = sign_in(client, "maria", PASSWORD)
    assert refused.status_code == 429 and refused["Retry-After"] == "900"
    html = refused.content.decode()
    assert 'role="alert"><p>Too many failed sign-ins. Try again in 15 minutes.</p>' in html
    assert 'name="password"' in html and 'value="maria"' in html and "no-store" in refused["Cache-Control"]
    assert "_auth_user_id" not in client.session
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(elsewhere, "maria", PASSWORD).status_code == 302
    assert "_auth_user_id" in elsewhere.session


def test_password_guessing_on_the_page_answers_alike_for_known_and_unknown_usernames(guessing_limits):
    """No account enumeration: the same status and page (but for the echoed username and CSRF token)."""
    make_user("maria")

    def pages(username: str, address: str) -> list:
        client = Client(REMOTE_ADDR=address)
        responses = [sign_in(client, username, "nope") for _ in range(4)]
        return [
            (r.status_code, r.get("Retry-After"), re.sub(rf"{username}|[A-Za-z0-9]{{64}}", "", r.content.decode()))
            for r in responses
        ]

    known, unknown = pages("maria", "10.0.0.4"), pages("nobody-by-this-name", "10.0.0.5")
    assert known == unknown
    assert [status for status, _retry, _html in known] == [200, 200, 429, 429]
