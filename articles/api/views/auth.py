"""API tokens: trade a username and password for a token, and revoke it."""

from __future__ import annotations

from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from articles.api.schema import errors
from articles.api.serializers import TokenRequestSerializer, TokenSerializer


@extend_schema(tags=["auth"])
class AuthTokenView(APIView):
    """One API token per user: POST trades a username and password for it, DELETE revokes it."""

    def _is_post(self) -> bool:
        return getattr(getattr(self, "request", None), "method", None) == "POST"

    def get_authenticators(self):
        return [] if self._is_post() else super().get_authenticators()

    def get_permissions(self):
        return [AllowAny()] if self._is_post() else [IsAuthenticated()]

    @extend_schema(
        summary="Get your API token", request=TokenRequestSerializer, auth=[],
        responses={200: TokenSerializer, **errors(400, 413, 415)},
    )
    def post(self, request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, **serializer.validated_data)
        if user is None:
            raise ValidationError({"non_field_errors": ["Wrong username or password, or the account is disabled."]})
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})

    @extend_schema(summary="Revoke your API token (sign out scripts using it)", responses={204: None, **errors()})
    def delete(self, request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
