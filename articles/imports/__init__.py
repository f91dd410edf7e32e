"""Imports: one reader per format, then one plan (imports.planning) stored all or nothing (imports.committing).

Readers turn a file into drafts and problems without touching the database. Formats: plain text,
Markdown, HTML news pages (trafilatura), JSON/JSONL/CSV files of articles (JSONL with spans too),
our native JSON export, and W3C Web Annotation JSON-LD. A `.json` file is recognised by content.
"""

from __future__ import annotations

import codecs
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from articles.access import require, role_in
from articles.fetching import Page, fetch
from articles.imports import article_files, documents, native, w3c
from articles.imports.committing import commit, run_import
from articles.imports.drafts import Batch, check_encodable, decode, loads
from articles.imports.outcome import ImportFailed, ImportPlan
from articles.imports.planning import plan_import
from articles.models import Project
from articles.permissions import Action

MAX_FILES = settings.IMPORT_MAX_FILES
MAX_FILE_BYTES = settings.IMPORT_MAX_FILE_BYTES

FORMATS = {
    "txt": "Plain text (first line is the title)",
    "md": "Markdown (first line is the title)",
    "html": "HTML news page (main text and metadata extracted)",
    "json": "JSON: native export, W3C annotations or a list of articles (recognised by content)",
    "jsonl": "JSON Lines: one article per line, optionally with spans",
    "csv": "CSV of articles with a header row (title, text, byline, outlet, url, published_at, ...)",
    "native": "Native JSON export (articles, labels and annotations)",
    "w3c": "W3C Web Annotation JSON-LD (annotations on articles already here)",
}
EXTENSIONS = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonld": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
}


def safe_name(name: str) -> str:
    """The file's own name, without any directories (names are only shown, never used as paths)."""
    return PurePath(str(name).replace("\\", "/")).name[:200] or "upload"


def format_for(name: str, requested: str = "auto") -> str | None:
    """Return the import format for a file: the one asked for, else the one its extension names."""
    if requested and requested != "auto":
        return requested if requested in FORMATS else None
    return EXTENSIONS.get(PurePath(name).suffix.lower())


def _read_json_value(name: str, data: Any, requested: str) -> Batch:
    if requested == "native" or (requested == "json" and native.is_native(data)):
        return native.read_native(name, data, parsed=True)
    if requested == "w3c" or (requested == "json" and w3c.is_w3c(data)):
        return w3c.read_w3c(name, data, parsed=True)
    return article_files.read_json(name, data, parsed=True)


def read(name: str, data: bytes | str, requested: str = "auto", *, max_bytes: int | None = MAX_FILE_BYTES) -> Batch:
    """Read one file in the requested format (or the one its name says); never raises for bad content."""
    name = safe_name(name)
    key = format_for(name, requested)
    if key is None:
        batch = Batch(file=name)
        batch.problem("", "format", f"Unknown format; use one of: {', '.join(sorted(EXTENSIONS))}.")
        return batch
    if max_bytes is not None and len(data) > max_bytes:
        batch = Batch(file=name)
        batch.problem("", "", f"The file is larger than {max_bytes // (1024 * 1024)} MB. Split it.")
        return batch
    if key in ("txt", "md"):
        return documents.read_text(name, data)
    if key == "html":
        return documents.read_html(name, data)
    if key == "jsonl":
        return article_files.read_jsonl(name, data)
    if key == "csv":
        return article_files.read_csv(name, data)
    batch = Batch(file=name)
    text = decode(data, batch)
    value = None if text is None else loads(text, batch)
    return batch if batch.problems else _read_json_value(name, value, key)


def read_value(name: str, value: Any, requested: str) -> Batch:
    """Read content that arrived inside a JSON request: a string is a file, anything else parsed JSON."""
    if isinstance(value, str):
        return read(name, value, requested)
    batch = Batch(file=safe_name(name))
    if requested not in ("json", "native", "w3c", "auto"):
        batch.problem("", "content", "For this format, send the file's content as a string.")
        return batch
    if not check_encodable(value, batch):
        return batch
    return _read_json_value(batch.file, value, "json" if requested == "auto" else requested)


def read_page(page: Page) -> Batch:
    """Read a fetched page as HTML (or plain text), decoding it with the charset the server declared."""
    parts = urlsplit(page.url)
    name = safe_name(parts.path) if parts.path.strip("/") else parts.hostname or "page"
    body: bytes | str = page.body
    if page.charset:
        try:
            body = page.body.decode(codecs.lookup(page.charset).name, errors="replace")
        except LookupError:
            pass  # an unknown charset: let the readers detect the encoding
    if page.content_type == "text/plain":
        batch = documents.read_text(name, body if isinstance(body, str) else body.decode("utf-8", "replace"))
        for article in batch.articles:
            article.metadata.setdefault("url", page.url)  # where it came from, as an HTML page's article keeps
        return batch
    return documents.read_html(name, body, url=page.url)


def read_url(url: str, *, into: Project, by) -> Batch:
    """Fetch a page to import into `into` through the guarded fetcher and read it; raises FetchError (one
    generic message). Only members who may import make the server fetch: the role is checked first (SSRF-8)."""
    require(role_in(into, by), Action.IMPORT)
    return read_page(fetch(url))


__all__ = [
    "FORMATS",
    "ImportFailed",
    "ImportPlan",
    "commit",
    "plan_import",
    "read",
    "read_page",
    "read_url",
    "read_value",
    "run_import",
]
