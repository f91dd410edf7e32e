"""Claims with numbers: English sentences outside quotes that state a percentage, a sum of money, a change
("doubled", "fell 5%") or a count. Offered with low confidence (at most 0.4): a number makes a sentence
checkable, not necessarily a claim anyone would check.
"""

from __future__ import annotations

import regex

from articles.suggesting.marks import Quoted
from articles.suggesting.sentences import Sentences

_NUMBER = r"\d(?:[\d,.]*\d)?"
_PERCENT_OR_MONEY = regex.compile(
    r"(?:" + _NUMBER + r")[ \u00a0]?(?:%|percent\b|per[ \u00a0]cent\b|percentage[ \u00a0]points?\b)"
    r"|[$€£¥₹][ \u00a0]?\d"
    r"|\b" + _NUMBER + r"[ \u00a0]?(?:million|billion|trillion|bn)\b"
    r"|\b" + _NUMBER + r"[ \u00a0](?:dollars|euros|pounds|yen|francs|rupees|yuan)\b",
    regex.IGNORECASE,
)
_MULTIPLE = regex.compile(
    r"\b(?:doubled|tripled|trebled|quadrupled|halved|more[ \u00a0]than[ \u00a0]doubled?|twice[ \u00a0]as"
    r"|(?:two|three|four|five|ten)[ \u00a0]times[ \u00a0](?:as|more|higher|larger|bigger))\b",
    regex.IGNORECASE,
)
_CHANGE = regex.compile(
    r"\b(?:more[ \u00a0]than|less[ \u00a0]than|fewer[ \u00a0]than|at[ \u00a0]least|as[ \u00a0]many[ \u00a0]as"
    r"|as[ \u00a0]much[ \u00a0]as|up[ \u00a0]to|nearly|almost|roughly|about|around|approximately|record"
    r"|highest|lowest|largest|smallest|biggest|rose|fell|increased|decreased|grew|dropped|declined|surged"
    r"|plunged|jumped|climbed|slowed|soared|tumbled|slumped|up[ \u00a0]from|down[ \u00a0]from|compared[ \u00a0]with)\b",
    regex.IGNORECASE,
)
_COUNT = regex.compile(r"(?<![\p{L}\d:/.,-])" + _NUMBER + r"(?![\d:])")
_NOT_A_COUNT = regex.compile(
    r"^(?:1[6-9]\d\d|20\d\d)$"  # a year
)
_MONTH_BEFORE = regex.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)[ \u00a0]$"
)
_TIME_AFTER = regex.compile(r"[ \u00a0]?(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock)", regex.IGNORECASE)
_AGE = regex.compile(r", \d{1,3},")


def _counts(text: str, start: int, end: int) -> bool:
    """Whether the sentence holds a number that is not a year, a date, a clock time or an age."""
    for number in _COUNT.finditer(text, start, end):
        if _NOT_A_COUNT.match(number.group()):
            continue
        if _MONTH_BEFORE.search(text, max(start, number.start() - 12), number.start()):
            continue
        if _TIME_AFTER.match(text, number.end(), end):
            continue
        if _AGE.match(text, max(0, number.start() - 2), min(end, number.end() + 1)):
            continue
        return True
    return False


def claims(text: str, sentences: Sentences, quotes: list[Quoted]) -> list[tuple[int, int, float]]:
    """(start, end, confidence) of each sentence that states a number, outside quotes and their marks."""
    found: list[tuple[int, int, float]] = []
    marks = [(quote.open_at, quote.close_at + 1) for quote in quotes]
    index = 0
    for start, end in sentences.spans:
        while index < len(marks) and marks[index][1] <= start:
            index += 1
        if index < len(marks) and marks[index][0] < end:
            continue  # the sentence holds a quote, or part of one
        if len(text[start:end].split()) < 5:
            continue
        if _PERCENT_OR_MONEY.search(text, start, end):
            confidence = 0.4
        elif _MULTIPLE.search(text, start, end):
            confidence = 0.35
        elif not _counts(text, start, end):
            continue
        elif _CHANGE.search(text, start, end):
            confidence = 0.3
        else:
            confidence = 0.2
        found.append((start, end, confidence))
    return found
