"""`{{ project|guidelines_html }}`: a project's guidelines as sanitised HTML (articles.guidelines)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from articles.guidelines import render_guidelines
from articles.models import Project

register = template.Library()


@register.filter
def guidelines_html(project: Project) -> SafeString:
    """Render the project's guidelines in their format; the renderer escapes or sanitises every piece."""
    return mark_safe(render_guidelines(project.guidelines, project.guidelines_format))  # noqa: S308
