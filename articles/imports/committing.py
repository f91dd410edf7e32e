"""Storing a checked import plan all or nothing (DATA-6), and the one call that plans and commits.

Bulk inserts in one transaction: labels, link types, articles, annotations, links, and one history
event per annotation and per link (who imported it), as the single writes record; articles alone go in one
INSERT, atomic by itself. If the database refuses anything (someone added the same article
meanwhile) nothing stays; importing again makes a new plan.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext

from django.db import DatabaseError, transaction

from articles.annotation_insert import insert_annotations
from articles.article_write import insert_articles
from articles.errors import InvalidInput
from articles.imports.drafts import Batch, Problem
from articles.imports.outcome import ImportFailed, ImportPlan
from articles.imports.planning import plan_import
from articles.link_import import insert_link_types, insert_links
from articles.models import Article, Label, Project, RevisionSource
from articles.revisions import NOTE_MAX, add_revision

logger = logging.getLogger(__name__)


def commit(plan: ImportPlan) -> ImportPlan:
    """Store a plan in one transaction, or raise ImportFailed and store nothing (DATA-6)."""
    if plan.problems:
        raise ImportFailed(plan)
    if not (plan.labels or plan.link_types or plan.articles or plan.annotations or plan.links or plan.revisions):
        plan.committed = True  # all skipped: nothing to open
        return plan
    # Articles alone go in one INSERT, atomic by itself (article_write.insert_articles); with labels, link
    # types, annotations or links beside them, everything goes in one transaction.
    articles_only = not (plan.labels or plan.link_types or plan.annotations or plan.links or plan.revisions)
    try:
        with nullcontext() if articles_only else transaction.atomic():
            Label.objects.bulk_create(plan.labels)
            insert_link_types(plan.link_types)  # after the labels at their ends
            insert_articles(plan.articles)
            for revision in plan.revisions:  # before the annotations, which are placed on the new texts
                add_revision(
                    revision.article,
                    by=plan.by,
                    text=revision.text,
                    source=RevisionSource.IMPORT,
                    note=f"Imported from {revision.file}, {revision.record}"[:NOTE_MAX],
                )
            insert_annotations(plan.annotations, plan.by)
            insert_links(plan.links, plan.by)  # after both ends
    except InvalidInput as error:  # a revision's text is another article's (added meanwhile)
        plan.problems += [
            Problem("", "", field, " ".join(map(str, messages))) for field, messages in error.errors.items()
        ]
        raise ImportFailed(plan) from None
    except DatabaseError:
        logger.warning("import into project %s failed at commit", plan.project.pk, exc_info=True)
        plan.problems.append(
            Problem(
                "",
                "",
                "",
                "The project changed while importing (an article or annotation "
                "was added meanwhile); nothing was imported. Try again.",
            )
        )
        raise ImportFailed(plan) from None
    plan.committed = True
    return plan


def run_import(
    project: Project,
    batches: list[Batch],
    *,
    by,
    article: Article | None = None,
    own_prefix: str = "",
    dry_run: bool = False,
    progress=None,
) -> ImportPlan:
    """Plan and (unless dry_run) commit; raise ImportFailed with every problem if anything is wrong."""
    plan = plan_import(project, batches, by=by, article=article, own_prefix=own_prefix, progress=progress)
    if plan.problems:
        raise ImportFailed(plan)
    return plan if dry_run else commit(plan)
