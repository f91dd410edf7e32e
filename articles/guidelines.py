"""A project's annotation guidelines as HTML: plain text with its paragraphs, or Markdown rendered and sanitised.

Pure: text in, HTML out. Whatever the guidelines hold, the HTML keeps only harmless tags, no attributes but
a link's address and title, and only http, https and mailto links: no scripts, event handlers or styles
(the Content-Security-Policy forbids inline code; sanitising keeps it from being attempted at all).
"""

from __future__ import annotations

import markdown
import nh3
from django.utils.html import linebreaks

MARKDOWN = "markdown"
TAGS = frozenset(
    {
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
        "blockquote", "ul", "ol", "li", "dl", "dt", "dd", "a", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


def render_guidelines(text: str, text_format: str) -> str:
    """Return safe HTML for guidelines written as `text_format` ("markdown"; anything else is plain text)."""
    if text_format != MARKDOWN:
        return linebreaks(text, autoescape=True)
    html = markdown.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes=ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
