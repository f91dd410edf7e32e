"""What an export holds, as plain data: the project with its labels, articles and their annotations.

The export writers (one module per format) take these records and yield text; they import nothing
from the ORM or HTTP, so each format is tested without a database. Records are NamedTuples because
an export builds a million of them: one tuple per database row, no per-object overhead. Timestamps
arrive as RFC 3339 text from the database (datetimes are accepted too) and attributes as JSON text.
"""

from __future__ import annotations

import json
import json.encoder
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any, NamedTuple

Moment = datetime | str | None
# A JSON string literal, quotes included, escaped exactly as json.dumps(..., ensure_ascii=False) does.
JSON_STRING = json.encoder.encode_basestring
# Compact UTF-8 JSON for every export; NaN and infinities never leave the tool.
compact_json = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode
# < > & occur in JSON text only inside strings, so escaping them there is a plain translation.
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})
NATIVE_FORMAT = "news-annotator/export"
NATIVE_VERSION = 1


class LabelRecord(NamedTuple):
    key: str
    name: str
    color: str
    shortcut: str
    description: str
    order: int
    fields: list


class ProjectRecord(NamedTuple):
    id: int
    name: str
    slug: str
    description: str
    guidelines: str
    organisation: str
    visibility: str
    factcheck_url_pattern: str = ""  # the public address of each fact-check, with {uuid} etc. (ClaimReview)
    public_uuid: str = ""  # names the project's claims in urn:uuid IRIs


class LinkTypeRecord(NamedTuple):
    key: str
    name: str
    color: str
    description: str
    order: int
    from_labels: tuple[str, ...]  # label keys allowed at each end
    to_labels: tuple[str, ...]


class ArticleRecord(NamedTuple):
    id: int
    title: str
    byline: str
    outlet: str
    url: str
    published_at: Moment
    language: str
    external_id: str
    status: str
    text: str
    text_sha256: str
    created_at: Moment
    updated_at: Moment
    text_revision: int = 1


class AnnotationRecord(NamedTuple):
    id: int
    article_id: int
    start: int | None  # None: orphaned (exported only with include=orphaned)
    end: int | None
    quote: str
    prefix: str
    suffix: str
    label: str
    note: str
    attributes: str  # JSON text, e.g. '{"verdict": "false"}'
    author: str
    status: str
    is_flagged: bool
    question: str
    created_at: Moment
    updated_at: Moment
    anchor_status: str = "exact"  # exact, shifted, fuzzy or orphaned (articles.models.AnchorStatus)
    anchored_revision: int = 1
    original_quote: str | None = None  # the quote as first annotated; None: the same as `quote` (read so)
    reviewed_at: Moment = None  # the latest review decision; read only by formats that ask for it


class LinkRecord(NamedTuple):
    """A link from one exported annotation to another of the same article."""

    id: int
    article_id: int
    from_id: int
    to_id: int
    type: str  # the link type's key
    note: str
    author: str
    status: str
    created_at: Moment
    updated_at: Moment


LABEL_COLUMNS = LabelRecord._fields


@dataclass(frozen=True)
class ExportHeader:
    """Everything an export says before its articles: what, when, for whom, and how many."""

    project: ProjectRecord
    labels: tuple[LabelRecord, ...]
    base_url: str
    exported_at: datetime
    article_id: int | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    article_count: int = 0
    annotation_count: int = 0
    page: int | None = None  # set when one page of the collection was asked for (W3C)
    link_types: tuple[LinkTypeRecord, ...] = ()
    link_count: int = 0  # links whose both ends are exported (read only for formats that write links)

    def api_url(self, path: str) -> str:
        """Return the absolute IRI of an API path (ids in exports are stable IRIs, DATA-8)."""
        return f"{self.base_url.rstrip('/')}/api/v1/{path.lstrip('/')}"


class ArticleWithAnnotations(NamedTuple):
    """One article of an export with its annotations in text order and the links between them."""

    article: ArticleRecord
    annotations: list[AnnotationRecord]
    links: tuple[LinkRecord, ...] | list[LinkRecord] = ()


def json_offset(value: int | None) -> str:
    """An offset as JSON: null for an orphaned annotation, which has none."""
    return "null" if value is None else str(int(value))


def first_quote(annotation: AnnotationRecord) -> str:
    """The quote as first annotated (a revision may have changed the current one)."""
    return annotation.quote if annotation.original_quote is None else annotation.original_quote


def utc_iso(moment: Moment) -> str | None:
    """Format an aware datetime as RFC 3339 in UTC with a Z (the W3C schemas demand a zone).

    Text is taken as already formatted (the database renders timestamps so, see articles.export_scope).
    """
    if moment is None or isinstance(moment, str):
        return moment
    if moment.utcoffset():
        moment = moment.astimezone(timezone.utc)
    return moment.replace(tzinfo=None).isoformat() + "Z"


def iso_date(moment: Moment | date) -> str | None:
    """Format the calendar date (UTC) of a moment, e.g. 2024-05-01."""
    if moment is None:
        return None
    if isinstance(moment, str):
        return moment[:10]
    if isinstance(moment, datetime):
        if moment.utcoffset():
            moment = moment.astimezone(timezone.utc)
        return moment.date().isoformat()
    return moment.isoformat()


def script_safe_json(value: Any) -> str:
    """Return compact JSON that can be pasted into <script type="application/ld+json"> as it is.

    < > & become \\u003c \\u003e \\u0026, so no `</script>` or `<!--` in a string can end or confuse the
    block; JSON parsers read the same strings.
    """
    return compact_json(value).translate(_SCRIPT_ESCAPES)


@lru_cache(maxsize=4096)
def attributes_of(text: str | None) -> dict[str, Any]:
    """Parse an annotation's attributes once per distinct JSON text (most repeat); never mutate the result."""
    return json.loads(text) if text else {}


def fields_by_label(labels: Iterable[LabelRecord]) -> dict[str, dict[str, dict[str, Any]]]:
    """Map each label key to its attribute field definitions by name, in the label's field order."""
    return {
        label.key: {
            spec["name"]: spec
            for spec in label.fields or ()
            if isinstance(spec, dict) and isinstance(spec.get("name"), str)
        }
        for label in labels
    }


def attribute_text(value: Any) -> str:
    """An attribute value as text: strings as they are, null as nothing, numbers and true/false as JSON spells them."""
    if value is None:
        return ""
    return value if isinstance(value, str) else compact_json(value)


def buffered(pieces: Iterable[str], size: int = 64 * 1024) -> Iterator[str]:
    """Join small pieces of text into chunks of about `size` characters (fewer, larger writes)."""
    batch: list[str] = []
    length = 0
    for piece in pieces:
        batch.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch)
