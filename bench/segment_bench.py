"""Span engine speed: segment (and render) a 50,000-code-point text with 5,000 overlapping spans.

Run: .venv/bin/python bench/segment_bench.py [--chars 50000] [--spans 5000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from articles.highlighting import Span, render_html, segments  # noqa: E402

WORDS = ["council", "votes", "“bike”", "lanes", "Zoë", "café", "🚲", "東京", "said", "the", "2030", "<b>"]


def make_text(length: int, rng: random.Random) -> str:
    words: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(WORDS)
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:length]


def make_spans(text_length: int, count: int, rng: random.Random) -> list[Span]:
    spans = []
    for number in range(count):
        start = rng.randrange(0, text_length - 1)
        end = min(text_length, start + rng.randint(1, 400))
        spans.append(Span(id=number, start=start, end=end, label=rng.choice(["claim", "quote", "source", "opinion"])))
    return spans


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--spans", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(7)
    text = make_text(args.chars, rng)
    spans = make_spans(len(text), args.spans, rng)
    parts = segments(text, spans)
    depth = max(len(part.spans) for part in parts)
    segment_ms = timed(lambda: segments(text, spans), args.repeat)
    render_ms = timed(lambda: render_html(segments(text, spans)), args.repeat)
    html_size = len(render_html(parts).encode())
    print(
        f"text: {len(text):,} code points; spans: {len(spans):,} (overlapping, max depth {depth}); "
        f"segments: {len(parts):,}"
    )
    print(f"segments():              median {statistics.median(segment_ms):7.1f} ms  (min {min(segment_ms):.1f})")
    print(
        f"segments()+render_html(): median {statistics.median(render_ms):7.1f} ms  (min {min(render_ms):.1f});"
        f" HTML {html_size / 1024:,.0f} KiB"
    )


if __name__ == "__main__":
    main()
