"""Import speed on PostgreSQL: 10,000 articles from one JSONL file, all or nothing.

Creates its own database (annotator_bench_import), imports 10,000 articles (about 2,500 characters
each, with metadata) the way `manage.py import_articles` does (read, check everything, one bulk
transaction), then a native JSON export of 2,000 articles with 20 annotations each into an empty
project. Drops the database at the end.

Run: .venv/bin/python bench/import_bench.py [--articles 10000]
Target: >= 2,000 articles/s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway_db import configure_django, migrate, throwaway_database  # noqa: E402

DATABASE = "annotator_bench_import"
WORDS = (
    "the council said taxes will fall next year according to a report by officials in Riverside "
    "café Zoë “quoted” 🚲 東京 minister budget 2030 critics disagreed strongly"
).split()


def jsonl_file(count: int, rng: random.Random) -> bytes:
    lines = []
    for number in range(count):
        text = f"Story {number}.\n\n" + " ".join(rng.choice(WORDS) for _ in range(330))
        lines.append(
            json.dumps(
                {
                    "title": f"Story {number}",
                    "text": text,
                    "byline": "Bench Reporter",
                    "outlet": "The Bench Ledger",
                    "url": f"https://news.example/{number}",
                    "published_at": "2026-03-02T07:15:00Z",
                    "external_id": f"wire-{number}",
                },
                ensure_ascii=False,
            )
        )
    return "\n".join(lines).encode()


def timed_import(project, owner, name: str, data: bytes) -> tuple[float, object]:
    from articles import imports

    started = time.perf_counter()
    plan = imports.run_import(project, [imports.read(name, data, max_bytes=None)], by=owner)
    return time.perf_counter() - started, plan


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs")
    rng = random.Random(11)
    with throwaway_database(DATABASE):
        configure_django(DATABASE)
        migrate()
        from django.contrib.auth.models import User

        from articles.export_scope import ExportScope, export
        from articles.models import Project

        owner = User.objects.create_user("owner", password="x")
        project = Project.create_with_owner(owner=owner, name="Import bench")
        data = jsonl_file(args.articles, rng)
        seconds, plan = timed_import(project, owner, "articles.jsonl", data)
        rate = len(plan.articles) / seconds
        print(
            f"import {len(plan.articles):,} articles from JSONL ({len(data) / 1e6:.0f} MB): {seconds:.2f} s, "
            f"{rate:,.0f} articles/s [{'ok' if rate >= 2000 else 'MISSED'}: >= 2,000 articles/s]",
            flush=True,
        )
        seconds, again = timed_import(project, owner, "articles.jsonl", data)
        print(f"same file again: {seconds:.2f} s, {len(again.skipped):,} duplicates skipped, nothing stored")

        source = Project.objects.create(name="Annotated", slug="annotated")
        source.memberships.create(user=owner, role="owner")
        from articles.models import Label

        Label.objects.bulk_create(
            Label(
                project=source,
                key=label.key,
                name=label.name,
                color=label.color,
                order=label.order,
                fields=label.fields,
            )
            for label in project.labels.all()
        )
        spans = [
            {"start": s, "end": s + 12, "label": rng.choice(["claim", "quote", "source", "opinion"])}
            for s in range(0, 400, 20)
        ]
        lines = [
            json.dumps(
                {
                    "title": f"A{n}",
                    "text": f"Annotated story {n}. " + " ".join(rng.choice(WORDS) for _ in range(330)),
                    "spans": spans,
                },
                ensure_ascii=False,
            )
            for n in range(2000)
        ]
        timed_import(source, owner, "annotated.jsonl", "\n".join(lines).encode())
        native = "".join(export(ExportScope(source, owner), "json", base_url="http://bench/")).encode()
        target = Project.create_with_owner(owner=owner, name="Copy")
        seconds, plan = timed_import(target, owner, "export.json", native)
        print(
            f"import native JSON: {len(plan.articles):,} articles with {len(plan.annotations):,} annotations "
            f"in {seconds:.2f} s ({len(plan.articles) / seconds:,.0f} articles/s, "
            f"{len(plan.annotations) / seconds:,.0f} annotations/s)"
        )
    return 0 if rate >= 2000 else 1


if __name__ == "__main__":
    sys.exit(main())
