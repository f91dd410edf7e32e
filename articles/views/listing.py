"""A project's article list as a user sees it: search, filters, per-label counts and pages.

Label and author filters and every count go through Annotation.visible_to, so an annotator in an
independent project can neither count nor find articles by annotations they may not see (AUTHZ-3).
A page costs a fixed number of queries however many articles and annotations there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet

from articles.models import Annotation, Article, Label, Project

PAGE_SIZE = 25


@dataclass
class ArticleListing:
    page: Page  # each article carries `label_counts`: [(label, count), ...] in label order
    label_counts: list[tuple[Label, int]]


def filtered_articles(project: Project, user, filters: dict[str, Any]) -> QuerySet[Article]:
    """Return the project's articles matching search text, status, label and annotator."""
    articles = Article.objects.filter(project=project).search(filters.get("q", ""))
    if filters.get("status"):
        articles = articles.filter(status=filters["status"])
    visible = Annotation.objects.visible_to(user).filter(article=OuterRef("pk"))
    if filters.get("label"):
        articles = articles.filter(Exists(visible.filter(label__key=filters["label"])))
    if filters.get("author"):
        articles = articles.filter(Exists(visible.filter(author_id=filters["author"])))
    return articles.order_by("-created_at", "-id").defer("text")


def article_listing(project: Project, user, labels: list[Label], filters: dict[str, Any], page: Any) -> ArticleListing:
    """Return one page of matching articles with per-label counts for the whole result and per row."""
    articles = filtered_articles(project, user, filters)
    current = Paginator(articles, PAGE_SIZE).get_page(page)
    current.object_list = list(current.object_list)  # evaluated once, used for the counts and the rows
    visible = Annotation.objects.visible_to(user).order_by()
    totals = dict(visible.filter(article__in=articles.values("pk")).values_list("label_id").annotate(n=Count("id")))
    rows: dict[int, dict[int, int]] = defaultdict(dict)
    page_ids = [article.pk for article in current.object_list]
    for article_id, label_id, count in (
        visible.filter(article_id__in=page_ids).values_list("article_id", "label_id").annotate(n=Count("id"))
    ):
        rows[article_id][label_id] = count
    for article in current.object_list:
        article.label_counts = [(label, rows[article.pk][label.pk]) for label in labels if label.pk in rows[article.pk]]
    return ArticleListing(page=current, label_counts=[(label, totals.get(label.pk, 0)) for label in labels])
