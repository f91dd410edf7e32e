"""CSV export: one row per annotation, for spreadsheets.

RFC 4180: comma separated, CRLF line ends, fields quoted when they hold a comma, quote or line
break. Text cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) are
prefixed with an apostrophe (XSS-8, OWASP "CSV injection"); the apostrophe is the only change made.
Attributes get one column per field the project's labels define (known from the header, before the
first row), then one `other_attributes` JSON cell for any attribute no column holds.
With `what=links` the export is the table of links instead (write_links): one row per link, each end named by its
annotation's id, label and quote.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from articles.exports.records import (
    ArticleWithAnnotations,
    ExportHeader,
    LabelRecord,
    attribute_text,
    attributes_of,
    buffered,
    compact_json,
    fields_by_label,
    first_quote,
    utc_iso,
)

COLUMNS = (
    "article_id",
    "article_title",
    "article_url",
    "article_outlet",
    "annotation_id",
    "label",
    "start",
    "end",
    "quote",
    "note",
    "author",
    "status",
    "created_at",
    "updated_at",
    "anchor_status",
    "anchored_revision",
    "original_quote",
)
OTHER_ATTRIBUTES = "other_attributes"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ARTICLE_FIELDS = frozenset({"title", "url", "outlet"})
ANNOTATION_FIELDS = frozenset({*COLUMNS[COLUMNS.index("label") :], "attributes"})  # the annotation's own columns
LINK_COLUMNS = (
    "link_id",
    "article_id",
    "from_annotation_id",
    "from_label",
    "from_quote",
    "to_annotation_id",
    "to_label",
    "to_quote",
    "type",
    "note",
    "author",
    "status",
    "created_at",
    "updated_at",
)
LINK_ANNOTATION_FIELDS = frozenset({"label", "quote"})  # what names each end


class AttributeColumn(NamedTuple):
    label: str  # the key of the label that defines the field
    name: str  # the field's name, the key in an annotation's attributes
    heading: str


def neutralise(cell: str) -> str:
    """Return the cell prefixed with ' when a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def attribute_columns(labels: Iterable[LabelRecord]) -> tuple[AttributeColumn, ...]:
    """One column per attribute field, in label order then field order.

    A column is headed by the field's name; by `label.name` when another label has a field of that name
    or the name is already a column's. Field names hold no dot, so the headings never collide.
    """
    fields = fields_by_label(labels)
    uses = Counter(name for names in fields.values() for name in names)
    taken = {*COLUMNS, OTHER_ATTRIBUTES}
    return tuple(
        AttributeColumn(label, name, name if uses[name] == 1 and name not in taken else f"{label}.{name}")
        for label, names in fields.items()
        for name in names
    )


def header_row(columns: tuple[AttributeColumn, ...]) -> tuple[str, ...]:
    """The header row: the fixed columns, one per attribute field, then other_attributes."""
    return (*COLUMNS, *(neutralise(column.heading) for column in columns), OTHER_ATTRIBUTES)


def _cell(value: object) -> str:
    text = attribute_text(value)
    return neutralise(text) if isinstance(value, str) else text


def attribute_cells(columns: tuple[AttributeColumn, ...]) -> Callable[[str, str | None], tuple[str, ...]]:
    """Return a function giving an annotation's attribute cells from its label and attributes' JSON text.

    An attribute goes into the column of its own label's field; any other (kept from an import, or from a
    field since removed) into the final JSON cell. Results are cached: most annotations repeat a few values.
    """
    position = {(column.label, column.name): at for at, column in enumerate(columns)}

    @lru_cache(maxsize=4096)
    def cells(label: str, attributes: str | None) -> tuple[str, ...]:
        row = [""] * len(columns)
        other = {}
        for name, value in attributes_of(attributes).items():
            at = position.get((label, name))
            if at is None:
                other[name] = value
            else:
                row[at] = _cell(value)
        return (*row, neutralise(compact_json(other)) if other else "")

    return cells


class _Lines:
    """A file-like target for csv.writer that hands back what was written."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def _pieces(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    columns = attribute_columns(header.labels)
    attributes = attribute_cells(columns)
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header_row(columns))
    yield lines.take()
    for article, spans, links in articles:
        title, url, outlet = neutralise(article.title), neutralise(article.url), neutralise(article.outlet)
        writer.writerows(
            (
                article.id,
                title,
                url,
                outlet,
                a.id,
                neutralise(a.label),
                a.start,
                a.end,
                neutralise(a.quote),
                neutralise(a.note),
                neutralise(a.author),
                a.status,
                utc_iso(a.created_at),
                utc_iso(a.updated_at),
                a.anchor_status,
                a.anchored_revision,
                neutralise(first_quote(a)),
                *attributes(a.label, a.attributes),
            )
            for a in spans
        )
        yield lines.take()


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield the CSV text in chunks, header row first."""
    return buffered(_pieces(header, articles))


def _link_pieces(articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(LINK_COLUMNS)
    yield lines.take()
    for article, spans, links in articles:
        if not links:
            continue
        ends = {a.id: a for a in spans}  # every link's two ends are among the article's exported annotations
        for link in links:
            source, target = ends[link.from_id], ends[link.to_id]
            writer.writerow(
                (
                    link.id,
                    article.id,
                    source.id,
                    neutralise(source.label),
                    neutralise(source.quote),
                    target.id,
                    neutralise(target.label),
                    neutralise(target.quote),
                    neutralise(link.type),
                    neutralise(link.note),
                    neutralise(link.author),
                    link.status,
                    utc_iso(link.created_at),
                    utc_iso(link.updated_at),
                )
            )
        yield lines.take()


def write_links(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield the table of links (`what=links`) in chunks, header row first."""
    return buffered(_link_pieces(articles))
