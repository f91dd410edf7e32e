"""Deployment settings: check --deploy passes, secrets are required, security headers are sent."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environment.update(DJANGO_SETTINGS_MODULE="annotator.settings", **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_checks():
    """DEPLOY-1."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        SECRET_KEY="k" * 20 + "Zq8-vN3xL0pR6tY1wE5uI9oA2sD7fG4hJ", ALLOWED_HOSTS="news.example.org")
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
