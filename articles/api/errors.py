"""API error handling: every error is JSON, domain errors map to 400/409/412, never a 500 for input."""

from __future__ import annotations

import logging

from django.core.exceptions import RequestDataTooBig
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from articles.errors import AlreadyExists, InvalidInput, StaleVersion

logger = logging.getLogger(__name__)


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is larger than the server accepts."
    default_code = "payload_too_large"


def exception_handler(exc, context):
    """Translate domain errors to HTTP; defer the rest to DRF (which answers JSON)."""
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, InvalidInput):
        return Response({**exc.errors, **exc.extra}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleVersion):
        return Response(
            {"detail": str(exc), "current": context["view"].represent(exc.current)},
            status=status.HTTP_412_PRECONDITION_FAILED,
        )
    if isinstance(exc, AlreadyExists):
        return Response(
            {"detail": str(exc), "existing": context["view"].represent(exc.existing)},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
