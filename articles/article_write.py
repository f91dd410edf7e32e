"""Adding articles to a project: canonical text, size limits and duplicate detection."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from articles.access import require, role_in
from articles.anchoring import canonical_text, text_sha256
from articles.errors import InvalidInput, StaleVersion, version_guard
from articles.models import Annotation, Article, Project
from articles.permissions import Action

METADATA_FIELDS = ("byline", "outlet", "url", "published_at", "language", "external_id")
EDITABLE_FIELDS = ("title", "text", *METADATA_FIELDS)


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
    """Store a new article (owners do); the same text (or external id) twice in a project is refused."""
    require(role_in(project, by), Action.MANAGE_ARTICLES)
    article = build_article(project, by=by, title=title, text=text, **metadata)
    duplicate = find_duplicate(project, text_hash=article.text_sha256, external_id=article.external_id)
    if duplicate is not None:
        raise InvalidInput.single(
            "text",
            f"This project already has this article: {duplicate.title!r} (id {duplicate.pk}).",
            duplicate_id=duplicate.pk,
        )
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:
        raise InvalidInput.single("text", "This project already has an article with this text.") from None
    return article


def _text_change(article: Article, raw: Any) -> dict[str, Any]:
    """Return the new text and hash, refusing a change once annotations point into the text."""
    text = check_text(raw)
    if text == article.text:
        return {}
    count = Annotation.objects.filter(article=article).count()
    if count:
        raise InvalidInput.single(
            "text",
            f"This article has {count} annotations that point into its text, so the text cannot change.",
            annotation_count=count,
        )
    digest = text_sha256(text)
    duplicate = Article.objects.filter(project_id=article.project_id, text_sha256=digest).exclude(pk=article.pk).first()
    if duplicate is not None:
        raise InvalidInput.single(
            "text",
            f"This project already has this article: {duplicate.title!r} (id {duplicate.pk}).",
            duplicate_id=duplicate.pk,
        )
    return {"text": text, "text_sha256": digest}


def update_article(article: Article, *, by, expected_version: int | None = None, changes: Mapping[str, Any]) -> Article:
    """Change title, metadata or (while unannotated) the text, as an owner; a stale version changes nothing."""
    require(role_in(article, by), Action.MANAGE_ARTICLES)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    values = {name: value for name, value in changes.items() if name in METADATA_FIELDS}
    if "title" in changes:
        title = changes["title"]
        if not isinstance(title, str) or not title.strip():
            raise InvalidInput.single("title", "Give the article a title.")
        values["title"] = title.strip()
    if "text" in changes:
        values.update(_text_change(article, changes["text"]))
    guard = version_guard(article.version, expected_version)
    try:
        with transaction.atomic():
            updated = Article.objects.filter(pk=article.pk, **guard).update(
                version=F("version") + 1, updated_at=timezone.now(), **values
            )
    except IntegrityError:
        raise InvalidInput.single(
            "external_id", "Another article of this project has this text or external id."
        ) from None
    if not updated:
        raise StaleVersion(Article.objects.select_related("created_by").filter(pk=article.pk).first())
    article.refresh_from_db()
    return article


def delete_article(article: Article, *, by, expected_version: int | None = None) -> None:
    """Delete the article with its annotations and their history, as an owner; a stale version deletes nothing."""
    require(role_in(article, by), Action.MANAGE_ARTICLES)
    with transaction.atomic():
        deleted, _ = Article.objects.filter(pk=article.pk, **version_guard(article.version, expected_version)).delete()
    if not deleted:
        raise StaleVersion(Article.objects.select_related("created_by").filter(pk=article.pk).first())
