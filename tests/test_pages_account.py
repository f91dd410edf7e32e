"""The API token page: create (shown once), replace, revoke; only ever the signed-in user's own token."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a-brand-new-passphrase"

pytestmark = pytest.mark.django_db


def test_creating_a_token_shows_it_once(client):
    user = make_user("maria")
    client.force_login(user)
    response = client.post(reverse("account_token"), {"action": "create"})
    token = Token.objects.get(user=user)
    assert token.key.encode() in response.content
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    again = client.get(reverse("account_token"))
    assert token.key.encode() not in again.content
    assert b"You have a token" in again.content


def test_replacing_a_token_revokes_the_old_one(client):
    user = make_user("maria")
    old = Token.objects.create(user=user)
    client.force_login(user)
    client.post(reverse("account_token"), {"action": "create"})
    assert not Token.objects.filter(key=old.key).exists()
    assert Token.objects.filter(user=user).count() == 1


def test_revoking_removes_only_the_users_own_token(client):
    user, other = make_user("maria"), make_user("tom")
    Token.objects.create(user=user)
    other_token = Token.objects.create(user=other)
    client.force_login(user)
    response = client.post(reverse("account_token"), {"action": "revoke"})
    assert b"revoked" in response.content
    assert not Token.objects.filter(user=user).exists()
    assert Token.objects.filter(key=other_token.key).exists()


def test_unknown_actions_are_refused(client):
    client.force_login(make_user("maria"))
    assert client.post(reverse("account_token"), {"action": "steal"}).status_code == 400
    assert not Token.objects.exists()


def test_token_changes_need_the_csrf_token_csrf_1():
    user = make_user("maria")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post(reverse("account_token"), {"action": "create"}).status_code == 403
    assert not Token.objects.exists()


def token_works(key: str) -> bool:
    return Client(HTTP_AUTHORIZATION=f"Token {key}").get("/api/v1/projects/").status_code == 200


def test_password_change_revokes_tokens(client):
    """Through the admin's pages, a staff member changing their own password and an administrator setting
    someone else's: their tokens stop working, everyone else's keep working, and the page says so first."""
    editor = make_user("editor", is_staff=True, is_superuser=True)
    maria, tom = make_user("maria"), make_user("tom")
    keys = {user.username: Token.objects.create(user=user).key for user in (editor, maria, tom)}
    client.force_login(editor)
    form = client.get(reverse("admin:auth_user_password_change", args=[maria.pk]))
    assert b"Changing the password revokes the account&#x27;s API token." in form.content
    own = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert own.status_code == 302
    theirs = client.post(
        reverse("admin:auth_user_password_change", args=[maria.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert theirs.status_code == 302
    assert [token_works(keys[name]) for name in ("editor", "maria", "tom")] == [False, False, True]
    assert b"You have no API token." in client.get(reverse("account_token")).content
