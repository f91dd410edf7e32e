"""JSONL for machine learning: one line per article, `{"id", "text", "spans", "meta"}`.

The shape spaCy and doccano users load directly: spans are `{"start", "end", "label"}` in Unicode
code points (Python string indices), end exclusive, in text order. Overlapping spans are kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from articles.exports.records import ArticleWithAnnotations, ExportHeader, buffered, utc_iso

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def _pieces(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    project = header.project.slug
    for article, annotations in articles:
        line = {
            "id": article.id,
            "text": article.text,
            "spans": [{"start": a.start, "end": a.end, "label": a.label} for a in annotations],
            "meta": {
                "title": article.title,
                "byline": article.byline,
                "outlet": article.outlet,
                "url": article.url,
                "published_at": utc_iso(article.published_at),
                "language": article.language,
                "external_id": article.external_id,
                "text_sha256": article.text_sha256,
                "project": project,
            },
        }
        yield _dumps(line).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        yield "\n"


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield JSON lines in chunks.

    Line and paragraph separators (U+2028/U+2029) are escaped too, so tools that split on every
    Unicode line break (Python's str.splitlines) still see one article per line.
    """
    return buffered(_pieces(header, articles))
