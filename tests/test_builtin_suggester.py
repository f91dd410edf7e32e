"""The built-in suggester's rules (articles.suggesting): pure functions, no database.

Span conventions (docs/suggestions.md): a quote is the words inside the marks, punctuation inside kept; a
quote over several paragraphs is one span; nested quotes belong to the outer one; the parts of a broken quote
are spans of their own; speakers are full names as first introduced; sources sit on the name as it stands.
"""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.suggesting import builtin
from articles.suggesting.builtin import SUGGESTER_NAME, SUGGESTER_VERSION, Suggested, suggest


def quotes(text: str, language: str = "en") -> list[Suggested]:
    return [each for each in suggest(text, language) if each.label == "quote"]


def said(text: str, language: str = "en") -> list[tuple[str, str | None]]:
    return [(each.quote, each.attributes.get("speaker")) for each in quotes(text, language)]


def source_of(found: list[Suggested], quote: Suggested) -> Suggested:
    assert quote.said_by is not None, quote
    source = found[quote.said_by]
    assert source.label == "source"
    return source


def check_invariants(text: str, found: list[Suggested]) -> None:
    assert found == sorted(found, key=lambda each: (each.start, each.end, builtin.LABEL_ORDER[each.label]))
    for each in found:
        assert 0 <= each.start < each.end <= len(text)
        assert text[each.start : each.end] == each.quote
        assert 0.0 <= each.confidence <= 1.0
        assert each.label in {"quote", "source", "claim"}
        if each.said_by is not None:
            assert each.label == "quote"
            assert found[each.said_by].label == "source"


# -- the interface


def test_name_version_and_a_frozen_result():
    assert (SUGGESTER_NAME, SUGGESTER_VERSION) == ("builtin", "1")
    found = suggest('"We will build it, whatever it costs," said Maria Lopez.')
    with pytest.raises(dataclasses.FrozenInstanceError):
        found[0].start = 3  # type: ignore[misc]


def test_empty_and_quote_free_text():
    assert suggest("") == []
    assert suggest("The council met on Tuesday and adjourned early.") == []


def test_same_text_same_answer():
    text = "Mayor Jane Smith spoke. “We are ready for the storm,” she said. “Stay home tonight.”"
    assert suggest(text) == suggest(text)


# -- quotation marks and span conventions


def test_straight_quotes_span_is_inside_the_marks_with_inner_punctuation():
    text = '"We will win this, and we will win it soon," said Maria Lopez, the city planner.'
    found = suggest(text)
    (quote,) = [each for each in found if each.label == "quote"]
    assert quote.quote == "We will win this, and we will win it soon,"
    assert quote.attributes == {"speaker": "Maria Lopez"}
    source = source_of(found, quote)
    assert (source.quote, source.attributes) == ("Maria Lopez", {"name": "Maria Lopez"})
    assert source.confidence >= 0.8 and quote.confidence >= 0.8


def test_typographic_quotes_and_surname_resolves_to_the_full_name():
    text = (
        "Maria Lopez has farmed the valley for thirty years.\n\n"
        "“We have never seen a drought like this one,” Lopez said."
    )
    assert said(text) == [("We have never seen a drought like this one,", "Maria Lopez")]
    found = suggest(text)
    assert source_of(found, quotes(text)[0]).quote == "Lopez"  # the mention in the attribution


def test_speaker_before_the_quote_with_a_colon():
    text = "Council member Dev Raman said: “The east side pays for every cut in this budget.”"
    assert said(text) == [("The east side pays for every cut in this budget.", "Dev Raman")]


def test_indirect_speech_is_not_a_quote():
    text = "Dev Raman said that the cuts fell hardest on the east side, and he would vote against them."
    assert quotes(text) == []


def test_according_to_names_the_speaker():
    text = "The plan is “dead on arrival in the state senate,” according to Senator Ruth Alvarez."
    found = suggest(text)
    assert said(text) == [("dead on arrival in the state senate,", "Ruth Alvarez")]
    assert source_of(found, quotes(text)[0]).quote == "Ruth Alvarez"


def test_told_someone():
    text = 'Tom Reyes runs the firm. Reyes told the Gazette: "We are not selling, not now and not later."'
    assert said(text) == [("We are not selling, not now and not later.", "Tom Reyes")]


@pytest.mark.parametrize("verb", ["added", "noted", "warned", "insisted", "explained", "argued", "replied", "wrote"])
def test_speech_verbs_after_the_quote(verb):
    text = f"Amy Tran lives on Alder Street. “The water came up faster than anyone expected,” Tran {verb}."
    assert said(text) == [("The water came up faster than anyone expected,", "Amy Tran")]


def test_pronoun_resolves_to_the_subject_of_the_sentence_before():
    text = (
        "Dempsey’s lawyer, Joanna Kerr, pressed Felix Amadi on what he saw.\n\n"
        "“You could not see that far in the dark, could you?” she asked."
    )
    assert said(text) == [("You could not see that far in the dark, could you?", "Joanna Kerr")]
    found = suggest(text)
    assert source_of(found, quotes(text)[0]).quote == "Joanna Kerr"  # the name the pronoun stands for


def test_title_is_not_part_of_the_name_and_the_role_resolves_later():
    text = (
        "Mayor Jane Smith opened the meeting at seven.\n\n“Nobody in this room wants a tax increase,” the mayor said."
    )
    assert said(text) == [("Nobody in this room wants a tax increase,", "Jane Smith")]


def test_role_in_apposition():
    text = (
        "“The quarter was shaped by prices we do not control,” the company’s chief executive, Tom Reyes, said.\n\n"
        "“We will keep investing in batteries,” the chief executive added."
    )
    assert said(text) == [
        ("The quarter was shaped by prices we do not control,", "Tom Reyes"),
        ("We will keep investing in batteries,", "Tom Reyes"),
    ]


def test_honorific_picks_the_person_of_that_gender_sharing_the_surname():
    text = (
        "Theo Banks died on Tuesday. His daughter, Celeste Banks, confirmed the death.\n\n"
        "Mr. Banks once said the horn was his oldest friend. “Play the song, not yourself,” he told a reporter."
    )
    assert said(text) == [("Play the song, not yourself,", "Theo Banks")]


def test_nested_quotes_belong_to_the_outer_quote():
    text = (
        "“She used to say, ‘Chemistry is just cooking with consequences,’ and then she set something on fire,” "
        "said Rachel Nguyen."
    )
    (quote,) = quotes(text)
    assert quote.quote.startswith("She used to say, ‘Chemistry") and quote.quote.endswith("on fire,")
    text = "\"He told me 'no' three times before lunch,\" said Rachel Nguyen."
    assert said(text) == [("He told me 'no' three times before lunch,", "Rachel Nguyen")]


def test_broken_quote_gives_two_spans_with_one_speaker_and_one_source():
    text = "“If the effect holds up in a trial,” said Dr. Lena Hoffmann, “it would be one of our cheapest tools.”"
    found = suggest(text)
    first, second = quotes(text)
    assert (first.quote, second.quote) == (
        "If the effect holds up in a trial,",
        "it would be one of our cheapest tools.",
    )
    assert first.attributes == second.attributes == {"speaker": "Lena Hoffmann"}
    assert first.said_by == second.said_by
    assert source_of(found, first).quote == "Lena Hoffmann"


def test_quote_continued_after_the_attribution_sentence():
    text = "“We stopped playing,” Ivan Petrov said. “You cannot do that against a team like this.”"
    assert said(text) == [
        ("We stopped playing,", "Ivan Petrov"),
        ("You cannot do that against a team like this.", "Ivan Petrov"),
    ]


def test_multi_paragraph_quote_is_one_span():
    text = (
        "“The first year, I thought the contest was the fun part,” Aiko Tanabe said. “It turns out the fun part "
        "is the breaking.\n\n“Then they go home and build another one.”\n\nThe workshop meets on Saturdays."
    )
    first, second = quotes(text)
    assert first.quote == "The first year, I thought the contest was the fun part,"
    assert second.quote == "It turns out the fun part is the breaking.\n\n“Then they go home and build another one."
    assert second.attributes == {"speaker": "Aiko Tanabe"}


def test_a_paragraph_that_only_continues_the_quotation_keeps_the_speaker():
    text = (
        "“She asked me to make practice harder than matches,” Patrick Vidal said.\n\n"
        "“Today it was a final, and it felt like practice.”"
    )
    assert said(text)[1] == ("Today it was a final, and it felt like practice.", "Patrick Vidal")


def test_unnamed_speakers_stay_unnamed():
    text = (
        "Fire Chief Robert Lindqvist toured the street.\n\n"
        '"It came up so fast, right to the top of the steps," said one resident, who asked not to be named.'
    )
    assert said(text) == [("It came up so fast, right to the top of the steps,", None)]


def test_scare_quotes_and_titles_are_not_quotes_but_partial_quotes_are():
    text = (
        "The city installed a “smart” drainage gate last year. The study, titled “Daily Steps and Mortality "
        "in Middle Age”, followed 4,800 adults. Martin Osei said his client was “deeply disappointed” and "
        "would appeal."
    )
    assert said(text) == [("deeply disappointed", "Martin Osei")]


def test_a_short_quote_that_is_a_sentence_of_its_own_is_kept():
    text = "“Did you see who it was?” Joanna Kerr asked. “No,” Felix Amadi replied. “I couldn’t.”"
    assert [quote for quote, _speaker in said(text)] == ["Did you see who it was?", "No,", "I couldn’t."]


def test_unmatched_marks_leave_no_span():
    assert quotes('He measured the 12" pipe and left. “Nothing more to report') == []


# -- offsets are code points


def test_offsets_are_code_points_with_emoji_and_non_latin_names():
    text = (
        "Fans posted 🎉🎉 and 👩‍👩‍👧 all night. 𠮷野家 reopened too.\n\n"
        "“We waited eleven years for this, and we will wait no longer,” said Zoë Martínez-Ó Briain."
    )
    found = suggest(text)
    check_invariants(text, found)
    (quote,) = [each for each in found if each.label == "quote"]
    assert quote.start == text.index("We waited")
    assert quote.attributes == {"speaker": "Zoë Martínez-Ó Briain"}
    assert source_of(found, quote).start == text.index("Zoë")


# -- other languages: marks only


def test_french_guillemets_with_inner_no_break_spaces():
    text = "«\u202fNous n’avions plus le choix\u202f», a déclaré la maire. « Voilà le résultat », a-t-il ajouté."
    assert [each.quote for each in quotes(text, "fr")] == ["Nous n’avions plus le choix", "Voilà le résultat"]
    assert all(each.attributes == {} and each.said_by is None for each in quotes(text, "fr"))


def test_german_low_high_marks_with_a_nested_quote():
    text = "Lang wies das zurück: „Man hat uns gesagt: ‚Das wird den Handel ruinieren.‘ Es ist nie passiert.“"
    assert [each.quote for each in quotes(text, "de")] == [
        "Man hat uns gesagt: ‚Das wird den Handel ruinieren.‘ Es ist nie passiert."
    ]


def test_reversed_guillemets_and_swiss_single_guillemets():
    assert [each.quote for each in quotes("Er sagte: »Wir bauen die Brücke neu.« Dann ging er.", "de")] == [
        "Wir bauen die Brücke neu."
    ]
    assert [each.quote for each in quotes("Sie sagt: «Man sagte uns ‹Geduld›. Jetzt reicht es.»", "de")] == [
        "Man sagte uns ‹Geduld›. Jetzt reicht es."
    ]
    assert [each.quote for each in quotes("Il a dit ‹ non merci, pas aujourd’hui › puis il est parti.", "fr")] == [
        "non merci, pas aujourd’hui"
    ]


def test_japanese_corner_brackets_with_nested_white_brackets():
    text = "田中さんは「娘も『給食がいちばん好き』と言っています」と話した。"
    (quote,) = quotes(text, "ja")
    assert quote.quote == "娘も『給食がいちばん好き』と言っています"
    assert quote.start == text.index("娘")


def test_chinese_typographic_quotes():
    text = "市长说：“我们会在明年完成这项工程。”记者随后离开。"
    assert [each.quote for each in quotes(text, "zh")] == ["我们会在明年完成这项工程。"]


def test_text_marked_english_but_written_in_french_is_read_by_its_marks():
    text = (
        "La maire de Villeneuve a annoncé lundi la fermeture de la piscine pour des travaux. « Nous n’avions "
        "plus le choix, la toiture ne tenait plus », a-t-elle déclaré devant le conseil municipal."
    )
    assert [each.quote for each in quotes(text, "en")] == ["Nous n’avions plus le choix, la toiture ne tenait plus"]


# -- claims


def test_claims_with_numbers_are_low_confidence_sentences_outside_quotes():
    text = (
        "Consumer prices rose 3.4% in the year to October. The minister welcomed the news.\n\n"
        "“Inflation is falling, and 70 percent of families will feel it,” Oskar Brandt said.\n\n"
        "Battery sales doubled from a year earlier. The plant opened in 2019."
    )
    claims = [(each.quote, each.confidence) for each in suggest(text) if each.label == "claim"]
    assert claims == [
        ("Consumer prices rose 3.4% in the year to October.", 0.4),
        ("Battery sales doubled from a year earlier.", 0.35),
    ]


# -- hostile input: every rule is a linear scan


@pytest.mark.parametrize(
    "text",
    [
        "“" * 200_000,
        '"' * 200_000,
        "”" * 200_000,
        "«" * 200_000,
        "“a " * 70_000,
        ' "x' * 70_000,
        "Mr. " * 50_000,
        "said " * 40_000,
        "A " * 100_000,
        "The Mayor Jane Smith " * 10_000,
        "." * 200_000,
        "\n\n" * 100_000,
        "x\n" * 100_000,
    ],
    ids=lambda text: f"{text[:6]!r}x{len(text)}",
)
def test_pathological_input_finishes(text):
    found = suggest(text)  # quadratic rules would run for hours here
    assert all(each.label != "quote" or each.end - each.start < 10 for each in found)
    assert len(found) <= len(text)


def test_many_short_quotes_each_with_pronoun_attribution():
    unit = "Jane Smith spoke. “We will win it all this year,” she said. "
    text = unit * 4_000
    found = quotes(text)
    assert len(found) == 4_000
    assert {each.attributes["speaker"] for each in found} == {"Jane Smith"}


def test_french_unmatched_marks():
    assert quotes("« « « « " * 40_000, "fr") == []
    assert quotes("„" * 200_000, "de") == []
    assert quotes("「" * 200_000, "ja") == []


# -- properties for any text


_PIECES = st.sampled_from(
    ["“", "”", '"', "‘", "’", "'", "«", "»", "„", "「", "」", "\n", "\n\n", " ", ", ", ". ", ": ", "said", "says ",
     "he ", "She ", "according to ", "Mr. ", "Maria Lopez", "Lopez", "the mayor", "Mayor Jane Smith", "3.4%",
     "$12 million", "doubled", "🎉", "𠮷", "é", "\u00a0", "We will win", "x"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join), st.sampled_from(["en", "fr", "de", "ja", ""]))
def test_every_suggestion_is_a_well_formed_span(text, language):
    check_invariants(text, suggest(text, language))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_unicode_text(text):
    check_invariants(text, suggest(text))


def test_single_quotes_as_the_house_style_when_there_are_no_double_quotes():
    text = (
        "Councillor Amir Shah said the workers’ union had not been consulted. ‘We found out from the "
        "newspaper,’ he said. ‘That’s not how you treat people who’ve kept the ’90s trams running.’"
    )
    assert said(text) == [
        ("We found out from the newspaper,", "Amir Shah"),
        ("That’s not how you treat people who’ve kept the ’90s trams running.", "Amir Shah"),
    ]
    assert quotes("“We found out from the newspaper,” he said of the ‘plan’ and the workers’ union.") != []


def test_pronouns_in_one_endless_sentence_with_many_names():
    text = "Jane Smith met " + "Tom Reyes and " * 30_000 + 'everyone, and "we will all be fine here," she said' * 300
    found = quotes(text)
    assert len(found) == 300
    assert {each.attributes.get("speaker") for each in found} <= {"Jane Smith", "Tom Reyes", None}


def test_roles_resolve_to_the_holder_at_that_point_of_a_long_text():
    surnames = [f"{chr(65 + number // 26)}{chr(97 + number % 26)}ington" for number in range(80)]
    text = "".join(
        f"Mayor Ann {surname} opened the meeting.\n\n“Nobody in this room wants a tax increase,” the mayor said.\n\n"
        for surname in surnames
    )
    assert [speaker for _quote, speaker in said(text)] == [f"Ann {surname}" for surname in surnames]
