"""W3C Web Annotation export (JSON-LD): an AnnotationCollection holding every annotation.

Each Annotation targets the article's text (a SpecificResource whose source is the article's API
IRI) with a TextQuoteSelector and a TextPositionSelector in Unicode code points (W3C model
§4.2.4/4.2.5). The label is a tagging body, the note a commenting body; the news page the text came
from is the target's scope. A file export is one collection with one embedded page, so the whole
export is a single document that ../shared/w3c-annotation/validate.py checks in full.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from articles.exports.records import (
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    buffered,
    utc_iso,
)

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ARTICLE_FIELDS = frozenset({"url"})
ANNOTATION_FIELDS = frozenset({"start", "end", "quote", "prefix", "suffix", "label", "note", "author", "created_at",
                               "updated_at"})
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode


def is_web_address(url: str) -> bool:
    """Only http(s) addresses go into IRIs we publish (the schemas accept javascript: as a URI)."""
    return url.startswith(("http://", "https://"))


def collection_id(header: ExportHeader) -> str:
    if header.article_id is not None:
        return header.api_url(f"articles/{header.article_id}/export/?format=w3c")
    return header.api_url(f"projects/{header.project.id}/export/?format=w3c")


def collection_data(header: ExportHeader) -> dict[str, Any]:
    """Return the collection without its items (they are streamed into `first.items`)."""
    identifier = collection_id(header)
    page = {"id": f"{identifier}&page=1", "type": "AnnotationPage", "startIndex": 0, "items": []}
    label = f"{header.project.name}: annotations"
    if header.article_id is not None:
        label += f" on article {header.article_id}"
    return {
        "@context": CONTEXT,
        "id": identifier,
        "type": "AnnotationCollection",
        "label": label,
        "total": header.annotation_count,
        "first": page,
        "last": page["id"],
    }


def annotation_data(header: ExportHeader, article: ArticleRecord, a: AnnotationRecord) -> dict[str, Any]:
    """Return one W3C Annotation; the @context is inherited from the enclosing collection."""
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": a.label, "format": "text/plain"}
    ]
    if a.note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": a.note, "format": "text/plain"})
    target: dict[str, Any] = {
        "type": "SpecificResource",
        "source": header.api_url(f"articles/{article.id}/"),
        "selector": [
            {"type": "TextQuoteSelector", "exact": a.quote, "prefix": a.prefix, "suffix": a.suffix},
            {"type": "TextPositionSelector", "start": a.start, "end": a.end},
        ],
    }
    if article.url and is_web_address(article.url):
        target["scope"] = article.url
    return {
        "id": header.api_url(f"annotations/{a.id}/"),
        "type": "Annotation",
        "motivation": "classifying",
        "created": utc_iso(a.created_at),
        "modified": utc_iso(a.updated_at),
        "creator": {"type": "Person", "name": a.author, "nickname": a.author},
        "body": body,
        "target": target,
    }


def _pieces(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    opening = _dumps(collection_data(header))
    items_at = opening.index('"items":[') + len('"items":[')
    yield opening[:items_at]
    separator = ""
    for article, annotations in articles:
        for a in annotations:
            yield separator
            yield _dumps(annotation_data(header, article, a))
            separator = ","
    yield opening[items_at:] + "\n"


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield the AnnotationCollection in chunks, one annotation at a time."""
    return buffered(_pieces(header, articles))
