"""The account page: a user's own API token, shown once when created, revocable at any time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token


@transaction.atomic
def replace_token(user) -> Token:
    """Revoke the user's token (if any) and issue a new one."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


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
            new_key = replace_token(request.user).key
        else:
            Token.objects.filter(user=request.user).delete()
    token = Token.objects.filter(user=request.user).first()
    context = {"token": token, "new_key": new_key, "revoked": request.method == "POST" and token is None,
               "api_root": request.build_absolute_uri("/api/v1/")}
    return render(request, "articles/account_token.html", context)
