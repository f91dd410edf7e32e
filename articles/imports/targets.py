"""Finding stored articles an import refers to, in a few batched queries.

Duplicates: an article with the same text hash, or the same external id or url, in the project (with
other text, an external id or url match is a new revision of it, if the project takes those).
Targets: the article a W3C annotation's source IRI names (our own API IRI for it, or the news page's
address stored as the article's url). Existing spans: what is already stored on those articles, so a
second import of the same annotations skips them instead of failing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Q

from articles.models import Annotation, Article, Project

BATCH = 500
ARTICLE_IRI = re.compile(r"/api/v1/articles/([0-9]+)/?\Z")


def _chunks(values: list, size: int = BATCH) -> Iterable[list]:
    for index in range(0, len(values), size):
        yield values[index : index + size]


class ArticleIndex:
    def __init__(self, project: Project):
        self.project = project
        self.by_hash: dict[str, Article] = {}
        self.by_external_id: dict[str, Article] = {}
        self.by_id: dict[int, Article] = {}
        self.by_url: dict[str, Article] = {}

    def load_duplicates(self, hashes: Iterable[str], external_ids: Iterable[str], urls: Iterable[str] = ()) -> None:
        """Load the project's articles that share a text hash, an external id or a url with the import: one
        query for every BATCH of them, whichever kind."""
        keys = [
            *(("text_sha256", value) for value in sorted(set(hashes))),
            *(("external_id", value) for value in sorted(set(external_ids) - {""})),
            *(("url", value) for value in sorted(set(urls) - {""})),
        ]
        for chunk in _chunks(keys):
            wanted: dict[str, list[str]] = {}
            for field, value in chunk:
                wanted.setdefault(field, []).append(value)
            condition = Q()
            for field, values in wanted.items():
                condition |= Q(**{f"{field}__in": values})
            self._remember(Article.objects.filter(condition, project=self.project).order_by("-id"))

    def _remember(self, articles) -> None:
        for article in articles.only("id", "title", "text_sha256", "external_id", "url", "text_revision"):
            self.by_hash.setdefault(article.text_sha256, article)
            if article.external_id:
                self.by_external_id.setdefault(article.external_id, article)
            if article.url:
                self.by_url.setdefault(article.url, article)

    def duplicate_of(self, article: Article) -> tuple[Article, str] | None:
        """Return the stored article this one duplicates, and why, or None."""
        if article.text_sha256 in self.by_hash:
            return self.by_hash[article.text_sha256], "same text"
        if article.external_id and article.external_id in self.by_external_id:
            return self.by_external_id[article.external_id], "same external id"
        if article.url and article.url in self.by_url:
            return self.by_url[article.url], "same url"
        return None

    def load_targets(self, sources: Iterable[str], own_prefix: str) -> None:
        """Load the articles that W3C sources and scopes may name (ids of our IRIs, or page urls)."""
        ids, urls = set(), set()
        for source in set(sources) - {""}:
            match = ARTICLE_IRI.search(source)
            if match and (not own_prefix or source.startswith(own_prefix)):
                ids.add(int(match.group(1)))
            urls.add(source)
        articles = Article.objects.filter(project=self.project)
        for chunk in _chunks(sorted(ids)):
            self.by_id.update((a.pk, a) for a in articles.filter(pk__in=chunk))
        for chunk in _chunks(sorted(urls)):
            self.by_url.update((a.url, a) for a in articles.filter(url__in=chunk).order_by("-id"))

    def target(self, source: str, scope: str, own_prefix: str) -> Article | None:
        """Return the stored article a W3C target means, or None."""
        match = ARTICLE_IRI.search(source)
        if match and (not own_prefix or source.startswith(own_prefix)) and int(match.group(1)) in self.by_id:
            return self.by_id[int(match.group(1))]
        return self.by_url.get(scope) or self.by_url.get(source)


def existing_spans(articles: Iterable[Article]) -> set[tuple[int, int, int, int, int]]:
    """Return (article, author, label, start, end) of every annotation stored on these articles."""
    ids = sorted({article.pk for article in articles if article.pk})
    spans: set[tuple[int, int, int, int, int]] = set()
    for chunk in _chunks(ids):
        rows = Annotation.objects.filter(article_id__in=chunk).values_list(
            "article_id", "author_id", "label_id", "start", "end"
        )
        spans.update(rows)
    return spans
