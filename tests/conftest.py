"""Shared fixtures: users in every role, and a real Chromium for browser tests."""

from __future__ import annotations

import os
import shutil

import pytest

from articles.models import Role
from tests.factories import add_member, make_article, make_project, make_user

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def team(db):
    """A project with one member of each role, plus an outsider who never joined."""
    owner = make_user("owner")
    project = make_project(owner, name="Desk")
    return {
        "project": project,
        "owner": owner,
        "reviewer": add_member(project, Role.REVIEWER, make_user("reviewer")),
        "annotator": add_member(project, Role.ANNOTATOR, make_user("annotator")),
        "annotator2": add_member(project, Role.ANNOTATOR, make_user("annotator2")),
        "viewer": add_member(project, Role.VIEWER, make_user("viewer")),
        "outsider": make_user("outsider"),
    }


@pytest.fixture
def article(team):
    return make_article(team["project"], by=team["owner"])


@pytest.fixture
def queue(settings):
    """The task queue's database backend: enqueued tasks wait for a worker, or for the test to run them (the
    test settings run tasks at once)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def job_results(settings, tmp_path):
    """Jobs' result files in a directory of the test's own; returns it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "job_results": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "results")},
        },
    }
    return tmp_path / "results"


def browser_available() -> bool:
    return shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium under Playwright; skipped locally when missing, a failure in CI."""
    if not browser_available():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}; browser tests are mandatory here.")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page; any JavaScript error or dialog fails the test."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.errors = errors
    yield page
    context.close()
    assert not errors, f"JavaScript errors or dialogs in the page: {errors}"


@pytest.fixture(autouse=True)
def _forget_which_projects_suggest():
    """Each test starts without this process's answer to "which projects run suggesters?" (articles.suggesters)."""
    from articles.suggesters import forget_suggesting  # noqa: PLC0415 (the app must be ready first)

    forget_suggesting()
    yield
    forget_suggesting()
