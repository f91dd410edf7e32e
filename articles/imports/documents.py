"""Single documents as articles: plain text, Markdown, and HTML news pages.

HTML goes through trafilatura, which finds the main text and the metadata of a news page (title,
author, date, site name). Only that extracted plain text is stored: markup, scripts and attributes
of the page never reach the database, so nothing of it can be rendered later (XSS-5).
"""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import Any

import trafilatura

from articles.imports.drafts import ArticleDraft, Batch, decode, first_line_title

logger = logging.getLogger(__name__)
RECORD = "document"


def _title_and_body(text: str, name: str) -> tuple[str, str]:
    """The first line is the title when more text follows it; otherwise the file name is."""
    lines = text.strip().split("\n", 1)
    if len(lines) == 2 and lines[1].strip() and len(lines[0]) <= 300:
        return first_line_title(lines[0], limit=300), lines[1].strip("\n")
    return PurePath(name).stem or "Untitled", text.strip("\n")


def read_text(name: str, data: bytes | str) -> Batch:
    """Read a .txt or .md file: first line as title, the rest as the article text."""
    batch = Batch(file=name)
    text = decode(data, batch)
    if text is not None:
        title, body = _title_and_body(text.replace("\r\n", "\n").replace("\r", "\n"), name)
        batch.articles.append(ArticleDraft(RECORD, title, body))
    return batch


def _web_address(value: Any) -> str:
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else ""


def read_html(name: str, data: bytes | str, *, url: str = "") -> Batch:
    """Extract the main text and metadata of a news page with trafilatura."""
    batch = Batch(file=name)
    try:
        document = trafilatura.bare_extraction(
            data, url=url or None, with_metadata=True, include_comments=False, include_tables=True
        )
    except Exception:  # trafilatura parses hostile markup; any failure is "no article here"
        logger.info("trafilatura failed on %s", name, exc_info=True)
        document = None
    text = (getattr(document, "text", None) or "").strip()
    if not text:
        batch.problem(RECORD, "text", "No article text was found in this page.")
        return batch
    metadata = {
        "byline": (document.author or "")[:300],
        "outlet": (document.sitename or "")[:200],
        "url": _web_address(url) or _web_address(document.url),
        "published_at": document.date or None,
    }
    if getattr(document, "language", None):
        metadata["language"] = document.language[:16]
    title = (document.title or "").strip() or first_line_title(text) or PurePath(name).stem
    batch.articles.append(ArticleDraft(RECORD, title[:500], text, {k: v for k, v in metadata.items() if v}))
    return batch
