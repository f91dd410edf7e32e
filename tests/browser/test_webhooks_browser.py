"""In a real browser: register a webhook, see its secret once, see a delivery arrive, replay it.

Deliveries wait in the database queue until the test runs the worker (as `db_worker` would); the log on
the page polls while one is on its way and stops once all are done. Once with the mouse, once with the
keyboard alone. The receiver is a real HTTP server on 127.0.0.1 (private addresses allowed, as the URL
import tests do).
"""

from __future__ import annotations

import time

import pytest
from django.core.management import call_command

from articles import webhooks
from articles.models import DeliveryStatus, Webhook, WebhookDelivery
from tests.factories import make_annotation
from tests.test_webhooks import Receiver

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MAX_TABS = 80


@pytest.fixture(autouse=True)
def queue(settings):
    """Deliveries wait in the database until the test runs the worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    webhooks.forget_subscriptions()
    yield
    webhooks.forget_subscriptions()


@pytest.fixture
def receiver(settings):
    with Receiver() as server:
        settings.URL_IMPORT_ALLOWED_PORTS = (server.port,)
        settings.URL_IMPORT_ALLOW_PRIVATE = True
        yield server


def run_worker() -> None:
    call_command("db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0)


def is_focused(page, selector: str) -> bool:
    return page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector)


def tab_to(page, selector: str) -> None:
    for _ in range(MAX_TABS):
        if is_focused(page, selector):
            return
        page.keyboard.press("Tab")
    assert is_focused(page, selector), f"Tab never reached {selector}"


def row_status(page, delivery: WebhookDelivery) -> str:
    return page.locator(f"#delivery-{delivery.pk} .badge").inner_text()


def wait_for_status(page, delivery: WebhookDelivery, label: str) -> None:
    page.wait_for_function(
        "([id, label]) => document.querySelector(`#delivery-${id} .badge`)?.textContent === label",
        arg=[delivery.pk, label],
        timeout=6_000,
    )


def test_register_see_the_secret_once_see_a_delivery_and_replay_it_with_the_mouse(sign_in, team, article, receiver):
    url = f"/projects/{team['project'].pk}/webhooks/"
    page = sign_in(team["owner"], next_url=url)
    page.fill("#new-url", receiver.url("/in"))
    page.get_by_label("Annotation created").check()
    page.click("#webhook-form-new button[type=submit]")
    page.locator("#new-secret").wait_for()
    hook = Webhook.objects.get()
    assert page.locator("#new-secret").inner_text() == hook.secret
    assert hook.events == ["annotation.created"] and hook.active
    page.reload()
    assert page.locator("#new-secret").count() == 0 and hook.secret not in page.content()

    make_annotation(article, author=team["annotator"])  # committed at once: the delivery is queued
    delivery = WebhookDelivery.objects.get(webhook=hook)
    page.reload()
    assert row_status(page, delivery) == "Waiting"
    run_worker()
    wait_for_status(page, delivery, "Delivered")  # the log polled and shows the answer
    assert "204" in page.locator(f"#delivery-{delivery.pk}").inner_text()
    assert receiver.events() == ["annotation.created"]

    page.click(f"#replay-{delivery.pk}")
    page.locator(f"#webhook-log-{hook.pk} .notice-success").wait_for()
    again = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    assert again.replay_of_id == delivery.pk and row_status(page, again) == "Waiting"
    run_worker()
    wait_for_status(page, again, "Delivered")
    assert [item["body"] for item in receiver.received] == [delivery.body.encode()] * 2
    polls: list[str] = []
    page.on("request", lambda request: "/deliveries/" in request.url and polls.append(request.url))
    time.sleep(2.5)
    assert polls == [], "the log kept polling after every delivery was done"


def test_the_same_with_the_keyboard_alone(sign_in, team, article, receiver):
    url = f"/projects/{team['project'].pk}/webhooks/"
    page = sign_in(team["owner"], next_url=url)
    tab_to(page, "#new-url")
    page.keyboard.type(receiver.url("/keys"))
    tab_to(page, "#new-event-1")  # Annotation created, the first event
    page.keyboard.press("Space")
    tab_to(page, "#webhook-form-new button[type=submit]")
    page.keyboard.press("Enter")
    page.locator("#new-secret").wait_for()
    hook = Webhook.objects.get()
    assert page.locator("#new-secret").inner_text() == hook.secret and hook.events == ["annotation.created"]

    make_annotation(article, author=team["annotator"])
    run_worker()
    delivery = WebhookDelivery.objects.get(webhook=hook)
    assert delivery.status == DeliveryStatus.SUCCEEDED
    page.reload()
    assert row_status(page, delivery) == "Delivered"
    tab_to(page, f"#replay-{delivery.pk}")
    page.keyboard.press("Enter")
    page.locator(f"#webhook-log-{hook.pk} .notice-success").wait_for()
    again = WebhookDelivery.objects.exclude(pk=delivery.pk).get()
    run_worker()
    wait_for_status(page, again, "Delivered")
    assert len(receiver.received) == 2 and receiver.received[1]["path"] == "/keys"
