"""Plain factory functions with sensible defaults for tests (no fixed primary keys)."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import User

from articles.annotation_write import create_annotation
from articles.article_write import create_article
from articles.models import Annotation, Article, Project, Role

_counter = itertools.count(1)
PASSWORD = "correct-horse-battery"


def make_user(username: str | None = None, **fields) -> User:
    return User.objects.create_user(username or f"user{next(_counter)}", password=PASSWORD, **fields)


def make_project(owner: User | None = None, **fields) -> Project:
    owner = owner or make_user()
    return Project.create_with_owner(owner=owner, name=fields.pop("name", f"Project {next(_counter)}"), **fields)


def add_member(project: Project, role: str = Role.ANNOTATOR, user: User | None = None) -> User:
    user = user or make_user()
    project.memberships.create(user=user, role=role)
    return user


def make_article(project: Project | None = None, text: str | None = None, **fields) -> Article:
    project = project or make_project()
    owner = project.memberships.filter(role=Role.OWNER).first().user
    by = fields.pop("by", None) or owner
    number = next(_counter)
    article = create_article(
        project,
        by=owner,  # only owners add articles; `by` stands for whoever the test says brought it in
        title=fields.pop("title", f"Article {number}"),
        text=text or f"Article number {number}. The minister said “taxes will fall” on Tuesday.",
        **fields,
    )
    if by != owner:
        Article.objects.filter(pk=article.pk).update(created_by=by)
        article.created_by = by
    return article


def make_annotation(article: Article, author: User | None = None, label: str = "claim", **fields) -> Annotation:
    author = author or article.project.memberships.first().user
    if "start" not in fields and "quote" not in fields:
        fields.update(start=0, end=min(7, len(article.text)))
    return create_annotation(article, author=author, label=label, **fields)
