"""The download (and import) menu shown on the project and article pages; it runs no queries."""

from __future__ import annotations

import secrets
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

from articles.exports import FORMATS, claimreview
from articles.models import ReviewStatus
from articles.permissions import Action, role_allows

register = template.Library()


@register.inclusion_tag("articles/export_menu.html", takes_context=True)
def export_menu(context, project, role: str | None, article=None, labels=()) -> dict[str, Any]:
    """Render the download form (format and filters) and, on the project page, owners' way to the import page.

    On the project page the menu can also start an export job ("Prepare a file", articles.jobs), a form
    posted with the page's CSRF token and an idempotency key new with each rendering.
    `labels` are Label objects or (key, name) pairs, whichever the page already has.
    When ClaimReview is offered and the project has no usable fact-check URL pattern, the menu says that its
    reviews would lack their `url` (as the download's X-Export-Warning does), with the way to the settings
    for owners.
    """
    pairs = [(label.key, label.name) if hasattr(label, "key") else tuple(label) for label in labels]
    action = (
        reverse("article_export_download", args=[article.pk])
        if article is not None
        else reverse("project_export_download", args=[project.pk])
    )
    return {
        "action": action,
        "formats": [(key, fmt.name) for key, fmt in FORMATS.items()],
        "statuses": ReviewStatus.choices,
        "labels": [(key, name) for key, name in pairs if key],
        "can_export": role_allows(role, Action.EXPORT),
        "import_url": (
            reverse("project_import", args=[project.pk]) if article is None and role_allows(role, Action.IMPORT) else ""
        ),
        "prefix": "article-export" if article is not None else "project-export",
        "job_action": reverse("project_export_job", args=[project.pk]) if article is None else "",
        "job_key": secrets.token_urlsafe(18) if article is None else "",
        "job_days": settings.JOB_RESULT_DAYS,
        "csrf_token": context.get("csrf_token", ""),
        "claimreview_without_url": "claimreview" in FORMATS
        and not claimreview.usable_pattern(project.factcheck_url_pattern),
        "settings_url": (
            reverse("project_edit", args=[project.pk]) + "#id_factcheck_url_pattern"
            if role_allows(role, Action.MANAGE_PROJECT)
            else ""
        ),
    }
