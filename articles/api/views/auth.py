"""API tokens: trade a username and password for a new token, and revoke it (see articles.api_tokens).

Sign-ins go through authenticate(request=...), so django-axes counts the failures and answers 429 with
Retry-After while password guessing is over a limit (articles.password_guessing)."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.api.schema import errors
from articles.api.serializers import TokenRequestSerializer, TokenSerializer
from articles.api_tokens import issue_token, revoke_token


@extend_schema(tags=["auth"])
class AuthTokenView(APIView):
    """One API token per user: POST issues a new one (the old one stops working), DELETE revokes it."""

    def _is_post(self) -> bool:
        return getattr(getattr(self, "request", None), "method", None) == "POST"

    def get_authenticators(self):
        return [] if self._is_post() else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._is_post() else [IsAuthenticated()]

    @extend_schema(
        summary="Get a new API token (your previous one stops working)",
        request=TokenRequestSerializer,
        auth=[],
        description="The token is shown only in this answer. Failed sign-ins are limited per username and address "
        "and per address: past a limit, every sign-in from there answers 429 with Retry-After.",
        responses={201: TokenSerializer, **errors(400, 413, 415)},
    )
    def post(self, request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **serializer.validated_data)
        if user is None:
            raise ValidationError({"non_field_errors": ["Wrong username or password, or the account is disabled."]})
        return Response({"token": issue_token(user)}, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke your API token (sign out scripts using it)", responses={204: None, **errors()})
    def delete(self, request) -> Response:
        revoke_token(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
