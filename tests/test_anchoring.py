"""Anchoring: spans are checked against the text, quote selectors resolve to code-point offsets."""

import hashlib

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from articles.anchoring import (
    CONTEXT_LENGTH,
    SpanError,
    TextPosition,
    TextQuote,
    Utf16Map,
    anchor,
    canonical_text,
    describe,
    text_sha256,
    validate_span,
)

TEXT = "👩🏽‍⚖️ said “café” 𝒳 and café again"
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=200)
# Texts where a quote occurs more than once: built from few pieces, or periodic, so that whole contexts
# repeat too (only the hint then tells the occurrences apart).
repetitive_texts = st.lists(st.sampled_from(["a", "b", "ab", " ", "🙂", "café"]), min_size=1, max_size=60).map("".join)
periodic_texts = st.builds(
    lambda unit, times: unit * times, st.text(alphabet="ab 🙂é", min_size=1, max_size=4), st.integers(1, 100)
)


@st.composite
def text_and_span(draw):
    text = draw(st.one_of(texts, repetitive_texts, periodic_texts))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


def test_canonical_text_is_nfc_with_unix_newlines():
    assert canonical_text("cafe\u0301\r\nline\rend") == "café\nline\nend"


def test_text_hash_is_sha256_of_utf8_bytes():
    assert text_sha256("é") == hashlib.sha256(b"\xc3\xa9").hexdigest()


@pytest.mark.parametrize(
    ("start", "end", "quote", "field"),
    [
        (-1, 3, None, "start"),
        (3, 3, None, "end"),
        (5, 2, None, "end"),
        (0, 10_000, None, "end"),
        (1.5, 3, None, "start"),
        ("3", 5, None, "start"),
        (True, 5, None, "start"),
        (0, 4, "nope", "quote"),
    ],
)
def test_invalid_spans_are_refused_with_the_field_at_fault(start, end, quote, field):
    """INPUT-3: negative, empty, reversed, beyond the text, non-integer; DATA-2: quote mismatch."""
    with pytest.raises(SpanError) as error:
        validate_span(TEXT, start, end, quote)
    assert error.value.field == field


def test_offsets_count_code_points_not_utf16_units():
    """DATA-1: the emoji ZWJ sequence is 5 code points; “café” starts right after ' said '."""
    start = TEXT.index("“café”")
    assert start == 11
    validate_span(TEXT, start, start + 6, "“café”")
    assert describe(TEXT, start, start + 6).exact == "“café”"


def test_unique_quote_anchors_without_context():
    position = anchor(TEXT, TextQuote("𝒳"))
    assert TEXT[position.start : position.end] == "𝒳"


def test_repeated_quote_is_resolved_by_its_context():
    position = anchor(TEXT, TextQuote("café", prefix="and ", suffix=" again"))
    assert (position.start, position.end) == (TEXT.rindex("café"), TEXT.rindex("café") + 4)


def test_ambiguous_quote_lists_every_candidate():
    with pytest.raises(SpanError) as error:
        anchor("a cat, a cat", TextQuote("cat"))
    assert [(c.start, c.end) for c in error.value.candidates] == [(2, 5), (9, 12)]


def test_hint_breaks_ties_by_closeness():
    assert anchor("a cat, a cat", TextQuote("cat"), hint=10).start == 9


def test_absent_quote_is_reported():
    with pytest.raises(SpanError, match="not found"):
        anchor(TEXT, TextQuote("tea"))


@given(text_and_span())
def test_describe_then_anchor_with_the_start_as_hint_finds_the_same_span(case):
    """The span's own prefix and suffix match in full, so no other occurrence of the quote scores better;
    any that score the same are farther from the hint (the span's start), so the hint picks the span."""
    text, start, end = case
    quote = describe(text, start, end)
    assert len(quote.prefix) <= CONTEXT_LENGTH and len(quote.suffix) <= CONTEXT_LENGTH
    assert anchor(text, quote, hint=start) == TextPosition(start, end)


@given(texts, st.data())
def test_utf16_conversion_matches_javascript_string_lengths(text, data):
    mapping = Utf16Map(text)
    offset = data.draw(st.integers(0, len(text)))
    utf16 = mapping.to_utf16(offset)
    assert utf16 == len(text[:offset].encode("utf-16-le")) // 2
    assert mapping.to_code_point(utf16) == offset


def test_utf16_offset_inside_a_surrogate_pair_rounds_down():
    mapping = Utf16Map("a😀b")
    assert [mapping.to_code_point(u) for u in range(5)] == [0, 1, 1, 2, 3]


@given(texts)
def test_canonical_text_is_idempotent(raw):
    assume("\x00" not in raw)
    once = canonical_text(raw)
    assert canonical_text(once) == once and "\r" not in once
