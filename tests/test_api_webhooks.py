"""Webhooks over the API: owners register, change, rotate, delete, read the log and replay; nobody else.

The secret is in the answers that make it and nowhere else; bad input is a 400 naming each field.
"""

from __future__ import annotations

import pytest

from articles import webhooks
from articles.models import DeliveryStatus, Webhook, WebhookDelivery
from tests.api_client import api_as, url
from tests.factories import make_project
from tests.test_webhooks import Receiver, fresh_snapshot  # noqa: F401 (an autouse fixture, used here too)

ROLES = ("owner", "reviewer", "annotator", "viewer")
HOOK = {"url": "https://hooks.example.org/annotator", "events": ["annotation.created", "work.approved"]}


def hooks_url(team) -> str:
    return url("project-webhook-list", team["project"].pk)


def hook_url(team, hook, name: str = "detail", *more) -> str:
    return url(f"project-webhook-{name}", team["project"].pk, hook.pk, *more)


def a_hook(team, **fields) -> Webhook:
    return webhooks.create_webhook(team["project"], by=team["owner"], **{**HOOK, **fields})


def a_delivery(hook: Webhook, status=DeliveryStatus.SUCCEEDED) -> WebhookDelivery:
    body = webhooks.payload("annotation.created", hook.project, {"id": 1}, hook.created_at)
    return WebhookDelivery.objects.create(webhook=hook, event="annotation.created", body=body, status=status)


def test_registering_answers_201_with_the_secret_once_and_never_again(team):
    owner = api_as(team["owner"])
    response = owner.post(hooks_url(team), HOOK, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    hook = Webhook.objects.get()
    assert body["secret"] == hook.secret and body["secret"].startswith("whsec_")
    assert (body["url"], body["events"], body["active"]) == (HOOK["url"], HOOK["events"], True)
    listed = owner.get(hooks_url(team)).json()["results"]
    read = owner.get(hook_url(team, hook)).json()
    changed = owner.patch(hook_url(team, hook), {"active": False}, format="json").json()
    for shown in (*listed, read, changed):
        assert "secret" not in shown and hook.secret not in str(shown)
    assert changed["active"] is False
    rotated = owner.post(hook_url(team, hook, "rotate-secret"))
    assert rotated.status_code == 200 and rotated.json()["secret"] not in (body["secret"], "")
    hook.refresh_from_db()
    assert hook.secret == rotated.json()["secret"] and rotated.json()["secret_rotated_at"]


def test_changing_and_deleting_a_webhook(team):
    hook = a_hook(team)
    a_delivery(hook)
    owner = api_as(team["owner"])
    response = owner.patch(
        hook_url(team, hook), {"url": "https://other.example.org/x", "events": ["work.submitted"]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["url"], response.json()["events"]) == ("https://other.example.org/x", ["work.submitted"])
    assert owner.delete(hook_url(team, hook)).status_code == 204
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**HOOK, "url": "ftp://hooks.example.org/"}, "url"),
        ({**HOOK, "url": "http://10.1.2.3/hook"}, "url"),
        ({**HOOK, "url": "http://169.254.169.254/latest/"}, "url"),
        ({**HOOK, "url": "https://user:secret@hooks.example.org/"}, "url"),
        ({**HOOK, "url": "https://hooks.example.org:6379/"}, "url"),
        ({**HOOK, "url": "not an address"}, "url"),
        ({**HOOK, "url": "https://hooks.example.org/\u0000"}, "url"),
        ({**HOOK, "url": "https://x.example/" + "a" * 2000}, "url"),
        ({"url": HOOK["url"]}, "events"),
        ({**HOOK, "events": []}, "events"),
        ({**HOOK, "events": ["annotation.exploded"]}, "events"),
        ({**HOOK, "events": "annotation.created"}, "events"),
        ({**HOOK, "active": "yes"}, "active"),
        ({**HOOK, "secret": "mine"}, "secret"),
        ({**HOOK, "project": 99}, "project"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(team, body, field, settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    response = api_as(team["owner"]).post(hooks_url(team), body, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()) == [field] and all(isinstance(m, str) for m in response.json()[field])
    assert not Webhook.objects.exists()


def test_bad_changes_are_a_400_and_change_nothing(team):
    hook = a_hook(team)
    owner = api_as(team["owner"])
    for body, field in (({"url": "http://127.0.0.1/"}, "url"), ({"events": []}, "events"), ({"id": 3}, "id")):
        response = owner.patch(hook_url(team, hook), body, format="json")
        assert response.status_code == 400 and field in response.json(), response.json()
    assert Webhook.objects.get().url == HOOK["url"]


@pytest.mark.parametrize("role", ROLES[1:])
def test_members_who_are_not_owners_get_403_for_everything(team, role):
    hook = a_hook(team)
    delivery = a_delivery(hook)
    client = api_as(team[role])
    answers = [
        client.get(hooks_url(team)),
        client.post(hooks_url(team), HOOK, format="json"),
        client.get(hook_url(team, hook)),
        client.patch(hook_url(team, hook), {"active": False}, format="json"),
        client.delete(hook_url(team, hook)),
        client.post(hook_url(team, hook, "rotate-secret")),
        client.get(hook_url(team, hook, "deliveries")),
        client.post(hook_url(team, hook, "replay", delivery.pk)),
    ]
    assert [a.status_code for a in answers] == [403] * len(answers)
    assert hook.secret not in str([a.content for a in answers])
    assert Webhook.objects.get().active and WebhookDelivery.objects.count() == 1


def test_outsiders_get_404_and_anonymous_callers_401(team):
    hook = a_hook(team)
    delivery = a_delivery(hook)
    for client, code in ((api_as(team["outsider"]), 404), (api_as(), 401)):
        answers = [
            client.get(hooks_url(team)),
            client.post(hooks_url(team), HOOK, format="json"),
            client.get(hook_url(team, hook)),
            client.patch(hook_url(team, hook), {"active": False}, format="json"),
            client.delete(hook_url(team, hook)),
            client.post(hook_url(team, hook, "rotate-secret")),
            client.get(hook_url(team, hook, "deliveries")),
            client.post(hook_url(team, hook, "replay", delivery.pk)),
        ]
        assert [a.status_code for a in answers] == [code] * len(answers)
    assert Webhook.objects.count() == 1


def test_ids_of_another_project_or_beyond_64_bits_are_404(team):
    hook = a_hook(team)
    elsewhere = make_project(team["owner"])
    theirs = webhooks.create_webhook(elsewhere, by=team["owner"], **HOOK)
    owner = api_as(team["owner"])
    for path in (
        url("project-webhook-detail", team["project"].pk, theirs.pk),
        url("project-webhook-detail", team["project"].pk, 2**63),
        url("project-webhook-deliveries", team["project"].pk, 2**64),
    ):
        assert owner.get(path).status_code == 404
    assert owner.post(url("project-webhook-replay", team["project"].pk, hook.pk, 2**64)).status_code == 404
    assert owner.post(url("project-webhook-rotate-secret", team["project"].pk, theirs.pk)).status_code == 404


def test_the_log_lists_the_last_deliveries_newest_first_with_their_payload_and_replay_queues_one(team, settings):
    with Receiver() as server:
        settings.URL_IMPORT_ALLOWED_PORTS, settings.URL_IMPORT_ALLOW_PRIVATE = (server.port,), True
        hook = a_hook(team, url=server.url("/in"))
        first, second = a_delivery(hook, DeliveryStatus.FAILED), a_delivery(hook)
        owner = api_as(team["owner"])
        log = owner.get(hook_url(team, hook, "deliveries"))
        assert log.status_code == 200 and log.json()["count"] == 2
        newest = log.json()["results"][0]
        assert newest["id"] == second.pk and newest["payload"]["object"] == {"id": 1}
        assert set(newest) >= {"status", "attempts", "response_code", "duration_ms", "created_at", "error"}
        assert owner.get(hook_url(team, hook, "deliveries") + "?colour=red").status_code == 400
        response = owner.post(hook_url(team, hook, "replay", first.pk))
        assert response.status_code == 202, response.json()
        again = WebhookDelivery.objects.get(pk=response.json()["id"])
        assert (again.replay_of_id, again.body) == (first.pk, first.body)
        assert owner.post(hook_url(team, hook, "replay", 10**12)).status_code == 404
