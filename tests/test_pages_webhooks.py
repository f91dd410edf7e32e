"""The Webhooks screen: owners only (404 outside, 403 inside), the secret shown once, inline errors as 422,
htmx regions (the editor, each hook's delivery log), plain forms, Replay, and the tab for owners only."""

from __future__ import annotations

import re

import lxml.html
import pytest
from django.urls import reverse

from articles import webhooks
from articles.models import DeliveryStatus, Webhook, WebhookDelivery
from tests.factories import make_project
from tests.test_webhooks import Receiver, fresh_snapshot  # noqa: F401 (an autouse fixture, used here too)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
FORM = {"url": "https://hooks.example.org/in", "events": ["annotation.created", "work.approved"], "active": "on"}


def page_url(project) -> str:
    return reverse("project_webhooks", args=[project.pk])


def hook_url(name: str, hook: Webhook, *more) -> str:
    return reverse(name, args=[hook.project_id, hook.pk, *more])


def a_hook(team, **fields) -> Webhook:
    values = {"url": FORM["url"], "events": FORM["events"], **fields}
    return webhooks.create_webhook(team["project"], by=team["owner"], **values)


def a_delivery(hook: Webhook, status=DeliveryStatus.SUCCEEDED, **fields) -> WebhookDelivery:
    body = webhooks.payload("annotation.created", hook.project, {"id": 1}, hook.created_at)
    return WebhookDelivery.objects.create(webhook=hook, event="annotation.created", body=body, status=status, **fields)


def test_only_owners_open_the_screen_and_outsiders_learn_nothing(client, team):
    project = team["project"]
    hook = a_hook(team)
    delivery = a_delivery(hook)
    posts = [
        page_url(project),
        hook_url("webhook_update", hook),
        hook_url("webhook_rotate", hook),
        hook_url("webhook_delete", hook),
        hook_url("webhook_replay", hook, delivery.pk),
    ]
    client.force_login(team["outsider"])
    assert client.get(page_url(project)).status_code == 404
    assert client.get(hook_url("webhook_deliveries", hook)).status_code == 404
    assert {client.post(path, FORM).status_code for path in posts} == {404}
    for role in ("reviewer", "annotator", "viewer"):
        client.force_login(team[role])
        assert client.get(page_url(project)).status_code == 403
        assert client.get(hook_url("webhook_deliveries", hook)).status_code == 403
        assert {client.post(path, FORM).status_code for path in posts} == {403}
    client.logout()
    assert client.get(page_url(project)).status_code == 302
    assert Webhook.objects.get().secret == hook.secret and WebhookDelivery.objects.count() == 1
    client.force_login(team["owner"])
    page = client.get(page_url(project))
    assert page.status_code == 200 and hook.secret.encode() not in page.content
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]


def test_the_webhooks_tab_is_for_owners_only_and_current_on_its_page(client, team):
    project = team["project"]
    client.force_login(team["owner"])
    for name in ("project_detail", "project_members", "project_labels", "project_edit", "review_queue"):
        assert page_url(project).encode() in client.get(reverse(name, args=[project.pk])).content, name
    tree = lxml.html.fromstring(client.get(page_url(project)).content)
    (current,) = tree.xpath("//nav[@class='tabs']/a[@aria-current='page']")
    assert current.text_content() == "Webhooks" and current.get("href") == page_url(project)
    for role in ("reviewer", "viewer", "annotator"):
        client.force_login(team[role])
        assert page_url(project).encode() not in client.get(reverse("project_detail", args=[project.pk])).content


def test_adding_a_webhook_shows_its_secret_once(client, team):
    project = team["project"]
    client.force_login(team["owner"])
    response = client.post(page_url(project), FORM, **HTMX)
    assert response.status_code == 200
    hook = Webhook.objects.get()
    assert (hook.url, hook.events, hook.active) == (FORM["url"], FORM["events"], True)
    tree = lxml.html.fromstring(response.content)
    assert tree.get("id") == "webhook-editor"  # the region, not the page
    assert tree.xpath("string(//code[@id='new-secret'])") == hook.secret
    assert hook.secret.encode() not in client.get(page_url(project)).content
    assert hook.secret.encode() not in client.get(page_url(project), **HTMX).content


def test_a_plain_form_shows_the_secret_on_the_page_it_answers_and_never_in_a_cookie(client, team):
    client.force_login(team["owner"])
    response = client.post(page_url(team["project"]), FORM)
    hook = Webhook.objects.get()
    assert response.status_code == 200 and b"<html" in response.content
    assert hook.secret.encode() in response.content
    assert all(hook.secret not in morsel.value for morsel in response.cookies.values())
    rotated = client.post(hook_url("webhook_rotate", hook))
    hook.refresh_from_db()
    assert rotated.status_code == 200 and hook.secret.encode() in rotated.content


def test_bad_input_is_shown_inline_with_a_422_and_keeps_what_was_typed(client, team, settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    client.force_login(team["owner"])
    response = client.post(page_url(team["project"]), {"url": "http://192.168.0.1/x<b>", "active": "on"}, **HTMX)
    assert response.status_code == 422 and not Webhook.objects.exists()
    tree = lxml.html.fromstring(response.content)
    errors = tree.xpath("//form[@id='webhook-form-new']//p[@class='field-error']/text()")
    assert any("not public" in error for error in errors) and any("at least one event" in e for e in errors)
    assert tree.xpath("string(//input[@id='new-url']/@value)") == "http://192.168.0.1/x<b>"
    assert tree.xpath("//input[@id='new-url']/@aria-invalid") == ["true"]
    assert b"<b>" not in response.content  # escaped


def test_changing_rotating_and_deleting_a_webhook(client, team):
    hook = a_hook(team)
    client.force_login(team["owner"])
    changed = client.post(
        hook_url("webhook_update", hook), {"url": "https://other.example.org/", "events": ["work.submitted"]}, **HTMX
    )
    assert changed.status_code == 200 and b"Webhook saved." in changed.content
    hook.refresh_from_db()
    assert (hook.url, hook.events, hook.active) == ("https://other.example.org/", ["work.submitted"], False)
    refused = client.post(hook_url("webhook_update", hook), {"url": "", "events": ["work.submitted"]}, **HTMX)
    assert refused.status_code == 422
    tree = lxml.html.fromstring(refused.content)
    assert tree.xpath(f"//form[@id='webhook-form-{hook.pk}']//p[@class='field-error']")
    assert tree.xpath(f"//li[@id='webhook-{hook.pk}']/details[@open]")  # the form with its error stays open
    old = hook.secret
    rotated = client.post(hook_url("webhook_rotate", hook), **HTMX)
    hook.refresh_from_db()
    assert hook.secret != old and hook.secret.encode() in rotated.content and old.encode() not in rotated.content
    plain = client.post(hook_url("webhook_delete", hook))
    assert plain.status_code == 302 and plain["Location"] == page_url(team["project"])
    assert not Webhook.objects.exists()
    assert b"Webhook deleted." in client.get(page_url(team["project"])).content


def test_the_log_lists_deliveries_polls_while_one_waits_and_replays(
    client, team, settings, django_capture_on_commit_callbacks
):
    with Receiver() as server:
        settings.URL_IMPORT_ALLOWED_PORTS, settings.URL_IMPORT_ALLOW_PRIVATE = (server.port,), True
        hook = a_hook(team, url=server.url("/in"))
        done = a_delivery(hook, response_code=500, attempts=3, duration_ms=12, error="Not delivered: 500.")
        client.force_login(team["owner"])
        tree = lxml.html.fromstring(client.get(page_url(team["project"])).content)
        (row,) = tree.xpath(f"//tr[@id='delivery-{done.pk}']")
        assert "500" in row.text_content() and "12 ms" in row.text_content()
        (log,) = tree.xpath(f"//section[@id='webhook-log-{hook.pk}']")
        assert log.get("hx-trigger") is None  # nothing on its way: no polling
        waiting = a_delivery(hook, status=DeliveryStatus.PENDING)
        fragment = lxml.html.fromstring(client.get(hook_url("webhook_deliveries", hook), **HTMX).content)
        assert fragment.get("id") == f"webhook-log-{hook.pk}" and fragment.get("hx-trigger") == "every 2s"
        assert fragment.xpath(f"//tr[@id='delivery-{waiting.pk}']")
        WebhookDelivery.objects.filter(pk=waiting.pk).delete()
        with django_capture_on_commit_callbacks(execute=True):
            replayed = client.post(hook_url("webhook_replay", hook, done.pk), **HTMX)
        assert replayed.status_code == 200
        again = WebhookDelivery.objects.exclude(pk=done.pk).get()
        assert (again.replay_of_id, again.status) == (done.pk, DeliveryStatus.SUCCEEDED)  # sent once committed
        fragment = lxml.html.fromstring(replayed.content)
        assert fragment.xpath(f"//tr[@id='delivery-{again.pk}']") and "sent again" in fragment.text_content()
        with django_capture_on_commit_callbacks(execute=True):
            plain = client.post(hook_url("webhook_replay", hook, done.pk))
        assert plain.status_code == 302 and len(server.received) == 2
        webhooks.update_webhook(hook, by=team["owner"], changes={"active": False})
        refused = client.post(hook_url("webhook_replay", hook, done.pk), **HTMX)
        assert refused.status_code == 422 and b"turned off" in refused.content


def test_a_foreign_or_unknown_webhook_or_delivery_is_a_404(client, team):
    hook = a_hook(team)
    theirs = webhooks.create_webhook(
        make_project(team["owner"]), by=team["owner"], url=FORM["url"], events=["work.submitted"]
    )
    their_delivery = a_delivery(theirs)
    client.force_login(team["owner"])
    project = team["project"]
    for name in ("webhook_update", "webhook_rotate", "webhook_delete"):
        assert client.post(reverse(name, args=[project.pk, theirs.pk])).status_code == 404
    assert client.post(reverse("webhook_replay", args=[project.pk, hook.pk, their_delivery.pk])).status_code == 404
    assert client.get(reverse("webhook_deliveries", args=[project.pk, 2**63])).status_code == 404


def test_the_page_carries_no_inline_scripts_styles_or_handlers_and_escapes_addresses(client, team, settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    hook = a_hook(team, url='https://hooks.example.org/"><script>alert(1)</script>')
    a_delivery(hook)
    client.force_login(team["owner"])
    html = client.get(page_url(team["project"])).content.decode()
    assert not re.search(r"\sstyle=", html) and not re.search(r"\son[a-z]+=", html) and not re.search(r"\shx-on", html)
    for script in re.findall(r"<script[^>]*>", html):
        assert 'src="/static/' in script or 'type="application/json"' in script
    assert "<script>alert(1)</script>" not in html
