"""Re-anchoring after a revision: accuracy on a generated corpus of edits, and speed.

Accuracy: news-like articles (English with emoji incl. ZWJ sequences and flags, Japanese and Chinese incl. the
astral 𠮷, Arabic and Hebrew, combining marks), spans selected as a person would (whole words: one word, a few
words, a sentence, repeated boilerplate), and revisions made of insertions, deletions, moved paragraphs, typo
fixes inside spans, reworded quotes and whole spans deleted. The edit generator tracks where each span's text
truly is afterwards; reanchor() is judged against that.
Speed: 2,000 annotations on a 50,000-code-point article after edits changing 5% of its code points (one such long
case per seed, whose landings are judged too).

Run: .venv/bin/python bench/reanchor_bench.py [--seed 1] [--seeds 3] [--articles 60] [--repeat 7] [--compare-diffs]
(--articles 0 --repeat 1: the long cases alone)
Pure: needs no Django settings and no database.
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import os
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fast_diff_match_patch  # noqa: E402
import regex  # noqa: E402

from articles.anchoring import canonical_text, describe, validate_span  # noqa: E402
from articles.approximate_match import edit_distance  # noqa: E402
from articles.reanchor_paragraphs import paragraph as paragraph_bounds  # noqa: E402
from articles.reanchoring import DEFAULT_THRESHOLD, EXACT, FUZZY, ORPHANED, SHIFTED, Anchor, reanchor  # noqa: E402
from articles.revision_map import diff  # noqa: E402

NAMES = [
    "Zoë Martínez",
    "Nguyễn Thị Minh",
    "Søren Dahl",
    "Amara Okafor",
    "Jean-Luc Moreau",
    "Ana Q\u0301uiroga",
    "अनुष्का शर्मा",
    "Li Wei",
    "Fatima Haddad",
    "Olu Adeyemi",
    "Ingrid Berg",
    "Tomás Ó Briain",
]
BODIES = [
    "city council",
    "transport ministry",
    "school board",
    "regional court",
    "port authority",
    "health agency",
    "water utility",
    "housing office",
    "planning committee",
    "police commission",
]
VERBS = ["spend", "approve", "review", "delay", "cut", "double", "audit", "halve", "reconsider", "fund"]
THINGS = [
    "bike lanes",
    "the new bridge",
    "flood defences",
    "bus routes",
    "the harbour plan",
    "school meals",
    "the tram extension",
    "street lighting",
    "the library",
    "night buses",
    "the stadium deal",
    "park benches",
    "the recycling depot",
    "speed cameras",
    "the ferry service",
]
PLACES = [
    "Lyon",
    "Osaka",
    "Haifa",
    "Ramallah",
    "Kraków",
    "São Paulo",
    "Lagos",
    "Bergen",
    "Galway",
    "Hanoi",
    "Quito",
    "Tromsø",
    "Zürich",
    "Málaga",
    "Gdańsk",
]
EMOJI = ["👩🏽‍⚖️", "👨‍👩‍👧‍👦", "🇫🇷", "🇯🇵", "🇺🇦", "🚲", "❤️", "👍🏾", "🏳️‍🌈", "🇧🇷", "🧑🏿‍🔧"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
FILLER = (
    "new old local public final early late major minor urgent quiet costly modest bold cautious fresh rival "
    "joint partial formal surprise overdue narrow broad"
).split()
BOILERPLATE = [
    "Officials did not respond to a request for comment.",
    "The vote is expected next week.",
    "the city council",
]
JA = {
    "place": ["東京都", "大阪府", "𠮷野町", "横浜市", "札幌市", "福岡市"],
    "body": ["知事", "市議会", "教育委員会", "港湾局"],
    "thing": ["自転車レーン", "新しい橋", "防潮堤", "バス路線", "学校給食"],
    "verb": ["発表した", "承認した", "見直した", "延期した"],
    "name": ["佐藤花子", "鈴木一郎", "𠮷田美咲", "高橋健"],
    "adj": ["必要だ", "高すぎる", "遅すぎる", "安全だ"],
}
ZH = {
    "place": ["北京市", "上海市", "广州市", "深圳市"],
    "body": ["政府", "议会", "交通局"],
    "verb": ["增加", "削减", "审查"],
    "thing": ["自行车道", "新桥", "防洪堤", "公交线路"],
}
AR = {"who": ["الوزير", "رئيس البلدية", "المتحدث باسم المجلس"], "what": ["الخطة", "الجسر الجديد", "مسارات الدراجات"]}
HE = {"who": ["השר", "ראש העירייה", "דובר המועצה"], "what": ["התוכנית", "הגשר החדש", "שבילי האופניים"]}


def cjk_sentence(rng: random.Random) -> str:
    pick = {key: rng.choice(values) for key, values in JA.items()}
    kind = rng.randrange(3)
    if kind == 0:
        return f"{pick['place']}の{pick['body']}は{rng.randint(1, 28)}日、{pick['thing']}の計画を{pick['verb']}。"
    if kind == 1:
        return f"{pick['name']}氏は「{pick['thing']}は{pick['adj']}」と述べた。"
    zh = {key: rng.choice(values) for key, values in ZH.items()}
    return (
        f"{zh['place']}{zh['body']}周{rng.choice('一二三四五')}表示将{zh['verb']}{zh['thing']}"
        f"预算{rng.randint(2, 90)}亿元。"
    )


def rtl_sentence(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"قال {rng.choice(AR['who'])} إن {rng.choice(AR['what'])} ستكلف {rng.randint(2, 90)} مليون يورو."
    return f"{rng.choice(HE['who'])} אמר כי {rng.choice(HE['what'])} יעלה {rng.randint(2, 90)} מיליון שקל."


LETTERS = {
    "latin": "abcdefghijklmnopqrstuvwxyz",
    "arabic": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "hebrew": "אבגדהוזחטיכלמנסעפצקרשת",
    "cjk": "市政府議会計画港口東京大阪予算住民",
}
# Tokens as a person selects them: words (with accents and inner hyphens/apostrophes), each CJK character, each
# other user-perceived character (punctuation, emoji), runs of whitespace.
TOKEN = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}]\p{M}*|(?:(?![\p{Han}\p{Hiragana}\p{Katakana}])[\w\p{M}])+(?:['’-][\w\p{M}]+)*"
    r"|\s+|\X"
)


def sentence(rng: random.Random) -> str:
    name, body, thing = rng.choice(NAMES), rng.choice(BODIES), rng.choice(THINGS)
    kind = rng.randrange(10)
    if kind == 0:
        return rng.choice(BOILERPLATE[:2])
    if kind == 1:
        return cjk_sentence(rng)
    if kind == 2:
        return rtl_sentence(rng)
    if kind == 3:
        return (
            f"“{rng.choice(FILLER).capitalize()} {thing} {rng.choice(EMOJI)} are {rng.choice(FILLER)},” "
            f"{name} told reporters in {rng.choice(PLACES)}."
        )
    if kind == 4:
        return (
            f"The {body} voted {rng.randint(3, 9)} to {rng.randint(0, 2)} on {rng.choice(DAYS)} "
            f"to {rng.choice(VERBS)} {thing}."
        )
    if kind == 5:
        return (
            f"According to the city council, {thing} in {rng.choice(PLACES)} "
            f"will cost €{rng.randint(2, 90)} million {rng.choice(EMOJI)}."
        )
    words = [rng.choice(FILLER) for _ in range(rng.randint(2, 5))]
    return (
        f"{name} said the {body} would {rng.choice(VERBS)} {rng.randint(2, 400)} {' '.join(words)} "
        f"{thing} by {rng.randint(2026, 2040)}."
    )


def paragraph(rng: random.Random) -> str:
    if rng.random() < 0.12:  # a Japanese/Chinese paragraph: no spaces at all
        return "".join(cjk_sentence(rng) for _ in range(rng.randint(2, 5)))
    sentences: list[str] = []
    while len(sentences) < rng.randint(2, 6):
        if (candidate := sentence(rng)) not in sentences[-1:]:  # no sentence right after its own copy
            sentences.append(candidate)
    return " ".join(sentences)


def article(rng: random.Random, size: int) -> str:
    paragraphs: list[str] = []
    while sum(len(p) + 2 for p in paragraphs) < size:
        paragraphs.append(paragraph(rng))
    return canonical_text("\n\n".join(paragraphs))


@dataclass
class Span:
    start: int
    end: int
    kind: str
    truth: tuple[int, int] | None = None  # where its text is in the new text (None: deleted)
    gone: int = 0  # when deleted: the new offset where its text was (for explanation_cost)
    touched: bool = False  # an edit happened strictly inside it (or covered it)
    edits: list[str] = field(default_factory=list)


def tokens(text: str, low: int, high: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TOKEN.finditer(text, low, high) if not m.group().isspace()]


def make_spans(text: str, count: int, rng: random.Random) -> list[Span]:
    """Word-aligned spans inside one paragraph each: one word, a few words, a sentence, repeated phrases."""
    paragraphs = [(m.start(), m.end()) for m in regex.finditer(r"[^\n]+", text)]
    repeated = [m.span() for phrase in BOILERPLATE for m in regex.finditer(regex.escape(phrase), text)]
    spans = []
    while len(spans) < count:
        roll = rng.random()
        if roll < 0.12 and repeated:
            start, end = rng.choice(repeated)
            spans.append(Span(start, end, "repeated"))
            continue
        low, high = rng.choice(paragraphs)
        words = tokens(text, low, high)
        if roll < 0.45:
            first = rng.randrange(len(words))
            last, kind = first, "word"
        elif roll < 0.8:
            first = rng.randrange(len(words))
            last, kind = min(len(words) - 1, first + rng.randint(1, 6)), "words"
        else:
            starts = [i for i, (s, _) in enumerate(words) if s == low or text[s - 2 : s] in (". ", "。")]
            first = rng.choice(starts) if starts else 0
            last = next((i for i in range(first, len(words)) if text[words[i][0]] in ".。"), len(words) - 1)
            kind = "sentence"
        spans.append(Span(words[first][0], words[last][1], kind))
    return spans


class Revision:
    """Applies edits to a text while tracking where every span's text goes."""

    def __init__(self, text: str, spans: list[Span], rng: random.Random):
        self.text = text
        self.spans = spans
        self.rng = rng
        self.changed = 0  # code points inserted plus deleted
        for span in spans:
            span.truth = (span.start, span.end)

    def replace(self, low: int, high: int, insert: str, what: str) -> None:
        """Replace text[low:high] by `insert`; spans after it shift, spans it cuts into are touched."""
        delta = len(insert) - (high - low)
        for span in self.spans:
            if span.truth is None:
                span.gone += delta if high <= span.gone else min(0, low - span.gone)
                continue
            start, end = span.truth
            if high <= start:  # before it (an insertion at its start goes before it too)
                span.truth = (start + delta, end + delta)
                continue
            if low >= end:  # after it (an insertion at its end goes after it)
                continue
            span.touched = True
            span.edits.append(what)
            if (low, high) == (start, end) and insert:
                span.truth = (low, low + len(insert))  # exactly its text, replaced
            elif low <= start and high >= end:
                span.truth = None  # the whole span was deleted (or replaced with more around it)
                span.gone = low
            elif low < start:  # cuts into its start: the rest of the span begins after the replacement
                span.truth = (low + len(insert), end + delta)
            elif high > end:  # cuts into its end
                span.truth = (start, low)
            else:  # inside it (ends included)
                span.truth = (start, end + delta)
        self.text = self.text[:low] + insert + self.text[high:]
        self.changed += len(insert) + high - low

    def move_paragraph(self) -> None:
        """Move a paragraph (with one paragraph separator) to another place between paragraphs."""
        blocks = [(m.start(), m.end()) for m in regex.finditer(r"[^\n]+(?:\n\n)?", self.text)]
        if len(blocks) < 3:
            return
        low, high = blocks[self.rng.randrange(len(blocks))]
        if self.text[low:high].endswith("\n\n"):  # "paragraph\n\n" goes before another paragraph
            rest = self.text[:low] + self.text[high:]
            targets = [0] + [m.end() for m in regex.finditer(r"\n\n", rest)]
        else:  # the last paragraph: "\n\nparagraph" goes after another paragraph
            low -= 2
            rest = self.text[:low] + self.text[high:]
            targets = [m.start() for m in regex.finditer(r"\n\n", rest)] + [len(rest)]
        targets = [target for target in targets if target != low]
        if not targets:
            return
        target, block = self.rng.choice(targets), self.text[low:high]
        for span in self.spans:
            if span.truth is None:
                at = span.gone if span.gone <= low else span.gone - len(block)  # in `rest`
                inside = low < span.gone < high
                span.gone = target + span.gone - low if inside else at + (len(block) if at >= target else 0)
                continue
            start, end = span.truth
            if low <= start and end <= high:  # inside the moved paragraph: moves along, untouched
                span.truth = (target + start - low, target + end - low)
                continue
            at = start if start < low else start - len(block)  # in `rest`
            at += len(block) if at >= target else 0
            span.truth = (at, at + end - start)
        self.text = rest[:target] + block + rest[target:]
        self.changed += 2 * len(block)

    def word_boundaries(self) -> list[int]:
        return [m.start() for m in regex.finditer(r"(?<=\S) (?=\S)", self.text)]

    def edit(self) -> None:
        """One random edit, weighted like corrections: typo fixes, insertions, deletions, moves, rewordings."""
        rng, text = self.rng, self.text
        kind = rng.choices(
            ["typo", "insert", "delete", "move", "reword", "delete_span", "insert_sentence", "delete_sentence"],
            [30, 15, 12, 6, 10, 8, 10, 9],
        )[0]
        live = [span for span in self.spans if span.truth is not None]
        if kind == "move":
            self.move_paragraph()
        elif kind == "typo" and live:
            self.typo(rng.choice(live))
        elif kind == "reword" and live:
            span = rng.choice(live)
            start, end = span.truth
            parts = [m for m in regex.finditer(r"\p{L}+", text, pos=start, endpos=end)]
            if not parts:
                return
            # reword ~40% of the words (at least one), from the last so offsets stay valid
            chosen = rng.sample(parts, max(1, round(len(parts) * 0.4)))
            for match in sorted(chosen, key=lambda m: -m.start()):
                words = [word for word in FILLER + ["reportedly", "allegedly"] if word != match.group()]
                self.replace(match.start(), match.end(), rng.choice(words), "reword")
        elif kind == "delete_span" and live:
            start, end = rng.choice(live).truth
            if end < len(text) and text[end] == " ":
                end += 1
            self.replace(start, end, "", "delete_span")
        elif kind == "insert":
            bounds = self.word_boundaries()
            if bounds:
                at = rng.choice(bounds)
                self.replace(at, at, " " + " ".join(rng.choice(FILLER) for _ in range(rng.randint(1, 3))), "insert")
        elif kind == "delete":
            bounds = self.word_boundaries()
            if len(bounds) > 4:
                index = rng.randrange(len(bounds) - 4)
                self.replace(bounds[index], bounds[index + rng.randint(1, 3)], "", "delete")
        elif kind == "insert_sentence":
            ends = [m.end() for m in regex.finditer(r"[.。](?= |\n|$)", text)]
            if ends:
                at, inserted = rng.choice(ends), sentence(rng)
                if inserted not in text[max(0, at - len(inserted) - 1) : at + len(inserted) + 1]:  # not by its copy
                    self.replace(at, at, " " + inserted, "insert_sentence")
        elif kind == "delete_sentence":
            found = [m.span() for m in regex.finditer(r"(?<=^|\n|\. )[^.\n。]+[.。] ?", text)]
            if found:
                low, high = rng.choice(found)
                self.replace(low, high, "", "delete_sentence")

    def typo(self, span: Span) -> None:
        """Fix a "typo" inside a span: change, drop or add one letter of a single-code-point character."""
        start, end = span.truth
        text, rng = self.text, self.rng
        spots = [
            i
            for i in range(start, end)
            if regex.match(r"\p{L}", text[i]) and (i + 1 >= len(text) or not regex.match(r"[\p{M}\u200d]", text[i + 1]))
        ]
        if not spots:
            return
        at = rng.choice(spots)
        char = text[at]
        script = (
            "cjk"
            if regex.match(r"[\p{Han}\p{Hiragana}\p{Katakana}]", char)
            else "arabic"
            if regex.match(r"\p{Arabic}", char)
            else "hebrew"
            if regex.match(r"\p{Hebrew}", char)
            else "latin"
        )
        letter = rng.choice(LETTERS[script].replace(char.lower(), ""))
        how = rng.randrange(3) if end - start > 3 else 0
        if how == 0:
            self.replace(at, at + 1, letter, "typo")
        elif how == 1 and start < at:
            self.replace(at, at + 1, "", "typo")
        else:
            self.replace(at, at, letter, "typo")


@dataclass
class Tally:
    spans: int = 0
    untouched: int = 0
    untouched_exact: int = 0
    wrong: int = 0
    wrong_identical: int = 0  # of which on a copy of the very quote (another occurrence of the same text)
    wrong_explained: int = 0  # of which an edit history no longer than the true one puts there (explanation_cost)
    deleted: int = 0
    deleted_orphaned: int = 0
    small: int = 0  # changed, at most 10% of its code points
    small_fuzzy: int = 0
    small_right: int = 0  # fuzzy, or exact/shifted on a verbatim surviving part
    large: int = 0  # changed by more than the threshold allows
    large_orphaned: int = 0
    middle: int = 0
    middle_fuzzy: int = 0
    statuses: Counter = field(default_factory=Counter)
    wrong_examples: list[str] = field(default_factory=list)
    missed_examples: list[str] = field(default_factory=list)
    fuzzy_scores_right: list[float] = field(default_factory=list)
    fuzzy_scores_wrong: list[float] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            if isinstance(value, int):
                setattr(self, name, getattr(self, name) + value)
        self.statuses.update(other.statuses)
        self.wrong_examples += other.wrong_examples
        self.missed_examples += other.missed_examples
        self.fuzzy_scores_right += other.fuzzy_scores_right
        self.fuzzy_scores_wrong += other.fuzzy_scores_wrong


def overlaps_most(landing: tuple[int, int], truth: tuple[int, int]) -> bool:
    """A landing on changed text is right when it shares more than half of the longer of itself and the true
    span, or lies inside the true span (the quote's surviving part, when text was inserted into it)."""
    shared = min(landing[1], truth[1]) - max(landing[0], truth[0])
    inside = truth[0] <= landing[0] and landing[1] <= truth[1]
    return inside or shared * 2 > max(landing[1] - landing[0], truth[1] - truth[0])


def as_well_explained(old: str, new: str, span: Span, where: tuple[int, int], history: int) -> bool:
    """True when an edit of old into new no longer than one that gives the span's true place puts the span at
    `where` instead: the text cannot tell that landing from right (two identical sentences, one deleted; an
    insertion of "X." after "2040." reads as well as ". X" after "2040"). Edits are counted in code points inserted
    plus deleted (explanation_cost). Paragraph moves are not modelled: a moved paragraph costs its text deleted and
    inserted where it went, and the true place of a span in it costs more than that, hence `history` (the
    generator's own edits) as a second bound. When both places are in one new paragraph, the span's old paragraph
    and that one are compared alone, so that a paragraph moved elsewhere does not weigh. A landing on a copy of the
    very quote is also as well explained when moving the quote there (move_cost) costs no more: a sentence deleted
    in one place and the same sentence inserted in another read as that sentence moved."""
    truth = span.truth or (span.gone, span.gone)
    if new[where[0] : where[1]] == old[span.start : span.end] and move_cost(old, new, span, where) <= min(
        explanation_cost(old, new, span.start, span.end, truth), history
    ):
        return True
    low, high = min(where[0], truth[0]), max(where[1], truth[1])
    if "\n" not in new[low:high] and "\n" not in old[span.start : span.end]:
        old_low, old_high = paragraph_bounds(old, span.start, span.end)
        new_low, new_high = paragraph_bounds(new, low, high)
        old, new = old[old_low:old_high], new[new_low:new_high]
        start, end = span.start - old_low, span.end - old_low
        where, truth = (where[0] - new_low, where[1] - new_low), (truth[0] - new_low, truth[1] - new_low)
        return explanation_cost(old, new, start, end, where) <= explanation_cost(old, new, start, end, truth)
    bound = min(explanation_cost(old, new, span.start, span.end, truth), history)
    return explanation_cost(old, new, span.start, span.end, where) <= bound


def explanation_cost(old: str, new: str, start: int, end: int, where: tuple[int, int]) -> int:
    """Return the fewest code points inserted plus deleted by an edit of old into new that turns old[start:end]
    into new[where[0]:where[1]] and the text before and after it into the text before and after that place."""
    low, high = where
    pieces = ((old[:start], new[:low]), (old[start:end], new[low:high]), (old[end:], new[high:]))
    return sum(indel_distance(a, b) for a, b in pieces)


def move_cost(old: str, new: str, span: Span, where: tuple[int, int]) -> int:
    """Return the code points inserted plus deleted by an edit of old into new that moves the span's text to
    `where` (deleted, and inserted there) and changes the rest as little as it can."""
    rest_old, rest_new = old[: span.start] + old[span.end :], new[: where[0]] + new[where[1] :]
    return indel_distance(rest_old, rest_new) + 2 * (span.end - span.start)


def indel_distance(a: str, b: str) -> int:
    """Code points inserted plus deleted by a shortest edit of a into b (diff-match-patch with no time limit and no
    cleanup runs Myers' algorithm to the end: a minimal diff)."""
    runs = fast_diff_match_patch.diff(a, b, timelimit=0, checklines=False, cleanup="No")
    return sum(count for op, count in runs if op != "=")


def judge(old: str, new: str, spans: list[Span], landings, threshold: float, history: int) -> Tally:
    """Compare landings with where the edit generator says each span's text went; `history` is the code points its
    edits inserted plus deleted (a moved paragraph counts as deleted and inserted)."""
    tally = Tally(spans=len(spans))
    for span, landing in zip(spans, landings):
        tally.statuses[landing.status] += 1
        quote = old[span.start : span.end]
        where = (landing.start, landing.end)
        landed = None if landing.status == ORPHANED else new[landing.start : landing.end]
        if landed is not None:
            validate_span(new, landing.start, landing.end)  # raises if a landing splits a character
        if span.truth is None:
            tally.deleted += 1
            tally.deleted_orphaned += landed is None
            wrong, what = landed is not None, f"deleted {span.kind} {quote!r}"
        elif new[span.truth[0] : span.truth[1]] == quote and not span.touched:
            tally.untouched += 1
            tally.untouched_exact += landing.status in (EXACT, SHIFTED) and where == span.truth
            if landed is None:
                tally.missed_examples.append(f"untouched {span.kind} {quote!r} orphaned")
            wrong, what = landed is not None and where != span.truth, f"untouched {span.kind} {quote!r} at {span.truth}"
        else:
            true_text = new[span.truth[0] : span.truth[1]]
            change = edit_distance(quote, true_text) / max(len(quote), len(true_text), 1)
            right = landed is not None and overlaps_most(where, span.truth)
            wrong, what = (
                landed is not None and not right,
                f"changed {change:.0%} {span.kind} {quote!r} -> {true_text!r}",
            )
            if landing.status == FUZZY:
                (tally.fuzzy_scores_right if right else tally.fuzzy_scores_wrong).append(landing.score)
            if 0 < change <= 0.10:
                tally.small += 1
                tally.small_fuzzy += right and landing.status == FUZZY
                tally.small_right += right
                if landed is None:
                    tally.missed_examples.append(f"{what} orphaned")
            elif change > 1 - threshold:
                tally.large += 1
                tally.large_orphaned += landed is None
            elif change > 0:
                tally.middle += 1
                tally.middle_fuzzy += right
        if wrong:
            explained = as_well_explained(old, new, span, where, history)
            tally.wrong += 1
            tally.wrong_identical += landed == quote
            tally.wrong_explained += explained
            tally.wrong_examples.append(
                f"{what} landed {landing.status} on {landed!r} at {where}" + (" (explained)" if explained else "")
            )
    return tally


def revise(text: str, spans: list[Span], rng: random.Random, edits: int | None, share: float | None) -> Revision:
    revision = Revision(text, spans, rng)
    if share is not None:
        while revision.changed < share * len(text):
            revision.edit()
    else:
        for _ in range(edits or 0):
            revision.edit()
    return revision


def anchors_for(text: str, spans: list[Span]) -> list[Anchor]:
    anchors = []
    for span in spans:
        quote = describe(text, span.start, span.end)
        anchors.append(Anchor(span.start, span.end, quote.exact, quote.prefix, quote.suffix))
    return anchors


def accuracy_cases(seed: int, articles: int) -> Iterator[tuple[str, Revision, list[Span], list[Anchor]]]:
    """The accuracy corpus of a seed: articles of 2,000 to 8,000 code points with 40 to 120 spans each, and 2 to 10
    edits of each."""
    rng = random.Random(seed)
    for _ in range(articles):
        text = article(rng, rng.randint(2_000, 8_000))
        spans = make_spans(text, rng.randint(40, 120), rng)
        anchors = anchors_for(text, spans)
        yield text, revise(text, spans, rng, edits=rng.randint(2, 10), share=None), spans, anchors


def accuracy_case(seed: int, index: int) -> tuple[str, Revision, list[Span], list[Anchor]]:
    """Article `index` (from 0) of a seed's accuracy corpus."""
    return next(itertools.islice(accuracy_cases(seed, index + 1), index, None))


def accuracy(seed: int, articles: int, threshold: float) -> Tally:
    total = Tally()
    for text, revision, spans, anchors in accuracy_cases(seed, articles):
        landings = reanchor(text, revision.text, anchors, threshold=threshold)
        total.add(judge(text, revision.text, spans, landings, threshold, revision.changed))
    return total


def share(part: int, whole: int) -> str:
    return f"{part:,}/{whole:,} = {part / whole:.2%}" if whole else "n/a"


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append((time.perf_counter() - began) * 1000)
    return times


def long_case(seed: int) -> tuple[str, Revision, list[Span], list[Anchor]]:
    """The speed case of a seed: a 50,000-code-point article with 2,000 spans, and edits changing 5% of it."""
    rng = random.Random(seed)
    text = article(rng, 50_000)[:50_000]
    spans = make_spans(text, 2_000, rng)
    anchors = anchors_for(text, spans)
    return text, revise(text, spans, rng, edits=None, share=0.05), spans, anchors


def speed(seed: int, repeat: int, compare_diffs: bool, threshold: float) -> Tally:
    """Time reanchor() on the long case of a seed, and judge its landings as the accuracy corpus's are."""
    text, revision, spans, anchors = long_case(seed)
    new = revision.text
    changed = sum(count for op, count in diff(text, new) if op != "=")
    landings = reanchor(text, new, anchors, threshold=threshold)
    tally = judge(text, new, spans, landings, threshold, revision.changed)
    statuses = Counter(landing.status for landing in landings)
    call_ms = timed(lambda: reanchor(text, new, anchors, threshold=threshold), repeat)
    diff_ms = timed(lambda: diff(text, new), repeat)
    print(
        f"speed (seed {seed}): {len(text):,} -> {len(new):,} code points, {len(anchors):,} annotations, "
        f"edits changing {changed:,} code points ({changed / len(text):.1%}) per the diff; "
        + ", ".join(f"{status} {statuses[status]:,}" for status in (EXACT, SHIFTED, FUZZY, ORPHANED))
    )
    print(
        f"  reanchor():           median {statistics.median(call_ms):7.1f} ms  "
        f"(min {min(call_ms):.1f}, max {max(call_ms):.1f}; {repeat} runs)"
    )
    print(f"  diff alone (C++ dmp): median {statistics.median(diff_ms):7.1f} ms  (min {min(diff_ms):.1f})")
    print(
        f"  accuracy: untouched landed exactly {share(tally.untouched_exact, tally.untouched)}; wrong {tally.wrong} "
        f"({tally.wrong_explained} as well explained); changed <=10% fuzzy {share(tally.small_fuzzy, tally.small)}"
    )
    if compare_diffs:
        import diff_match_patch  # the pure-Python port, for the comparison only
        import fast_diff_match_patch

        def python_dmp():
            engine = diff_match_patch.diff_match_patch()
            engine.Diff_Timeout = 0
            engine.diff_cleanupSemantic(engine.diff_main(text, new))

        rows = [
            ("fast-diff-match-patch, checklines, Semantic", lambda: diff(text, new), repeat),
            (
                "fast-diff-match-patch, char mode, Semantic",
                lambda: fast_diff_match_patch.diff(text, new, checklines=False, cleanup="Semantic"),
                repeat,
            ),
            ("diff-match-patch (pure Python), Semantic", python_dmp, 1),
            ("difflib.SequenceMatcher, autojunk", lambda: difflib.SequenceMatcher(None, text, new).get_opcodes(), 1),
        ]
        # difflib without autojunk (whose junk heuristic drops every common letter of a long text) is quadratic:
        # 72 s to 284 s on these texts, so it is left out.
        for name, function, runs in rows:
            print(f"  {name:46} median {statistics.median(timed(function, runs)):9.1f} ms ({runs} run(s))")
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1, help="first seed")
    parser.add_argument("--seeds", type=int, default=3, help="how many seeds from --seed")
    parser.add_argument("--articles", type=int, default=60, help="articles (one revision each) per seed")
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD)
    parser.add_argument("--repeat", type=int, default=7, help="runs of the speed case")
    parser.add_argument("--compare-diffs", action="store_true", help="also time difflib and pure-Python dmp")
    parser.add_argument("--examples", type=int, default=5, help="wrong and missed landings to print")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    print(f"load average (1, 5, 15 min): {load()}; threshold {args.threshold}")
    overall = Tally()
    for seed in range(args.seed, args.seed + args.seeds):
        tally = accuracy(seed, args.articles, args.threshold)
        overall.add(tally)
        print(
            f"seed {seed}: {tally.spans:,} spans; untouched landed exactly "
            f"{share(tally.untouched_exact, tally.untouched)}; wrong {tally.wrong}; changed <=10% fuzzy "
            f"{share(tally.small_fuzzy, tally.small)}; deleted orphaned {share(tally.deleted_orphaned, tally.deleted)}"
        )
    t = overall
    rest = f"{1 - args.threshold:.0%}"
    print(f"all seeds: {t.spans:,} spans, " + ", ".join(f"{k} {v:,}" for k, v in sorted(t.statuses.items())))
    print(
        f"  untouched text, landed exact/shifted on its true place: {share(t.untouched_exact, t.untouched)}"
        "  (goal 100%)"
    )
    print(f"  wrong landings: {t.wrong}, of which on another copy of the very quote {t.wrong_identical}  (goal 0)")
    print(f"    of which as well explained by the text as the true place: {t.wrong_explained}")
    print(f"  changed <= 10%, landed fuzzy and right: {share(t.small_fuzzy, t.small)}  (goal >= 95%)")
    print(f"  changed <= 10%, landed right at all:    {share(t.small_right, t.small)}")
    print(f"  changed 10%..{rest}, landed right:        {share(t.middle_fuzzy, t.middle)}")
    print(f"  changed > {rest}, orphaned:               {share(t.large_orphaned, t.large)}")
    print(f"  whole span deleted, orphaned:          {share(t.deleted_orphaned, t.deleted)}")
    if t.fuzzy_scores_right:
        right = t.fuzzy_scores_right
        print(
            f"  fuzzy scores: right min {min(right):.3f} median {statistics.median(right):.3f}"
            + (f"; wrong {sorted(t.fuzzy_scores_wrong)[:10]}" if t.fuzzy_scores_wrong else "")
        )
    for example in t.wrong_examples[: args.examples]:
        print("  WRONG:", example)
    for example in t.missed_examples[: args.examples]:
        print("  missed:", example)
    if not args.no_speed:
        long = Tally()
        for seed in range(args.seed, args.seed + args.seeds):
            long.add(speed(seed, args.repeat, args.compare_diffs and seed == args.seed, args.threshold))
        print(
            f"long articles (the speed cases): {long.spans:,} spans; untouched landed exactly "
            f"{share(long.untouched_exact, long.untouched)}; wrong {long.wrong} ({long.wrong_explained} as well "
            f"explained by the text); changed <=10% fuzzy {share(long.small_fuzzy, long.small)}; deleted orphaned "
            f"{share(long.deleted_orphaned, long.deleted)}"
        )
        for example in long.wrong_examples[: args.examples]:
            print("  WRONG:", example)
    print(f"load average (1, 5, 15 min): {load()}")


def load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


if __name__ == "__main__":
    main()
