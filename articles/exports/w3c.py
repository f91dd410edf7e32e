"""W3C Web Annotation export (JSON-LD): an AnnotationCollection holding every annotation.

Each Annotation targets the article's text (a SpecificResource whose source is the article's API
IRI) with a TextQuoteSelector and a TextPositionSelector in Unicode code points (W3C model
§4.2.4/4.2.5). The label is a tagging body, the note a commenting body, each attribute a body whose
purpose says what kind of field it is (`classifying` a choice, `describing` text, `linking` a web
address), named by `schema:propertyID`; the news page the text came from is the target's scope. A
file export is one collection with one embedded page, so the whole export is a single document that
the W3C test-suite checker (tests/w3c-annotation/) checks in full.
The page's own IRI (`&page=1`) answers with that page alone, `partOf` the collection (W3C model §5.2).
A link between two spans is an Annotation of its own after its article's annotations (motivation `linking`, W3C
model §3.3.5): its targets are the IRIs of the two annotations (`from` first), its body classifies it by the link
type's key; the collection's `total` counts both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

from articles.exports.records import (
    JSON_STRING,
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    LinkRecord,
    attribute_text,
    attributes_of,
    buffered,
    compact_json,
    fields_by_label,
    first_quote,
    utc_iso,
)

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
ARTICLE_FIELDS = frozenset({"url"})
ANNOTATION_FIELDS = frozenset(
    {
        "start",
        "end",
        "quote",
        "prefix",
        "suffix",
        "label",
        "note",
        "attributes",
        "author",
        "created_at",
        "updated_at",
        "anchor_status",
        "anchored_revision",
        "original_quote",
    }
)
# The purpose of an attribute's body by the type of the label's field (W3C model §3.3.5); attributes no field
# of the annotation's label defines describe it. A web address is a `linking` SpecificResource instead.
PURPOSES = {"choice": "classifying", "text": "describing", "url": "describing"}
_NOT_IN_IRIS = re.compile(r'[\s<>"{}|\\^`\x00-\x1f\x7f]')
_dumps = compact_json


def is_web_address(url: str) -> bool:
    """Only http(s) addresses go into IRIs we publish (the schemas accept javascript: as a URI), and only
    those a JSON-LD reader takes as one IRI: no spaces, quotes or angle brackets."""
    return url.startswith(("http://", "https://")) and not _NOT_IN_IRIS.search(url)


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
        "total": header.annotation_count + header.link_count,
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
    '"source":%s,"selector":[{"type":"TextQuoteSelector","exact":%s,"prefix":%s,"suffix":%s}%s]%s},'
    '"anchor_status":%s,"anchored_revision":%d,"original_quote":%s}'
)
# A link: an Annotation whose two targets are the annotations it joins, classified by the link type.
_LINK_ITEM = (
    '{"id":%s,"type":"Annotation","motivation":"linking","created":%s,"modified":%s,'
    '"creator":{"type":"Person","name":%s,"nickname":%s},'
    '"body":[{"type":"TextualBody","purpose":"classifying","value":%s,"format":"text/plain"}%s],"target":[%s,%s]}'
)
_POSITION = ',{"type":"TextPositionSelector","start":%d,"end":%d}'  # an orphan has a quote, but no place
_TAG = '{"type":"TextualBody","purpose":"tagging","value":%s,"format":"text/plain"}'
_NOTE = ',{"type":"TextualBody","purpose":"commenting","value":%s,"format":"text/plain"}'
# schema:propertyID (the prefix is in the W3C context) names the attribute: a TextualBody may carry no id of
# its own, or the test-suite schemas read it as an external resource, which may have no purpose.
_ATTRIBUTE = ',{"type":"TextualBody","purpose":%s,"schema:propertyID":%s,"value":%s,"format":"text/plain"}'
_LINK = ',{"type":"SpecificResource","purpose":"linking","schema:propertyID":%s,"source":%s}'
AttributeBodies = Callable[[str, str | None], str]


def attribute_body(name: str, value: Any, field_type: str | None) -> str:
    """Return one attribute as a body, with its leading comma; nothing for an empty value."""
    text = attribute_text(value)
    if not text:
        return ""
    if field_type == "url" and is_web_address(text):
        return _LINK % (JSON_STRING(name), JSON_STRING(text))
    purpose = PURPOSES.get(field_type or "", "describing")
    return _ATTRIBUTE % (JSON_STRING(purpose), JSON_STRING(name), JSON_STRING(text))


def attribute_bodies(header: ExportHeader) -> AttributeBodies:
    """Return a function giving the attribute bodies of an annotation from its label and attributes' JSON text.

    The label's fields come first, in their order, then any attribute it does not define. Results are
    cached: most annotations repeat a few values.
    """
    types = {
        label: {name: spec.get("type") for name, spec in fields.items()}
        for label, fields in fields_by_label(header.labels).items()
    }

    @lru_cache(maxsize=4096)
    def bodies(label: str, attributes: str | None) -> str:
        values, own = attributes_of(attributes), types.get(label, {})
        names = [*(name for name in own if name in values), *(name for name in values if name not in own)]
        return "".join(attribute_body(name, values[name], own.get(name)) for name in names)

    return bodies


def annotation_json(header: ExportHeader, article: ArticleRecord, a: AnnotationRecord) -> str:
    """Return one W3C Annotation as JSON; its @context is inherited from the enclosing collection."""
    return _annotation_json(
        a,
        JSON_STRING(header.api_url("annotations/")),
        JSON_STRING(header.api_url(f"articles/{article.id}/")),
        _scope(article),
        attribute_bodies(header),
    )


def _scope(article: ArticleRecord) -> str:
    return ',"scope":' + JSON_STRING(article.url) if article.url and is_web_address(article.url) else ""


def _annotation_json(a: AnnotationRecord, ids: str, source: str, scope: str, attributes: AttributeBodies) -> str:
    """`ids` is the JSON string of the annotations' IRI prefix (ending in a slash); the id goes before its quote."""
    author = JSON_STRING(a.author)
    body = (
        _TAG % JSON_STRING(a.label)
        + (_NOTE % JSON_STRING(a.note) if a.note else "")
        + attributes(a.label, a.attributes)
    )
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
        "" if a.start is None else _POSITION % (a.start, a.end),
        scope,
        JSON_STRING(a.anchor_status),
        a.anchored_revision,
        JSON_STRING(first_quote(a)),
    )


def _link_json(link: LinkRecord, links: str, ids: str) -> str:
    """One link as a W3C Annotation (motivation `linking`), its @context inherited from the collection. `links` and
    `ids` are the JSON strings of the links' and annotations' IRI prefixes (ending in a slash)."""
    author = JSON_STRING(link.author)
    return _LINK_ITEM % (
        f'{links[:-1]}{link.id}/"',
        JSON_STRING(utc_iso(link.created_at)),
        JSON_STRING(utc_iso(link.updated_at)),
        author,
        author,
        JSON_STRING(link.type),
        _NOTE % JSON_STRING(link.note) if link.note else "",
        f'{ids[:-1]}{link.from_id}/"',
        f'{ids[:-1]}{link.to_id}/"',
    )


def _pieces(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    opening = _dumps(collection_data(header) if header.page is None else page_data(header))
    items_at = opening.index('"items":[') + len('"items":[')
    yield opening[:items_at]
    ids, link_ids = JSON_STRING(header.api_url("annotations/")), JSON_STRING(header.api_url("links/"))
    attributes = attribute_bodies(header)
    separator = ""
    for article, spans, links in articles:
        if spans:
            source, scope = JSON_STRING(header.api_url(f"articles/{article.id}/")), _scope(article)
            items = [_annotation_json(a, ids, source, scope, attributes) for a in spans]
            items += [_link_json(link, link_ids, ids) for link in links]
            yield separator + ",".join(items)
            separator = ","
    yield opening[items_at:] + "\n"


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield the AnnotationCollection (or its page, when one is asked for) in chunks, one annotation at a time."""
    return buffered(_pieces(header, articles))
