"""API token authentication with the token lookup compiled once (see articles.compiled).

Behaves as DRF's TokenAuthentication, which it extends: `Authorization: Token <key>`, 401 for an
unknown key or a deactivated user (AUTHZ-9), and a revoked token stops working on the next request
because every request asks the database. Tokens are issued, rotated and revoked (also by a password
change) in articles.api_tokens.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F
from rest_framework import authentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from articles.compiled import CompiledQuery

_USER_BY_TOKEN = CompiledQuery(
    lambda key: get_user_model().objects.filter(auth_token__key=key).annotate(token_created=F("auth_token__created")),
    str,
)


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple:
        user = _USER_BY_TOKEN.first(key)
        if user is None:
            raise AuthenticationFailed("Invalid token.")
        if not user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        return user, Token(key=key, user=user, created=user.token_created)
