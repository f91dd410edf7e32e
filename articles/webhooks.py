"""Webhooks: register them, tell them about events, deliver signed payloads in the background, log each try.

**Registering** (owners only, articles.permissions MANAGE_PROJECT): a hook is a URL, the events it wants
and on/off; its secret is made here, shown once, and can be rotated.

**Emitting**: the write paths (articles.annotation_write, articles.workflow) call `emit(event, objects)`
once each. It must cost a write nothing when nobody listens, so it decides from a snapshot of which
projects have an active hook for which event, kept in this process and read again at most every
WEBHOOK_CACHE_SECONDS (at once here after a hook changes): with a fresh snapshot that says "nobody",
`emit` returns without a query. Otherwise it only registers a callback for when the transaction
commits (a rolled-back write tells nobody); that callback reads the hooks, builds each payload (the
object as the API represents it) and queues the deliveries. Its failures are logged, never raised into
the request. A hook registered on another server hears events within WEBHOOK_CACHE_SECONDS.

**Delivering** runs in the worker: one django-tasks task (`deliver`) with the ids of one hook's new
deliveries. Each delivery is also a Job (kind `webhook_delivery`, in the hook's project, started by nobody,
so its project's owners see it at /api/v1/jobs/{id}/), made with it in the same INSERT per batch; every
change of a delivery's status writes its job in the same transaction (`_write_job`, models' JOB_STATUS).
Cancelling the job (articles.jobs.cancel_job, or Cancel in the log) cancels a delivery still waiting or
being tried: no further try is made (a try under way ends, and its answer is logged). Each try is
a POST through the URL import's SSRF guard (articles.fetching: http(s), allowed ports, every resolved
address global, the connection made to the checked address and the peer checked again, one deadline of
WEBHOOK_TIMEOUT seconds), signed with HMAC-SHA256 over "<timestamp>.<body>". A 2xx answer delivers it;
a network error, a refusal by the guard or any other answer is tried again after WEBHOOK_RETRY_SECONDS,
doubled each time, until WEBHOOK_MAX_ATTEMPTS. Failures read alike whether the guard refused the
address or nothing answered, so the log cannot map the internal network (SSRF-7). A delivery is claimed
under a row lock, so a task delivered twice sends it once. Each hook keeps its newest
KEEP_DELIVERIES deliveries, and the jobs of those it trims go with them; a replay is a new delivery (and
job) of the same body. Locks are taken delivery first, then job, everywhere, so no two writers deadlock.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django_tasks import default_task_backend, task

from articles.access import MAX_ID, require, role_in
from articles.errors import InvalidInput
from articles.fetching import (
    FetchError,
    FetchPolicy,
    check_outgoing_url,
    guarded_connection,
)
from articles.models import (
    Annotation,
    Article,
    ArticleRevision,
    Assignment,
    DeliveryStatus,
    Job,
    JobKind,
    JobStatus,
    Project,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from articles.models.webhooks import FINISHED_DELIVERY, JOB_STATUS
from articles.permissions import Action
from articles.process_snapshot import ProcessSnapshot

logger = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Annotator-Timestamp"
SIGNATURE_HEADER = "X-Annotator-Signature"
EVENT_HEADER = "X-Annotator-Event"
DELIVERY_HEADER = "X-Annotator-Delivery"
USER_AGENT = "NewsAnnotator-Webhooks/1.0"
KEEP_DELIVERIES = 100
MAX_HOOKS = 20  # per project
MAX_RETRY_DELAY = 3600.0  # seconds: the backoff doubles up to an hour
SECRET_PREFIX = "whsec_"
UNREACHABLE = "Not delivered: the address could not be reached, or the address guard refused it."
BROKEN = "Not delivered: the connection failed or timed out."
EVENTS_WITH_OBJECTS = {
    WebhookEvent.ANNOTATION_CREATED: Annotation,
    WebhookEvent.ANNOTATION_UPDATED: Annotation,
    WebhookEvent.ANNOTATION_DELETED: Annotation,
    WebhookEvent.ANNOTATION_REVIEWED: Annotation,
    WebhookEvent.WORK_SUBMITTED: Assignment,
    WebhookEvent.WORK_APPROVED: Assignment,
    WebhookEvent.ARTICLE_REVISED: ArticleRevision,
}
SENT_EVENTS = frozenset(EVENTS_WITH_OBJECTS)


# Registering -----------------------------------------------------------------------------------------------


def webhooks_of(project: Project) -> QuerySet[Webhook]:
    return Webhook.objects.filter(project=project).order_by("created_at", "id")


def _owner(project: Project, user) -> None:
    require(role_in(project, user), Action.MANAGE_PROJECT)


def hook_for(project: Project, user, hook_id: object) -> Webhook:
    """One of the project's hooks for one of its owners (403 for other members), else a 404."""
    _owner(project, user)
    try:
        pk = int(hook_id)
    except (TypeError, ValueError):
        pk = 0
    hook = webhooks_of(project).filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if hook is None:
        raise Http404("No such webhook in this project.")
    hook.project = project  # carries the role read with the project
    return hook


def delivery_for(hook: Webhook, delivery_id: object) -> WebhookDelivery:
    try:
        pk = int(delivery_id)
    except (TypeError, ValueError):
        pk = 0
    delivery = hook.deliveries.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if delivery is None:
        raise Http404("No such delivery of this webhook.")
    delivery.webhook = hook
    return delivery


def check_url(url: object) -> str:
    """The address as stored, or InvalidInput("url") (articles.fetching.check_outgoing_url)."""
    return check_outgoing_url(
        url,
        policy_from_settings(),
        missing="Give the address that receives the events.",
        private="This address is not public; webhooks are sent to public addresses only.",
    )


def check_events(events: object) -> list[str]:
    """The events as stored (in the order of WebhookEvent), or InvalidInput("events")."""
    if not isinstance(events, (list, tuple)) or not events:
        raise InvalidInput.single("events", "Choose at least one event.")
    unknown = [str(event)[:40] for event in events if event not in WebhookEvent.values]
    if unknown:
        raise InvalidInput.single(
            "events", f"Unknown event {unknown[0]!r}; choose from: {', '.join(WebhookEvent.values)}."
        )
    return [event for event in WebhookEvent.values if event in events]


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _changed_hooks() -> None:
    """Hooks changed: read the snapshot again here now, and once more when the change is committed."""
    forget_subscriptions()
    transaction.on_commit(forget_subscriptions)


def create_webhook(project: Project, *, by, url: object, events: object, active: bool = True) -> Webhook:
    """Register a hook (owners); its `secret` is readable on the returned object, to be shown this once."""
    _owner(project, by)
    errors: dict[str, list[str]] = {}
    checked: dict[str, Any] = {}
    for name, check, value in (("url", check_url, url), ("events", check_events, events)):
        try:
            checked[name] = check(value)
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    if webhooks_of(project).count() >= MAX_HOOKS:
        raise InvalidInput.single("non_field_errors", f"A project has at most {MAX_HOOKS} webhooks.")
    hook = Webhook.objects.create(project=project, created_by=by, secret=new_secret(), active=bool(active), **checked)
    _changed_hooks()
    return hook


def update_webhook(hook: Webhook, *, by, changes: Mapping[str, Any]) -> Webhook:
    """Change a hook's address, events or on/off (owners)."""
    _owner(hook.project, by)
    unknown = sorted(set(changes) - {"url", "events", "active"})
    if unknown:
        raise InvalidInput({name[:64]: ["This field cannot be changed here."] for name in unknown[:20]})
    errors: dict[str, list[str]] = {}
    for name, check in (("url", check_url), ("events", check_events)):
        if name in changes:
            try:
                setattr(hook, name, check(changes[name]))
            except InvalidInput as error:
                errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    if "active" in changes:
        hook.active = bool(changes["active"])
    hook.save(update_fields=["url", "events", "active", "updated_at"])
    _changed_hooks()
    return hook


def rotate_secret(hook: Webhook, *, by) -> Webhook:
    """Give the hook a new secret (owners): deliveries from now on are signed with it, the old one stops."""
    _owner(hook.project, by)
    hook.secret, hook.secret_rotated_at = new_secret(), timezone.now()
    hook.save(update_fields=["secret", "secret_rotated_at", "updated_at"])
    return hook


def delete_webhook(hook: Webhook, *, by) -> None:
    """Remove a hook with its log (owners); deliveries still queued for it are dropped."""
    _owner(hook.project, by)
    with transaction.atomic():
        Job.objects.filter(webhook_delivery__webhook=hook).delete()  # with them, their deliveries
        hook.delete()
    _changed_hooks()


def recent_deliveries(hook: Webhook) -> QuerySet[WebhookDelivery]:
    """The hook's log, newest first: at most KEEP_DELIVERIES (older ones are trimmed as new ones finish)."""
    return hook.deliveries.order_by("-id")[:KEEP_DELIVERIES]


# Who listens: a snapshot per process -------------------------------------------------------------------------


def _read_subscriptions() -> dict[str, frozenset[int]]:
    by_event: dict[str, set[int]] = defaultdict(set)
    for project_id, events in Webhook.objects.filter(active=True).values_list("project_id", "events"):
        for event in events if isinstance(events, list) else []:
            by_event[event].add(project_id)
    return {event: frozenset(projects) for event, projects in by_event.items()}


_subscriptions = ProcessSnapshot(_read_subscriptions, lambda: settings.WEBHOOK_CACHE_SECONDS)


def forget_subscriptions() -> None:
    """Make the next emit decide from the database (after a hook changed here, or in tests)."""
    _subscriptions.forget()


def _fresh_subscriptions() -> dict[str, frozenset[int]] | None:
    return _subscriptions.fresh()


def _load_subscriptions() -> dict[str, frozenset[int]]:
    return _subscriptions.load()


# Emitting --------------------------------------------------------------------------------------------------


def _project_of(obj: Annotation | Assignment | ArticleRevision) -> int | None:
    """The object's project when it is known without a query (its article was loaded), else None."""
    if type(obj).article.is_cached(obj):
        return obj.article.project_id
    return None


def emit(event: str, objects: Annotation | Assignment | Iterable[Annotation | Assignment]) -> None:
    """Tell the project's hooks for `event` about `objects` once the current transaction commits.

    No query when this process knows nobody listens; never raises into the caller for a hook's sake.
    """
    if event not in SENT_EVENTS:
        raise ValueError(f"Not an event that is sent: {event!r}")
    items = list(objects) if isinstance(objects, (list, tuple)) else [objects]
    if not items:
        return
    project_id = _project_of(items[0])
    subscriptions = _fresh_subscriptions()
    if subscriptions is not None:
        listening = subscriptions.get(event, frozenset())
        if not listening or (project_id is not None and project_id not in listening):
            return
    at = timezone.now()
    transaction.on_commit(lambda: _queue(event, items, project_id, at), robust=True)


def _queue(event: str, items: list, project_id: int | None, at: datetime) -> None:
    """After the commit: store one delivery per object for each hook that wants the event, and queue them."""
    subscriptions = _fresh_subscriptions() or _load_subscriptions()
    if not subscriptions.get(event):
        return
    if project_id is None:
        project_id = Article.objects.filter(pk=items[0].article_id).values_list("project_id", flat=True).first()
    if project_id not in subscriptions[event]:
        return
    hooks = [
        hook
        for hook in Webhook.objects.filter(project_id=project_id, active=True).select_related("project")
        if event in hook.events
    ]
    if not hooks:
        return
    bodies = [payload(event, hooks[0].project, obj, at) for obj in represent(items)]
    deliveries = [WebhookDelivery(webhook=hook, event=event, body=body) for hook in hooks for body in bodies]
    with transaction.atomic():  # one INSERT of jobs and one of deliveries, however many there are
        made = Job.objects.bulk_create([_new_job(delivery.webhook, event) for delivery in deliveries])
        for delivery, job in zip(deliveries, made, strict=True):
            delivery.job = job
        WebhookDelivery.objects.bulk_create(deliveries)
    by_hook: dict[int, list[int]] = defaultdict(list)
    for delivery in deliveries:
        by_hook[delivery.webhook_id].append(delivery.pk)
    for ids in by_hook.values():
        _enqueue(ids)


def _new_job(hook: Webhook, event: str) -> Job:
    """The job of a new delivery to `hook`: in its project, started by nobody, one step (the delivery)."""
    return Job(
        project_id=hook.project_id,
        kind=JobKind.WEBHOOK_DELIVERY,
        created_by=None,
        total=1,
        params={"webhook": hook.pk, "event": event},
        idempotency_key=secrets.token_urlsafe(24),  # unique: a delivery is made once (the claim sends it once)
    )


@cache
def _serializers() -> tuple[Any, Any]:
    """The API's serializers, imported when first needed: the API imports the write paths that import this."""
    from articles.api.fields import Utf16Maps
    from articles.api.review_serializers import AssignmentSerializer
    from articles.api.serializers import AnnotationSerializer

    class WebhookAssignmentSerializer(AssignmentSerializer):
        """An assignment as the API shows it, less `actions` (what the reader may do: there is no reader)."""

        class Meta(AssignmentSerializer.Meta):
            fields = [name for name in AssignmentSerializer.Meta.fields if name != "actions"]
            read_only_fields = fields

    return (lambda: AnnotationSerializer(context={"utf16": Utf16Maps()})), WebhookAssignmentSerializer


def represent(items: list[Annotation | Assignment | ArticleRevision]) -> list[dict]:
    """The objects as the API represents them (one text map per article, however many annotations)."""
    annotation_serializer, assignment_serializer = _serializers()
    if isinstance(items[0], ArticleRevision):
        from articles.api.views.revisions import RevisionSerializer

        return [{"article": item.article_id, **RevisionSerializer(item).data} for item in items]
    if isinstance(items[0], Annotation):
        serializer = annotation_serializer()
        return [serializer.to_representation(item) for item in items]
    return [assignment_serializer(item).data for item in items]


def payload(event: str, project: Project, obj: dict, at: datetime) -> str:
    """The JSON body of one event: what happened, when (UTC), in which project, and the object."""
    body = {
        "event": event,
        "time": at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "project": {"id": project.pk, "name": project.name},
        "object": obj,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


# Signing ---------------------------------------------------------------------------------------------------


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What X-Annotator-Signature says: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(delivery: WebhookDelivery, body: bytes, now: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if now is None else now))
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(delivery.webhook.secret, timestamp, body),
    }


# Delivering ------------------------------------------------------------------------------------------------


def policy_from_settings() -> FetchPolicy:
    """The URL import's guard (private addresses, ports) with the webhooks' own short deadline, no redirects."""
    policy = FetchPolicy.from_settings()
    return FetchPolicy(
        allow_private=policy.allow_private,
        max_bytes=policy.max_bytes,
        timeout=settings.WEBHOOK_TIMEOUT,
        ports=policy.ports,
        max_redirects=0,
    )


def post(url: str, body: bytes, headers: Mapping[str, str], policy: FetchPolicy) -> int:
    """POST `body` under the guard and return the answer's status; FetchError when the guard refuses or no
    connection is made, OSError or HTTPException when the connection fails later. The answer's body is
    not read: only its status counts, and nothing the receiver says is kept."""
    deadline = time.monotonic() + policy.timeout
    with guarded_connection(url, policy, deadline) as (connection, path):
        connection.request("POST", path, body=body, headers=dict(headers))
        return connection.getresponse().status


def retry_delay(attempt: int) -> float:
    """Seconds before attempt `attempt + 1`: WEBHOOK_RETRY_SECONDS doubled after each attempt, at most an hour."""
    return min(MAX_RETRY_DELAY, settings.WEBHOOK_RETRY_SECONDS * 2 ** max(0, attempt - 1))


def _enqueue(ids: list[int], delay: float = 0.0) -> None:
    queued = deliver
    if delay and default_task_backend.supports_defer:
        queued = deliver.using(run_after=timezone.now() + timedelta(seconds=delay))
    queued.enqueue(ids)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Mark the delivery as being sent under a row lock; None when it is not waiting (sent, or taken)."""
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status != DeliveryStatus.PENDING:
            return None
        delivery.status = DeliveryStatus.SENDING
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "attempts", "last_attempt_at", "next_attempt_at"])
        _write_job(delivery.job_id, DeliveryStatus.SENDING, attempts=delivery.attempts)
    return delivery


def _write_job(job_id: int | None, status: str, *, attempts: int | None = None, error: str | None = None) -> None:
    """Make a delivery's job say what the delivery now says; called in the transaction that changed the delivery,
    after it (locks: delivery, then job). A delivery made without a job has nothing to write."""
    if job_id is None:
        return
    now = timezone.now()
    fields: dict[str, Any] = {"status": JOB_STATUS[status]}
    if attempts is not None:
        fields["attempts"] = attempts
    if error is not None:
        fields["error"] = error
    if status == DeliveryStatus.SENDING:
        fields.update(started_at=Coalesce("started_at", Value(now)), error="")
    elif status == DeliveryStatus.PENDING:
        fields["finished_at"] = None
    else:
        fields["finished_at"] = now
    if status == DeliveryStatus.SUCCEEDED:
        fields["done"] = 1
    Job.objects.filter(pk=job_id).update(**fields)


def _record(delivery: WebhookDelivery, was: str, fields: dict[str, Any], job_error: str | None = None) -> bool:
    """Write `fields` onto the delivery if it is still `was`, and its job with it, in one transaction; False when
    the delivery had changed meanwhile (cancelled, or recovered by another pass): then nothing is written."""
    with transaction.atomic():
        if not WebhookDelivery.objects.filter(pk=delivery.pk, status=was).update(**fields):
            return False
        status = fields.get("status", was)
        error = fields.get("error") if job_error is None else job_error
        _write_job(delivery.job_id, status, attempts=fields.get("attempts"), error=error)
    return True


def _attempt(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One try: (the answer's status or None, why it failed or "")."""
    body = delivery.body.encode()
    try:
        code = post(delivery.webhook.url, body, signed_headers(delivery, body), policy_from_settings())
    except FetchError as error:
        logger.info("Webhook %s delivery %s not sent: %s", delivery.webhook_id, delivery.pk, error.reason)
        return None, UNREACHABLE
    except (OSError, http.client.HTTPException) as error:
        logger.info("Webhook %s delivery %s failed: %r", delivery.webhook_id, delivery.pk, error)
        return None, BROKEN
    return code, "" if 200 <= code < 300 else f"Not delivered: the receiver answered {code}."


def send(delivery_id: int) -> str | None:
    """Try one delivery now (if it is waiting); record how it went; schedule the next try or give up.

    Returns the delivery's status afterwards, or None when it was not waiting.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    hook = Webhook.objects.filter(pk=delivery.webhook_id).first()
    if hook is None:
        return None  # deleted with its log meanwhile
    delivery.webhook = hook
    started = time.monotonic()
    if hook.active:
        code, error = _attempt(delivery)
    else:
        code, error = None, "Not delivered: the webhook is turned off."
    fields: dict[str, Any] = {
        "response_code": code,
        "error": error,
        "duration_ms": round((time.monotonic() - started) * 1000),
    }
    retry = bool(error) and hook.active and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS
    delay = retry_delay(delivery.attempts)
    job_error = None
    if not error:
        fields["status"] = DeliveryStatus.SUCCEEDED
    elif retry:
        fields.update(status=DeliveryStatus.PENDING, next_attempt_at=timezone.now() + timedelta(seconds=delay))
        job_error = f"{error} Attempt {delivery.attempts + 1} in {delay:g} s."
    else:
        fields["status"] = DeliveryStatus.FAILED
    if not _record(delivery, DeliveryStatus.SENDING, fields, job_error):
        # Cancelled while this try was under way: the try's answer is logged, the delivery stays cancelled.
        del fields["status"]
        fields.pop("next_attempt_at", None)
        if WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.CANCELLED).update(**fields):
            trim(hook.pk)
            return DeliveryStatus.CANCELLED
        return None
    if retry:
        _enqueue([delivery.pk], delay)
    else:
        trim(hook.pk)
    return fields["status"]


def recover_deliveries(stale_after: float) -> int:
    """Send again the deliveries a killed worker left "sending"; return how many went back in the queue.

    A try lasts at most WEBHOOK_TIMEOUT, so a delivery still sending after `stale_after` seconds (at least three
    timeouts) lost its worker. It goes back to waiting, its attempt counted, or fails after WEBHOOK_MAX_ATTEMPTS.
    Its receiver may have got it already: the X-Annotator-Delivery header lets it notice a second copy. Each
    change is conditional on the attempt it saw, so passes at once never send a delivery twice over.
    """
    since = timezone.now() - timedelta(seconds=max(stale_after, 3 * settings.WEBHOOK_TIMEOUT))
    stuck = WebhookDelivery.objects.filter(status=DeliveryStatus.SENDING, last_attempt_at__lt=since)
    requeued = []
    for pk, attempts, job_id in stuck.values_list("pk", "attempts", "job_id"):
        last = attempts >= settings.WEBHOOK_MAX_ATTEMPTS
        status = DeliveryStatus.FAILED if last else DeliveryStatus.PENDING
        error = f"The worker sending it stopped{'' if last else '; sent again'}."
        with transaction.atomic():
            changed = WebhookDelivery.objects.filter(pk=pk, status=DeliveryStatus.SENDING, attempts=attempts).update(
                status=status, error=error
            )
            if changed:
                _write_job(job_id, status, error=error)
        if changed and not last:
            requeued.append(pk)
    for pk in requeued:
        _enqueue([pk])
    return len(requeued)


def trim(hook_id: int) -> int:
    """Delete the hook's finished deliveries beyond its newest KEEP_DELIVERIES, with their jobs; return how many
    deliveries went. One still on its way is kept (its job is not finished either)."""
    older = WebhookDelivery.objects.filter(webhook_id=hook_id).order_by("-id").values_list("pk", flat=True)
    stale = list(older[KEEP_DELIVERIES:])
    if not stale:
        return 0
    finished = WebhookDelivery.objects.filter(pk__in=stale, status__in=FINISHED_DELIVERY)
    with transaction.atomic():  # a finished delivery never changes again: its job is the one read here
        jobs = [pk for pk in finished.values_list("job_id", flat=True) if pk is not None]
        deleted, _ = finished.delete()
        Job.objects.filter(pk__in=jobs).delete()
    return deleted


@task()
def deliver(delivery_ids: list[int]) -> list[str | None]:
    """The one task of webhooks: send these deliveries (of one hook, in the order the events happened)."""
    return [send(delivery_id) for delivery_id in delivery_ids]


def replay(delivery: WebhookDelivery, *, by) -> WebhookDelivery:
    """Send a delivery's body again as a new delivery (owners; the hook must be on), signed afresh."""
    hook = delivery.webhook
    _owner(hook.project, by)
    if not hook.active:
        raise InvalidInput.single("non_field_errors", "This webhook is turned off; turn it on to replay.")
    with transaction.atomic():
        job = _new_job(hook, delivery.event)
        job.save()
        again = WebhookDelivery.objects.create(
            webhook=hook, event=delivery.event, body=delivery.body, replay_of=delivery, job=job
        )
    transaction.on_commit(lambda: _enqueue([again.pk]), robust=True)
    return again


# Cancelling ------------------------------------------------------------------------------------------------


def cancel_delivery(delivery: WebhookDelivery, *, by) -> WebhookDelivery:
    """Stop a delivery still waiting or being tried, and its job (owners); a finished one stays as it is.

    No further try is made; a try under way ends, and its answer is logged (the receiver may have it).
    Returns the delivery as it is now.
    """
    _owner(delivery.webhook.project, by)
    _stop(WebhookDelivery.objects.filter(pk=delivery.pk), delivery.job_id)
    delivery.refresh_from_db()
    return delivery


def stop_delivery_job(job: Job) -> None:
    """How articles.jobs.cancel_job cancels a delivery's job (registered in articles.job_runners): with its delivery."""
    _stop(WebhookDelivery.objects.filter(job_id=job.pk), job.pk)


def _stop(delivery: QuerySet[WebhookDelivery], job_id: int | None) -> None:
    """Cancel the delivery if it is waiting or being tried, and its job with it (the UPDATE locks the delivery
    first: a claim that holds it finishes, and then the delivery being sent is cancelled)."""
    with transaction.atomic():
        waiting = delivery.filter(status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING])
        if waiting.update(status=DeliveryStatus.CANCELLED, next_attempt_at=None):
            _write_job(job_id, DeliveryStatus.CANCELLED)
        elif job_id is not None and not delivery.exists():  # its delivery is gone (its hook deleted): the job alone
            Job.objects.filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(
                status=JobStatus.CANCELLED, finished_at=timezone.now()
            )
