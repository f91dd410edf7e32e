"""Webhook deliveries as jobs (articles.webhooks with articles.jobs): each delivery's job, readable and cancellable
through the jobs API and pages by the project's owners only, following the delivery through every status;
cancel before and during a try; replay, trimming, deleting a hook, recovery and pruning with their jobs; and
what making deliveries costs in queries, however many there are.

Deliveries wait in the queue (the `queue` fixture) where a test sends them itself, with `webhooks.send` or the
task; the receiver is the real local server of tests/test_webhooks.py.
"""

from __future__ import annotations

import importlib
import threading
from datetime import timedelta
from types import SimpleNamespace

import lxml.html
import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from articles import jobs, webhooks
from articles.annotation_write import create_annotations
from articles.errors import InvalidInput
from articles.models import DeliveryStatus, Job, JobKind, JobStatus, Webhook, WebhookDelivery, WebhookEvent
from tests.api_client import api_as, url
from tests.factories import make_annotation, make_article
from tests.test_webhooks import Receiver, fresh_snapshot  # noqa: F401 (an autouse fixture, used here too)

CREATED = [WebhookEvent.ANNOTATION_CREATED]
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def receiver(settings):
    """The local receiver of tests/test_webhooks.py, reachable (private addresses allowed, its port)."""
    with Receiver() as server:
        settings.URL_IMPORT_ALLOWED_PORTS, settings.URL_IMPORT_ALLOW_PRIVATE = (server.port,), True
        yield server


def hook_for(team, url_: str, events=None) -> Webhook:
    return webhooks.create_webhook(team["project"], by=team["owner"], url=url_, events=events or CREATED)


def emitted(team, article, hook, capture) -> WebhookDelivery:
    """One annotation made and committed: the hook's one new delivery (sent or waiting, as the backend does)."""
    with capture(execute=True):
        make_annotation(article, author=team["annotator"])
    return WebhookDelivery.objects.select_related("job").get(webhook=hook)


def job_api(team, who: str, job_id: int, action: str = ""):
    client = api_as(team[who])
    if action == "cancel":
        return client.post(url("job-cancel", job_id))
    return client.get(url(f"job-{action or 'detail'}", job_id))


def log_url(hook: Webhook) -> str:
    return reverse("webhook_deliveries", args=[hook.project_id, hook.pk])


# A delivery is a job ---------------------------------------------------------------------------------------


def test_a_delivery_is_a_job_its_owners_read_and_nobody_else_sees(
    team, article, receiver, django_capture_on_commit_callbacks
):
    hook = hook_for(team, receiver.url("/hook"))
    delivery = emitted(team, article, hook, django_capture_on_commit_callbacks)
    job = delivery.job
    assert (job.kind, job.project_id, job.created_by_id) == (JobKind.WEBHOOK_DELIVERY, team["project"].pk, None)
    answer = job_api(team, "owner", job.pk)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    log = f"http://testserver/api/v1/projects/{team['project'].pk}/webhooks/{hook.pk}/deliveries/"
    assert {key: body[key] for key in ("kind", "status", "done", "total", "percent", "attempts", "created_by")} == {
        "kind": "webhook_delivery",
        "status": "succeeded",
        "done": 1,
        "total": 1,
        "percent": 100,
        "attempts": 1,
        "created_by": None,
    }
    assert body["result"] == log and body["params"] == {"webhook": hook.pk, "event": "annotation.created"}
    listed = api_as(team["owner"]).get(body["result"]).json()["results"]
    assert [(item["id"], item["job"]) for item in listed] == [(delivery.pk, job.pk)]
    for who in ("reviewer", "annotator", "viewer", "outsider"):  # members and strangers alike: no such job
        assert job_api(team, who, job.pk).status_code == 404, who
        assert job_api(team, who, job.pk, "cancel").status_code == 404, who
    assert api_as().get(url("job-detail", job.pk)).status_code in (401, 403)
    assert job_api(team, "owner", job.pk, "result").status_code == 404  # no file to download


def test_members_cannot_start_a_delivery_job_themselves(team):
    with pytest.raises(InvalidInput):
        jobs.start_job(team["project"], kind=JobKind.WEBHOOK_DELIVERY, by=team["owner"], params={})
    assert not Job.objects.exists()


def test_the_job_follows_its_delivery_through_a_try_a_retry_and_the_failure(
    team, article, receiver, queue, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS, settings.WEBHOOK_RETRY_SECONDS = 2, 10
    receiver.answers = [500, 500]
    hook = hook_for(team, receiver.url("/hook"))
    delivery = emitted(team, article, hook, django_capture_on_commit_callbacks)
    job = delivery.job
    assert (job.status, job.attempts, job.started_at, job.total, job.done) == (JobStatus.QUEUED, 0, None, 1, 0)
    seen_while_sending = []
    real_post = webhooks.post

    def watching(*args, **kwargs):
        seen_while_sending.append(Job.objects.values_list("status", "attempts").get(pk=job.pk))
        return real_post(*args, **kwargs)

    monkeypatch.setattr(webhooks, "post", watching)
    assert webhooks.send(delivery.pk) == DeliveryStatus.PENDING
    job.refresh_from_db()
    assert seen_while_sending == [(JobStatus.RUNNING, 1)]
    assert (job.status, job.attempts, job.finished_at) == (JobStatus.QUEUED, 1, None)
    assert job.error == "Not delivered: the receiver answered 500. Attempt 2 in 10 s." and job.started_at
    assert webhooks.send(delivery.pk) == DeliveryStatus.FAILED
    job.refresh_from_db()
    assert seen_while_sending[-1] == (JobStatus.RUNNING, 2)
    assert (job.status, job.attempts, job.done) == (JobStatus.FAILED, 2, 0)
    assert job.error == "Not delivered: the receiver answered 500." and job.finished_at
    assert job_api(team, "owner", job.pk).json()["status"] == "failed"


def test_a_retry_that_succeeds_ends_its_job_succeeded(
    team, article, receiver, queue, django_capture_on_commit_callbacks
):
    receiver.answers = [503]
    hook = hook_for(team, receiver.url("/hook"))
    delivery = emitted(team, article, hook, django_capture_on_commit_callbacks)
    assert webhooks.deliver.call([delivery.pk]) == [DeliveryStatus.PENDING]
    assert webhooks.deliver.call([delivery.pk]) == [DeliveryStatus.SUCCEEDED]
    job = Job.objects.get(pk=delivery.job_id)
    assert (job.status, job.attempts, job.done, job.percent, job.error) == (JobStatus.SUCCEEDED, 2, 1, 100, "")


# Cancel ----------------------------------------------------------------------------------------------------


def test_cancelling_a_waiting_deliverys_job_stops_it_and_a_queued_task_sends_nothing(
    team, article, receiver, queue, django_capture_on_commit_callbacks
):
    hook = hook_for(team, receiver.url("/hook"))
    delivery = emitted(team, article, hook, django_capture_on_commit_callbacks)
    (task,) = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == [[delivery.pk]]  # already in the queue when the cancel comes
    answer = job_api(team, "owner", delivery.job_id, "cancel")
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.next_attempt_at) == (DeliveryStatus.CANCELLED, None)
    assert Job.objects.get(pk=delivery.job_id).finished_at is not None
    assert webhooks.deliver.call([delivery.pk]) == [None]  # the queued task runs later: nothing is sent
    assert receiver.connections == 0 and receiver.received == []
    assert DBTaskResult.objects.count() == 1  # and nothing was queued again


def test_cancelling_a_delivery_waiting_for_its_retry_stops_the_retry(
    team, article, receiver, queue, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    hook = hook_for(team, receiver.url("/hook"))
    delivery = emitted(team, article, hook, django_capture_on_commit_callbacks)
    assert webhooks.send(delivery.pk) == DeliveryStatus.PENDING
    delivery = webhooks.cancel_delivery(WebhookDelivery.objects.get(pk=delivery.pk), by=team["owner"])
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.CANCELLED, 1, 500)
    assert Job.objects.get(pk=delivery.job_id).status == JobStatus.CANCELLED
    assert webhooks.send(delivery.pk) is None and len(receiver.received) == 1


def test_a_cancel_during_a_try_lets_it_end_logs_its_answer_and_tries_no_more(
    team, article, receiver, queue, monkeypatch, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    hook = hook_for(team, receiver.url("/hook"))
    delivery = emitted(team, article, hook, django_capture_on_commit_callbacks)
    real_post = webhooks.post

    def cancelled_meanwhile(*args, **kwargs):
        job = jobs.job_for(team["owner"], delivery.job_id)
        assert jobs.cancel_job(job, by=team["owner"]).status == JobStatus.CANCELLED
        return real_post(*args, **kwargs)

    monkeypatch.setattr(webhooks, "post", cancelled_meanwhile)
    tasks = DBTaskResult.objects.count()
    assert webhooks.send(delivery.pk) == DeliveryStatus.CANCELLED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.next_attempt_at) == ("cancelled", 500, None)
    assert delivery.error == "Not delivered: the receiver answered 500." and delivery.duration_ms is not None
    assert Job.objects.get(pk=delivery.job_id).status == JobStatus.CANCELLED
    assert DBTaskResult.objects.count() == tasks  # no retry queued
    assert len(receiver.received) == 1


def test_cancelling_a_finished_delivery_changes_nothing_as_for_other_jobs(
    team, article, receiver, django_capture_on_commit_callbacks
):
    hook = hook_for(team, receiver.url("/hook"))
    delivery = emitted(team, article, hook, django_capture_on_commit_callbacks)
    finished_at = delivery.job.finished_at
    answer = job_api(team, "owner", delivery.job_id, "cancel")
    assert answer.status_code == 200 and answer.json()["status"] == "succeeded"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert Job.objects.get(pk=delivery.job_id).finished_at == finished_at
    assert webhooks.cancel_delivery(delivery, by=team["owner"]).status == DeliveryStatus.SUCCEEDED
    with pytest.raises(Exception, match="Only owners"):
        webhooks.cancel_delivery(delivery, by=team["reviewer"])


# Replay, trimming, deleting, recovery, pruning ----------------------------------------------------------


def test_replay_makes_a_new_delivery_with_a_job_of_its_own_even_after_a_cancel(
    team, article, receiver, queue, django_capture_on_commit_callbacks
):
    hook = hook_for(team, receiver.url("/hook"))
    first = emitted(team, article, hook, django_capture_on_commit_callbacks)
    webhooks.cancel_delivery(first, by=team["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        again = webhooks.replay(first, by=team["owner"])
    assert again.job_id and again.job_id != first.job_id and again.replay_of_id == first.pk
    assert Job.objects.get(pk=again.job_id).status == JobStatus.QUEUED
    assert webhooks.send(again.pk) == DeliveryStatus.SUCCEEDED
    job = Job.objects.get(pk=again.job_id)
    assert (job.status, job.kind, job.created_by_id, job.params["webhook"]) == (
        "succeeded",
        "webhook_delivery",
        None,
        hook.pk,
    )
    assert Job.objects.get(pk=first.job_id).status == JobStatus.CANCELLED


def delivery_with_job(hook: Webhook, status: str) -> WebhookDelivery:
    job = Job.objects.create(
        project=hook.project,
        kind=JobKind.WEBHOOK_DELIVERY,
        status={"succeeded": "succeeded", "pending": "queued", "cancelled": "cancelled"}[status],
        total=1,
        params={"webhook": hook.pk, "event": "annotation.created"},
        idempotency_key=f"test-{timezone.now().timestamp()}-{Job.objects.count()}",
        finished_at=timezone.now() if status != "pending" else None,
    )
    return WebhookDelivery.objects.create(webhook=hook, event="annotation.created", body="{}", status=status, job=job)


def test_trimming_the_log_to_100_deletes_the_trimmed_deliveries_jobs(team, receiver):
    hook = hook_for(team, receiver.url("/hook"))
    waiting = delivery_with_job(hook, "pending")
    cancelled = delivery_with_job(hook, "cancelled")
    older = [delivery_with_job(hook, "succeeded") for _ in range(102)]
    newest = delivery_with_job(hook, "pending")
    assert webhooks.send(newest.pk) == DeliveryStatus.SUCCEEDED
    kept = list(hook.deliveries.order_by("-id").values_list("pk", flat=True))
    assert len(kept) == 101 and kept[-1] == waiting.pk and cancelled.pk not in kept and older[1].pk not in kept
    assert set(Job.objects.values_list("pk", flat=True)) == set(
        WebhookDelivery.objects.values_list("job_id", flat=True)
    )
    assert Job.objects.count() == 101


def test_deleting_a_hook_deletes_its_deliveries_jobs(team, receiver, queue):
    hook = hook_for(team, receiver.url("/hook"))
    other = hook_for(team, receiver.url("/other"))
    delivery_with_job(hook, "pending")
    delivery_with_job(hook, "succeeded")
    theirs = delivery_with_job(other, "succeeded")
    webhooks.delete_webhook(hook, by=team["owner"])
    assert list(Job.objects.values_list("pk", flat=True)) == [theirs.job_id]
    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [theirs.pk]


def test_recovering_a_stuck_delivery_writes_its_job_and_the_jobs_pass_leaves_it_alone(team, receiver, queue, settings):
    hook = hook_for(team, receiver.url("/hook"))
    lost, last = delivery_with_job(hook, "pending"), delivery_with_job(hook, "pending")
    for delivery in (lost, last):
        assert webhooks._claim(delivery.pk) is not None  # what a worker did before it was killed
    long_ago = timezone.now() - timedelta(minutes=10)
    WebhookDelivery.objects.filter(pk=last.pk).update(attempts=settings.WEBHOOK_MAX_ATTEMPTS)
    WebhookDelivery.objects.update(last_attempt_at=long_ago)
    Job.objects.update(started_at=long_ago)
    assert jobs.recover(stale_after=60) == jobs.Recovered(requeued=0, failed=0)  # not run_job's to recover
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.RUNNING}
    assert webhooks.recover_deliveries(60) == 1
    lost_job, last_job = Job.objects.get(pk=lost.job_id), Job.objects.get(pk=last.job_id)
    assert (lost_job.status, lost_job.error) == (JobStatus.QUEUED, "The worker sending it stopped; sent again.")
    assert (last_job.status, last_job.error) == (JobStatus.FAILED, "The worker sending it stopped.")
    assert last_job.finished_at is not None
    assert webhooks.send(lost.pk) == DeliveryStatus.SUCCEEDED
    assert Job.objects.get(pk=lost.job_id).status == JobStatus.SUCCEEDED


def test_pruning_old_jobs_keeps_the_jobs_of_deliveries_still_in_the_log(team, receiver, settings):
    hook = hook_for(team, receiver.url("/hook"))
    kept = delivery_with_job(hook, "succeeded")
    Job.objects.update(finished_at=timezone.now() - timedelta(days=settings.JOB_KEEP_DAYS + 1))
    assert jobs.prune().jobs == 0
    assert WebhookDelivery.objects.get().job_id == kept.job_id


def test_deliveries_logged_before_jobs_get_a_job_that_says_what_they_say(team, receiver):
    """The migration's back-fill (0015), run on deliveries made without jobs."""
    hook = hook_for(team, receiver.url("/hook"))
    made = timezone.now() - timedelta(days=3)
    legacy = {
        status: WebhookDelivery.objects.create(
            webhook=hook,
            event="work.approved",
            body="{}",
            status=status,
            attempts=1,
            error="e" if status == "failed" else "",
        )
        for status in ("pending", "sending", "succeeded", "failed")
    }
    WebhookDelivery.objects.update(created_at=made, last_attempt_at=made)
    migration = importlib.import_module("articles.migrations.0014_webhook_delivery_jobs")
    editor = SimpleNamespace(connection=connection, execute=lambda sql: connection.cursor().execute(sql))
    migration.give_deliveries_jobs(apps, editor)
    got = {
        delivery.status: delivery.job
        for delivery in WebhookDelivery.objects.select_related("job").filter(pk__in=[d.pk for d in legacy.values()])
    }
    assert {status: job.status for status, job in got.items()} == {
        "pending": "queued",
        "sending": "running",
        "succeeded": "succeeded",
        "failed": "failed",
    }
    assert all(job.kind == "webhook_delivery" and job.created_by_id is None for job in got.values())
    assert all(job.project_id == team["project"].pk and job.params["webhook"] == hook.pk for job in got.values())
    assert all(job.created_at == made for job in got.values()) and got["failed"].error == "e"
    assert got["succeeded"].done == 1 and got["pending"].finished_at is None and got["failed"].finished_at == made
    migration.give_deliveries_jobs(apps, editor)  # again: nothing more
    assert Job.objects.count() == 4


# What making deliveries costs --------------------------------------------------------------------------------


@pytest.mark.parametrize("spans", [1, 12])
def test_making_deliveries_costs_the_same_queries_for_one_span_or_many(
    team, receiver, queue, spans, django_capture_on_commit_callbacks, django_assert_num_queries
):
    article = make_article(team["project"], text="word " * 40)
    hook_for(team, receiver.url("/one"))
    hook_for(team, receiver.url("/two"))
    webhooks._load_subscriptions()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        create_annotations(
            article,
            [{"label": "claim", "start": 5 * n, "end": 5 * n + 4} for n in range(spans)],
            author=team["annotator"],
        )
    (queue_deliveries,) = callbacks  # what runs once the write commits
    # The hooks; one INSERT of jobs and one of deliveries in a transaction (here a savepoint and its release);
    # one task per hook. The payloads are built from the annotations the write already holds.
    with django_assert_num_queries(7):
        queue_deliveries()
    assert WebhookDelivery.objects.count() == Job.objects.count() == 2 * spans
    assert DBTaskResult.objects.count() == 2


def test_the_log_costs_the_same_queries_for_one_delivery_or_many(client, team, receiver, django_assert_max_num_queries):
    hook = hook_for(team, receiver.url("/hook"))
    delivery_with_job(hook, "pending")
    client.force_login(team["owner"])
    with CaptureQueriesContext(connection) as one:
        assert client.get(log_url(hook), **HTMX).status_code == 200
    for _ in range(30):
        delivery_with_job(hook, "succeeded")
    with django_assert_max_num_queries(len(one)):
        assert client.get(log_url(hook), **HTMX).status_code == 200


# The pages ---------------------------------------------------------------------------------------------------


def test_the_log_links_each_deliverys_job_and_cancels_a_waiting_one(
    client, team, article, receiver, queue, django_capture_on_commit_callbacks
):
    hook = hook_for(team, receiver.url("/hook"))
    done = delivery_with_job(hook, "succeeded")
    with django_capture_on_commit_callbacks(execute=True):
        make_annotation(article, author=team["annotator"])
    waiting = WebhookDelivery.objects.get(webhook=hook, status=DeliveryStatus.PENDING)
    client.force_login(team["owner"])
    tree = lxml.html.fromstring(client.get(log_url(hook), **HTMX).content)
    for delivery in (done, waiting):
        (link,) = tree.xpath(f"//a[@id='delivery-{delivery.pk}-job']")
        assert link.get("href") == reverse("job_detail", args=[delivery.job_id])
    assert not tree.xpath(f"//button[@id='cancel-{done.pk}']")
    (button,) = tree.xpath(f"//button[@id='cancel-{waiting.pk}']")
    form = button.getparent()
    assert form.get("method") == "post" and form.get("hx-post") == form.get("action") == log_url(hook)
    assert form.xpath("input[@name='csrfmiddlewaretoken']") and form.xpath("input[@name='cancel']/@value") == [
        str(waiting.pk)
    ]
    for role in ("reviewer", "annotator", "viewer"):
        client.force_login(team[role])
        assert client.post(log_url(hook), {"cancel": waiting.pk}, **HTMX).status_code == 403
    client.force_login(team["outsider"])
    assert client.post(log_url(hook), {"cancel": waiting.pk}, **HTMX).status_code == 404
    client.force_login(team["owner"])
    answer = client.post(log_url(hook), {"cancel": waiting.pk}, **HTMX)
    assert answer.status_code == 200
    fragment = lxml.html.fromstring(answer.content)
    assert fragment.get("id") == f"webhook-log-{hook.pk}" and fragment.get("hx-trigger") is None  # nothing waits
    assert "cancelled: it will not be tried again" in fragment.text_content()
    assert "Cancelled" in fragment.xpath(f"string(//tr[@id='delivery-{waiting.pk}'])")
    assert not fragment.xpath(f"//button[@id='cancel-{waiting.pk}']")
    assert Job.objects.get(pk=waiting.job_id).status == JobStatus.CANCELLED
    again = client.post(log_url(hook), {"cancel": done.pk})
    assert again.status_code == 302 and again["Location"] == reverse("project_webhooks", args=[team["project"].pk])
    assert WebhookDelivery.objects.get(pk=done.pk).status == DeliveryStatus.SUCCEEDED
    assert client.post(log_url(hook), {"cancel": "nope"}, **HTMX).status_code == 404


def test_a_delivery_jobs_page_shows_it_to_owners_links_the_log_and_cancels(client, team, receiver):
    hook = hook_for(team, receiver.url("/hook"))
    waiting = delivery_with_job(hook, "pending")
    page = reverse("job_detail", args=[waiting.job_id])
    for who in ("reviewer", "outsider"):
        client.force_login(team[who])
        assert client.get(page).status_code == 404
    client.force_login(team["owner"])
    tree = lxml.html.fromstring(client.get(page).content)
    assert "Started by the server" in tree.xpath("string(//p[@class='lede'])")
    assert tree.xpath("string(//a[@id='job-delivery-log']/@href)").endswith(f"#webhook-log-{hook.pk}")
    assert tree.xpath("//button[@id='job-cancel']")
    status = lxml.html.fromstring(client.post(reverse("job_cancel", args=[waiting.job_id]), **HTMX).content)
    assert "will not be tried again" in status.text_content()
    assert WebhookDelivery.objects.get(pk=waiting.pk).status == DeliveryStatus.CANCELLED


# Under real concurrency ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite lets one writer at a time; PostgreSQL row locks")
def test_a_cancel_waits_for_a_claim_that_holds_the_delivery_then_cancels_it_without_a_deadlock(team, receiver, queue):
    """Both writers lock the delivery first and its job second: the cancel queues behind the worker's claim and
    then cancels the delivery being sent (and its job), whose try then ends without a retry."""
    hook = hook_for(team, receiver.url("/hook"))
    delivery = delivery_with_job(hook, "pending")
    claimed, release = threading.Event(), threading.Event()
    cancelled: list[str] = []

    def worker() -> None:
        try:
            with transaction.atomic():
                assert webhooks._claim(delivery.pk) is not None
                claimed.set()
                release.wait(10)
        finally:
            connection.close()

    def owner() -> None:
        try:
            cancelled.append(webhooks.cancel_delivery(delivery, by=team["owner"]).status)
        finally:
            connection.close()

    first = threading.Thread(target=worker)
    first.start()
    assert claimed.wait(10)
    second = threading.Thread(target=owner)
    second.start()
    second.join(0.5)
    assert second.is_alive() and not cancelled  # waiting for the claim's lock
    release.set()
    first.join(10)
    second.join(10)
    assert cancelled == [DeliveryStatus.CANCELLED]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.CANCELLED, 1)
    assert Job.objects.values_list("status", "attempts").get(pk=delivery.job_id) == (JobStatus.CANCELLED, 1)


@pytest.mark.django_db(transaction=True)
def test_db_worker_sends_each_delivery_once_and_its_job_ends_with_it(team, receiver, queue):
    article = make_article(team["project"])
    hook = hook_for(team, receiver.url("/hook"), [WebhookEvent.ANNOTATION_CREATED, WebhookEvent.ANNOTATION_UPDATED])
    annotation = make_annotation(article, author=team["annotator"])  # autocommit: queued at once
    make_annotation(article, author=team["annotator"], start=8, end=14)
    first, second = hook.deliveries.order_by("id")
    jobs.cancel_job(Job.objects.select_related("project").get(pk=second.job_id), by=team["owner"])
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)
    assert len(receiver.received) == 1 and receiver.received[0]["headers"][webhooks.DELIVERY_HEADER] == str(first.pk)
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert statuses == {first.job_id: JobStatus.SUCCEEDED, second.job_id: JobStatus.CANCELLED}
    assert annotation.pk
