"""What a reader found in a file, before anything touches the database.

Readers turn bytes into drafts and problems; `articles.imports.plan` then checks the drafts against
the project with the same domain functions the pages and the API use. Every problem names the file,
the record (line, row or position) and the field, so a user can fix the whole file in one pass.
Pure module: no ORM, no HTTP.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Problem:
    file: str
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = ", ".join(part for part in (self.file, self.record) if part)
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "record": self.record, "field": self.field, "message": self.message}


@dataclass
class AnnotationDraft:
    """One annotation as read; offsets and/or a quote selector, checked later against the text."""

    record: str
    label: Any
    start: Any = None
    end: Any = None
    quote: Any = None
    prefix: Any = ""
    suffix: Any = ""
    note: Any = ""
    attributes: Any = None
    status: Any = None
    author: Any = None
    is_flagged: Any = False
    question: Any = ""
    relocatable: bool = False  # W3C: when the text at the position differs from the quote, find the quote
    source: str = ""  # W3C: the target's source IRI, and the page it came from (scope)
    scope: str = ""
    ref: Any = None  # the id the file gives it (native JSON, JSONL spans), by which its links name it


@dataclass
class LinkDraft:
    """One link as read: the file's ids of the two annotations it joins (of the same article) and its type's key."""

    record: str
    from_ref: Any
    to_ref: Any
    type: Any
    note: Any = ""
    author: Any = None
    status: Any = None


@dataclass
class ArticleDraft:
    record: str
    title: Any
    text: Any
    metadata: dict[str, Any] = field(default_factory=dict)
    status: Any = None
    text_sha256: Any = None  # native exports: checked against the text to catch damaged files
    annotations: list[AnnotationDraft] = field(default_factory=list)
    links: list[LinkDraft] = field(default_factory=list)  # between its annotations, named by their refs


@dataclass
class LabelDraft:
    record: str
    key: Any
    name: Any
    color: Any
    shortcut: Any = ""
    description: Any = ""
    order: Any = 0
    fields: Any = None


@dataclass
class LinkTypeDraft:
    record: str
    key: Any
    name: Any
    color: Any
    description: Any = ""
    order: Any = 0
    from_labels: Any = None  # label keys
    to_labels: Any = None


@dataclass
class Batch:
    """Everything read from one or more files of one import."""

    articles: list[ArticleDraft] = field(default_factory=list)
    labels: list[LabelDraft] = field(default_factory=list)
    link_types: list[LinkTypeDraft] = field(default_factory=list)
    annotations: list[AnnotationDraft] = field(default_factory=list)  # onto articles already stored
    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    file: str = ""

    def problem(self, record: str, field_name: str, message: str) -> None:
        self.problems.append(Problem(self.file, record, field_name, message))

    def extend(self, other: Batch) -> Batch:
        self.articles += other.articles
        self.labels += other.labels
        self.link_types += other.link_types
        self.annotations += other.annotations
        self.problems += other.problems
        self.notices += other.notices
        return self


def is_id(value: Any) -> bool:
    """Whether a JSON value is an id: a whole number (true and false are not)."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_link_ends(
    batch: Batch,
    article: ArticleDraft,
    owners: Mapping[Any, list[str]],
    *,
    names: tuple[str, str] = ("from", "to"),
    within: str = "file",
) -> None:
    """Refuse each end of the article's links that names no annotation of that article, saying where that id
    is instead.

    `owners` gives, for each annotation id `within` the file (or the record) holds, the record of the article
    holding it, once per annotation; `names` are the file's fields of the two ends.
    """
    for link in article.links:
        for name, ref in zip(names, (link.from_ref, link.to_ref), strict=True):
            found = owners.get(ref, [])
            here = found.count(article.record)
            if here == 1:
                continue
            if here > 1:
                message = f"Annotation {ref} appears more than once in this article, so this end is ambiguous."
            elif found:
                message = f"Annotation {ref} is in {found[0]}: both ends of a link must be in the same article."
            else:
                message = f"There is no annotation {ref} in this {within}."
            batch.problem(link.record, name, message)


def decode(data: bytes | str, batch: Batch) -> str | None:
    """Return the file's text (UTF-8, a BOM allowed), or None after recording where decoding failed."""
    if isinstance(data, str):
        return data if check_encodable(data, batch) else None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        batch.problem(
            f"line {line}",
            "encoding",
            f"The file is not UTF-8 text (byte {error.start + 1} is invalid). Save it as UTF-8.",
        )
        return None


def _first_unencodable(data: Any, path: str = "") -> str | None:
    """Return the path of the first string holding a lone surrogate (only walked after a failure)."""
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return path or "(the text)"
        return None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        here = f"{path}[{key!r}]" if isinstance(key, str) else f"{path}[{key}]"
        found = (_first_unencodable(key, here) if isinstance(key, str) else None) or _first_unencodable(value, here)
        if found:
            return found
    return None


def _strings(data: Any):
    """Every string in a parsed JSON value, keys included, walked without recursion."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            yield from (key for key in value if isinstance(key, str))
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_encodable(data: Any, batch: Batch, record: str = "") -> bool:
    """Refuse lone surrogates (JSON escapes like \\ud800): they are not text and no database stores them.

    Each string is encoded on its own (ASCII ones are skipped): serialising the whole value again to find
    out cost a full pass over every article's text, twice per import.
    """
    if all(value.isascii() or _encodable(value) for value in _strings(data)):
        return True
    where = _first_unencodable(data) or ""
    batch.problem(record, where, "Contains a lone surrogate (an invalid \\ud800-\\udfff escape); not valid text.")
    return False


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def loads(text: str, batch: Batch, record: str = "") -> Any:
    """Parse strict JSON (finite numbers, bounded nesting); on failure record where and return None."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
        return data if check_encodable(data, batch, record) else None
    except json.JSONDecodeError as error:
        where = f"{record}, column {error.colno}" if record else f"line {error.lineno}, column {error.colno}"
        batch.problem(where, "json", f"Invalid JSON: {error.msg}.")
    except RecursionError:
        batch.problem(record, "json", "Invalid JSON: nested too deeply.")
    except ValueError as error:
        batch.problem(record, "json", f"Invalid JSON: {error}.")
    return None


def open_document(name: str, data: bytes | str | Any, *, parsed: bool) -> tuple[Batch, Any]:
    """Start a batch for one JSON document: decode and parse it, or take a value already parsed and
    checked (by `loads`, or by articles.imports.read_value for a document inside a request).

    The data is None when the batch already holds the problem that stopped it.
    """
    batch = Batch(file=name)
    if not parsed:
        text = decode(data, batch)
        data = None if text is None else loads(text, batch)
    return batch, data


def text_or_empty(value: Any) -> Any:
    """Treat a JSON null as an empty string for optional text fields."""
    return "" if value is None else value


def first_line_title(text: str, limit: int = 120) -> str:
    """Make a title from the first non-empty line of a text (for sources that carry none)."""
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
    return ""
