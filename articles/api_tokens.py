"""API tokens: one per user, shown only in the answer that issues it, revoked when the password changes.

Issuing a token replaces the user's previous one, whose key stops working at once: a key is never
shown twice, and whoever lost it issues a new one. Changing the password (set_password() and save(),
as the admin, Django's password forms and `manage.py changepassword` do) revokes the token, as Django
signs out the user's browser sessions. The page and the API both go through these functions.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def issue_token(user: AbstractBaseUser) -> str:
    """Replace the user's token with a new one and return its key (the only time it is shown)."""
    # Locking the user row makes two simultaneous requests take turns instead of both creating a token.
    get_user_model().objects.select_for_update().values_list("pk").get(pk=user.pk)
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


def revoke_token(user: AbstractBaseUser) -> bool:
    """Delete the user's token; scripts using it get 401 from the next request on. True if there was one."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return bool(deleted)


class RevokeTokenOnPasswordChange:
    """An entry of AUTH_PASSWORD_VALIDATORS that accepts every password and revokes the user's API token
    whenever Django reports a changed password (after set_password() and save())."""

    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        return None

    def password_changed(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if user is not None and user.pk is not None:
            revoke_token(user)

    def get_help_text(self) -> str:
        return "Changing the password revokes the account's API token."
