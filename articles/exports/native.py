"""Native JSON export: everything the tool knows about a project's articles and annotations.

Versioned (`"format": "news-annotator/export", "version": 1`) and described by native.schema.json
beside this module. Offsets are Unicode code points, end exclusive; timestamps are UTC with a Z.
It is the one format that imports back losslessly (articles/imports/native.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from articles.exports.records import (
    NATIVE_FORMAT,
    NATIVE_VERSION,
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    buffered,
    utc_iso,
)

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def header_data(header: ExportHeader) -> dict[str, Any]:
    """Return the document's fields that come before the articles."""
    project = header.project
    return {
        "format": NATIVE_FORMAT,
        "version": NATIVE_VERSION,
        "exported_at": utc_iso(header.exported_at),
        "scope": {"project": project.id, "article": header.article_id, "filters": header.filters},
        "counts": {"articles": header.article_count, "annotations": header.annotation_count},
        "project": {
            "id": project.id,
            "name": project.name,
            "slug": project.slug,
            "description": project.description,
            "guidelines": project.guidelines,
            "organisation": project.organisation,
            "visibility": project.visibility,
            "labels": [label._asdict() for label in header.labels],
        },
    }


def annotation_data(a: AnnotationRecord) -> dict[str, Any]:
    return {
        "id": a.id,
        "start": a.start,
        "end": a.end,
        "quote": a.quote,
        "prefix": a.prefix,
        "suffix": a.suffix,
        "label": a.label,
        "note": a.note,
        "attributes": a.attributes,
        "author": a.author,
        "status": a.status,
        "is_flagged": a.is_flagged,
        "question": a.question,
        "created_at": utc_iso(a.created_at),
        "updated_at": utc_iso(a.updated_at),
    }


def article_data(article: ArticleRecord, annotations: list[AnnotationRecord]) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "byline": article.byline,
        "outlet": article.outlet,
        "url": article.url,
        "published_at": utc_iso(article.published_at),
        "language": article.language,
        "external_id": article.external_id,
        "status": article.status,
        "text_sha256": article.text_sha256,
        "created_at": utc_iso(article.created_at),
        "updated_at": utc_iso(article.updated_at),
        "text": article.text,
        "annotations": [annotation_data(a) for a in annotations],
    }


def _pieces(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    opening = _dumps(header_data(header))
    yield opening[:-1] + ',"articles":['
    separator = ""
    for article, annotations in articles:
        yield separator
        yield _dumps(article_data(article, annotations))
        separator = ","
    yield "]}\n"


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield the native JSON document in chunks, one article at a time (memory stays flat)."""
    return buffered(_pieces(header, articles))
