"""API speed on PostgreSQL behind gunicorn: creating annotations (1 and 8 clients), bulk creation, reading,
and adding articles (one per request, and 200 in one import request).

Creates its own database (annotator_bench_api_<pid>), seeds users, a project and articles, starts gunicorn on
127.0.0.1 at a free port with production settings (DEBUG off, SECRET_KEY set, HTTPS=0) and drives it
with keep-alive http.client connections authenticated by API tokens, as a script would. Prints the
figures (and writes them to bench/results/api.json), stops gunicorn and drops the database.

Run: .venv/bin/python bench/api_bench.py [--workers 2] [--threads 2] [--requests 1000] [--clients 8]
    [--imports 5]
Targets: create p50 < 4 ms with 1 client; >= 1,000 creates/s with p95 < 30 ms with 8 clients;
bulk create of 40 spans >= 5,000 spans/s; GET of one article with its 40 annotations p50 < 5 ms;
adding one article of about 4,000 characters p50 no more than creating one span (measured right after
the spans); importing 200 such articles in one request (POST /api/v1/projects/{id}/import/) median
<= 0.15 s at the machine's usual speed (machine_speed(), recorded beside the figures).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from throwaway_db import ROOT, SERVER, configure_django, migrate, throwaway_database  # noqa: E402

DATABASE = f"annotator_bench_api_{os.getpid()}"
SENTENCE = "The minister said “taxes will fall” on Tuesday, according to a report by 🚲 officials in Zoë's town. "
TEXT = SENTENCE * 200  # about 20,000 code points: room for thousands of distinct spans per author
SPAN = 5
# Material for articles of about ARTICLE_CHARS characters: news prose with accents, quotes, an emoji, CJK.
NEWS_WORDS = (
    "the council said on Tuesday that taxes will fall next year according to a report by officials in "
    "Riverside café Zoë’s “quoted” minister budget 2030 critics disagreed strongly while residents asked "
    "whether the plan would survive a vote in March 🚲 東京 spokesperson declined to comment further"
).split()
ARTICLE_CHARS = 4_000
IMPORT_ARTICLES = 200


def cpu_seconds(match: str) -> float:
    """User + system CPU seconds used so far by every process whose command line contains `match`
    (Linux /proc): how much work a phase cost the app servers and the database, whatever the clock did."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if match in command:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def machine_speed() -> float:
    """Microseconds for a fixed pure-Python loop: this shared machine's speed varies up to twofold from
    one minute to the next, so every run records it beside its figures."""
    began = time.perf_counter()
    for _ in range(200_000):
        sum(range(100))
    return round((time.perf_counter() - began) / 200_000 * 1e6, 3)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(clients: int) -> dict:
    """Create a project with one annotator per client, an article per client and one to read."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from articles.annotation_write import create_annotations
    from articles.article_write import create_article
    from articles.models import Project, Role

    owner = User.objects.create_user("bench-owner", password="bench-password-1")
    project = Project.create_with_owner(owner=owner, name="Benchmark desk")
    users = [User.objects.create_user(f"bench{n}", password="bench-password-1") for n in range(clients)]
    for user in users:
        project.memberships.create(user=user, role=Role.ANNOTATOR)
    articles = [create_article(project, by=owner, title=f"Article {n}", text=f"{n}. {TEXT}") for n in range(clients)]
    bulk_article = create_article(project, by=owner, title="Bulk", text=f"bulk. {TEXT}")
    read_article = create_article(project, by=owner, title="Read", text=f"read. {TEXT}")
    labels = ["claim", "quote", "source", "opinion"]
    create_annotations(
        read_article, [{"label": labels[n % 4], "start": 3 * n, "end": 3 * n + 20} for n in range(40)], author=owner
    )
    return {
        "tokens": [Token.objects.create(user=user).key for user in users],
        "owner_token": Token.objects.create(user=owner).key,
        "articles": [article.pk for article in articles],
        "bulk_article": bulk_article.pk,
        "project": project.pk,
        "read_article": read_article.pk,
    }


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "DEBUG": "0", "HTTPS": "0", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "annotator.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/projects/")
            if connection.getresponse().status == 401:
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


class Client:
    """One keep-alive connection with a token, timing each request."""

    def __init__(self, port: int, token: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def call(self, method: str, path: str, body=None, expect: int = 200) -> tuple[float, bytes]:
        payload = None if body is None else json.dumps(body)
        began = time.perf_counter()
        self.connection.request(method, path, body=payload, headers=self.headers)
        response = self.connection.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - began
        if response.status != expect:
            raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
        return elapsed, data


def create_spans(port: int, token: str, article: int, first: int, count: int, labels=("claim",)) -> list[float]:
    """Create `count` annotations one by one on distinct spans; return each latency."""
    client = Client(port, token)
    path = f"/api/v1/articles/{article}/annotations/"
    times = []
    for n in range(first, first + count):
        label = labels[n % len(labels)]
        spot = n // len(labels)
        times.append(client.call("POST", path, {"label": label, "start": spot, "end": spot + SPAN}, 201)[0])
    return times


def _worker(port, token, article, count, start_event, results) -> None:
    start_event.wait()
    began = time.perf_counter()
    try:  # spans from 4 * 5000 on: clear of those the single-client run made on the same article
        times = create_spans(port, token, article, 20_000, count, labels=("claim", "quote", "source", "opinion"))
    except Exception as error:  # report instead of leaving the parent waiting
        results.put(error)
        return
    results.put((times, began, time.perf_counter()))


def concurrent_creates(port: int, world: dict, clients: int, count: int) -> dict:
    """`clients` processes, each with its own user, connection and article, creating at the same time;
    with the CPU time the app servers and PostgreSQL spent per create."""
    context = multiprocessing.get_context("fork")
    start_event, results = context.Event(), context.Queue()
    workers = [
        context.Process(
            target=_worker, args=(port, world["tokens"][n], world["articles"][n], count, start_event, results)
        )
        for n in range(clients)
    ]
    for worker in workers:
        worker.start()
    time.sleep(0.5)
    app_before, database_before = cpu_seconds("gunicorn"), cpu_seconds(f" {DATABASE} ")
    start_event.set()
    outcomes = [results.get(timeout=600) for _ in workers]
    app_cpu, database_cpu = cpu_seconds("gunicorn") - app_before, cpu_seconds(f" {DATABASE} ") - database_before
    for worker in workers:
        worker.join()
    failures = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    if failures:
        raise RuntimeError(f"{len(failures)} clients failed, first: {failures[0]}")
    latencies = [latency for times, _, _ in outcomes for latency in times]
    wall = max(end for _, _, end in outcomes) - min(begin for _, begin, _ in outcomes)
    return {
        "requests": len(latencies),
        "per_second": len(latencies) / wall,
        **summary(latencies),
        "app_cpu_ms_per_create": round(1000 * app_cpu / len(latencies), 2),
        "postgres_cpu_ms_per_create": round(1000 * database_cpu / len(latencies), 2),
    }


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 2),
        "max_ms": round(1000 * ordered[-1], 2),
    }


def bulk_creates(port: int, world: dict, batches: int) -> dict:
    client = Client(port, world["owner_token"])
    path = f"/api/v1/articles/{world['bulk_article']}/annotations/"
    times = []
    for batch in range(batches):
        specs = [{"label": "claim", "start": batch * 40 + n, "end": batch * 40 + n + SPAN} for n in range(40)]
        times.append(client.call("POST", path, specs, 201)[0])
    return {"batches": batches, "spans_per_second": round(40 * len(times) / sum(times)), **summary(times)}


def floor(port: int, count: int) -> dict:
    """The cheapest answer the stack gives (an anonymous 401): what any request costs before our code."""
    client = Client(port, "no-such-token")
    client.headers = {}
    return summary([client.call("GET", "/api/v1/projects/", expect=401)[0] for _ in range(count)])


def news_text(number: int, rng: random.Random) -> str:
    """A distinct article text of ARTICLE_CHARS code points in paragraphs of sentences (a project refuses
    the same text twice, so `number` starts it)."""
    parts, size = [f"Report {number}."], 0
    while size < ARTICLE_CHARS:
        sentence = " ".join(rng.choice(NEWS_WORDS) for _ in range(rng.randint(8, 24)))
        parts.append(sentence[0].upper() + sentence[1:] + ("." if rng.random() < 0.8 else ".\n\n"))
        size += len(parts[-1]) + 1
    return " ".join(parts)[:ARTICLE_CHARS].rstrip()


def article_fields(number: int, rng: random.Random) -> dict:
    return {
        "title": f"Council budget report {number}",
        "text": news_text(number, rng),
        "byline": "Bench Reporter",
        "outlet": "The Bench Ledger",
        "url": f"https://news.example/{number}",
        "published_at": "2026-03-02T07:15:00Z",
    }


def create_articles(port: int, world: dict, first: int, count: int) -> list[float]:
    """Add `count` articles one per request as the project's owner; return each latency."""
    client, rng = Client(port, world["owner_token"]), random.Random(first)
    bodies = [{"project": world["project"], **article_fields(n, rng)} for n in range(first, first + count)]
    return [client.call("POST", "/api/v1/articles/", body, 201)[0] for body in bodies]


def bulk_imports(port: int, world: dict, runs: int) -> dict:
    """Import IMPORT_ARTICLES new articles in one request, `runs` times (after one untimed run): the median,
    with the machine's speed just before and after."""
    client, rng = Client(port, world["owner_token"]), random.Random(7)
    path = f"/api/v1/projects/{world['project']}/import/"
    times, speed_before = [], machine_speed()
    for run in range(runs + 1):
        first = 1_000_000 * (run + 1)
        records = [article_fields(n, rng) for n in range(first, first + IMPORT_ARTICLES)]
        elapsed, body = client.call(
            "POST", path, {"filename": "articles.json", "format": "json", "content": records}, 201
        )
        assert json.loads(body)["created"]["articles"] == IMPORT_ARTICLES, body[:300]
        if run:
            times.append(elapsed)
    return {
        "articles_per_request": IMPORT_ARTICLES,
        "characters_per_article": ARTICLE_CHARS,
        "runs": runs,
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
        "python_loop_us_before_after": [speed_before, machine_speed()],
    }


def reads(port: int, world: dict, count: int) -> dict:
    client = Client(port, world["owner_token"])
    path = f"/api/v1/articles/{world['read_article']}/?include=annotations"
    elapsed, body = client.call("GET", path)
    assert len(json.loads(body)["annotations"]) == 40
    times = [client.call("GET", path)[0] for _ in range(count)]
    return {"bytes": len(body), **summary(times)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (2 cores: 2 did best)")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker (1: sync workers)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=1000, help="creates per measurement and per client")
    parser.add_argument("--imports", type=int, default=5, help="timed imports of 200 articles (the median is kept)")
    args = parser.parse_args()

    load_before, speed_before = os.getloadavg()[0], machine_speed()
    with throwaway_database(DATABASE):
        configure_django(DATABASE)
        migrate()
        world = seed(args.clients)
        from django.db import connections

        connections.close_all()
        port = free_port()
        server = start_gunicorn(port, args.workers, args.threads)
        try:
            create_spans(port, world["owner_token"], world["articles"][0], 10_000, 200)  # warm every worker
            create_articles(port, world, 500_000, 50)
            baseline = floor(port, args.requests)
            single = summary(create_spans(port, world["tokens"][0], world["articles"][0], 0, args.requests))
            # Right after the spans, so that both see the machine in the same state.
            article = summary(create_articles(port, world, 0, args.requests))
            parallel = concurrent_creates(port, world, args.clients, args.requests)
            bulk = bulk_creates(port, world, 100)
            read = reads(port, world, args.requests)
            imported = bulk_imports(port, world, args.imports)
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures = {
        "setup": {
            "server": SERVER,
            "gunicorn": f"{args.workers} workers x {args.threads} threads",
            "cpus": os.cpu_count(),
            "clients": args.clients,
            "requests": args.requests,
            "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "python_loop_us_before_after": [speed_before, machine_speed()],
        },
        "anonymous_401_1_client": baseline,
        "create_1_client": single,
        f"create_{args.clients}_clients": {**parallel, "per_second": round(parallel["per_second"])},
        "bulk_40": bulk,
        "read_article_40_annotations": read,
        "create_article_1_client": {
            "characters": ARTICLE_CHARS,
            **article,
            "span_create_p50_ms": single["p50_ms"],
            "article_over_span_p50": round(article["p50_ms"] / single["p50_ms"], 2),
        },
        f"import_{IMPORT_ARTICLES}_articles_1_request": imported,
    }
    print(json.dumps(figures, indent=2))
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "api.json").write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
