"""W3C Web Annotation export (JSON-LD): an AnnotationCollection holding every annotation.

Each Annotation targets the article's text (a SpecificResource whose source is the article's API
IRI) with a TextQuoteSelector and a TextPositionSelector in Unicode code points (W3C model
§4.2.4/4.2.5). The label is a tagging body, the note a commenting body; the news page the text came
from is the target's scope. A file export is one collection with one embedded page, so the whole
export is a single document that the W3C test-suite checker (tests/w3c-annotation/) checks in full.
The page's own IRI (`&page=1`) answers with that page alone, `partOf` the collection (W3C model §5.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from articles.exports.records import (
    JSON_STRING,
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    buffered,
    compact_json,
    utc_iso,
)

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ARTICLE_FIELDS = frozenset({"url"})
ANNOTATION_FIELDS = frozenset(
    {"start", "end", "quote", "prefix", "suffix", "label", "note", "author", "created_at", "updated_at"}
)
_dumps = compact_json


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


def page_data(header: ExportHeader) -> dict[str, Any]:
    """Return the collection's only page on its own, without its items, naming the collection it is part of."""
    collection = collection_data(header)
    page = collection["first"]
    part_of = {key: collection[key] for key in ("id", "type", "label", "total")}
    return {
        "@context": CONTEXT,
        "id": page["id"],
        "type": page["type"],
        "partOf": part_of,
        "startIndex": page["startIndex"],
        "items": [],
    }


# One Annotation's JSON by formatting (fixed keys, escaped values): a million of them stream three times
# faster than dicts through json.dumps, and say the same (tests/test_exports.py checks every field).
_ITEM = (
    '{"id":%s,"type":"Annotation","motivation":"classifying","created":%s,"modified":%s,'
    '"creator":{"type":"Person","name":%s,"nickname":%s},"body":[%s],"target":{"type":"SpecificResource",'
    '"source":%s,"selector":[{"type":"TextQuoteSelector","exact":%s,"prefix":%s,"suffix":%s},'
    '{"type":"TextPositionSelector","start":%d,"end":%d}]%s}}'
)
_TAG = '{"type":"TextualBody","purpose":"tagging","value":%s,"format":"text/plain"}'
_NOTE = ',{"type":"TextualBody","purpose":"commenting","value":%s,"format":"text/plain"}'


def annotation_json(header: ExportHeader, article: ArticleRecord, a: AnnotationRecord) -> str:
    """Return one W3C Annotation as JSON; its @context is inherited from the enclosing collection."""
    return _annotation_json(
        a,
        JSON_STRING(header.api_url("annotations/")),
        JSON_STRING(header.api_url(f"articles/{article.id}/")),
        _scope(article),
    )


def _scope(article: ArticleRecord) -> str:
    return ',"scope":' + JSON_STRING(article.url) if article.url and is_web_address(article.url) else ""


def _annotation_json(a: AnnotationRecord, ids: str, source: str, scope: str) -> str:
    """`ids` is the JSON string of the annotations' IRI prefix (ending in a slash); the id goes before its quote."""
    author = JSON_STRING(a.author)
    body = _TAG % JSON_STRING(a.label) + (_NOTE % JSON_STRING(a.note) if a.note else "")
    return _ITEM % (
        f'{ids[:-1]}{a.id}/"',
        JSON_STRING(utc_iso(a.created_at)),
        JSON_STRING(utc_iso(a.updated_at)),
        author,
        author,
        body,
        source,
        JSON_STRING(a.quote),
        JSON_STRING(a.prefix),
        JSON_STRING(a.suffix),
        a.start,
        a.end,
        scope,
    )


def _pieces(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    opening = _dumps(collection_data(header) if header.page is None else page_data(header))
    items_at = opening.index('"items":[') + len('"items":[')
    yield opening[:items_at]
    ids = JSON_STRING(header.api_url("annotations/"))
    separator = ""
    for article, spans in articles:
        if spans:
            source, scope = JSON_STRING(header.api_url(f"articles/{article.id}/")), _scope(article)
            yield separator + ",".join([_annotation_json(a, ids, source, scope) for a in spans])
            separator = ","
    yield opening[items_at:] + "\n"


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield the AnnotationCollection (or its page, when one is asked for) in chunks, one annotation at a time."""
    return buffered(_pieces(header, articles))
