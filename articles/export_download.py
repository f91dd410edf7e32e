"""An export served over HTTP: streamed, never sniffed, always a download with a safe file name.

The API and the web pages both answer with `export_response`, so headers are decided in one place
(XSS-8: JSON as application/json with nosniff; Content-Disposition names built only from safe
characters). The body is produced while it is sent, so memory stays flat (LOAD-3); a client that
hangs up closes the generator, which ends the database snapshot and its cursors. Parameters are
checked before (export_scope.parse_filters): once the first byte is sent no error can become a 4xx.
"""

from __future__ import annotations

import re

from django.http import StreamingHttpResponse
from django.utils import timezone

from articles.export_scope import ExportScope, export
from articles.exports import FORMATS

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def download_name(scope: ExportScope, key: str) -> str:
    """Return e.g. `desk-article-12-2026-03-02.jsonl`, made only of letters, digits, dot, dash and underscore."""
    parts = [scope.project.slug or f"project-{scope.project.pk}"]
    if scope.article is not None:
        parts.append(f"article-{scope.article.pk}")
    parts.append(timezone.now().date().isoformat())
    stem = _UNSAFE.sub("-", "-".join(parts)).strip("-.")[:120] or "export"
    return f"{stem}.{FORMATS[key].extension}"


def export_response(scope: ExportScope, key: str, *, base_url: str) -> StreamingHttpResponse:
    """Stream the export of `scope` in format `key` as an attachment."""
    fmt = FORMATS[key]
    response = StreamingHttpResponse(
        export(scope, key, base_url=base_url), content_type=f"{fmt.media_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{download_name(scope, key)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
