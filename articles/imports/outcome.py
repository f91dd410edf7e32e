"""The outcome of an import: what it creates, what it skips and why, and every problem found.

A plan is made without writing (the preview shows it) and then committed, or refused as a whole
with ImportFailed carrying every problem. `summary()` is the JSON shape the API, the import page
and the command all report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from articles.errors import DomainError
from articles.imports.drafts import Problem
from articles.models import Annotation, Article, Label, Link, LinkType, Project


@dataclass(frozen=True)
class Skipped:
    file: str
    record: str
    title: str
    reason: str
    existing_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "record": self.record,
            "title": self.title,
            "reason": self.reason,
            "existing_id": self.existing_id,
        }


@dataclass(frozen=True)
class PlannedRevision:
    """A stored article that the import brings a new text of (matched by external id or url)."""

    article: Article
    text: str
    file: str
    record: str


@dataclass
class ImportPlan:
    project: Project
    by: Any
    labels: list[Label] = field(default_factory=list)
    link_types: list[LinkType] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    annotations: list[Annotation] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    revisions: list[PlannedRevision] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    committed: bool = False

    def summary(self) -> dict[str, Any]:
        """What the import does (or did), as JSON-ready data for the API, the preview and the command."""
        return {
            "committed": self.committed,
            "created": {
                "articles": len(self.articles),
                "annotations": len(self.annotations),
                "labels": len(self.labels),
                "revisions": len(self.revisions),
                "links": len(self.links),
                "link_types": len(self.link_types),
            },
            "articles": [{"id": a.pk, "title": a.title} for a in self.articles[:100]],
            "revised": [{"id": r.article.pk, "title": r.article.title} for r in self.revisions[:100]],
            "skipped": [s.as_dict() for s in self.skipped],
            "notices": self.notices,
            "errors": [p.as_dict() for p in self.problems],
        }


class ImportFailed(DomainError):
    """The import was refused as a whole; `plan.problems` says why, nothing was stored."""

    def __init__(self, plan: ImportPlan):
        super().__init__(f"Nothing was imported: {len(plan.problems)} problem(s).")
        self.plan = plan
