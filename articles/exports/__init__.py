"""Exports: one small writer per format, and the registry the API, pages and command choose from.

Writers take plain records (exports.records) and yield text; nothing here imports the ORM, HTTP or
settings, so every format is tested without a database. Which rows an export holds and how they are
read is articles.export_scope; serving one as a download is articles.export_download.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from articles.exports import claimreview, csvfile, jsonl, native, w3c
from articles.exports.records import ArticleWithAnnotations, ExportHeader

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
    reads_links: bool = False  # the writer uses each article's links
    link_header_fields: frozenset[str] = frozenset()  # and these of the header's: link_types, link_count


FORMATS: dict[str, ExportFormat] = {
    f.key: f
    for f in (
        ExportFormat(
            "json",
            "Native JSON (complete, re-importable)",
            "application/json",
            "json",
            native.write,
            reads_links=True,
            link_header_fields=frozenset({"link_types", "link_count"}),
        ),
        ExportFormat(
            "w3c",
            "W3C Web Annotation (JSON-LD)",
            "application/json",
            "jsonld",
            w3c.write,
            w3c.ARTICLE_FIELDS,
            w3c.ANNOTATION_FIELDS,
            reads_links=True,
            link_header_fields=frozenset({"link_count"}),  # the collection's total counts links
        ),
        ExportFormat(
            "jsonl",
            "JSONL for machine learning (spaCy, doccano)",
            "application/x-ndjson",
            "jsonl",
            jsonl.write,
            None,
            jsonl.ANNOTATION_FIELDS,
            reads_links=True,
        ),
        ExportFormat(
            "csv",
            "CSV, one row per annotation",
            "text/csv",
            "csv",
            csvfile.write,
            csvfile.ARTICLE_FIELDS,
            csvfile.ANNOTATION_FIELDS,
        ),
        ExportFormat(
            "claimreview",
            "ClaimReview (schema.org) for claims with a verdict",
            "application/json",
            "claimreview.json",
            claimreview.write,
            claimreview.ARTICLE_FIELDS,
            claimreview.ANNOTATION_FIELDS,
            reads_links=True,  # a claim's claimant is the source its links point to
        ),
    )
}

# What else a format can export instead of its annotations (`what=`): CSV writes the links as a table of their own.
TABLES: dict[tuple[str, str], ExportFormat] = {
    ("csv", "links"): ExportFormat(
        "csv",
        "CSV, one row per link",
        "text/csv",
        "csv",
        csvfile.write_links,
        frozenset(),
        csvfile.LINK_ANNOTATION_FIELDS,
        reads_links=True,
    ),
}
ANNOTATIONS = "annotations"
WHAT = (ANNOTATIONS, *dict.fromkeys(what for _, what in TABLES))


def format_for(key: str, what: str = ANNOTATIONS) -> ExportFormat:
    """The writer of format `key` for `what` (annotations, or a table TABLES offers); KeyError for neither."""
    return FORMATS[key] if what == ANNOTATIONS else TABLES[key, what]


__all__ = ["ANNOTATIONS", "FORMATS", "TABLES", "WHAT", "ExportFormat", "Writer", "format_for"]
