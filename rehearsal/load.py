"""The rehearsal's load: simulated annotators and reviewers working through the REST API behind the load
balancer, each a thread with its own keep-alive connection and API token, for a fixed time.

Annotators create annotations, edit their notes and read articles; reviewers accept or reject
annotations and start export jobs, which they follow until they finish. Meanwhile editors (owners: only
owners import) start URL-import jobs at set times, each a list of pages of the rehearsal's news site
(rehearsal/news.py), and follow them. Every answered request is recorded (kind, endpoint, status,
latency), and every acknowledged (2xx) write is kept, so that rehearsal/check.py can find each one in
the database afterwards.

A write that got no answer (the app server died under it, or the load balancer answered 502/503) is
sent again as it was, at most RETRIES times, as a careful client would: a repeated create finds its
twin (409 with `existing`), a repeated edit or review finds its own change (412 with `current`),
and a repeated export or import start finds its job by its idempotency key. Those answers count as the write's
acknowledgement, which is how the rehearsal shows that a retried write is never stored twice.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

RETRIES = 3
UNANSWERED = {502, 503, 504}  # the load balancer's own answers: the request may or may not have been stored
LABELS = ("claim", "quote", "source", "opinion")
FINISHED = {"succeeded", "failed", "cancelled"}
IMPORTS_WITHIN = 0.7  # import lists start within this share of the load, so the worker kill meets some running


@dataclass
class Record:
    """Everything the clients saw, shared by their threads."""

    requests: list[tuple[str, str, int, float]] = field(default_factory=list)  # kind, endpoint, status, seconds
    created: list[dict[str, Any]] = field(default_factory=list)  # acknowledged creates
    changed: list[dict[str, Any]] = field(default_factory=list)  # acknowledged edits and reviews
    exports: list[dict[str, Any]] = field(default_factory=list)  # jobs started: id, key, last status seen
    imports: list[dict[str, Any]] = field(default_factory=list)  # URL-import jobs started, with their addresses
    import_lists_planned: int = 0
    retried_writes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, kind: str, endpoint: str, status: int, seconds: float) -> None:
        with self.lock:
            self.requests.append((kind, endpoint, status, seconds))

    def add(self, collection: list, item: dict[str, Any]) -> None:
        with self.lock:
            collection.append(item)


class Client:
    """One simulated person: a keep-alive HTTP connection to the load balancer and their token."""

    def __init__(self, host: str, port: int, token: str, record: Record):
        self.host, self.port, self.record = host, port, record
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        self.connection: http.client.HTTPConnection | None = None

    def call(
        self, kind: str, endpoint: str, method: str, path: str, body: Any = None, headers: dict | None = None
    ) -> tuple[int, dict, Any]:
        """One request; status 0 when no answer came (the connection broke). Recorded either way."""
        began = time.perf_counter()
        status, answer_headers, data = 0, {}, None
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            payload = json.dumps(body).encode() if body is not None else None
            self.connection.request(method, path, body=payload, headers={**self.headers, **(headers or {})})
            response = self.connection.getresponse()
            raw = response.read()
            status, answer_headers = response.status, {k.lower(): v for k, v in response.getheaders()}
            if raw and answer_headers.get("content-type", "").startswith("application/json"):
                data = json.loads(raw)
            if answer_headers.get("connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
        self.record.request(kind, endpoint, status, time.perf_counter() - began)
        return status, answer_headers, data

    def write(self, kind: str, endpoint: str, method: str, path: str, body: Any, headers: dict | None = None):
        """A write, sent again (the same request) while it got no answer."""
        for attempt in range(RETRIES + 1):
            status, answer_headers, data = self.call(kind, endpoint, method, path, body, headers)
            if status and status not in UNANSWERED:
                return status, answer_headers, data, attempt > 0
            with self.record.lock:
                self.record.retried_writes[kind] += 1
            time.sleep(0.2 * (attempt + 1))
        return status, answer_headers, data, True

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class Annotator:
    """Creates spans on the articles, edits the notes of their own, and reads articles with their annotations."""

    def __init__(self, client: Client, person: dict, articles: list[dict], rng: random.Random):
        self.client, self.person, self.articles, self.rng = client, person, articles, rng
        self.mine: list[dict[str, Any]] = []  # id, etag

    def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.5 or not self.mine:
            self.create()
        elif roll < 0.85:
            self.edit()
        else:
            article = self.rng.choice(self.articles)
            self.client.call(
                "read", "GET articles/{id}/", "GET", f"/api/v1/articles/{article['id']}/?include=annotations"
            )

    def create(self) -> None:
        article = self.rng.choice(self.articles)
        start = self.rng.randrange(0, article["length"] - 40)
        body = {"label": self.rng.choice(LABELS), "start": start, "end": start + self.rng.randint(3, 30)}
        status, headers, data, retried = self.client.write(
            "create", "POST articles/{id}/annotations/", "POST", f"/api/v1/articles/{article['id']}/annotations/", body
        )
        if status == 201:
            stored = data
        elif status == 409 and retried and isinstance(data, dict) and data.get("existing"):
            stored = data["existing"]  # our own earlier attempt was stored: that is the acknowledgement
        else:
            return  # 409 without a retry: this annotator already marked that span
        self.client.record.add(
            self.client.record.created,
            {"id": stored["id"], "article": article["id"], "author": self.person["user_id"], **body},
        )
        self.mine.append({"id": stored["id"], "etag": f'"a{stored["id"]}v{stored["version"]}"'})

    def edit(self) -> None:
        mine = self.rng.choice(self.mine)
        note = f"note {uuid.uuid4().hex[:12]}"
        status, headers, data, retried = self.client.write(
            "edit",
            "PATCH annotations/{id}/",
            "PATCH",
            f"/api/v1/annotations/{mine['id']}/",
            {"note": note},
            {"If-Match": mine["etag"]},
        )
        current = data.get("current") if status == 412 and isinstance(data, dict) else data
        if status == 200 or (status == 412 and retried and current and current.get("note") == note):
            self.client.record.add(
                self.client.record.changed, {"id": mine["id"], "version": current["version"], "note": note}
            )
        if isinstance(current, dict) and "version" in current:
            mine["etag"] = f'"a{mine["id"]}v{current["version"]}"'


class Reviewer:
    """Accepts or rejects annotations of the articles being worked on, and now and then exports the project."""

    def __init__(self, client: Client, person: dict, project: int, articles: list[dict], rng: random.Random):
        self.client, self.person, self.project, self.articles, self.rng = client, person, project, articles, rng
        self.job: dict[str, Any] | None = None
        self.next_export = time.monotonic() + rng.uniform(0, 8)

    def step(self) -> None:
        if self.job is not None:
            self.follow()
        elif time.monotonic() >= self.next_export:
            self.export()
        else:
            self.review()

    def review(self) -> None:
        article = self.rng.choice(self.articles)
        status, _, data = self.client.call(
            "list",
            "GET articles/{id}/annotations/",
            "GET",
            f"/api/v1/articles/{article['id']}/annotations/?status=pending&page_size=20",
        )
        if status != 200 or not data or not data.get("results"):
            return
        span = self.rng.choice(data["results"])
        decision = self.rng.choice(("accepted", "rejected"))
        status, _, answer, retried = self.client.write(
            "review",
            "POST annotations/{id}/review/",
            "POST",
            f"/api/v1/annotations/{span['id']}/review/",
            {"status": decision},
            {"If-Match": f'"a{span["id"]}v{span["version"]}"'},
        )
        current = answer.get("current") if status == 412 and isinstance(answer, dict) else answer
        if status == 200 or (status == 412 and retried and current and current.get("status") == decision):
            self.client.record.add(
                self.client.record.changed, {"id": span["id"], "version": current["version"], "status": decision}
            )

    def export(self) -> None:
        body = {"format": self.rng.choice(("json", "jsonl", "csv", "w3c")), "idempotency_key": new_key()}
        path = f"/api/v1/projects/{self.project}/exports/"
        self.job = start_job(self.client, "export", "POST projects/{id}/exports/", path, body)
        if self.job is None:
            self.next_export = time.monotonic() + 5
            return
        self.client.record.add(self.client.record.exports, self.job)

    def follow(self) -> None:
        if follow_job(self.client, self.job):
            self.job = None
            self.next_export = time.monotonic() + self.rng.uniform(6, 12)
            return
        time.sleep(0.5)


class Importer:
    """An editor who starts URL-import jobs at set times (each list of addresses sent twice with one idempotency
    key) and follows every job they started, several at once, until it finishes or the load ends."""

    def __init__(self, client: Client, project: int, schedule: list[tuple[float, list[str]]]):
        self.client, self.project = client, project
        self.schedule = sorted(schedule, key=lambda item: item[0])  # (monotonic start time, addresses)
        self.open: list[dict[str, Any]] = []

    def step(self) -> None:
        if self.schedule and self.schedule[0][0] <= time.monotonic():
            self.start(self.schedule.pop(0)[1])
        self.open = [job for job in self.open if not follow_job(self.client, job)]
        if not self.open:
            self.client.close()  # idle until the next list: no keep-alive connection left to time out meanwhile
        time.sleep(0.5)

    def start(self, urls: list[str]) -> None:
        path = f"/api/v1/projects/{self.project}/import/url/"
        body = {"urls": urls, "idempotency_key": new_key()}
        job = start_job(self.client, "import", "POST projects/{id}/import/url/", path, body)
        if job is None:
            return  # a list not started: rehearse.py counts it (must be zero)
        job["urls"] = urls
        self.client.record.add(self.client.record.imports, job)
        self.open.append(job)


def new_key() -> str:
    return f"rehearsal-{uuid.uuid4().hex}"


def start_job(client: Client, kind: str, endpoint: str, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
    """Start a job (body with an idempotency key), then send the same request again, as a client unsure whether
    its first one arrived: the same job must come back, with 200. The job as the clients saw it, or None when
    the start was refused."""
    status, _, data, _ = client.write(kind, endpoint, "POST", path, body)
    if status not in (200, 202):
        return None
    again, _, same, _ = client.write(kind, endpoint, "POST", path, body)
    return {
        "id": data["id"],
        "key": body["idempotency_key"],
        "status": data["status"],
        "repeat_same": again == 200 and isinstance(same, dict) and same.get("id") == data["id"],
    }


def follow_job(client: Client, job: dict[str, Any]) -> bool:
    """One look at a job; True once it has finished (its result downloaded when it succeeded)."""
    status, _, data = client.call("poll", "GET jobs/{id}/", "GET", f"/api/v1/jobs/{job['id']}/")
    if status != 200:
        return False
    job["status"] = data["status"]
    if data["status"] not in FINISHED:
        return False
    if data["status"] == "succeeded":
        client.call("download", "GET jobs/{id}/result/", "GET", f"/api/v1/jobs/{job['id']}/result/")
    return True


def run(host: str, port: int, seed: dict, seconds: float, record: Record, import_lists: list[list[str]]) -> None:
    """Every simulated person works in their own thread until `seconds` have passed; so do the editors, who
    start the import lists one after another over the first IMPORTS_WITHIN of that time, taking turns."""
    began = time.monotonic()
    deadline = began + seconds
    record.import_lists_planned = len(import_lists)
    schedules: list[list[tuple[float, list[str]]]] = [[] for _ in seed["importers"]]
    for number, urls in enumerate(import_lists):
        at = began + 1 + (seconds * IMPORTS_WITHIN - 1) * number / max(1, len(import_lists))
        schedules[number % len(schedules)].append((at, urls))
    articles = seed["articles"][:60]  # the articles being worked on now, so reviews meet fresh annotations

    def work(person: dict, number: int) -> None:
        rng = random.Random(number)
        client = Client(host, port, person["token"], record)
        if person["role"] == "importer":
            actor: Annotator | Reviewer | Importer = Importer(client, seed["project"], schedules[person["turn"]])
        elif person["role"] == "reviewer":
            actor = Reviewer(client, person, seed["project"], articles, rng)
        else:
            actor = Annotator(client, person, articles, rng)
        time.sleep(rng.uniform(0, 1))  # people do not all start in the same millisecond
        while time.monotonic() < deadline:
            actor.step()
            time.sleep(rng.uniform(0.05, 0.3))  # thinking time
        client.close()

    editors = [{**editor, "role": "importer", "turn": turn} for turn, editor in enumerate(seed["importers"])]
    everyone = [*seed["people"], *editors]
    threads = [threading.Thread(target=work, args=(person, n), daemon=True) for n, person in enumerate(everyone)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + 35))
