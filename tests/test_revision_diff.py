"""Word-level diff for people: whole words, emoji and flags whole, CJK character by character, and lossless."""

import regex
from hypothesis import example, given, settings
from hypothesis import strategies as st

from articles.revision_diff import DELETE, EQUAL, INSERT, DiffOp, tokenize, word_diff

PIECES = [
    "The", "council", "voted", "Zoë", "Q\u0301uiroga", "don't", "👩🏽‍⚖️", "🇫🇷", "東京", "𠮷野家", "قال", "השר",
    ",", ".", " ", "\n\n",
]  # fmt: skip
texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60),
)


def old_of(ops: list[DiffOp]) -> str:
    return "".join(op.text for op in ops if op.op != INSERT)


def new_of(ops: list[DiffOp]) -> str:
    return "".join(op.text for op in ops if op.op != DELETE)


def test_whole_words_change():
    ops = word_diff(
        "The council voted on Tuesday to build bike lanes.", "The city council voted on Wednesday to build bike lanes."
    )
    assert ops == [
        DiffOp(EQUAL, "The "),
        DiffOp(INSERT, "city "),
        DiffOp(EQUAL, "council voted on "),
        DiffOp(DELETE, "Tuesday"),
        DiffOp(INSERT, "Wednesday"),
        DiffOp(EQUAL, " to build bike lanes."),
    ]


def test_cjk_characters_are_tokens_of_their_own():
    assert word_diff("東京都の知事は発表した。", "大阪府の知事は発表した。") == [
        DiffOp(DELETE, "東京都"),
        DiffOp(INSERT, "大阪府"),
        DiffOp(EQUAL, "の知事は発表した。"),
    ]
    assert tokenize("𠮷野家") == ["𠮷", "野", "家"]


def test_emoji_sequences_flags_and_accents_stay_whole():
    assert tokenize("The judge 👩🏽‍⚖️ 🇫🇷🇯🇵 Q\u0301uiroga, don't") == [
        "The", " ", "judge", " ", "👩🏽‍⚖️", " ", "🇫🇷", "🇯🇵", " ", "Q\u0301uiroga", ",", " ", "don't",
    ]  # fmt: skip
    ops = word_diff("Vote 🇫🇷 today", "Vote 🇯🇵 today")
    assert ops == [DiffOp(EQUAL, "Vote "), DiffOp(DELETE, "🇫🇷"), DiffOp(INSERT, "🇯🇵"), DiffOp(EQUAL, " today")]


def test_right_to_left_words():
    ops = word_diff("قال الوزير إن الخطة", "قال الرئيس إن الخطة")
    assert DiffOp(DELETE, "الوزير") in ops and DiffOp(INSERT, "الرئيس") in ops


def test_identical_and_empty_texts():
    assert word_diff("same text", "same text") == [DiffOp(EQUAL, "same text")]
    assert word_diff("", "") == []
    assert word_diff("", "new") == [DiffOp(INSERT, "new")]
    assert word_diff("old", "") == [DiffOp(DELETE, "old")]


@settings(max_examples=150, deadline=None)
@given(texts)
@example(" \u0e31")  # a Thai vowel mark on a space is one character with it
def test_tokens_join_to_the_text_and_never_split_a_character(text):
    tokens = tokenize(text)
    assert "".join(tokens) == text
    boundaries = {0}
    for character in regex.finditer(r"\X", text):
        boundaries.add(character.end())
    offset = 0
    for token in tokens:
        offset += len(token)
        assert offset in boundaries


@settings(max_examples=150, deadline=None)
@given(texts, texts)
def test_diff_rebuilds_both_texts_with_merged_ops(old, new):
    ops = word_diff(old, new)
    assert old_of(ops) == old
    assert new_of(ops) == new
    assert all(op.text for op in ops)
    assert all(op.op in (EQUAL, INSERT, DELETE) for op in ops)
    for before, after in zip(ops, ops[1:]):
        assert before.op != after.op
        assert (before.op, after.op) != (INSERT, DELETE)  # a change reads deletion first
