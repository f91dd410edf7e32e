"""Deployment settings: check --deploy passes, secrets are required, security headers are sent."""

import gzip
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import get_resolver

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {
        k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(DJANGO_SETTINGS_MODULE="annotator.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_the_deploy_checks():
    """DEPLOY-1."""
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="k" * 20 + "Zq8-vN3xL0pR6tY1wE5uI9oA2sD7fG4hJ",
        ALLOWED_HOSTS="news.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_every_response_carries_the_security_headers(client, db):
    """XSS-9, CSRF-6."""
    response = client.get("/no-such-page/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_production_cookies_are_host_only_secure_httponly_and_same_site_csrf_4():
    """CSRF-4: read from the production settings, as a deployment gets them."""
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE, s.CSRF_COOKIE_SAMESITE, s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN)"
    )
    result = run_manage("shell", "-c", code, SECRET_KEY="k" * 50, ALLOWED_HOSTS="news.example.org")
    assert result.stdout.strip().splitlines()[-1].split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "True",
        "True",
        "True",
        "True",
        "Lax",
        "Lax",
        "None",
        "None",
    ], result.stderr


@pytest.mark.parametrize(
    "path",
    [
        "/static../settings.py",
        "/static/../annotator/settings.py",
        "/static/%2e%2e/annotator/settings.py",
        "/static/articles/..%2f..%2fmanage.py",
    ],
)
def test_static_files_cannot_be_left_by_traversal_deploy_3(client, db, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/.git/config",
        "/.env",
        "/db.sqlite3",
        "/manage.py",
        "/requirements.txt",
        "/annotator/settings.py",
        "/db.sqlite3.bak",
    ],
)
def test_repository_files_and_backups_are_not_served_deploy_4(client, db, path):
    assert client.get(path).status_code == 404


def test_there_is_no_sign_up_page_deploy_5(client, db):
    """Accounts are made by an operator (or `seed_demo`); nobody can register themselves."""
    for path in ("/accounts/signup/", "/accounts/register/", "/signup/", "/register/"):
        assert client.get(path).status_code == 404
    assert not any(
        "signup" in name or "register" in name for name in get_resolver().reverse_dict if isinstance(name, str)
    )


def test_the_api_is_json_only_and_admin_needs_staff_deploy_2(client, db):
    """No browsable API: asking for HTML is a 406. The schema and its docs describe the API and hold no data;
    they are public on purpose. /admin/ sends everyone who is not signed-in staff to its sign-in page."""
    assert client.get("/api/v1/projects/", HTTP_ACCEPT="text/html").status_code == 406
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


def test_html_pages_are_compressed_and_api_json_is_not(client, db):
    user = get_user_model().objects.create_user("reader", password="x")
    client.force_login(user)
    page = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"
    assert gzip.decompress(page.content).lower().startswith(b"<!doctype html>")
    api = client.get("/api/v1/projects/", HTTP_ACCEPT_ENCODING="gzip")
    assert api.status_code == 200 and "Content-Encoding" not in api
