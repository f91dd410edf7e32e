"""Export speed on PostgreSQL: 1,000,000 annotations over 10,000 articles, as native JSON and as JSONL.

Creates its own database (annotator_bench_export), loads the rows with COPY, then exports the project
through the real API endpoint (GET /api/v1/projects/{id}/export/?format=...) in a fresh child process
per format, reporting wall time and the child's peak RSS, beside the time of a plain
`COPY (SELECT ...) TO STDOUT` of the same rows. Drops the database at the end.

Run: .venv/bin/python bench/export_bench.py [--articles 10000] [--per-article 100] [--formats json,jsonl,csv,w3c]
Targets (native JSON and JSONL): < 10 s and < 200 MB peak RSS each. Needs PostgreSQL at $BENCH_POSTGRES
(default postgres://postgres@127.0.0.1:5432); about a minute, most of it loading the rows.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway_db import configure_django, migrate, throwaway_database  # noqa: E402

DATABASE = "annotator_bench_export"
TARGETED = {"json", "jsonl"}  # the formats with a time and memory target
WORDS = (
    "the council said taxes will fall next year according to a report by officials in Riverside "
    "café Zoë “quoted” 🚲 東京 minister budget 2030 critics disagreed strongly"
).split()
COPY_SQL = """
COPY (SELECT a.id, a.article_id, a.start, a."end", a.quote, a.prefix, a.suffix, l.key, a.note, a.attributes,
             u.username, a.status, a.is_flagged, a.question, a.created_at, a.updated_at
      FROM articles_annotation a JOIN articles_label l ON l.id = a.label_id JOIN auth_user u ON u.id = a.author_id
      JOIN articles_article r ON r.id = a.article_id WHERE r.project_id = {project}
      ORDER BY a.article_id, a.start, a."end" DESC, a.id) TO STDOUT
"""
COPY_ARTICLES_SQL = """
COPY (SELECT id, title, byline, outlet, url, published_at, language, external_id, status, text, text_sha256,
             created_at, updated_at FROM articles_article WHERE project_id = {project} ORDER BY id) TO STDOUT
"""


def _escape(value: str) -> str:
    """Escape a value for COPY's text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else _escape(str(v)) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def load(articles: int, per_article: int) -> tuple[int, str]:
    """Create the project, users and rows; return the project id and the owner's API token."""
    from django.contrib.auth.models import User
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from articles.models import Project, Role

    rng = random.Random(7)
    owner = User.objects.create_user("owner", password="x")
    authors = [owner] + [User.objects.create_user(f"annotator{n}", password="x") for n in range(4)]
    project = Project.create_with_owner(owner=owner, name="Benchmark desk", organisation="Bench Fact Check")
    for user in authors[1:]:
        project.memberships.create(user=user, role=Role.ANNOTATOR)
    labels = list(project.labels.values_list("id", flat=True))
    now = "2026-03-02 07:15:00.123456+00"
    with connection.cursor() as cursor:
        texts = []
        rows = []
        for number in range(articles):
            text = f"Story {number}. " + " ".join(rng.choice(WORDS) for _ in range(400))
            texts.append(text)
            rows.append(
                (
                    project.pk,
                    f"Story {number}",
                    "Bench Reporter",
                    "The Bench Ledger",
                    f"https://news.example/{number}",
                    now,
                    "en",
                    "",
                    text,
                    hashlib.sha256(text.encode()).hexdigest(),
                    1,
                    "new",
                    1,
                    owner.pk,
                    now,
                    now,
                    "t",
                )
            )
        _copy(
            cursor.cursor,
            "articles_article",
            [
                "project_id",
                "title",
                "byline",
                "outlet",
                "url",
                "published_at",
                "language",
                "external_id",
                "text",
                "text_sha256",
                "text_revision",
                "status",
                "version",
                "created_by_id",
                "created_at",
                "updated_at",
                "search_ready",
            ],
            rows,
        )
        cursor.execute("SELECT id FROM articles_article WHERE project_id = %s ORDER BY id", [project.pk])
        ids = [row[0] for row in cursor.fetchall()]
        columns = [
            "article_id",
            "label_id",
            "author_id",
            "start",
            '"end"',
            "quote",
            "prefix",
            "suffix",
            "note",
            "attributes",
            "status",
            "is_flagged",
            "question",
            "version",
            "created_at",
            "updated_at",
            "original_quote",
            "anchor_status",
            "anchored_revision",
        ]
        batch = []
        for article_id, text in zip(ids, texts):
            used = set()
            while len(used) < per_article:
                start = rng.randrange(0, len(text) - 60)
                end = start + rng.randint(5, 60)
                if (start, end) in used:
                    continue
                used.add((start, end))
                verdict = rng.choice(["true", "false", "mixed"])
                batch.append(
                    (
                        article_id,
                        rng.choice(labels),
                        rng.choice(authors).pk,
                        start,
                        end,
                        text[start:end],
                        text[max(0, start - 32) : start],
                        text[end : end + 32],
                        "Checked against the budget." if start % 7 == 0 else "",
                        json.dumps({"verdict": verdict} if start % 3 == 0 else {}),
                        rng.choice(["pending", "accepted", "rejected"]),
                        "f",
                        "",
                        1,
                        now,
                        now,
                        text[start:end],
                        "exact",
                        1,
                    )
                )
            if len(batch) >= 100_000:
                _copy(cursor.cursor, "articles_annotation", columns, batch)
                batch = []
        _copy(cursor.cursor, "articles_annotation", columns, batch)
    connection.connection.autocommit = True  # VACUUM cannot run inside a transaction
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE articles_annotation")
        cursor.execute("VACUUM ANALYZE articles_article")
    return project.pk, Token.objects.create(user=owner).key


def copy_baseline(project: int) -> tuple[float, int]:
    """Time a plain COPY of the same annotation and article rows to a byte counter."""
    from django.db import connection

    class Sink:
        size = 0

        def write(self, data) -> None:
            self.size += len(data)

    sink = Sink()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(COPY_SQL.format(project=project), sink)
        cursor.cursor.copy_expert(COPY_ARTICLES_SQL.format(project=project), sink)
    return time.perf_counter() - started, sink.size


def peak_rss_mb() -> float:
    """This process's peak resident set size (VmHWM; ru_maxrss would include the parent's from before exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(project: int, token: str, key: str) -> dict:
    """In a fresh process: export through the API, consuming the stream chunk by chunk."""
    configure_django(DATABASE)
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    base_rss = peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(f"/api/v1/projects/{project}/export/", {"format": key})
    size = chunks = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        chunks += 1
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert response.status_code == 200, response.status_code
    return {
        "format": key,
        "seconds": seconds,
        "cpu": cpu,
        "bytes": size,
        "chunks": chunks,
        "base_rss_mb": base_rss,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--per-article", type=int, default=100)
    parser.add_argument("--formats", default="json,jsonl")
    parser.add_argument("--measure", nargs=3, metavar=("PROJECT", "TOKEN", "FORMAT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(int(args.measure[0]), args.measure[1], args.measure[2])))
        return 0
    total = args.articles * args.per_article
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs")
    with throwaway_database(DATABASE):
        configure_django(DATABASE)
        migrate()
        started = time.perf_counter()
        project, token = load(args.articles, args.per_article)
        print(
            f"loaded {args.articles:,} articles and {total:,} annotations with COPY in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )
        copy_seconds, copy_bytes = copy_baseline(project)
        print(
            f"plain COPY (SELECT ...) TO STDOUT of the same rows: {copy_seconds:.2f} s, {copy_bytes / 1e6:.0f} MB",
            flush=True,
        )
        failures = 0
        for key in args.formats.split(","):
            child = subprocess.run(
                [sys.executable, __file__, "--measure", str(project), token, key],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(child.stdout.strip().splitlines()[-1])
            targeted = key in TARGETED
            ok = result["seconds"] < 10 and result["peak_rss_mb"] < 200
            failures += targeted and not ok
            verdict = f"[{'ok' if ok else 'MISSED'}: < 10 s, < 200 MB]" if targeted else "(no target set)"
            print(
                f"export {key:5} via API: {result['seconds']:.2f} s ({result['cpu']:.2f} s CPU in Python), "
                f"{result['bytes'] / 1e6:.0f} MB in {result['chunks']:,} chunks, "
                f"{total / result['seconds']:,.0f} annotations/s, peak RSS {result['peak_rss_mb']:.0f} MB "
                f"(after start-up {result['base_rss_mb']:.0f} MB) {verdict}",
                flush=True,
            )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
