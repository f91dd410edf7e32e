"""The built-in suggester: rules that find quotes, who said them, and sentences stating numbers.

`suggest(text, language)` returns spans in code points, sorted by start, the same for the same input:

- quote: the words inside the quotation marks (marks and the spaces just inside them left out, punctuation
  inside them kept); a quote running over several paragraphs by the English convention (no closing mark at a
  paragraph's end, an opening mark at the next one's start) is one span; nested quotes belong to the outer one;
  each part of a quote broken by its attribution is its own span. Attributes: {"speaker": full name} when the
  speaker is known, the name as first introduced in the text, without titles.
- source: the speaker's name where it stands: in the quote's attribution, else the name a pronoun stands for,
  else the nearest mention before the quote (one span per mention used; names after "according to" too).
  Attributes: {"name": full name}. A quote's `said_by` is the index of its source in the list.
- claim: a sentence outside quotes stating a percentage, money, a change or a count; confidence at most 0.4.

English text gets all three. Other languages (or text that does not read as English) get quotes by their
marks only: « », » «, ‹ ›, „ “, „ ”, 「 」, “ ”, "…". docs/suggestions.md has the conventions and the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex

from articles.suggesting.attribution import (
    ACCORDING,
    ACCORDING_TO,
    CONTINUED,
    NAMED,
    RESOLVED,
    SPEECH_AFTER,
    Attributor,
    Said,
)
from articles.suggesting.marks import Quoted, english_quotes, looks_english, other_quotes, paragraphs
from articles.suggesting.names import Entity, Names
from articles.suggesting.numbers import claims
from articles.suggesting.sentences import Sentences

SUGGESTER_NAME = "builtin"
SUGGESTER_VERSION = "1"  # change it with the rules: stored suggestions name the version that found them

LABEL_ORDER = {"source": 0, "quote": 1, "claim": 2}
SHORT_QUOTE_WORDS = 3  # up to this many words, a quote needs a named speaker (else it is a scare quote)
_SPACELESS = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}]")
_SMALL_WORDS = frozenset("a an the of in on and or to for at by with from as but nor vs".split())


@dataclass(frozen=True)
class Suggested:
    """One span the rules propose. `said_by`: index, in the same list, of the source span this quote is said by."""

    label: str  # "quote", "source" or "claim"
    start: int
    end: int
    quote: str  # text[start:end]
    confidence: float  # 0..1
    attributes: dict[str, Any] = field(default_factory=dict)
    said_by: int | None = None


def _english(text: str, language: str) -> bool:
    code = (language or "").strip().lower().replace("_", "-")
    if code and code.split("-")[0] not in {"en", "und", "mul", "zxx"}:
        return False
    return looks_english(text)


def _short(words: str) -> bool:
    pieces = words.split()
    if len(pieces) == 1 and _SPACELESS.search(words):
        return len(words) <= 4  # no spaces between words (Japanese, Chinese): count characters
    return len(pieces) <= SHORT_QUOTE_WORDS


def _title_like(words: str) -> bool:
    """Capitalised like the title of a work or a slogan ("All the Rivers We Crossed", "Count Every Vote")."""
    pieces = words.split()
    if not pieces or len(pieces) > 12 or words[-1] in ".!?,;:" or not pieces[0][:1].isupper():
        return False
    return all(piece[:1].isupper() or piece.lower() in _SMALL_WORDS or not piece[:1].isalpha() for piece in pieces)


def _own_sentence(text: str, quote: Quoted, said: Said | None) -> bool:
    """Whether the quoted words are a sentence of their own (“No.” “Nobody can.”), not a phrase inside one."""
    words = text[quote.start : quote.end]
    return words[:1].isupper() and words[-1] in ".!?…" and (said is None or said.strong)


def _quote_confidence(text: str, quote: Quoted, said: Said | None) -> float | None:
    """How likely the passage is a quote a person would mark, or None to leave it out: short phrases nobody
    named says (scare quotes) and title-like phrases (works, slogans)."""
    words = text[quote.start : quote.end]
    named = said is not None and said.entity is not None and said.how in (NAMED, RESOLVED)
    if not named and _short(words) and not _own_sentence(text, quote, said):
        return None
    if not named and _title_like(words) and (said is None or said.how != ACCORDING):
        return None
    if said is None:
        return 0.55
    if said.how == NAMED:
        confidence = 0.9 if said.strong else 0.8
    elif said.how == RESOLVED:
        confidence = 0.85 if said.strong else 0.75
    elif said.how == CONTINUED:
        confidence = 0.8 if said.entity else 0.6
    elif said.how == ACCORDING:
        confidence = 0.75
    else:
        confidence = 0.75
    return min(confidence, 0.7) if _short(words) else confidence


class _Collected:
    """Spans before sorting; sources are kept once per mention."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[tuple[str, int, int, float, dict[str, Any], tuple[int, int] | None]] = []
        self.sources: dict[tuple[int, int], float] = {}
        self.source_names: dict[tuple[int, int], str] = {}

    def source(self, start: int, end: int, entity: Entity, confidence: float) -> tuple[int, int]:
        key = (start, end)
        self.sources[key] = max(confidence, self.sources.get(key, 0.0))
        self.source_names[key] = entity.name
        return key

    def done(self) -> list[Suggested]:
        rows = list(self.items)
        for key, confidence in self.sources.items():
            rows.append(("source", key[0], key[1], confidence, {"name": self.source_names[key]}, None))
        rows.sort(key=lambda row: (row[1], row[2], LABEL_ORDER[row[0]]))
        where = {(row[1], row[2]): index for index, row in enumerate(rows) if row[0] == "source"}
        return [
            Suggested(label, start, end, self.text[start:end], round(confidence, 2), attributes, where.get(link))
            for label, start, end, confidence, attributes, link in rows
        ]


def _english_suggestions(text: str, spans: list[tuple[int, int]]) -> list[Suggested]:
    quotes = english_quotes(text, spans)
    sentences = Sentences(text, spans, quotes)
    names = Names(text, SPEECH_AFTER)
    names.scan([(quote.start, quote.end) for quote in quotes])
    collected = _Collected(text)
    kept: list[Quoted] = []
    for quote, said in zip(quotes, Attributor(text, spans, quotes, names, sentences).all()):
        confidence = _quote_confidence(text, quote, said)
        if confidence is None:
            continue
        kept.append(quote)
        attributes: dict[str, Any] = {}
        link = None
        if said is not None and said.entity is not None:
            entity = said.entity
            attributes["speaker"] = entity.name
            mention = said.mention or names.nearest(entity, quote.open_at, quote.close_at + 1)
            if mention is not None:
                sure = said.how == NAMED and mention is said.mention
                link = collected.source(mention.start, mention.end, entity, 0.9 if sure else 0.7)
        collected.items.append(("quote", quote.start, quote.end, confidence, attributes, link))
    for according in ACCORDING_TO.finditer(text):
        mention = names.starting_at(according.end())
        if mention is not None:
            collected.source(mention.start, mention.end, mention.entity, 0.5)
    for start, end, confidence in claims(text, sentences, kept):
        collected.items.append(("claim", start, end, confidence, {}, None))
    return collected.done()


def suggest(text: str, language: str = "en") -> list[Suggested]:
    """Quotes, their speakers' names as sources, and numeric claims found in `text` (see the module docstring)."""
    if not text:
        return []
    spans = paragraphs(text)
    if _english(text, language):
        return _english_suggestions(text, spans)
    collected = _Collected(text)
    for quote in other_quotes(text, spans):
        confidence = 0.3 if _short(text[quote.start : quote.end]) else 0.7
        collected.items.append(("quote", quote.start, quote.end, confidence, {}, None))
    return collected.done()
