"""Builds the gold set's JSON files from their marked-up sources in src/, so that offsets are never typed by hand.

A source is a few header lines (`key: value`), a line `---`, then the article's text with each quote marked where
a person decided it stands: `⟦words⟧{Speaker Name}` (`⟦words⟧{}` when nobody is named), and each quoted phrase
that is not a quote (scare quotes, titles) marked `⟪words⟫{why}`. `\\u00a0`-style escapes stand for characters
that are hard to type (no-break spaces). The markers are removed and every span's offsets, in code points, come
from where its markers stood. Checks: spans are non-empty and carry no outer whitespace, and each quote span
starts right after an opening quotation mark and ends right before a closing one (the gold set's convention,
README.md).

Run: .venv/bin/python bench/suggest_gold/build.py [--check]   (--check: fail if a JSON file is out of date)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROVENANCE = "written for this gold set by the project, 2026; public domain (CC0)"
OPENING = set("\"“„«»‹›「『‘'")
CLOSING = set("\"”“»«›‹」』’'")
MARKUP = re.compile(r"⟦|⟧\{([^}]*)\}|⟪|⟫\{([^}]*)\}")
ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
HEADER_KEYS = {"id", "title", "language", "dev", "notes"}


def parse(source: str, name: str) -> dict:
    """One source file's article, quotes and non-quotes, with offsets into the unmarked text."""
    head, separator, body = source.partition("\n---\n")
    if not separator:
        raise ValueError(f"{name}: no '---' line between header and text")
    header: dict[str, str] = {}
    for line in head.splitlines():
        key, _, value = line.partition(":")
        if key.strip() not in HEADER_KEYS:
            raise ValueError(f"{name}: unknown header line {line!r}")
        header[key.strip()] = value.strip()
    body = ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), body.strip("\n"))
    text_parts: list[str] = []
    length = 0
    quotes: list[dict] = []
    not_quotes: list[dict] = []
    open_kind: str | None = None
    open_at = 0
    position = 0
    for match in MARKUP.finditer(body):
        piece = body[position : match.start()]
        text_parts.append(piece)
        length += len(piece)
        position = match.end()
        marker = match.group(0)[0]
        if marker in "⟦⟪":
            if open_kind is not None:
                raise ValueError(f"{name}: marker {marker} inside another span at {length}")
            open_kind, open_at = marker, length
            continue
        if open_kind != {"⟧": "⟦", "⟫": "⟪"}[marker]:
            raise ValueError(f"{name}: {marker} without its opening marker at {length}")
        if marker == "⟧":
            quotes.append({"start": open_at, "end": length, "speaker": match.group(1).strip() or None})
        else:
            not_quotes.append({"start": open_at, "end": length, "why": match.group(2).strip()})
        open_kind = None
    if open_kind is not None:
        raise ValueError(f"{name}: span opened at {open_at} never closed")
    text_parts.append(body[position:])
    text = "".join(text_parts)
    for span in quotes + not_quotes:
        span["text"] = text[span["start"] : span["end"]]
        if not span["text"] or span["text"] != span["text"].strip():
            raise ValueError(f"{name}: empty span or outer whitespace: {span['text']!r}")
    for quote in quotes:
        before = text[: quote["start"]].rstrip(" \u00a0\u202f")[-1:]
        after = text[quote["end"] :].lstrip(" \u00a0\u202f")[:1]
        if before not in OPENING or after not in CLOSING:
            raise ValueError(f"{name}: quote not between quotation marks: {before!r}{quote['text'][:30]!r}{after!r}")
    dev = header.get("dev", "true").lower()
    if dev not in {"true", "false"}:
        raise ValueError(f"{name}: dev must be true or false")
    return {
        "id": header["id"],
        "title": header["title"],
        "provenance": PROVENANCE,
        "language": header.get("language", "en"),
        "dev": dev == "true",
        "text": text,
        "quotes": quotes,
        "not_quotes": not_quotes,
        "notes": header.get("notes", ""),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report JSON files that differ from their source")
    args = parser.parse_args()
    stale = 0
    for source in sorted((HERE / "src").glob("*.txt")):
        article = parse(source.read_text(encoding="utf-8"), source.name)
        if article["id"] != source.stem:
            raise ValueError(f"{source.name}: id {article['id']!r} differs from the file name")
        target = HERE / f"{source.stem}.json"
        rendered = json.dumps(article, ensure_ascii=False, indent=1) + "\n"
        if target.exists() and target.read_text(encoding="utf-8") == rendered:
            continue
        stale += 1
        if args.check:
            print(f"out of date: {target.name}")
        else:
            target.write_text(rendered, encoding="utf-8")
            print(f"wrote {target.name}: {len(article['quotes'])} quotes, {len(article['not_quotes'])} non-quotes")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
