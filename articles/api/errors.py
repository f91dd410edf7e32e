"""API error handling: every error is JSON, domain errors map to 400/409/412, never a 500 for input.

`exception_handler` serves DRF views; 409 and 412 bodies carry the stored object, rendered by the
view's `represent(obj)` (and its ETag from `etag_of(obj)`), so a client can merge and retry.
The Django-level handlers (named in annotator/urls.py) answer JSON for /api/ paths (INPUT-1, INPUT-9)
and leave every other path to Django's own pages.
"""

from __future__ import annotations

import logging
import sys
import uuid

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from articles.api.exceptions import PayloadTooLarge
from articles.errors import AlreadyExists, InvalidInput, StaleVersion

logger = logging.getLogger(__name__)
API_PREFIX = "/api/"


def _with_object(view, key: str, detail: str, obj, code: int) -> Response:
    etag_of = getattr(view, "etag_of", None)
    headers = {"ETag": etag_of(obj)} if etag_of else None
    return Response({"detail": detail, key: view.represent(obj)}, status=code, headers=headers)


def exception_handler(exc, context):
    """Translate domain errors to HTTP; defer the rest to DRF (which answers JSON)."""
    view = context.get("view")
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    if isinstance(exc, InvalidInput):
        return Response({**exc.errors, **exc.extra}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleVersion):
        if exc.current is None:
            return Response({"detail": "This was deleted by someone else meanwhile."}, status=status.HTTP_404_NOT_FOUND)
        return _with_object(view, "current", str(exc), exc.current, status.HTTP_412_PRECONDITION_FAILED)
    if isinstance(exc, AlreadyExists):
        return _with_object(view, "existing", str(exc), exc.existing, status.HTTP_409_CONFLICT)
    if isinstance(exc, (ProtectedError, RestrictedError)):
        count = len(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)
        return Response(
            {"detail": f"This is still in use by {count} other objects; remove or change those first."},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, IntegrityError):
        # A race lost against a concurrent write of the same unique thing: the domain checks first,
        # so this is rare, and a conflict, not a server error.
        logger.warning("Integrity conflict answered with 409: %s", exc)
        return Response(
            {"detail": "This conflicts with something stored meanwhile; reload and retry."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400 (413 for an oversized body) as JSON on the API; Django's page elsewhere."""
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return JsonResponse({"detail": PayloadTooLarge.default_detail}, status=413)
    return JsonResponse({"detail": "Bad request."}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """Log the failure under a request id and tell the client that id, nothing else (INPUT-9)."""
    request_id = uuid.uuid4().hex
    logger.error(
        "Unhandled error, request id %s, %s %s",
        request_id,
        request.method,
        request.path,
        exc_info=sys.exc_info()[0] is not None,
    )
    if not is_api(request):
        return defaults.server_error(request)
    return JsonResponse(
        {"detail": "Server error. Quote this request id when reporting it.", "request_id": request_id}, status=500
    )
