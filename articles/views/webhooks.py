"""The Webhooks screen of a project's settings: owners register hooks, read each one's deliveries, replay.

Every POST answers the `webhook-editor` region for htmx (200 done, 422 with the form's inline errors), or
renders the page (a new or rotated secret, which is shown once and never put in a cookie or the session)
or redirects back with a message as a plain form. A hook's delivery log is its own region, which polls
while a delivery is still on its way and answers a Replay or a Cancel (each delivery is a job: the log
links its job's page, and Cancel stops a delivery still waiting). The rules are articles.webhooks'.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from articles import access, webhooks
from articles.errors import InvalidInput
from articles.models import DeliveryStatus, Project, Webhook, WebhookEvent
from articles.permissions import Action
from articles.views.annotate import message_of
from articles.views.review_context import project_nav

TEMPLATE = "articles/project_webhooks.html"
REGION = "webhook-editor"


def _owner_project(request: HttpRequest, project_id: int) -> Project:
    project = access.project_for(request.user, project_id)
    access.require(project.my_role, Action.MANAGE_PROJECT)
    return project


def _hook(request: HttpRequest, project_id: int, webhook_id: int) -> Webhook:
    return webhooks.hook_for(_owner_project(request, project_id), request.user, webhook_id)


def with_log(hook: Webhook) -> Webhook:
    """The hook carrying its last deliveries, and whether any is still on its way (then the log polls)."""
    hook.log = list(webhooks.recent_deliveries(hook))
    hook.waiting = any(delivery.is_waiting for delivery in hook.log)
    return hook


def _form(hook: Webhook) -> dict[str, Any]:
    return {"url": hook.url, "events": hook.events, "active": hook.active}


def _posted(request: HttpRequest) -> dict[str, Any]:
    """What a hook form sent, in the domain's terms (an unchecked box is absent: off)."""
    return {
        "url": request.POST.get("url", ""),
        "events": request.POST.getlist("events"),
        "active": request.POST.get("active") == "on",
    }


def editor_context(project: Project, failed: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    """The hooks with their logs and form values; a failed form keeps what was typed and its errors."""
    failed = failed or {}
    hooks = [with_log(hook) for hook in webhooks.webhooks_of(project)]
    for hook in hooks:
        hook.project = project
        mine = failed.get("form") == str(hook.pk)
        hook.form = failed["values"] if mine else _form(hook)
        hook.errors = failed.get("errors", {}) if mine else {}
    is_new = failed.get("form") == "new"
    return {
        "project": project,
        "hooks": hooks,
        "nav": project_nav(project, project.my_role, "project_webhooks"),
        "event_choices": WebhookEvent.choices,
        "revised_event": WebhookEvent.ARTICLE_REVISED,
        "new_form": failed["values"] if is_new else {"events": [], "active": True},
        "new_errors": failed.get("errors", {}) if is_new else {},
        "error": failed.get("error", ""),
        "signature_header": webhooks.SIGNATURE_HEADER,
        "timestamp_header": webhooks.TIMESTAMP_HEADER,
        **extra,
    }


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The page, or for htmx the editor region."""
    response = render(request, TEMPLATE + (f"#{REGION}" if request.htmx else ""), context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _run(
    request: HttpRequest, project: Project, form: str, call: Callable[[], tuple[str, dict[str, Any]]]
) -> HttpResponse:
    """Make one domain call and answer with the editor (a plain form is sent back to the page with a message,
    unless the answer shows a secret: that is rendered once, never carried in a cookie)."""
    try:
        done, extra = call()
    except InvalidInput as error:
        failed = {"form": form, "values": _posted(request), "errors": error.errors, "error": message_of(error)}
        return _render(request, editor_context(project, failed), 422)
    if not request.htmx and "new_secret" not in extra:
        messages.success(request, done)
        return redirect("project_webhooks", project.pk)
    return _render(request, editor_context(project, notice=done, **extra))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def project_webhooks(request: HttpRequest, project_id: int) -> HttpResponse:
    """Show the project's webhooks to its owners; a POST registers one and shows its secret once."""
    project = _owner_project(request, project_id)
    if request.method == "GET":
        return _render(request, editor_context(project))

    def add() -> tuple[str, dict[str, Any]]:
        hook = webhooks.create_webhook(project, by=request.user, **_posted(request))
        return "Webhook added.", {"new_secret": {"hook": hook.pk, "secret": hook.secret}}

    return _run(request, project, "new", add)


@never_cache
@login_required
@require_POST
def webhook_update(request: HttpRequest, project_id: int, webhook_id: int) -> HttpResponse:
    """Change a hook's address, events and on/off."""
    hook = _hook(request, project_id, webhook_id)

    def change() -> tuple[str, dict[str, Any]]:
        webhooks.update_webhook(hook, by=request.user, changes=_posted(request))
        return "Webhook saved.", {}

    return _run(request, hook.project, str(hook.pk), change)


@never_cache
@login_required
@require_POST
def webhook_rotate(request: HttpRequest, project_id: int, webhook_id: int) -> HttpResponse:
    """Give the hook a new secret and show it once."""
    hook = _hook(request, project_id, webhook_id)

    def rotate() -> tuple[str, dict[str, Any]]:
        webhooks.rotate_secret(hook, by=request.user)
        return "New secret made; the old one no longer signs.", {"new_secret": {"hook": hook.pk, "secret": hook.secret}}

    return _run(request, hook.project, "", rotate)


@never_cache
@login_required
@require_POST
def webhook_delete(request: HttpRequest, project_id: int, webhook_id: int) -> HttpResponse:
    """Delete the hook with its log."""
    hook = _hook(request, project_id, webhook_id)

    def remove() -> tuple[str, dict[str, Any]]:
        webhooks.delete_webhook(hook, by=request.user)
        return "Webhook deleted.", {}

    return _run(request, hook.project, "", remove)


def _log(request: HttpRequest, hook: Webhook, status: int = 200, **extra: Any) -> HttpResponse:
    """The hook's delivery log region (what its polling and Replay answer)."""
    context = {"hook": with_log(hook), "project": hook.project, **extra}
    response = render(request, f"{TEMPLATE}#webhook-log", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhook_deliveries(request: HttpRequest, project_id: int, webhook_id: int) -> HttpResponse:
    """One hook's deliveries, newest first (the region polls this while something is on its way); a POST with
    `cancel` (a delivery's id) cancels that delivery and its job if it is still waiting."""
    hook = _hook(request, project_id, webhook_id)
    if request.method == "GET":
        return _log(request, hook)
    delivery = webhooks.cancel_delivery(webhooks.delivery_for(hook, request.POST.get("cancel")), by=request.user)
    if delivery.status == DeliveryStatus.CANCELLED:
        done = f"Delivery {delivery.pk} cancelled: it will not be tried again."
    else:
        done = f"Delivery {delivery.pk} had already ended ({delivery.get_status_display().lower()}); nothing changed."
    if not request.htmx:
        messages.success(request, done)
        return redirect("project_webhooks", hook.project.pk)
    return _log(request, hook, log_notice=done)


@never_cache
@login_required
@require_POST
def webhook_replay(request: HttpRequest, project_id: int, webhook_id: int, delivery_id: int) -> HttpResponse:
    """Send a delivery's payload again as a new delivery; answers the hook's log (or the page, plainly)."""
    hook = _hook(request, project_id, webhook_id)
    delivery = webhooks.delivery_for(hook, delivery_id)
    try:
        again = webhooks.replay(delivery, by=request.user)
    except InvalidInput as error:
        if not request.htmx:
            messages.error(request, message_of(error))
            return redirect("project_webhooks", hook.project.pk)
        return _log(request, hook, 422, log_error=message_of(error))
    done = f"Delivery {delivery.pk} sent again as delivery {again.pk}."
    if not request.htmx:
        messages.success(request, done)
        return redirect("project_webhooks", hook.project.pk)
    return _log(request, hook, log_notice=done)
