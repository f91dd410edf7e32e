"""The account page (a user's own API token, shown once when issued) and the answer to password guessing."""

from __future__ import annotations

import math

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from articles.api_tokens import issue_token, revoke_token


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account_token(request: HttpRequest) -> HttpResponse:
    """Show whether the user has a token; POST action=create issues a new one, action=revoke removes it."""
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("create", "revoke"):
            return HttpResponseBadRequest("Unknown action.", content_type="text/plain")
        if action == "create":
            new_key = issue_token(request.user)
        else:
            revoke_token(request.user)
    token = Token.objects.filter(user=request.user).first()
    context = {
        "token": token,
        "new_key": new_key,
        "revoked": request.method == "POST" and token is None,
        "api_root": request.build_absolute_uri("/api/v1/"),
    }
    return render(request, "articles/account_token.html", context)


def sign_in_refused(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """django-axes' answer while password guessing is over a limit: 429 with Retry-After, as JSON on the API
    and as the sign-in page elsewhere, the same whichever username was tried. Every refused attempt restarts
    the cool-off, so Retry-After is the whole cool-off."""
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = math.ceil(seconds / 60)
    message = f"Too many failed sign-ins. Try again in {minutes} minute{'' if minutes == 1 else 's'}."
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        context = {"form": form, "refused": message, "next": request.POST.get("next", "")}
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response
