"""Team review on PostgreSQL: pages and reports of a project with 1,000 double-annotated articles.

Creates its own database (annotator_bench_review): 1,000 articles of about 2,500 characters, each
assigned to two annotators who mark 10 spans apiece (shifted a little from each other) and submit.
Prints the server time and SQL queries of the review pages, the agreement computation alone, and
how many approve decisions per second the guarded workflow takes. Drops the database at the end.

Run: .venv/bin/python bench/review_bench.py [--articles 1000]
Targets: every page in a constant number of queries; review page < 100 ms; dashboard < 2 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway_db import configure_django, migrate, throwaway_database  # noqa: E402

DATABASE = "annotator_bench_review"
WORDS = "the council said taxes will fall next year according to a report by officials minister budget".split()


def build(count: int, rng: random.Random):
    from django.contrib.auth.models import User

    from articles.anchoring import text_sha256
    from articles.models import Annotation, Article, Assignment, AssignmentState, Project, Role

    owner = User.objects.create_user("bench-owner", password="x")
    project = Project.create_with_owner(owner=owner, name="Bench desk")
    people = [User.objects.create_user(name, password="x") for name in ("ann", "bob", "rev")]
    for user, role in zip(people, (Role.ANNOTATOR, Role.ANNOTATOR, Role.REVIEWER)):
        project.memberships.create(user=user, role=role)
    texts = [f"Story {n}. " + " ".join(rng.choice(WORDS) for _ in range(420)) for n in range(count)]
    articles = Article.objects.bulk_create(
        Article(project=project, title=f"Story {n}", text=t, text_sha256=text_sha256(t)) for n, t in enumerate(texts)
    )
    Assignment.objects.bulk_create(
        Assignment(article=a, annotator=u, state=AssignmentState.SUBMITTED) for a in articles for u in people[:2]
    )
    labels = list(project.labels.all())
    spans = []
    for article in articles:
        for k in range(10):
            start = 40 + k * 230
            for user, shift in ((people[0], 0), (people[1], rng.choice((0, 0, 3, -2)))):
                begin, end = start + shift, start + 60 + shift
                spans.append(
                    Annotation(
                        article=article,
                        author=user,
                        label=labels[k % 4],
                        start=begin,
                        end=end,
                        quote=article.text[begin:end],
                    )
                )
    Annotation.objects.bulk_create(spans, batch_size=5000)
    return project, owner, people


def measure(client, url: str, runs: int = 5) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{n:.2f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs")
    with throwaway_database(DATABASE):
        configure_django(DATABASE)
        migrate()
        from django.test.utils import override_settings

        # Plain static file names: no collectstatic manifest is needed to render the pages here.
        override_settings(
            STORAGES={"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
        ).enable()
        from django.test import Client
        from django.urls import reverse

        from articles.agreement import agreement_report
        from articles.dashboard import agreement_documents
        from articles.models import Assignment
        from articles.workflow import transition

        project, owner, (ann, bob, rev) = build(args.articles, random.Random(5))
        print(f"{args.articles} articles, {args.articles * 2} submissions, {args.articles * 20} spans")
        owner_client, rev_client, ann_client = Client(), Client(), Client()
        owner_client.force_login(owner), rev_client.force_login(rev), ann_client.force_login(ann)
        work = Assignment.objects.filter(annotator=ann).order_by("pk").first()
        pages = [
            ("review page", rev_client, reverse("assignment_review", args=[work.pk])),
            ("reviewer queue", rev_client, reverse("review_queue", args=[project.pk])),
            ("my queue", ann_client, reverse("my_queue")),
            ("adjudication", rev_client, reverse("article_adjudicate", args=[work.article_id])),
            ("assign page", owner_client, reverse("project_assignments", args=[project.pk])),
            ("dashboard", owner_client, reverse("project_dashboard_page", args=[project.pk])),
            ("agreement page", owner_client, reverse("project_agreement_page", args=[project.pk])),
            ("agreement API", owner_client, reverse("project-agreement", args=[project.pk])),
        ]
        for name, client, url in pages:
            seconds, queries = measure(client, url, runs=3 if "agree" in name or name == "dashboard" else 7)
            print(f"{name:<16} {seconds * 1000:8.1f} ms  {queries:3d} queries")
        started = time.perf_counter()
        report = agreement_report(d for d, _ in agreement_documents(project))
        print(
            f"agreement alone  {(time.perf_counter() - started) * 1000:8.1f} ms  "
            f"(alpha_U {report.alpha:.3f}, overlap F1 {report.f1.overlap.f1:.3f}, exact F1 {report.f1.exact.f1:.3f})"
        )
        decisions = list(Assignment.objects.filter(annotator=bob).select_related("article__project")[:200])
        started = time.perf_counter()
        for item in decisions:
            transition(item, "approve", by=rev)
        elapsed = time.perf_counter() - started
        print(f"approve          {len(decisions) / elapsed:8.1f} decisions/s (each accepts 10 spans, records history)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
