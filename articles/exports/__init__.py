"""Exports: one small writer per format, and the registry the API, pages and command choose from.

`export(scope, key, base_url=...)` reads the scope from one database snapshot and yields the
document as text chunks, so a million annotations stream out with flat memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from articles.exports import claimreview, csvfile, jsonl, native, w3c
from articles.exports.records import ArticleWithAnnotations, ExportHeader
from articles.exports.scope import (
    ExportFilters,
    ExportScope,
    articles_with_annotations,
    consistent_snapshot,
    header_for,
    parse_filters,
)

Writer = Callable[[ExportHeader, Iterable[ArticleWithAnnotations]], Iterator[str]]


@dataclass(frozen=True)
class ExportFormat:
    key: str
    name: str
    media_type: str
    extension: str
    write: Writer
    article_fields: frozenset[str] | None = None  # what the writer reads; None: everything
    annotation_fields: frozenset[str] | None = None


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat("json", "Native JSON (complete, re-importable)", "application/json", "json", native.write),
        ExportFormat("w3c", "W3C Web Annotation (JSON-LD)", "application/json", "jsonld", w3c.write,
                     w3c.ARTICLE_FIELDS, w3c.ANNOTATION_FIELDS),
        ExportFormat("jsonl", "JSONL for machine learning (spaCy, doccano)", "application/x-ndjson", "jsonl",
                     jsonl.write, None, jsonl.ANNOTATION_FIELDS),
        ExportFormat("csv", "CSV, one row per annotation", "text/csv", "csv", csvfile.write,
                     csvfile.ARTICLE_FIELDS, csvfile.ANNOTATION_FIELDS),
        ExportFormat("claimreview", "ClaimReview (schema.org) for claims with a verdict", "application/json",
                     "claimreview.json", claimreview.write, claimreview.ARTICLE_FIELDS, claimreview.ANNOTATION_FIELDS),
    )
}


def _ticking(rows: Iterable[ArticleWithAnnotations], progress) -> Iterator[ArticleWithAnnotations]:
    for row in rows:
        yield row
        progress.update(1)


def export(scope: ExportScope, key: str, *, base_url: str, progress=None) -> Iterator[str]:
    """Yield the export of `scope` in format `key` as text chunks, read from one snapshot.

    `progress` (a tqdm bar, or anything with reset(total) and update(n)) counts articles written.
    """
    fmt = FORMATS[key]
    with consistent_snapshot():
        header = header_for(scope, base_url=base_url)
        rows = articles_with_annotations(scope, article_fields=fmt.article_fields,
                                         annotation_fields=fmt.annotation_fields)
        if progress is not None:
            progress.reset(total=header.article_count)
        try:
            yield from fmt.write(header, rows if progress is None else _ticking(rows, progress))
        finally:  # close the server-side cursors while their transaction still exists (client hang-ups)
            rows.close()


__all__ = ["FORMATS", "ExportFilters", "ExportFormat", "ExportScope", "export", "parse_filters"]
