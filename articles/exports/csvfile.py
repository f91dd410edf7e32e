"""CSV export: one row per annotation, for spreadsheets.

RFC 4180: comma separated, CRLF line ends, fields quoted when they hold a comma, quote or line
break. Text cells that a spreadsheet would run as a formula (starting with = + - @ tab or CR) are
prefixed with an apostrophe (XSS-8, OWASP "CSV injection"); the apostrophe is the only change made.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from articles.exports.records import ArticleWithAnnotations, ExportHeader, buffered, utc_iso

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
    "attributes",
    "author",
    "status",
    "created_at",
    "updated_at",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ARTICLE_FIELDS = frozenset({"title", "url", "outlet"})
ANNOTATION_FIELDS = frozenset(
    {"label", "start", "end", "quote", "note", "attributes", "author", "status", "created_at", "updated_at"}
)


def neutralise(cell: str) -> str:
    """Return the cell prefixed with ' when a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


class _Lines:
    """A file-like target for csv.writer that hands back what was written."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text, self.parts = "".join(self.parts), []
        return text


def _pieces(articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    yield lines.take()
    for article, spans in articles:
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
                a.attributes if a.attributes not in (None, "{}") else "",
                neutralise(a.author),
                a.status,
                utc_iso(a.created_at),
                utc_iso(a.updated_at),
            )
            for a in spans
        )
        yield lines.take()


def write(header: ExportHeader, articles: Iterable[ArticleWithAnnotations]) -> Iterator[str]:
    """Yield the CSV text in chunks, header row first."""
    return buffered(_pieces(articles))
