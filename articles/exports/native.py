"""Native JSON export: everything the tool knows about a project's articles and annotations.

Versioned (`"format": "news-annotator/export", "version": 1`) and described by native.schema.json
beside this module. Offsets are Unicode code points, end exclusive; timestamps are UTC with a Z.
It is the one format that imports back losslessly (articles/imports/native.py), links between spans included:
each article lists its links by the ids of the annotations at their ends, and the project its link types.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from articles.exports.records import (
    JSON_STRING,
    NATIVE_FORMAT,
    NATIVE_VERSION,
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    LinkRecord,
    buffered,
    compact_json,
    first_quote,
    json_offset,
    utc_iso,
)

_dumps = compact_json
_string = JSON_STRING


def header_data(header: ExportHeader) -> dict[str, Any]:
    """Return the document's fields that come before the articles."""
    project = header.project
    return {
        "format": NATIVE_FORMAT,
        "version": NATIVE_VERSION,
        "exported_at": utc_iso(header.exported_at),
        "scope": {"project": project.id, "article": header.article_id, "filters": header.filters},
        "counts": {
            "articles": header.article_count,
            "annotations": header.annotation_count,
            "links": header.link_count,
        },
        "project": {
            "id": project.id,
            "name": project.name,
            "slug": project.slug,
            "description": project.description,
            "guidelines": project.guidelines,
            "organisation": project.organisation,
            "visibility": project.visibility,
            "labels": [label._asdict() for label in header.labels],
            "link_types": [link_type._asdict() for link_type in header.link_types],
        },
    }


# One annotation's JSON, built by formatting: the keys are fixed and only values need escaping, which is
# three times faster than encoding a dict per row and yields the same JSON (tests/test_exports.py).
_ANNOTATION = (
    '{"id":%d,"start":%s,"end":%s,"quote":%s,"prefix":%s,"suffix":%s,"label":%s,"note":%s,"attributes":%s,'
    '"author":%s,"status":%s,"is_flagged":%s,"question":%s,"created_at":%s,"updated_at":%s,'
    '"anchor_status":%s,"anchored_revision":%d,"original_quote":%s}'
)


def annotation_json(a: AnnotationRecord) -> str:
    """Return one annotation as compact JSON; attributes are the stored JSON text."""
    return _ANNOTATION % (
        a.id,
        json_offset(a.start),
        json_offset(a.end),
        _string(a.quote),
        _string(a.prefix),
        _string(a.suffix),
        _string(a.label),
        _string(a.note),
        a.attributes or "{}",
        _string(a.author),
        _string(a.status),
        "true" if a.is_flagged else "false",
        _string(a.question),
        _string(utc_iso(a.created_at)),
        _string(utc_iso(a.updated_at)),
        _string(a.anchor_status),
        a.anchored_revision,
        _string(first_quote(a)),
    )


_LINK = '{"id":%d,"from":%d,"to":%d,"type":%s,"note":%s,"author":%s,"status":%s,"created_at":%s,"updated_at":%s}'


def link_json(link: LinkRecord) -> str:
    """Return one link as compact JSON: `from` and `to` are the ids of exported annotations of its article."""
    return _LINK % (
        link.id,
        link.from_id,
        link.to_id,
        _string(link.type),
        _string(link.note),
        _string(link.author),
        _string(link.status),
        _string(utc_iso(link.created_at)),
        _string(utc_iso(link.updated_at)),
    )


def article_json(article: ArticleRecord, annotations: list[AnnotationRecord], links: Iterable[LinkRecord] = ()) -> str:
    """Return one article with its annotations and the links between them as compact JSON."""
    data = {
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
        "text_revision": article.text_revision,
        "created_at": utc_iso(article.created_at),
        "updated_at": utc_iso(article.updated_at),
        "text": article.text,
    }
    return (
        _dumps(data)[:-1]
        + ',"annotations":['
        + ",".join(map(annotation_json, annotations))
        + '],"links":['
        + ",".join(map(link_json, links))
        + "]}"
    )


def _pieces(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    opening = _dumps(header_data(header))
    yield opening[:-1] + ',"articles":['
    separator = ""
    for article, spans, links in articles:
        yield separator
        yield article_json(article, spans, links)
        separator = ","
    yield "]}\n"


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield the native JSON document in chunks, one article at a time (memory stays flat)."""
    return buffered(_pieces(header, articles))
