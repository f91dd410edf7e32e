"""Highlighting: split a text and its (possibly overlapping) spans into ordered segments.

Each Segment is a maximal run of text covered by the same set of spans, so nested and overlapping
annotations render without losing any of them. A sweep over span boundaries gives O((n + k) log k)
for a text of n code points and k spans. Pure module: the HTML it renders escapes every piece of text.

A long text is rendered in blocks (paragraphs, and pieces of long paragraphs) so that a change to one span
re-renders only the blocks it touches: a page swaps a few kilobytes instead of the whole article.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from html import escape

from articles.anchoring import split_character

BLOCK = 600  # code points: a block is about a short paragraph, so one new span re-renders a few KB
_BREAK = re.compile(r"[\s。！？]")  # where a long paragraph may be cut: after a space or a CJK full stop


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


def blocks(text: str, size: int = BLOCK) -> list[tuple[int, int]]:
    """Cut `text` into consecutive (start, end) blocks: after each run of newlines, and inside a paragraph
    longer than `size` after its last space (or CJK full stop) before the limit, never inside a character."""
    found: list[tuple[int, int]] = []
    position = 0
    while position < len(text):
        limit = position + size
        newline = text.find("\n", position, limit)
        if newline >= 0:
            end = newline + 1
            while end < len(text) and text[end] == "\n":
                end += 1
        elif limit >= len(text):
            end = len(text)
        else:
            breaks = [match.end() for match in _BREAK.finditer(text, position + size // 2, limit)]
            end = breaks[-1] if breaks else limit
            inside = split_character(text, end)
            if inside is not None and inside[0] > position:
                end = inside[0]
            elif inside is not None:
                end = inside[1]
        found.append((position, end))
        position = end
    return found


def touched_blocks(bounds: list[tuple[int, int]], ranges: Iterable[tuple[int, int]]) -> set[int]:
    """Return the indexes of the blocks that share at least one code point with any of `ranges`."""
    starts = [start for start, _ in bounds]
    touched: set[int] = set()
    for start, end in ranges:
        first = max(0, bisect.bisect_right(starts, start) - 1)
        last = bisect.bisect_left(starts, end)
        touched.update(range(first, last))
    return touched


def render_blocks(
    text: str, spans: Iterable[Span], bounds: list[tuple[int, int]], only: Collection[int] | None = None
) -> list[tuple[int, str]]:
    """Render each block (or only those in `only`) as its highlighted HTML, as (index, html) pairs.

    A highlight that crosses a block boundary is cut into one <mark> per block; the blocks' text
    concatenates to the whole text, so offsets count the same as over an unblocked rendering.
    """
    wanted = sorted(set(range(len(bounds))) if only is None else set(only))
    if not wanted:
        return []
    low, high = bounds[wanted[0]][0], bounds[wanted[-1]][1]
    parts = segments(text, (span for span in spans if span.start < high and span.end > low))
    rendered, first = [], 0
    for index in wanted:
        start, end = bounds[index]
        while first < len(parts) and parts[first].end <= start:
            first += 1
        pieces, at = [], first
        while at < len(parts) and parts[at].start < end:
            part = parts[at]
            left, right = max(part.start, start), min(part.end, end)
            pieces.append(Segment(left, right, text[left:right], part.spans))
            at += 1
        rendered.append((index, render_html(pieces)))
    return rendered
