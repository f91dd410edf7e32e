"""The rehearsal's load: simulated annotators and reviewers working through the REST API behind the load
balancer, each a thread with its own keep-alive connection and API token, for a fixed time.

Annotators create annotations, edit their notes and read articles; reviewers accept or reject
annotations and start export jobs, which they follow until they finish. Every answered request is
recorded (kind, endpoint, status, latency), and every acknowledged (2xx) write is kept, so that
rehearsal/check.py can find each one in the database afterwards.

A write that got no answer (the app server died under it, or the load balancer answered 502/503) is
sent again as it was, at most RETRIES times, as a careful client would: a repeated create finds its
twin (409 with `existing`), a repeated edit or review finds its own change (412 with `current`),
and a repeated export start finds its job by its idempotency key. Those answers count as the write's
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


@dataclass
class Record:
    """Everything the clients saw, shared by their threads."""

    requests: list[tuple[str, str, int, float]] = field(default_factory=list)  # kind, endpoint, status, seconds
    created: list[dict[str, Any]] = field(default_factory=list)  # acknowledged creates
    changed: list[dict[str, Any]] = field(default_factory=list)  # acknowledged edits and reviews
    exports: list[dict[str, Any]] = field(default_factory=list)  # jobs started: id, key, last status seen
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
        key = f"rehearsal-{uuid.uuid4().hex}"
        body = {"format": self.rng.choice(("json", "jsonl", "csv", "w3c")), "idempotency_key": key}
        path = f"/api/v1/projects/{self.project}/exports/"
        status, _, data, _ = self.client.write("export", "POST projects/{id}/exports/", "POST", path, body)
        if status not in (200, 202):
            self.next_export = time.monotonic() + 5
            return
        # The same request again, as a client unsure whether its first one arrived: the same job, 200.
        again, _, same, _ = self.client.write("export", "POST projects/{id}/exports/", "POST", path, body)
        self.job = {
            "id": data["id"],
            "key": key,
            "status": data["status"],
            "repeat_same": again == 200 and same["id"] == data["id"],
        }
        self.client.record.add(self.client.record.exports, self.job)

    def follow(self) -> None:
        status, _, data = self.client.call("poll", "GET jobs/{id}/", "GET", f"/api/v1/jobs/{self.job['id']}/")
        if status == 200:
            self.job["status"] = data["status"]
            if data["status"] in FINISHED:
                if data["status"] == "succeeded":
                    self.client.call(
                        "download", "GET jobs/{id}/result/", "GET", f"/api/v1/jobs/{self.job['id']}/result/"
                    )
                self.job = None
                self.next_export = time.monotonic() + self.rng.uniform(6, 12)
                return
        time.sleep(0.5)


def run(host: str, port: int, seed: dict, seconds: float, record: Record) -> None:
    """Every simulated person works in their own thread until `seconds` have passed."""
    deadline = time.monotonic() + seconds
    articles = seed["articles"][:60]  # the articles being worked on now, so reviews meet fresh annotations

    def work(person: dict, number: int) -> None:
        rng = random.Random(number)
        client = Client(host, port, person["token"], record)
        if person["role"] == "reviewer":
            actor: Annotator | Reviewer = Reviewer(client, person, seed["project"], articles, rng)
        else:
            actor = Annotator(client, person, articles, rng)
        time.sleep(rng.uniform(0, 1))  # people do not all start in the same millisecond
        while time.monotonic() < deadline:
            actor.step()
            time.sleep(rng.uniform(0.05, 0.3))  # thinking time
        client.close()

    threads = [threading.Thread(target=work, args=(person, n), daemon=True) for n, person in enumerate(seed["people"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + 35))
