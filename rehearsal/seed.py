"""Seed the rehearsal's database: one project, its owner, annotators and reviewers with API tokens, and
articles that already carry annotations (so an export job takes long enough for a worker to die in it);
and the editors who start URL imports (owners of the project: only owners import), each with a token.

Run by rehearsal/rehearse.py with DATABASE_URL pointing at the throwaway cluster; prints the seed as JSON.
"""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import transaction  # noqa: E402

from articles.annotation_insert import insert_annotations  # noqa: E402
from articles.api_tokens import issue_token  # noqa: E402
from articles.article_write import build_article, insert_articles  # noqa: E402
from articles.models import Annotation, Project, Role  # noqa: E402

WORDS = (
    "the council said on Tuesday that taxes will fall next year according to a report by officials in "
    "Riverside café Zoë’s “quoted” minister budget 2030 critics disagreed strongly while residents asked "
    "whether the plan would survive a vote in March 🚲 東京 spokesperson declined to comment further"
).split()
LABELS = ("claim", "quote", "source", "opinion")
CONTEXT = 32


def article_text(rng: random.Random, number: int, chars: int) -> str:
    words = [f"Story {number}."]
    while sum(len(word) + 1 for word in words) < chars:
        words.append(rng.choice(WORDS))
    return " ".join(words)


def main() -> None:
    annotators, reviewers = int(sys.argv[1]), int(sys.argv[2])
    articles, spans_each, chars = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    importers = int(sys.argv[6])
    rng = random.Random(13)
    with transaction.atomic():
        owner = User.objects.create_user("rh-owner")
        project = Project.create_with_owner(owner=owner, name="Rehearsal desk")
        people = []  # no passwords: the API works with tokens
        for role, count, prefix in ((Role.ANNOTATOR, annotators, "rh-ann"), (Role.REVIEWER, reviewers, "rh-rev")):
            for number in range(count):
                user = User.objects.create_user(f"{prefix}-{number:02d}")
                project.memberships.create(user=user, role=role)
                people.append({"user_id": user.pk, "username": user.username, "role": role, "token": issue_token(user)})
        editors = []  # each their own user: URL imports are rate-limited per user (URL_IMPORT_RATE)
        for number in range(importers):
            user = User.objects.create_user(f"rh-imp-{number:02d}")
            project.memberships.create(user=user, role=Role.OWNER)
            editors.append({"user_id": user.pk, "username": user.username, "token": issue_token(user)})
        built = [
            build_article(project, by=owner, title=f"Story {number}", text=article_text(rng, number, chars))
            for number in range(articles)
        ]
        insert_articles(built)
        stored = list(project.articles.order_by("pk").values_list("pk", "text"))
        labels = {label.key: label for label in project.labels.all()}
        spans = []
        for pk, text in stored:
            for index in range(spans_each):
                start = index * 7 % max(1, len(text) - 12)
                end = start + 5 + index % 6
                spans.append(
                    Annotation(
                        article_id=pk,
                        author=owner,
                        label=labels[LABELS[index % len(LABELS)]],
                        start=start,
                        end=end,
                        quote=text[start:end],
                        prefix=text[max(0, start - CONTEXT) : start],
                        suffix=text[end : end + CONTEXT],
                    )
                )
        insert_annotations(spans, by=owner)
    print(
        json.dumps(
            {
                "project": project.pk,
                "owner_token": issue_token(owner),
                "people": people,
                "importers": editors,
                "articles": [{"id": pk, "length": len(text)} for pk, text in stored],
            }
        )
    )


if __name__ == "__main__":
    main()
