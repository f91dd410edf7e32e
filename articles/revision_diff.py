"""A word-level diff between two revisions of an article's text, for people to read.

The character diff that re-anchoring uses (articles/reanchoring.py) is exact but reads badly ("c-o-u-n-c-i-l"
pieces); people compare whole words. Tokens are words (with their accents and inner apostrophes), runs of
whitespace, single punctuation marks or symbols (one user-perceived character each, so an emoji ZWJ sequence or
a flag stays whole), and each Chinese/Japanese character on its own, since those scripts have no spaces. Each
distinct token becomes one private-use character, diff-match-patch diffs those strings, and its semantic cleanup
turns "a b c" / "x b y" into whole phrases replaced rather than a confetti of one-word equalities.
Pure: strings in, DiffOps out; no Django.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import fast_diff_match_patch
import regex

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
DIFF_TIME_LIMIT = 0.5  # seconds; past it the diff is coarser but still valid

_CJK = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Bopomofo}"
_TOKEN = regex.compile(
    rf"(?=[{_CJK}])\X"  # one CJK character (with any marks or variation selector on it)
    rf"|(?:(?![{_CJK}])(?=[\w\p{{M}}])\X)+(?:['’](?:(?![{_CJK}])(?=\w)\X)+)*"  # a word (whole characters): Zoë, don't
    r"|(?:(?=\s)\X)+"  # a run of whitespace (whole characters: a combining mark may sit on a space)
    r"|\X",  # anything else: one user-perceived character (punctuation, symbol, emoji)
    regex.V1,
)
# Private-use code points stand for tokens: the Basic Multilingual Plane's area, then planes 15 and 16.
_CODES = [(0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)]
_CAPACITY = sum(high - low + 1 for low, high in _CODES)


@dataclass(frozen=True, slots=True)
class DiffOp:
    op: str  # "equal" | "insert" | "delete"
    text: str


def tokenize(text: str) -> list[str]:
    """Split text into the diff's tokens; joined, they give the text back."""
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> list[DiffOp]:
    """Return a word-level diff: joining equal + delete texts gives `old`, equal + insert gives `new`; adjacent
    ops of the same kind are merged, and in each changed stretch the deletion comes before the insertion."""
    old_tokens, new_tokens = tokenize(old), tokenize(new)
    codes: dict[str, str] = {}
    for token in old_tokens + new_tokens:
        if token not in codes:
            codes[token] = _code(len(codes)) if len(codes) < _CAPACITY else ""
    if len(codes) <= _CAPACITY:
        old_codes = "".join(codes[token] for token in old_tokens)
        new_codes = "".join(codes[token] for token in new_tokens)
        runs = fast_diff_match_patch.diff(
            old_codes, new_codes, timelimit=DIFF_TIME_LIMIT, checklines=False, cleanup="Semantic"
        )
    else:  # more distinct tokens than private-use code points: no article comes near; slower but same result
        matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
        runs = []
        for tag, old_low, old_high, new_low, new_high in matcher.get_opcodes():
            if tag == "equal":
                runs.append(("=", old_high - old_low))
                continue
            runs += [("-", old_high - old_low), ("+", new_high - new_low)]
    ops: list[DiffOp] = []
    deleted: list[str] = []
    inserted: list[str] = []
    old_at = new_at = 0

    def flush() -> None:
        if deleted:
            ops.append(DiffOp(DELETE, "".join(deleted)))
        if inserted:
            ops.append(DiffOp(INSERT, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for op, count in runs:
        if not count:
            continue
        if op == "=":
            flush()
            text = "".join(old_tokens[old_at : old_at + count])
            if ops and ops[-1].op == EQUAL:
                text = ops.pop().text + text
            ops.append(DiffOp(EQUAL, text))
            old_at += count
            new_at += count
        elif op == "-":
            deleted += old_tokens[old_at : old_at + count]
            old_at += count
        else:
            inserted += new_tokens[new_at : new_at + count]
            new_at += count
    flush()
    return ops


def _code(index: int) -> str:
    for low, high in _CODES:
        if index <= high - low:
            return chr(low + index)
        index -= high - low + 1
    raise ValueError("no private-use code point left")
