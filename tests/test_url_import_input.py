"""URL imports refuse malformed addresses with a clear message on the API (400) and the import page (422)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from articles.fetching import MALFORMED_MESSAGE
from articles.models import Article
from tests.api_client import api_as, url

NULL_MESSAGE = "Null characters are not allowed."  # Django's and DRF's own check, before the fetcher


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()  # the URL-import rate is per user id, and ids repeat between tests on SQLite
    yield
    cache.clear()


@pytest.mark.parametrize(
    "address",
    [
        "http://exa mple.com/",
        "http://a\x01b.com/",
        "http://news.example\x7f.com/",
        "http://exa\tmple.com/",
        "http://[::1/",
        "http://" + "a" * 300 + ".com/",
        "http://" + "ab." * 90 + "com/",
        "http://news.example.com:99999/",
        "http://a\x00b.com/",
    ],
)
def test_malformed_url_hosts_are_a_clear_400(team, client, settings, address):
    """INPUT: a host with a space or control character, unclosed brackets or too long is bad input, not a 500."""
    message = NULL_MESSAGE if "\x00" in address else MALFORMED_MESSAGE
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    answer = api_as(team["owner"]).post(
        url("api_project_import_url", team["project"].pk), {"url": address}, format="json"
    )
    assert answer.status_code == 400 and answer.json() == {"url": [message]}
    client.force_login(team["owner"])
    page = client.post(reverse("project_import", args=[team["project"].pk]), {"format": "auto", "url": address})
    assert page.status_code == 422 and message.encode() in page.content
    assert not Article.objects.exists()
