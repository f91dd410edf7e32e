"""An export served over HTTP: streamed, never sniffed, always a download with a safe file name.

The API and the web pages both answer with `export_response`, so headers are decided in one place
(XSS-8: JSON as application/json with nosniff; Content-Disposition names built only from safe
characters). The body is produced while it is sent, so memory stays flat (LOAD-3); a client that
hangs up closes the generator, which ends the database snapshot and its cursors. Parameters are
checked before (export_scope.parse_filters): once the first byte is sent no error can become a 4xx.
What a format wants its reader to know before publishing the file (a ClaimReview export without its
`url`) is said before the body too, in an `X-Export-Warning` header (several warnings joined by " | ").
"""

from __future__ import annotations

import re
from dataclasses import replace

from django.http import StreamingHttpResponse
from django.utils import timezone

from articles.export_scope import ExportScope, export
from articles.exports import FORMATS, claimreview

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
WARNING_HEADER = "X-Export-Warning"


def download_name(scope: ExportScope, key: str) -> str:
    """Return e.g. `desk-article-12-2026-03-02.jsonl`, made only of letters, digits, dot, dash and underscore."""
    parts = [scope.project.slug or f"project-{scope.project.pk}"]
    if scope.article is not None:
        parts.append(f"article-{scope.article.pk}")
    parts.append(timezone.now().date().isoformat())
    stem = _UNSAFE.sub("-", "-".join(parts)).strip("-.")[:120] or "export"
    return f"{stem}.{FORMATS[key].extension}"


def published_scope(scope: ExportScope, key: str) -> ExportScope:
    """The scope a download of format `key` holds: a ClaimReview export that names no review status holds
    the accepted claims only (what a fact-checker publishes); any status asked for is kept as asked."""
    if key != "claimreview" or scope.filters.statuses:
        return scope
    return replace(scope, filters=replace(scope.filters, statuses=claimreview.PUBLISHED_STATUSES))


def export_warnings(scope: ExportScope, key: str) -> list[str]:
    """What the reader of this export should know before publishing it (plain ASCII, for a header)."""
    if key == "claimreview":
        return claimreview.warnings(scope.project.factcheck_url_pattern)
    return []


def export_response(scope: ExportScope, key: str, *, base_url: str) -> StreamingHttpResponse:
    """Stream the export of `scope` in format `key` as an attachment, its warnings in X-Export-Warning."""
    fmt = FORMATS[key]
    scope = published_scope(scope, key)
    response = StreamingHttpResponse(
        export(scope, key, base_url=base_url), content_type=f"{fmt.media_type}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{download_name(scope, key)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    warnings = export_warnings(scope, key)
    if warnings:
        response[WARNING_HEADER] = " | ".join(warnings)
    return response
