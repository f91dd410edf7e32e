"""Webhooks (articles.webhooks): signing, delivery to a real local server, retries with backoff, the log,
replay, the SSRF guard, every event from every write path, and what a write pays when nobody listens.

Deliveries run at once with the tests' immediate backend (tests/settings.py); the tests about retries and
the worker switch to the database backend. Events wait for their transaction's commit, so tests that
emit run the commit callbacks with `django_capture_on_commit_callbacks(execute=True)`.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import webhooks
from articles.annotation_write import (
    create_annotations,
    delete_annotation,
    restore_annotation,
    review_annotation,
    update_annotation,
)
from articles.errors import InvalidInput
from articles.models import Assignment, DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent
from articles.workflow import transition
from tests.factories import make_annotation, make_article
from tests.local_web_server import LocalWebServer

DOCS = Path(__file__).resolve().parent.parent / "docs" / "api.md"


# A receiver: a real HTTP server on 127.0.0.1 that records what it is sent -------------------------------------


class _Receiving(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        server = self.server
        with server.lock:
            server.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status = server.answers.pop(0) if server.answers else 204
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class Receiver(LocalWebServer):
    """LocalWebServer (its lifecycle and connection count) answering POSTs: `answers` are the statuses to
    give in turn (then 204), `received` what came, with headers and raw body."""

    def __init__(self):
        super().__init__()
        self.RequestHandlerClass = _Receiving
        self.received: list[dict] = []
        self.answers: list[int] = []
        self.lock = threading.Lock()

    def events(self) -> list[str]:
        return [json.loads(item["body"])["event"] for item in self.received]


@pytest.fixture(autouse=True)
def fresh_snapshot():
    """Each test decides who listens from its own database, not from what an earlier test left in memory."""
    webhooks.forget_subscriptions()
    yield
    webhooks.forget_subscriptions()


@pytest.fixture
def receiver(settings):
    """A receiver on 127.0.0.1, reachable because private addresses are allowed (as the URL import tests do)."""
    with Receiver() as server:
        settings.URL_IMPORT_ALLOWED_PORTS = (server.port,)
        settings.URL_IMPORT_ALLOW_PRIVATE = True
        yield server


def hook_for(team, url: str, events=None) -> Webhook:
    return webhooks.create_webhook(team["project"], by=team["owner"], url=url, events=events or WebhookEvent.values)


def closed_port() -> int:
    """A local port nothing listens on: connecting to it is a real network error (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def receiver_lines() -> str:
    """The receiver's check exactly as docs/api.md prints it (the block defining `verified`)."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    (check,) = [block for block in blocks if "def verified(" in block]
    return check


def verified(secret: str, headers: dict, body: bytes) -> bool:
    namespace: dict = {}
    exec(receiver_lines(), namespace)  # noqa: S102 (the documented code, run as a receiver would)
    return namespace["verified"](secret, headers, body)


# Signing --------------------------------------------------------------------------------------------------


def test_the_receivers_five_lines_in_the_docs_accept_a_delivery_and_refuse_a_changed_body_or_an_old_one(
    team, article, receiver, django_capture_on_commit_callbacks
):
    assert len(receiver_lines().strip().splitlines()) == 5
    hook = hook_for(team, receiver.url("/hook"), [WebhookEvent.ANNOTATION_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    (sent,) = receiver.received
    assert verified(hook.secret, sent["headers"], sent["body"])
    assert not verified(hook.secret, sent["headers"], sent["body"].replace(b"claim", b"quote"))
    assert not verified(webhooks.new_secret(), sent["headers"], sent["body"])
    old = str(int(time.time()) - 301)
    replayed_later = {
        **sent["headers"],
        webhooks.TIMESTAMP_HEADER: old,
        webhooks.SIGNATURE_HEADER: webhooks.signature(hook.secret, old, sent["body"]),
    }
    assert not verified(hook.secret, replayed_later, sent["body"])  # signed right, but five minutes too late


def test_a_delivery_reaches_a_local_server_as_the_api_represents_the_object(
    team, article, receiver, django_capture_on_commit_callbacks
):
    hook = hook_for(team, receiver.url("/hook?key=1"), [WebhookEvent.ANNOTATION_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        annotation = make_annotation(article, author=team["annotator"], note="Ünïcode ✓")
    (sent,) = receiver.received
    body = json.loads(sent["body"])
    assert sent["path"] == "/hook?key=1"
    assert body["event"] == "annotation.created" and body["time"].endswith("Z")
    assert body["project"] == {"id": team["project"].pk, "name": "Desk"}
    assert body["object"]["id"] == annotation.pk and body["object"]["note"] == "Ünïcode ✓"
    assert body["object"]["author"] == "annotator" and body["object"]["label"] == "claim"
    assert set(body["object"]) >= {"utf16_start", "utf16_end", "quote", "version", "status"}
    headers = sent["headers"]
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers[webhooks.EVENT_HEADER] == "annotation.created"
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert headers[webhooks.DELIVERY_HEADER] == str(delivery.pk)
    assert (delivery.status, delivery.response_code, delivery.attempts) == (DeliveryStatus.SUCCEEDED, 204, 1)
    assert delivery.duration_ms is not None and delivery.error == ""
    assert delivery.body.encode() == sent["body"]


# Every event from every write path -------------------------------------------------------------------------


def test_every_write_path_sends_its_event_once_and_only_to_hooks_that_want_it(
    team, article, receiver, django_capture_on_commit_callbacks
):
    hook_for(team, receiver.url("/all"))
    hook_for(team, receiver.url("/work"), [WebhookEvent.WORK_SUBMITTED, WebhookEvent.WORK_APPROVED])
    webhooks.update_webhook(hook_for(team, receiver.url("/off")), by=team["owner"], changes={"active": False})
    annotator, reviewer = team["annotator"], team["reviewer"]
    work = Assignment.objects.create(article=article, annotator=annotator)
    with django_capture_on_commit_callbacks(execute=True):
        one = make_annotation(article, author=annotator)
    with django_capture_on_commit_callbacks(execute=True):
        two, three = create_annotations(
            article,
            [{"label": "quote", "start": 0, "end": 4}, {"label": "source", "start": 5, "end": 9}],
            author=annotator,
        )
    with django_capture_on_commit_callbacks(execute=True):
        update_annotation(one, by=annotator, changes={"note": "checked"})
    with django_capture_on_commit_callbacks(execute=True):
        delete_annotation(three, by=annotator)
    with django_capture_on_commit_callbacks(execute=True):
        restore_annotation(article, three.pk, by=annotator)
    with django_capture_on_commit_callbacks(execute=True):
        transition(work, "submit", by=annotator)
    with django_capture_on_commit_callbacks(execute=True):
        review_annotation(two, by=reviewer, status="rejected")
    with django_capture_on_commit_callbacks(execute=True):
        transition(work, "approve", by=reviewer)
    to_all = [json.loads(item["body"]) for item in receiver.received if item["path"] == "/all"]
    assert [(body["event"], body["object"]["id"]) for body in to_all] == [
        ("annotation.created", one.pk),
        ("annotation.created", two.pk),
        ("annotation.created", three.pk),
        ("annotation.updated", one.pk),
        ("annotation.deleted", three.pk),
        ("annotation.created", three.pk),
        ("work.submitted", work.pk),
        ("annotation.reviewed", two.pk),
        ("work.approved", work.pk),
    ]
    assert to_all[3]["object"]["note"] == "checked" and to_all[7]["object"]["status"] == "rejected"
    assert to_all[8]["object"]["state"] == "approved" and "actions" not in to_all[8]["object"]
    assert to_all[8]["object"]["reviewed_by"] == "reviewer"
    assert [item["path"] for item in receiver.received].count("/work") == 2
    assert not [item for item in receiver.received if item["path"] == "/off"]


def test_a_rolled_back_write_tells_nobody(team, article, receiver, django_capture_on_commit_callbacks):
    hook_for(team, receiver.url("/hook"))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            make_annotation(article, author=team["annotator"])
            raise RuntimeError("the rest of the request failed")
    assert receiver.received == [] and not WebhookDelivery.objects.exists()


def test_a_new_revision_tells_the_hooks_that_asked_for_it(team, article, receiver, django_capture_on_commit_callbacks):
    from articles.revisions import add_revision

    hook_for(team, receiver.url("/hook"), [WebhookEvent.ARTICLE_REVISED])
    make_annotation(article, author=team["annotator"], quote="taxes will fall")
    corrected = "Corrected. " + article.text
    with django_capture_on_commit_callbacks(execute=True):
        add_revision(article, by=team["reviewer"], text=corrected, note="Lead added")
    with django_capture_on_commit_callbacks(execute=True):
        add_revision(article, by=team["reviewer"], text=corrected)  # the same text again: no event
    [(headers, body)] = [(r["headers"], json.loads(r["body"])) for r in receiver.received]
    assert headers["X-Annotator-Event"] == "article.revised"
    assert body["object"]["article"] == article.pk and body["object"]["revision"] == 2
    assert body["object"]["note"] == "Lead added", body
    assert body["object"]["anchoring"]["shifted"] == 1, body


# What a write pays -----------------------------------------------------------------------------------------


def test_emitting_costs_no_query_when_nobody_listens(team, article, django_assert_num_queries, settings):
    annotation = make_annotation(article, author=team["annotator"])
    other = make_article(team["project"])
    hook_for(team, "https://hooks.example.org/", [WebhookEvent.WORK_APPROVED])
    webhooks._load_subscriptions()  # a fresh snapshot: this project listens to work.approved only
    with django_assert_num_queries(0):
        webhooks.emit("annotation.created", annotation)
    assert Webhook.objects.exists()
    elsewhere = make_annotation(other, author=team["annotator"], start=8, end=14)
    settings.WEBHOOK_CACHE_SECONDS = 0  # stale: the decision waits for the commit, still without a query now
    with django_assert_num_queries(0):
        webhooks.emit("annotation.updated", elsewhere)


def test_a_hook_registered_elsewhere_is_heard_once_the_snapshot_is_read_again(
    team, article, receiver, django_capture_on_commit_callbacks, settings
):
    webhooks._load_subscriptions()  # nobody listens
    Webhook.objects.create(  # as another server would: this process is not told
        project=team["project"], url=receiver.url("/late"), events=["annotation.created"], secret="s"
    )
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    assert receiver.received == []
    settings.WEBHOOK_CACHE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"], start=8, end=14)
    assert receiver.events() == ["annotation.created"]


def test_a_failing_hook_never_fails_the_write(team, article, monkeypatch, django_capture_on_commit_callbacks):
    hook_for(team, "https://hooks.example.org/")

    def broken(*args, **kwargs):
        raise RuntimeError("the payload could not be built")

    monkeypatch.setattr(webhooks, "represent", broken)
    with django_capture_on_commit_callbacks(execute=True):
        annotation = make_annotation(article, author=team["annotator"])
    assert annotation.pk and not WebhookDelivery.objects.exists()


def test_deliveries_wait_for_the_worker_and_never_run_in_the_request(
    team, article, receiver, queue, django_capture_on_commit_callbacks
):
    hook = hook_for(team, receiver.url("/hook"), [WebhookEvent.ANNOTATION_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.status == DeliveryStatus.PENDING and receiver.connections == 0
    (task,) = DBTaskResult.objects.all()
    assert task.status == "READY" and task.args_kwargs["args"] == [[delivery.pk]]


# Retries, the log, replay ----------------------------------------------------------------------------------


@pytest.mark.parametrize("failure", ["refused", "500"])
def test_failures_are_retried_with_exponential_backoff_then_given_up(
    team, article, receiver, queue, settings, failure, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS, settings.WEBHOOK_RETRY_SECONDS = 3, 10
    if failure == "refused":
        settings.URL_IMPORT_ALLOWED_PORTS = (receiver.port, closed_port())
        url = f"http://127.0.0.1:{settings.URL_IMPORT_ALLOWED_PORTS[1]}/hook"
    else:
        receiver.answers = [500, 500, 500]
        url = receiver.url("/hook")
    hook = hook_for(team, url, [WebhookEvent.ANNOTATION_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    delivery = WebhookDelivery.objects.get(webhook=hook)
    delays = []
    for attempt in (1, 2):
        before = timezone.now()
        assert webhooks.send(delivery.pk) == DeliveryStatus.PENDING
        delivery.refresh_from_db()
        retry = DBTaskResult.objects.order_by("-enqueued_at").first()
        delays.append(round((retry.run_after - before).total_seconds()))
        assert delivery.attempts == attempt and retry.args_kwargs["args"] == [[delivery.pk]]
        assert round((delivery.next_attempt_at - before).total_seconds()) == delays[-1]
    assert delays == [10, 20]
    assert webhooks.send(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    expected = (
        (None, webhooks.UNREACHABLE) if failure == "refused" else (500, "Not delivered: the receiver answered 500.")
    )
    assert (delivery.response_code, delivery.error) == expected
    assert delivery.attempts == 3 and delivery.next_attempt_at is None
    assert DBTaskResult.objects.count() == 3  # the first task and two retries, no more
    assert webhooks.send(delivery.pk) is None  # finished: a late task sends nothing


def test_a_500_then_a_200_is_delivered_on_the_second_try(team, article, receiver, django_capture_on_commit_callbacks):
    receiver.answers = [500]
    hook = hook_for(team, receiver.url("/hook"), [WebhookEvent.ANNOTATION_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.SUCCEEDED, 2, 204)
    first, second = receiver.received
    assert first["body"] == second["body"] and first["headers"][webhooks.DELIVERY_HEADER] == str(delivery.pk)


def test_backoff_doubles_up_to_an_hour(settings):
    settings.WEBHOOK_RETRY_SECONDS = 10
    assert [webhooks.retry_delay(n) for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert webhooks.retry_delay(30) == 3600


def test_a_delivery_claimed_twice_is_sent_once(team, article, receiver, queue, django_capture_on_commit_callbacks):
    hook = hook_for(team, receiver.url("/hook"), [WebhookEvent.ANNOTATION_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert webhooks.deliver.call([delivery.pk, delivery.pk]) == [DeliveryStatus.SUCCEEDED, None]
    assert len(receiver.received) == 1


def test_the_log_keeps_the_last_100_deliveries_of_each_hook(team, receiver):
    hook = hook_for(team, receiver.url("/hook"))
    other = hook_for(team, receiver.url("/other"))
    body = webhooks.payload("annotation.created", team["project"], {"id": 1}, timezone.now())
    waiting = WebhookDelivery.objects.create(webhook=hook, event="annotation.created", body=body)
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook=hook, event="annotation.created", body=body, status="succeeded") for _ in range(104)]
        + [WebhookDelivery(webhook=other, event="annotation.created", body=body, status="failed") for _ in range(3)]
    )
    newest = WebhookDelivery.objects.create(webhook=hook, event="annotation.created", body=body)
    assert webhooks.send(newest.pk) == DeliveryStatus.SUCCEEDED
    kept = list(hook.deliveries.order_by("-id").values_list("pk", flat=True))
    assert len(kept) == 101 and kept[0] == newest.pk  # the newest 100, and one still waiting its turn
    assert kept[-1] == waiting.pk  # what is still on its way is never trimmed
    assert other.deliveries.count() == 3
    assert [d.pk for d in webhooks.recent_deliveries(hook)] == kept[:100]


def test_replay_sends_the_same_payload_again_as_a_new_delivery(
    team, article, receiver, django_capture_on_commit_callbacks
):
    hook = hook_for(team, receiver.url("/hook"), [WebhookEvent.ANNOTATION_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    first = WebhookDelivery.objects.get(webhook=hook)
    with django_capture_on_commit_callbacks(execute=True):
        again = webhooks.replay(first, by=team["owner"])
    again.refresh_from_db()
    assert (again.replay_of_id, again.body, again.status) == (first.pk, first.body, DeliveryStatus.SUCCEEDED)
    one, two = receiver.received
    assert one["body"] == two["body"] and two["headers"][webhooks.DELIVERY_HEADER] == str(again.pk)
    assert verified(hook.secret, two["headers"], two["body"])
    webhooks.update_webhook(hook, by=team["owner"], changes={"active": False})
    first = WebhookDelivery.objects.select_related("webhook__project").get(pk=first.pk)
    with pytest.raises(InvalidInput):
        webhooks.replay(first, by=team["owner"])
    with pytest.raises(Exception, match="Only owners"):
        webhooks.replay(first, by=team["reviewer"])


def test_a_rotated_secret_signs_from_then_on(team, article, receiver, django_capture_on_commit_callbacks):
    hook = hook_for(team, receiver.url("/hook"), [WebhookEvent.ANNOTATION_CREATED])
    old = hook.secret
    webhooks.rotate_secret(hook, by=team["owner"])
    assert hook.secret != old and hook.secret.startswith("whsec_") and hook.secret_rotated_at
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    (sent,) = receiver.received
    assert verified(hook.secret, sent["headers"], sent["body"]) and not verified(old, sent["headers"], sent["body"])


# SSRF ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://10.0.0.8/hook",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "ftp://hooks.example.org/",
        "file:///etc/passwd",
        "http://user:pass@hooks.example.org/",
        "http://hooks.example.org:22/",
        "http://hooks example.org/",
    ],
)
def test_ssrf9_addresses_that_are_not_public_or_not_http_are_refused_at_registration(team, url, settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    with pytest.raises(InvalidInput) as refused:
        hook_for(team, url)
    assert list(refused.value.errors) == ["url"]
    assert not Webhook.objects.exists()


def test_ssrf9_a_name_that_resolves_to_a_private_address_is_refused_at_delivery_without_connecting(
    team, article, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    hook = hook_for(team, f"http://localhost:{receiver.port}/hook", [WebhookEvent.ANNOTATION_CREATED])
    settings.URL_IMPORT_ALLOW_PRIVATE = False  # the guard as deployed: localhost resolves to loopback
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert (delivery.status, delivery.attempts, delivery.error) == (DeliveryStatus.FAILED, 2, webhooks.UNREACHABLE)
    assert receiver.connections == 0


def test_ssrf9_a_name_that_changes_its_answer_after_the_check_never_reaches_the_private_address(
    team, article, receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """DNS rebinding: the guard connects to the very address it checked, and checks the connected peer."""
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    hook = hook_for(team, f"http://rebind.example:{receiver.port}/hook", [WebhookEvent.ANNOTATION_CREATED])
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    answers = iter([("93.184.216.34", receiver.port), ("127.0.0.1", receiver.port)])

    def rebinding(host, port, *args, **kwargs):
        address = next(answers, ("127.0.0.1", port))
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", address)]

    dialled = []

    def connect(sock, address):  # no traffic leaves the machine: the public address "refuses"
        dialled.append(address[0])
        raise ConnectionRefusedError

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(socket.socket, "connect", connect)
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.status == DeliveryStatus.FAILED and delivery.error == webhooks.UNREACHABLE
    assert dialled == ["93.184.216.34"] and receiver.connections == 0


# The worker ------------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_db_worker_delivers_queued_events_once_each(team, receiver, queue):
    article = make_article(team["project"])
    hook = hook_for(team, receiver.url("/hook"), [WebhookEvent.ANNOTATION_CREATED, WebhookEvent.ANNOTATION_DELETED])
    annotation = make_annotation(article, author=team["annotator"])  # autocommit: queued at once
    delete_annotation(annotation, by=team["annotator"])
    assert receiver.received == []
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    assert receiver.events() == ["annotation.created", "annotation.deleted"]
    assert set(hook.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}
    tasks = DBTaskResult.objects.values_list("status", "traceback")
    assert {status for status, _ in tasks} == {"SUCCESSFUL"}, [trace for _, trace in tasks]
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    assert len(receiver.received) == 2


def test_a_delivery_for_a_hook_turned_off_meanwhile_is_not_sent(
    team, article, receiver, queue, django_capture_on_commit_callbacks
):
    hook = hook_for(team, receiver.url("/hook"), [WebhookEvent.ANNOTATION_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    webhooks.update_webhook(hook, by=team["owner"], changes={"active": False})
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert webhooks.send(delivery.pk) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert delivery.error == "Not delivered: the webhook is turned off." and receiver.received == []
    assert delivery.created_at > timezone.now() - timedelta(minutes=1)


def test_deliveries_a_killed_worker_left_sending_are_sent_again_once(team, receiver, queue, settings):
    """A worker killed mid-try leaves its delivery "sending": recover_jobs puts it back (attempt counted), or fails
    it after the last attempt; a delivery still within its try is left alone, and a second pass changes nothing."""
    hook = hook_for(team, receiver.url("/hook"))
    long_ago = timezone.now() - timedelta(minutes=10)
    lost = WebhookDelivery.objects.create(
        webhook=hook,
        event="annotation.created",
        body="{}",
        status=DeliveryStatus.SENDING,
        attempts=1,
        last_attempt_at=long_ago,
    )
    last = WebhookDelivery.objects.create(
        webhook=hook,
        event="annotation.created",
        body="{}",
        status=DeliveryStatus.SENDING,
        attempts=settings.WEBHOOK_MAX_ATTEMPTS,
        last_attempt_at=long_ago,
    )
    trying = WebhookDelivery.objects.create(
        webhook=hook,
        event="annotation.created",
        body="{}",
        status=DeliveryStatus.SENDING,
        attempts=1,
        last_attempt_at=timezone.now(),
    )
    tasks = DBTaskResult.objects.count()
    assert webhooks.recover_deliveries(60) == 1 and webhooks.recover_deliveries(60) == 0
    assert DBTaskResult.objects.count() == tasks + 1
    statuses = dict(WebhookDelivery.objects.values_list("pk", "status"))
    assert statuses == {lost.pk: "pending", last.pk: "failed", trying.pk: "sending"}
    assert webhooks.send(lost.pk) == "succeeded" and len(receiver.received) == 1
    call_command("recover_jobs")  # the command runs both passes
