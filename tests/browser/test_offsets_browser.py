"""The browser's offset arithmetic (static/articles/offsets.js) run in Chromium on hard text: emoji
sequences and flags, combining marks, Japanese (with a character outside the BMP) and Arabic with vowel marks.

The module is imported as the site serves it, from an app page under the site's CSP."""

from __future__ import annotations

import pytest
from django.templatetags.static import static

from articles.anchoring import Utf16Map

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

JUDGE = "👩🏽‍⚖️"  # woman judge, medium skin tone: 5 code points, 7 UTF-16 units, one character on screen
FLAG = "🇫🇷"  # two regional indicators: 2 code points, 4 UTF-16 units
ACCENT = "e\u0301"  # e + combining acute accent: two code points, one character
JAPANESE = "𠮷野家の牛丼は、とても美味しい。"  # 𠮷 lies outside the BMP (a surrogate pair)
ARABIC = "قَالَ الوزير"  # "the minister said", with vowel marks on the first word
TEXT = f"{JUDGE} ruled; {FLAG} flag; caf{ACCENT}; {JAPANESE} {ARABIC}."


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_index(text: str, part: str) -> int:
    """UTF-16 offset of `part` in `text` (what the DOM counts)."""
    return utf16_length(text[: text.index(part)])


@pytest.fixture
def offsets(page):
    """Call a function of offsets.js in the page: offsets("tidy", text, 0, 3)."""
    page.goto("/accounts/login/")
    url = static("articles/offsets.js")

    def call(name: str, *args):
        return page.evaluate("async ([url, name, args]) => (await import(url))[name](...args)", [url, name, list(args)])

    return call


def test_code_points_match_the_servers_at_every_utf16_offset(page, offsets):
    units = utf16_length(TEXT)
    browser = page.evaluate(
        """async ([url, text, units]) => {
            const { toCodePoints } = await import(url);
            return Array.from({ length: units + 1 }, (_, i) => toCodePoints(text, i));
        }""",
        [static("articles/offsets.js"), TEXT, units],
    )
    mapping = Utf16Map(TEXT)
    assert browser == [mapping.to_code_point(i) for i in range(units + 1)]


def test_code_points_count_emoji_flags_and_marks_as_python_does(offsets):
    assert offsets("toCodePoints", JUDGE, 7) == 5
    assert offsets("toCodePoints", FLAG, 4) == 2
    assert offsets("toCodePoints", FLAG, 3) == 1  # inside the second indicator's pair: rounds down
    assert offsets("toCodePoints", ACCENT, 2) == 2  # the combining mark is a code point of its own
    assert offsets("toCodePoints", JAPANESE, 2) == 1  # 𠮷 is two UTF-16 units
    assert offsets("toCodePoints", ARABIC, len(ARABIC)) == len(ARABIC)  # all in the BMP: one unit each


@pytest.mark.parametrize(
    ("text", "index", "start", "end"),
    [
        (JUDGE, 2, 0, 7),  # between the skin tone's two surrogates
        (JUDGE, 5, 0, 7),  # at the zero-width joiner
        (FLAG, 2, 0, 4),  # between the two regional indicators
        (FLAG, 3, 0, 4),
        (ACCENT, 1, 0, 2),  # before the combining accent
        (JAPANESE, 1, 0, 2),  # inside 𠮷's surrogate pair
        (ARABIC, 1, 0, 2),  # after ق, before its vowel mark
        (ARABIC, 4, 3, 5),  # after ل, before its vowel mark
    ],
    ids=[
        "emoji-surrogates",
        "emoji-joiner",
        "flag-middle",
        "flag-surrogates",
        "combining-accent",
        "japanese-surrogates",
        "arabic-first-mark",
        "arabic-second-mark",
    ],
)
def test_a_boundary_inside_a_character_moves_out_of_it(offsets, text, index, start, end):
    assert offsets("snapToGrapheme", text, index, False) == start  # a span's start moves back
    assert offsets("snapToGrapheme", text, index, True) == end  # a span's end moves forward


def test_boundaries_between_characters_stay(page, offsets):
    boundaries = page.evaluate(
        """async ([url, texts]) => {
            const { snapToGrapheme } = await import(url);
            return texts.map((text) => Array.from({ length: text.length + 1 }, (_, i) => i)
              .filter((i) => snapToGrapheme(text, i, false) === i && snapToGrapheme(text, i, true) === i));
        }""",
        [static("articles/offsets.js"), [f"{JUDGE}{FLAG}", "𠮷野家", "日本語", "قَالَ", f"caf{ACCENT}"]],
    )
    assert boundaries == [[0, 7, 11], [0, 2, 3, 4], [0, 1, 2, 3], [0, 2, 3, 5], [0, 1, 2, 3, 5]]


def quote(text: str, bounds: list[int]) -> str:
    return text.encode("utf-16-le")[bounds[0] * 2 : bounds[1] * 2].decode("utf-16-le")


def test_tidy_keeps_whole_characters_and_drops_outer_white_space(offsets):
    judge_at = utf16_index(TEXT, JUDGE)
    assert quote(TEXT, offsets("tidy", TEXT, judge_at + 3, judge_at + 4)) == JUDGE
    flag_at = utf16_index(TEXT, FLAG)
    assert quote(TEXT, offsets("tidy", TEXT, flag_at - 1, flag_at + 2)) == FLAG  # leading space dropped, flag kept
    cafe_at = utf16_index(TEXT, "caf")
    assert quote(TEXT, offsets("tidy", TEXT, cafe_at, cafe_at + 4)) == f"caf{ACCENT}"  # the accent joins the e
    japanese = f"\u3000{JAPANESE}\u3000"  # ideographic spaces are white space too
    assert quote(japanese, offsets("tidy", japanese, 0, 2)) == "𠮷"
    assert quote(japanese, offsets("tidy", japanese, 0, utf16_length(japanese))) == JAPANESE
    arabic = f" {ARABIC} "
    assert quote(arabic, offsets("tidy", arabic, 0, 3)) == "قَ"  # the vowel mark after the cut comes along
    assert quote(arabic, offsets("tidy", arabic, 0, len(arabic))) == ARABIC


def test_tidy_of_only_white_space_is_empty(offsets):
    start, end = offsets("tidy", "a \n\u3000 b", 1, 5)
    assert start == end


def test_importing_the_module_changes_nothing_in_the_page(page, offsets):
    before = page.content()
    names = page.evaluate("async (url) => Object.keys(await import(url)).sort()", static("articles/offsets.js"))
    assert names == ["snapToGrapheme", "stepEdge", "tidy", "toCodePoints", "toUtf16"]
    assert page.content() == before
