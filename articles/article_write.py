"""Adding articles to a project: canonical text, size limits and duplicate detection."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from articles.access import require, role_in
from articles.anchoring import canonical_text, text_sha256
from articles.compiled import execute
from articles.errors import InvalidInput, StaleVersion, version_guard
from articles.models import Annotation, Article, Project
from articles.permissions import Action
from articles.suggesters import queue_for_new_text

METADATA_FIELDS = ("byline", "outlet", "url", "published_at", "language", "external_id")
EDITABLE_FIELDS = ("title", "text", *METADATA_FIELDS)
ROWS_PER_STATEMENT = 500


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
    """Store a new article (owners do); the same text (or external id) twice in a project is refused.

    The INSERT itself finds duplicates (the unique constraints on text hash and external id), so adding an
    article costs one statement; the stored twin is looked up only to name it when the INSERT is refused.
    """
    require(role_in(project, by), Action.MANAGE_ARTICLES)
    article = build_article(project, by=by, title=title, text=text, **metadata)
    try:
        insert_articles([article])
    except IntegrityError:
        duplicate = find_duplicate(project, text_hash=article.text_sha256, external_id=article.external_id)
        if duplicate is None:
            raise InvalidInput.single("text", "This project already has an article with this text.") from None
        if duplicate.text_sha256 == article.text_sha256:
            field, message = "text", "This project already has this article"
        else:
            field, message = "external_id", "This project already has an article with this external id"
        raise InvalidInput.single(
            field, f"{message}: {duplicate.title!r} (id {duplicate.pk}).", duplicate_id=duplicate.pk
        ) from None
    return article


def insert_articles(articles: Sequence[Article]) -> None:
    """INSERT new, validated articles (see _insert), and once committed have the project's suggesters look at
    them (articles.suggesters)."""
    _insert(articles)
    if articles:
        queue_for_new_text(articles[0].project_id, [(article, 1) for article in articles])


def _insert(articles: Sequence[Article]) -> None:
    """INSERT new, validated articles and set their ids and times, all or nothing: on IntegrityError (the
    same text or external id as a stored article) none is stored.

    On PostgreSQL each ROWS_PER_STATEMENT articles go in one statement with their values sent as they are:
    the write path built and checked them, and Django's bulk_create passing each of the 3,200 values of
    200 articles through its field cost as much as the rest of an import's Python. One statement is
    atomic by itself, so outside a transaction it needs no BEGIN or COMMIT (one round trip instead of
    three); inside one it runs in a savepoint, so that a refused INSERT leaves the surrounding transaction
    usable. On SQLite (tests, development) the ORM inserts them.
    """
    if not articles:
        return
    if connection.vendor != "postgresql":
        with nullcontext() if transaction.get_autocommit() else transaction.atomic():
            if len(articles) == 1:
                articles[0].save(force_insert=True)  # save() opens no transaction: one statement
            else:
                Article.objects.bulk_create(articles)
        return
    table, now = _article_table(), timezone.now()
    chunks = [articles[first : first + ROWS_PER_STATEMENT] for first in range(0, len(articles), ROWS_PER_STATEMENT)]
    alone = len(chunks) == 1 and transaction.get_autocommit()
    with nullcontext() if alone else transaction.atomic(), connection.cursor() as cursor:
        for chunk in chunks:
            params = []
            for article in chunk:
                for name in table.stamped:
                    setattr(article, name, now)
                for attname, prepare in table.columns:
                    value = getattr(article, attname)
                    params.append(value if prepare is None else prepare(value))
            if len(chunk) == 1:  # adding one article: planned once per connection (articles.compiled)
                execute(cursor, _insert_statement(1), params)
            else:  # an import: its size varies, and each prepared size would stay in the connection
                cursor.execute(_insert_statement(len(chunk)), params)
            for article, (pk,) in zip(chunk, cursor.fetchall(), strict=True):
                article.pk = pk
                # As save() leaves a stored object (Model._state and its two flags are documented API).
                article._state.adding, article._state.db = False, connection.alias


@dataclass(frozen=True)
class _ArticleTable:
    """Article's columns for a hand-written INSERT: each field's attribute and how its value is prepared."""

    name: str
    column_names: str
    id_column: str
    columns: list[tuple[str, Callable[[Any], Any] | None]]  # None: the value goes as it is
    stamped: list[str]  # auto_now / auto_now_add fields: the time of the INSERT


# Values of these field types reach PostgreSQL's driver as they are (strings, numbers, aware datetimes);
# any other type goes through its field's own preparation for the database.
_AS_THEY_ARE = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "CharField",
        "DateTimeField",
        "IntegerField",
        "PositiveIntegerField",
        "TextField",
    }
)


@cache
def _article_table() -> _ArticleTable:
    quote = connection.ops.quote_name
    fields = [field for field in Article._meta.concrete_fields if not field.primary_key]

    def preparer(field) -> Callable[[Any], Any] | None:
        kind = field.target_field.get_internal_type() if field.is_relation else field.get_internal_type()
        return None if kind in _AS_THEY_ARE else partial(field.get_db_prep_save, connection=connection)

    return _ArticleTable(
        name=quote(Article._meta.db_table),
        column_names=", ".join(quote(field.column) for field in fields),
        id_column=quote(Article._meta.pk.column),
        columns=[(field.attname, preparer(field)) for field in fields],
        stamped=[
            field.attname
            for field in fields
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        ],
    )


@lru_cache(maxsize=8)  # bounded: only a few sizes recur (1, a full chunk, the remainders)
def _insert_statement(rows: int) -> str:
    table = _article_table()
    row = f"({', '.join(['%s'] * len(table.columns))})"
    return (
        f"INSERT INTO {table.name} ({table.column_names}) VALUES {', '.join([row] * rows)} RETURNING {table.id_column}"
    )


def _text_change(article: Article, raw: Any) -> dict[str, Any]:
    """Return the new text and hash while nothing points into the text; after that a correction is a new
    revision (articles.revisions), which re-anchors the annotations."""
    text = check_text(raw)
    if text == article.text:
        return {}
    count = Annotation.objects.filter(article=article).count()
    if count or article.text_revision > 1:
        raise InvalidInput.single(
            "text",
            f"This article has {count} annotations and {article.text_revision} revision(s): send the corrected "
            f"text as a new revision (POST /api/v1/articles/{article.pk}/revisions/), which re-anchors them.",
            annotation_count=count,
        )
    digest = text_sha256(text)
    refuse_other_with_text(article, digest)
    return {"text": text, "text_sha256": digest}


def refuse_other_with_text(article: Article, digest: str) -> None:
    """Refuse a new text of `article` that another article of its project already has (texts are unique)."""
    duplicate = Article.objects.filter(project_id=article.project_id, text_sha256=digest).exclude(pk=article.pk).first()
    if duplicate is not None:
        raise InvalidInput.single(
            "text",
            f"This project already has this article: {duplicate.title!r} (id {duplicate.pk}).",
            duplicate_id=duplicate.pk,
        )


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
