"""JSONL for machine learning: one line per article, `{"id", "text", "spans", "meta"}`.

The shape spaCy and doccano users load directly: spans are `{"start", "end", "label", "attributes"}` in
Unicode code points (Python string indices), end exclusive, in text order; `attributes` is the span's
attribute object as stored (`{}` when it has none), which those tools pass over. Overlapping spans are kept.
Each span also says where it stands after corrections of the text: `anchor_status`, `anchored_revision`,
and `original_quote` when a correction changed its wording; orphans (only with include=orphaned) have null offsets.
Links between spans are the line's `relations`, `{"id", "from_id", "to_id", "type"}` as doccano writes them: the
ends are annotation ids, which the spans at the ends carry as `id` (only those: a line without links is unchanged).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from articles.exports.records import (
    JSON_STRING,
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    LinkRecord,
    attributes_of,
    buffered,
    compact_json,
    json_offset,
    utc_iso,
)

_dumps = compact_json


ANNOTATION_FIELDS = frozenset(
    {"start", "end", "label", "attributes", "anchor_status", "anchored_revision", "original_quote"}
)
_SPAN = '{%s"start":%s,"end":%s,"label":%s,"attributes":%s,"anchor_status":%s,"anchored_revision":%d%s}'
_RELATION = '{"id":%d,"from_id":%d,"to_id":%d,"type":%s}'


def _span(a: AnnotationRecord, ends: frozenset[int] = frozenset()) -> str:
    """One span; its `id` when a relation names it as an end, `original_quote` only when a correction changed its
    wording (a span carries no quote: the text at its offsets is its quote)."""
    return _SPAN % (
        f'"id":{a.id},' if a.id in ends else "",
        json_offset(a.start),
        json_offset(a.end),
        JSON_STRING(a.label),
        _attributes(a.attributes),
        JSON_STRING(a.anchor_status),
        a.anchored_revision,
        "" if a.original_quote is None else ',"original_quote":' + JSON_STRING(a.original_quote),
    )


@lru_cache(maxsize=4096)
def _attributes(text: str | None) -> str:
    """The attributes as compact UTF-8 JSON, whatever spacing or escapes the database stored them with."""
    return _dumps(attributes_of(text))


def _relation(link: LinkRecord) -> str:
    return _RELATION % (link.id, link.from_id, link.to_id, JSON_STRING(link.type))


def _line(
    project: str, article: ArticleRecord, annotations: list[AnnotationRecord], links: Sequence[LinkRecord] = ()
) -> str:
    meta = {
        "title": article.title,
        "byline": article.byline,
        "outlet": article.outlet,
        "url": article.url,
        "published_at": utc_iso(article.published_at),
        "language": article.language,
        "external_id": article.external_id,
        "text_sha256": article.text_sha256,
        "project": project,
    }
    if links:
        ends = frozenset(end for link in links for end in (link.from_id, link.to_id))
        spans = ",".join([_span(a, ends) for a in annotations])
        relations = ',"relations":[' + ",".join(map(_relation, links)) + "]"
    else:
        spans, relations = ",".join([_span(a) for a in annotations]), ',"relations":[]'
    line = (
        f'{{"id":{article.id},"text":{JSON_STRING(article.text)},"spans":[{spans}]{relations},"meta":{_dumps(meta)}}}'
    )
    return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _pieces(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    project = header.project.slug
    for article, spans, links in articles:
        yield _line(project, article, spans, links)
        yield "\n"


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield JSON lines in chunks.

    Line and paragraph separators (U+2028/U+2029) are escaped too, so tools that split on every
    Unicode line break (Python's str.splitlines) still see one article per line.
    """
    return buffered(_pieces(header, articles))
