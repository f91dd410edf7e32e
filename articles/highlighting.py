"""Highlighting: split a text and its (possibly overlapping) spans into ordered segments.

Each Segment is a maximal run of text covered by the same set of spans, so nested and overlapping
annotations render without losing any of them. A sweep over span boundaries gives O((n + k) log k)
for a text of n code points and k spans. Pure module: the HTML it renders escapes every piece of text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True, slots=True)
class Span:
    id: int | str
    start: int
    end: int
    label: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    end: int
    text: str
    spans: tuple[Span, ...]


def segments(text: str, spans: Iterable[Span]) -> list[Segment]:
    """Return the ordered segments of `text`; each carries the spans covering it, outermost first."""
    ordered = sorted(
        (span for span in spans if 0 <= span.start < span.end <= len(text)),
        key=lambda span: (span.start, -span.end, str(span.id)),
    )
    boundaries = sorted({0, len(text), *(s.start for s in ordered), *(s.end for s in ordered)})
    ending: dict[int, list[Span]] = {}
    for span in ordered:
        ending.setdefault(span.end, []).append(span)
    active: dict[int, Span] = {}  # insertion order == (start, -end) order: outermost first
    next_span = 0
    result: list[Segment] = []
    for left, right in zip(boundaries, boundaries[1:]):
        for span in ending.pop(left, ()):
            del active[id(span)]
        while next_span < len(ordered) and ordered[next_span].start == left:
            active[id(ordered[next_span])] = ordered[next_span]
            next_span += 1
        result.append(Segment(left, right, text[left:right], tuple(active.values())))
    return result


def render_html(parts: Iterable[Segment]) -> str:
    """Render segments as HTML: plain text escaped, covered text in a <mark> describing its spans.

    The text content of the result equals the original text exactly, so the browser can count
    offsets over it. Label keys are slugs, but every attribute is escaped all the same.
    """
    out: list[str] = []
    for part in parts:
        body = escape(part.text, quote=False)
        if not part.spans:
            out.append(body)
            continue
        ids = " ".join(str(span.id) for span in part.spans)
        labels = " ".join(dict.fromkeys(span.label for span in part.spans))
        title = "; ".join(span.title or span.label for span in part.spans)
        top = part.spans[-1].label
        out.append(
            f'<mark class="hl hl-{escape(top)} depth-{min(len(part.spans), 4)}" data-ids="{escape(ids)}"'
            f' data-labels="{escape(labels)}" title="{escape(title)}">{body}</mark>'
        )
    return "".join(out)
