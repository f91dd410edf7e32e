"""The download (and import) menu shown on the project and article pages; it runs no queries."""

from __future__ import annotations

import secrets
from typing import Any

from django import template
from django.conf import settings
from django.urls import reverse

from articles.exports import FORMATS
from articles.models import ReviewStatus
from articles.permissions import Action, role_allows

register = template.Library()


@register.inclusion_tag("articles/export_menu.html", takes_context=True)
def export_menu(context, project, role: str | None, article=None, labels=()) -> dict[str, Any]:
    """Render the download form (format and filters) and, on the project page, owners' way to the import page.

    On the project page the menu can also start an export job ("Prepare a file", articles.jobs), a form
    posted with the page's CSRF token and an idempotency key new with each rendering.
    `labels` are Label objects or (key, name) pairs, whichever the page already has.
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
    }
