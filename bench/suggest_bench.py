"""The built-in suggester (articles/suggesting) against the hand-made gold set, and its speed.

Accuracy: every article in bench/suggest_gold/*.json (README.md there: provenance, conventions). Quote spans are
matched one to one with the gold quotes three ways: exact boundaries; any overlap; overlap with
intersection-over-union >= 0.5 (greedy, largest overlap first). Speaker accuracy is over the gold quotes that
have a named speaker and are matched by overlap: right when the suggested speaker equals the gold one after
case folding and collapsing spaces (the full name; a surname alone is wrong). English and other languages are
counted apart, each split ("dev": rules were tuned on these; "held-out": written before the rules, never tuned
on) apart and together. Non-quotes: the quoted phrases in the gold marked as scare quotes or titles, and how
many of them the suggester offered as quotes.
Speed: the gold articles' texts repeated to about --megabytes MB (UTF-8) as one text, best of --repeat runs.

Run: .venv/bin/python bench/suggest_bench.py [--split dev|held-out|all] [--ids 'en-*'] [--errors dev|held-out|all|none]
     [--megabytes 5] [--repeat 3] [--no-speed]
Pure: needs no Django settings and no database.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from articles.suggesting.builtin import suggest  # noqa: E402

GOLD = Path(__file__).resolve().parent / "suggest_gold"


@dataclass
class Tally:
    articles: int = 0
    gold: int = 0
    predicted: int = 0
    exact: int = 0
    overlap: int = 0
    iou: int = 0
    speakers: int = 0
    speakers_right: int = 0
    unnamed_given_a_name: int = 0
    unnamed: int = 0
    non_quotes: int = 0
    non_quotes_offered: int = 0
    claims: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            if name != "errors":
                setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors += other.errors


def load(directory: Path) -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))]


def one_to_one(gold: list[tuple[int, int]], found: list[tuple[int, int]], min_iou: float) -> dict[int, int]:
    """Gold index -> found index, pairing the largest overlaps first."""
    pairs = []
    for g, (gs, ge) in enumerate(gold):
        for f, (fs, fe) in enumerate(found):
            common = min(ge, fe) - max(gs, fs)
            if common > 0 and common / (max(ge, fe) - min(gs, fs)) >= min_iou:
                pairs.append((-common, g, f))
    pairs.sort()
    matched: dict[int, int] = {}
    used: set[int] = set()
    for _common, g, f in pairs:
        if g not in matched and f not in used:
            matched[g] = f
            used.add(f)
    return matched


def norm(name: str | None) -> str:
    return " ".join((name or "").casefold().split())


def score(article: dict) -> Tally:
    text = article["text"]
    tally = Tally(articles=1)
    found = suggest(text, article["language"])
    quotes = [each for each in found if each.label == "quote"]
    tally.claims = sum(each.label == "claim" for each in found)
    gold = [(quote["start"], quote["end"]) for quote in article["quotes"]]
    spans = [(each.start, each.end) for each in quotes]
    tally.gold, tally.predicted = len(gold), len(spans)
    tally.exact = len(set(gold) & set(spans))
    by_overlap = one_to_one(gold, spans, 0.0)
    tally.overlap = len(by_overlap)
    tally.iou = len(one_to_one(gold, spans, 0.5))
    label = article["id"]
    for g, quote in enumerate(article["quotes"]):
        if g not in by_overlap:
            tally.errors.append(f"{label}: missed {quote['text'][:70]!r}")
            continue
        match = quotes[by_overlap[g]]
        if (match.start, match.end) != (quote["start"], quote["end"]):
            tally.errors.append(f"{label}: boundaries {match.quote[:50]!r} for gold {quote['text'][:50]!r}")
        said = match.attributes.get("speaker")
        if article["language"].split("-")[0] != "en":
            continue  # speakers are asked of English text only
        if quote["speaker"] is None:
            tally.unnamed += 1
            if said:
                tally.unnamed_given_a_name += 1
                tally.errors.append(f"{label}: speaker {said!r} for an unnamed speaker: {quote['text'][:40]!r}")
            continue
        tally.speakers += 1
        if norm(said) == norm(quote["speaker"]):
            tally.speakers_right += 1
        else:
            tally.errors.append(f"{label}: speaker {said!r}, gold {quote['speaker']!r}: {quote['text'][:40]!r}")
    matched = set(by_overlap.values())
    for f, each in enumerate(quotes):
        if f not in matched:
            tally.errors.append(f"{label}: spurious {each.quote[:70]!r} ({each.confidence})")
    for non_quote in article.get("not_quotes", []):
        tally.non_quotes += 1
        tally.non_quotes_offered += any(s < non_quote["end"] and non_quote["start"] < e for s, e in spans)
    return tally


def f1(right: int, predicted: int, gold: int) -> str:
    precision = right / predicted if predicted else 0.0
    recall = right / gold if gold else 0.0
    both = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"{precision:5.3f} {recall:5.3f} {both:5.3f}"


def share(part: int, whole: int) -> str:
    return f"{part / whole:5.3f} ({part}/{whole})" if whole else "  -  "


def accuracy(articles: list[dict], errors: str) -> None:
    groups: dict[tuple[str, str], Tally] = {}
    for article in articles:
        english = article["language"].split("-")[0] == "en"
        split = "dev" if article.get("dev", True) else "held-out"
        tally = score(article)
        for key in ((english, split), (english, "all")):
            groups.setdefault(("English" if key[0] else "other", key[1]), Tally()).add(tally)
    print(
        f"{'language':8} {'split':8} {'art':>3} {'gold':>4} {'sugg':>4}  "
        f"{'exact P     R     F1':22} {'overlap P   R     F1':22} {'IoU>=.5 F1':10}  {'speaker accuracy':18} "
        f"{'non-quotes offered':18}"
    )
    for (language, split), t in sorted(groups.items(), key=lambda item: (item[0][0] != "English", item[0][1])):
        speakers = share(t.speakers_right, t.speakers) if language == "English" else "  (not asked)"
        print(
            f"{language:8} {split:8} {t.articles:3} {t.gold:4} {t.predicted:4}  {f1(t.exact, t.predicted, t.gold):22} "
            f"{f1(t.overlap, t.predicted, t.gold):22} {f1(t.iou, t.predicted, t.gold)[-5:]:10}  {speakers:18} "
            f"{share(t.non_quotes_offered, t.non_quotes):18}"
        )
    english = groups.get(("English", "all"), Tally())
    print(
        f"English: {english.claims} claim suggestions; gold quotes with nobody named given a name: "
        f"{english.unnamed_given_a_name} of {english.unnamed}"
    )
    if errors != "none":
        shown = [
            error
            for (language, split), t in groups.items()
            if split == errors or (errors == "all" and split != "all")
            for error in t.errors
        ]
        print(f"\nErrors ({errors}):" if shown else f"\nNo errors ({errors}).")
        for error in shown:
            print("  " + error)


def speed(articles: list[dict], megabytes: float, repeat: int) -> None:
    piece = "\n\n".join(article["text"] for article in articles)
    copies = max(1, round(megabytes * 1_000_000 / len(piece.encode())))
    text = "\n\n".join([piece] * copies)
    size = len(text.encode()) / 1_000_000
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        found = suggest(text, "en")
        times.append(time.perf_counter() - began)
    best = min(times)
    print(
        f"\nspeed: {size:.2f} MB ({len(text):,} code points, {copies} copies of the gold set) in {best:.2f} s best, "
        f"{statistics.median(times):.2f} s median of {repeat}: {size / best:.2f} MB/s (goal >= 1); "
        f"{len(found):,} suggestions"
    )


def load_average() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=GOLD, help="directory of gold JSON files")
    parser.add_argument("--split", choices=["dev", "held-out", "all"], default="all", help="articles to score")
    parser.add_argument("--ids", default="*", help="only articles whose id matches this pattern (fnmatch)")
    parser.add_argument("--errors", choices=["dev", "held-out", "all", "none"], default="none")
    parser.add_argument("--megabytes", type=float, default=5.0, help="size of the speed text")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the speed case")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    print(f"load average (1, 5, 15 min): {load_average()}")
    articles = load(args.gold)
    articles = [article for article in articles if fnmatch.fnmatch(article["id"], args.ids)]
    if args.split != "all":
        articles = [article for article in articles if article.get("dev", True) == (args.split == "dev")]
    accuracy(articles, args.errors)
    if not args.no_speed:
        speed(articles, args.megabytes, args.repeat)
    print(f"load average (1, 5, 15 min): {load_average()}")


if __name__ == "__main__":
    main()
