"""Adding an article by pasting its text: owners only, canonical text, duplicates and errors inline."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from articles.models import Article

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "  Minister promises lower taxes ",
    "byline": "Jane Doe",
    "outlet": "The Herald",
    "url": "https://example.org/story",
    "published": "2026-03-01",
    "language": "en",
    "text": "First paragraph.\r\n\r\nSecond paragraph with “quotes” and café.",
}


def test_owner_adds_an_article_and_lands_on_its_annotate_page(client, team):
    client.force_login(team["owner"])
    response = client.post(reverse("article_create", args=[team["project"].pk]), FIELDS)
    article = Article.objects.get(project=team["project"])
    assert response.status_code == 302
    assert response["Location"] == reverse("article_annotate", args=[article.pk])
    assert article.title == "Minister promises lower taxes"
    assert article.text == "First paragraph.\n\nSecond paragraph with “quotes” and café."
    assert article.published_at.date() == datetime.date(2026, 3, 1)
    assert article.created_by == team["owner"]


def test_htmx_submission_redirects_the_whole_page(client, team):
    client.force_login(team["owner"])
    response = client.post(reverse("article_create", args=[team["project"].pk]), FIELDS, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("article_annotate", args=[Article.objects.get().pk])


def test_errors_show_inline_with_422_and_nothing_is_stored(client, team):
    client.force_login(team["owner"])
    url = reverse("article_create", args=[team["project"].pk])
    response = client.post(url, {**FIELDS, "text": "   ", "url": "javascript:alert(1)"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 422
    assert html.lstrip().startswith('<form id="article-form"')
    assert "This field is required." in html or "The article text is empty." in html
    assert "Enter a valid URL." in html or "Give an http:// or https:// address." in html
    assert not Article.objects.exists()


def test_the_same_text_twice_is_refused_with_a_link_to_the_first(client, team):
    client.force_login(team["owner"])
    url = reverse("article_create", args=[team["project"].pk])
    client.post(url, FIELDS)
    response = client.post(url, {**FIELDS, "title": "Again"})
    first = Article.objects.get()
    assert response.status_code == 422
    assert b"already has this article" in response.content
    assert reverse("article_annotate", args=[first.pk]).encode() in response.content
    assert Article.objects.count() == 1


def test_only_owners_may_add_articles_authz_5(client, team):
    url = reverse("article_create", args=[team["project"].pk])
    for role in ("reviewer", "annotator", "viewer"):
        client.force_login(team[role])
        assert client.get(url).status_code == 403
        assert client.post(url, FIELDS).status_code == 403
    client.force_login(team["outsider"])
    assert client.post(url, FIELDS).status_code == 404
    assert not Article.objects.exists()


def test_payloads_in_a_rejected_form_are_escaped_xss_6(client, team):
    client.force_login(team["owner"])
    payload = '"><script>alert(1)</script>'
    response = client.post(
        reverse("article_create", args=[team["project"].pk]), {**FIELDS, "title": payload, "url": payload}
    )
    assert response.status_code == 422
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content
