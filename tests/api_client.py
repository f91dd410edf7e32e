"""Test helpers for the REST API: a JSON client signed in with a real token, and URL builders."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def api_as(user=None) -> APIClient:
    """A client that sends JSON, authenticated with the user's API token (anonymous without a user)."""
    client = APIClient()
    client.default_format = "json"
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def project_url(project) -> str:
    return url("project-detail", project.pk)


def article_url(article) -> str:
    return url("article-detail", article.pk)


def annotations_url(article) -> str:
    return url("article-annotation-list", article.pk)


def annotation_url(annotation) -> str:
    return url("annotation-detail", annotation.pk)
