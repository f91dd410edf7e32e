"""Annotate page speed: server time, HTML size and query count for a long, densely annotated article.

A 50,000-character article with 2,000 annotations (four labels, two authors, some nested) is loaded
as a full page and as the htmx `workspace` region, then one more annotation is created as the page does
it (the answer carries only what changed) and as a request that gets the whole workspace back.
Times are measured in-process through Django's test client (server work only, no network).

Run: .venv/bin/python bench/page_bench.py [--chars 50000] [--annotations 2000] [--repeat 10]
Uses a throwaway PostgreSQL database (bench/throwaway_db.py; server from $BENCH_POSTGRES).
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import time
from pathlib import Path

import lxml.html

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway_db import configure_django, migrate, throwaway_database  # noqa: E402

WORDS = (
    "the council said budget would grow next year minister claimed taxes will fall for nine out of ten "
    "households according to figures published statistics office opposition called plan reckless "
    "gamble café Zoë naïve 2030 4% 🚲 東京 “quoted” — report"
).split()
LABELS = ("claim", "quote", "source", "opinion")


def make_text(chars: int, rng: random.Random) -> str:
    """Return news-like text of `chars` code points: sentences in paragraphs, with accents and emoji."""
    paragraphs, size = [], 0
    while size < chars:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(8, 24))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:chars].rstrip() + "."


def make_specs(text: str, count: int, rng: random.Random) -> list[dict]:
    """Return `count` distinct spans of 1 to 20 words at random places (so many overlap or nest)."""
    starts = [0] + [index + 1 for index, char in enumerate(text) if char == " "]
    specs, seen = [], set()
    while len(specs) < count:
        first = rng.randrange(len(starts) - 21)
        start, end = starts[first], starts[first + rng.randint(1, 20)] - 1
        label = LABELS[len(specs) % 4]
        if (label, start, end) in seen or not text[start:end].strip() or text[end - 1].isspace():
            continue
        seen.add((label, start, end))
        specs.append({"label": label, "start": start, "end": end})
    return specs


def seed_long_article(chars: int, annotations: int, *, seed: int = 7):
    """Create a project, two members and one long annotated article; return (user, article)."""
    from django.contrib.auth.models import User

    from articles.annotation_write import create_annotations
    from articles.article_write import create_article
    from articles.models import Project, Role

    rng = random.Random(seed)
    owner = User.objects.create_user("bench-owner", password="bench-password-123")
    colleague = User.objects.create_user("bench-annotator", password="bench-password-123")
    project = Project.create_with_owner(owner=owner, name="Benchmark desk")
    project.memberships.create(user=colleague, role=Role.ANNOTATOR)
    article = create_article(project, by=owner, title="A long, densely annotated article", text=make_text(chars, rng))
    specs = make_specs(article.text, annotations, rng)
    for number, chunk in enumerate(range(0, len(specs), 1000)):
        create_annotations(article, specs[chunk : chunk + 1000], author=owner if number % 2 == 0 else colleague)
    return owner, article


def timed(function, repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = function()
        times.append((time.perf_counter() - began) * 1000)
    return times, result


def report(name: str, times: list[float], response, queries: int) -> None:
    body = response.content
    print(
        f"{name:<34} median {statistics.median(times):6.1f} ms  min {min(times):6.1f} ms  "
        f"HTML {len(body) / 1024:6.0f} KiB (gzip {len(gzip.compress(body)) / 1024:4.0f} KiB)  "
        f"queries {queries}  status {response.status_code}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--annotations", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    configure_django("annotator_bench_page")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    with (
        throwaway_database("annotator_bench_page"),
        override_settings(
            STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        ),
    ):
        migrate()
        began = time.perf_counter()
        user, article = seed_long_article(args.chars, args.annotations)
        covered = sum(end - start for start, end in article.annotations.values_list("start", "end"))
        print(
            f"article: {len(article.text):,} characters, {article.annotations.count():,} annotations of 1-20 words "
            f"(each character under {covered / len(article.text):.1f} on average; seeded in "
            f"{time.perf_counter() - began:.1f} s); PostgreSQL, DEBUG off"
        )
        client = Client()
        client.force_login(user)
        url = reverse("article_annotate", args=[article.pk])

        def measure(name: str, request) -> None:
            request()  # warm up
            with CaptureQueriesContext(connection) as queries:
                request()
            count = len(queries)
            times, response = timed(request, args.repeat)
            report(name, times, response, count)

        measure("annotate page (full)", lambda: client.get(url))
        measure("workspace region (htmx GET)", lambda: client.get(url, HTTP_HX_REQUEST="true"))
        create_url = reverse("annotation_create", args=[article.pk])
        spots = iter(range(0, len(article.text) - 40, 97))

        def create_one(**page):
            start = next(spots)
            while article.text[start].isspace():
                start = next(spots)
            data = {"label": "opinion", "start": start, "end": start + 1, **page}
            return client.post(create_url, data, HTTP_HX_REQUEST="true")

        bounds = (
            "*|"
            + lxml.html.fromstring(client.get(url).content)
            .get_element_by_id("annotation-list")
            .get("data-bounds")
            .split("|")[1]
        )
        measure("create, answer with the changes", lambda: create_one(list_bounds=bounds))
        measure("create, answer with the workspace", create_one)
    print(f"load average after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
