"""Adding articles to a project: canonical text, size limits and duplicate detection."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from articles.anchoring import canonical_text, text_sha256
from articles.errors import InvalidInput
from articles.models import Article, Project

METADATA_FIELDS = ("byline", "outlet", "url", "published_at", "language", "external_id")


def check_text(raw: Any) -> str:
    """Return the canonical text, or raise InvalidInput when it is empty, too long or not text."""
    if not isinstance(raw, str):
        raise InvalidInput.single("text", "text must be a string.")
    text = canonical_text(raw)
    if not text.strip():
        raise InvalidInput.single("text", "The article text is empty.")
    if "\x00" in text:
        raise InvalidInput.single("text", "Null characters are not allowed in the text.")
    if len(text) > settings.ARTICLE_MAX_CHARS:
        raise InvalidInput.single("text", f"The text is longer than {settings.ARTICLE_MAX_CHARS} characters.")
    return text


def find_duplicate(project: Project, *, text_hash: str, external_id: str = "") -> Article | None:
    """Return the project's article with the same text, or the same external id, if any."""
    duplicate = Article.objects.filter(project=project, text_sha256=text_hash).first()
    if duplicate is None and external_id:
        duplicate = Article.objects.filter(project=project, external_id=external_id).first()
    return duplicate


def build_article(project: Project, *, by, title: str, text: Any, **metadata: Any) -> Article:
    """Validate and return an unsaved article with canonical text."""
    unknown = set(metadata) - set(METADATA_FIELDS)
    if unknown:
        raise InvalidInput({name: ["Unknown field."] for name in sorted(unknown)})
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput.single("title", "Give the article a title.")
    article = Article(project=project, title=title.strip(), created_by=by, **metadata)
    canonical = check_text(text)
    article.text, article.text_sha256 = canonical, text_sha256(canonical)
    return article


def create_article(project: Project, *, by, title: str, text: Any, **metadata: Any) -> Article:
    """Store a new article; the same text (or external id) twice in a project is refused."""
    article = build_article(project, by=by, title=title, text=text, **metadata)
    duplicate = find_duplicate(project, text_hash=article.text_sha256, external_id=article.external_id)
    if duplicate is not None:
        raise InvalidInput.single("text", f"This project already has this article: {duplicate.title!r} (id {duplicate.pk}).",
                                  duplicate_id=duplicate.pk)
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        raise InvalidInput.single("text", "This project already has an article with this text.") from None
    return article
