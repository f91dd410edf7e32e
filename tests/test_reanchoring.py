"""Re-anchoring annotations on a new revision of an article's text: the diff maps untouched spans, the search finds
moved and slightly changed ones, and anything doubtful orphans rather than landing on the wrong text."""

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from articles.anchoring import SpanError, describe, find_all, validate_span
from articles.approximate_match import edit_distance
from articles.reanchor_paragraphs import ParagraphMap, diff_runs, kept_in, paragraph, span_in
from articles.reanchoring import DEFAULT_THRESHOLD, EXACT, FUZZY, ORPHANED, SHIFTED, Anchor, Landing, reanchor
from articles.revision_map import RevisionMap, diff
from bench.reanchor_bench import accuracy_case, indel_distance, long_case


def anchor_on(text: str, quote: str, occurrence: int = 0) -> Anchor:
    """The anchor a person makes by selecting the n-th occurrence of `quote` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    selector = describe(text, start, start + len(quote))
    return Anchor(start, start + len(quote), selector.exact, selector.prefix, selector.suffix)


def landed_text(new: str, landing: Landing) -> str | None:
    return None if landing.status == ORPHANED else new[landing.start : landing.end]


OFFICIALS = "Officials did not respond to a request for comment."  # a boilerplate sentence of news text
STORY = (
    "The city council voted 7 to 2 on Tuesday to build new bike lanes along the river.\n\n"
    "Mayor Zoë Martínez said the goverment would pay for most of the work by 2028.\n\n"
    "Critics said the plan was rushed and that residents were not consulted."
)


def test_same_text_lands_every_anchor_exactly():
    anchors = [anchor_on(STORY, "bike lanes"), anchor_on(STORY, "Zoë Martínez"), anchor_on(STORY, "rushed")]
    assert reanchor(STORY, STORY, anchors) == [Landing(EXACT, anchor.start, anchor.end, None) for anchor in anchors]


def test_an_edit_before_a_span_shifts_it_and_one_after_leaves_it_exact():
    anchor = anchor_on(STORY, "Zoë Martínez")
    new = "UPDATED: " + STORY.replace("residents", "local residents")
    [landing] = reanchor(STORY, new, [anchor])
    assert landing == Landing(SHIFTED, anchor.start + 9, anchor.end + 9, None)
    [landing] = reanchor(STORY, STORY.replace("residents", "local residents"), [anchor])
    assert landing == Landing(EXACT, anchor.start, anchor.end, None)


def test_typo_fixed_inside_a_quote_lands_fuzzy_with_its_score():
    anchor = anchor_on(STORY, "the goverment would pay")
    new = STORY.replace("goverment", "government")
    [landing] = reanchor(STORY, new, [anchor])
    assert landing.status == FUZZY
    assert landed_text(new, landing) == "the government would pay"
    assert landing.score == pytest.approx(1 - 1 / 24, abs=1e-4)
    assert DEFAULT_THRESHOLD <= landing.score < 1


def test_fuzzy_landing_keeps_the_quotes_word_edges():
    anchor = anchor_on(STORY, "goverment")
    new = STORY.replace("goverment", "governments")
    [landing] = reanchor(STORY, new, [anchor])
    assert (landing.status, landed_text(new, landing)) == (FUZZY, "governments")  # the whole word, not "governme"


def test_reworded_quote_beyond_the_threshold_orphans():
    anchor = anchor_on(STORY, "the plan was rushed")
    new = STORY.replace("the plan was rushed", "the scheme came too quickly")
    assert reanchor(STORY, new, [anchor]) == [Landing(ORPHANED, None, None, None)]


def test_deleted_span_orphans_even_when_its_words_occur_elsewhere():
    anchors = [anchor_on(STORY, "Critics said the plan was rushed"), anchor_on(STORY, "said", 1)]
    new = STORY.replace("\n\nCritics said the plan was rushed and that residents were not consulted.", "")
    assert reanchor(STORY, new, anchors) == [Landing(ORPHANED, None, None, None)] * 2


def test_moved_paragraph_lands_exactly_on_its_unchanged_text():
    first, second, third = STORY.split("\n\n")
    new = "\n\n".join([third, first, second])
    quotes = ["Critics said the plan was rushed", "consulted", "bike lanes", "Mayor Zoë Martínez said"]
    landings = reanchor(STORY, new, [anchor_on(STORY, quote) for quote in quotes])
    for quote, landing in zip(quotes, landings):
        assert landing.status in (EXACT, SHIFTED) and landing.score is None
        assert landed_text(new, landing) == quote
        assert landing.start == new.index(quote)


def test_moved_paragraph_with_a_typo_fixed_lands_fuzzy():
    first, second, third = STORY.split("\n\n")
    new = "\n\n".join([second.replace("goverment", "government"), third, first])
    [landing] = reanchor(STORY, new, [anchor_on(STORY, "said the goverment would pay for most")])
    assert (landing.status, landed_text(new, landing)) == (FUZZY, "said the government would pay for most")


def test_repeated_phrase_with_nothing_to_tell_the_copies_apart_orphans():
    old = "Officials declined to comment.\n\nThe budget passed.\n\nOfficials declined to comment."
    anchor = anchor_on(old, "Officials declined to comment.", 1)
    # The paragraph with the anchor's copy is deleted and the remaining copies have no context in common with it.
    new = "Officials declined to comment.\n\nThe budget failed.\n\nOfficials declined to comment."
    assert reanchor(old, new, [Anchor(None, None, anchor.quote)]) == [Landing(ORPHANED, None, None, None)]
    moved = "Officials declined to comment.\n\nA vote is due.\n\nOfficials declined to comment.\n\nThe budget passed."
    [landing] = reanchor(old, moved, [anchor])
    assert landing.status == ORPHANED or landed_text(moved, landing) == anchor.quote


def test_repeated_phrase_is_told_apart_by_its_context():
    old = "In Lyon the city council voted yes. In Osaka the city council voted no."
    anchor = anchor_on(old, "the city council", 1)
    new = "Earlier: In Osaka the city council voted no. In Lyon the city council voted yes."
    [landing] = reanchor(old, new, [anchor])
    assert landing == Landing(SHIFTED, new.index("Osaka the city council") + 6, new.index(" voted no"), None)


def test_orphan_comes_back_when_the_text_is_restored():
    old = "The council met on Monday."
    new = "The council met on Monday. Zoë Martínez, the mayor, rejected the plan in a statement."
    orphan = Anchor(None, None, "Zoë Martínez, the mayor, rejected the plan", prefix="met on Monday. ", suffix=" in a")
    [landing] = reanchor(old, new, [orphan])
    assert landing == Landing(SHIFTED, 27, 69, None)
    [landing] = reanchor(old, new.replace("rejected", "rejectd"), [orphan])
    assert landing.status == FUZZY
    assert reanchor(old, old, [orphan]) == [Landing(ORPHANED, None, None, None)]


def test_stale_anchor_is_searched_by_its_quote():
    stale = Anchor(0, 5, "bike lanes", prefix="build new ", suffix=" along the")  # offsets of another revision
    [landing] = reanchor(STORY, STORY, [stale])
    assert landing == Landing(SHIFTED, STORY.index("bike lanes"), STORY.index(" along"), None)


EMOJI_STORY = "The judge 👩🏽‍⚖️ ruled for 🇫🇷 and 🇯🇵 teams 🚲 today."


def test_emoji_sequences_and_flags_move_whole():
    anchors = [anchor_on(EMOJI_STORY, "👩🏽‍⚖️"), anchor_on(EMOJI_STORY, "🇯🇵 teams"), anchor_on(EMOJI_STORY, "ruled")]
    new = "Yesterday 👍🏾 " + EMOJI_STORY
    landings = reanchor(EMOJI_STORY, new, anchors)
    assert [landed_text(new, landing) for landing in landings] == ["👩🏽‍⚖️", "🇯🇵 teams", "ruled"]
    assert all(landing.status == SHIFTED for landing in landings)


def test_a_landing_never_splits_a_character():
    # A regional indicator inserted before a flag re-pairs the flags: 🇺🇫 + 🇷; the old span would split one.
    old, anchor = "Vote 🇫🇷 today", anchor_on("Vote 🇫🇷 today", "🇫🇷")
    new = "Vote 🇺🇫🇷 today"
    [landing] = reanchor(old, new, [anchor])
    assert landing.status == ORPHANED or validate_span(new, landing.start, landing.end) is None
    # A combining accent typed after a span now belongs to its last letter: "Q" became "Q́".
    old = "the Q rule"
    new = "the Q\u0301 rule"
    [landing] = reanchor(old, new, [anchor_on(old, "Q")])
    assert landing.status == ORPHANED or validate_span(new, landing.start, landing.end) is None
    assert (landing.start, landing.end) != (4, 5)


def test_combining_marks_in_a_fuzzy_landing():
    old = "Ana Q\u0301uiroga said the plan works."
    new = "Ana Q\u0301uirroga said the plan works."
    [landing] = reanchor(old, new, [anchor_on(old, "Ana Q\u0301uiroga said")])
    assert (landing.status, landed_text(new, landing)) == (FUZZY, "Ana Q\u0301uirroga said")


CJK_STORY = "東京都の知事は新しい自転車レーンを発表した。𠮷野家の店舗は大阪にもある。市议会周二投票通过了该计划。"


def test_cjk_spans_count_code_points_and_land():
    anchor = anchor_on(CJK_STORY, "𠮷野家の店舗")
    new = "速報。" + CJK_STORY
    [landing] = reanchor(CJK_STORY, new, [anchor])
    assert landing == Landing(SHIFTED, anchor.start + 3, anchor.end + 3, None)
    assert landed_text(new, landing) == "𠮷野家の店舗"
    typo = CJK_STORY.replace("新しい自転車レーンを発表", "新しい自転車レーンを公表")
    [landing] = reanchor(CJK_STORY, typo, [anchor_on(CJK_STORY, "知事は新しい自転車レーンを発表した")])
    assert (landing.status, landed_text(typo, landing)) == (FUZZY, "知事は新しい自転車レーンを公表した")


RTL_STORY = "قال الوزير إن الخطة ستنفذ العام المقبل.\n\nהשר אמר כי התוכנית תיושם בשנה הבאה.\n\nThe minister agreed."


def test_right_to_left_paragraphs_move_and_keep_their_spans():
    arabic, hebrew, english = RTL_STORY.split("\n\n")
    new = "\n\n".join([english, hebrew, arabic])
    quotes = ["الخطة ستنفذ", "התוכנית תיושם", "minister"]
    landings = reanchor(RTL_STORY, new, [anchor_on(RTL_STORY, quote) for quote in quotes])
    assert [landed_text(new, landing) for landing in landings] == quotes
    assert all(landing.status == SHIFTED for landing in landings)


def test_one_landing_per_anchor_in_order_and_a_bad_threshold_is_refused():
    anchors = [anchor_on(STORY, "rushed"), Anchor(None, None, "nowhere to be found"), anchor_on(STORY, "Tuesday")]
    landings = reanchor(STORY, STORY, anchors)
    assert [landing.status for landing in landings] == [EXACT, ORPHANED, EXACT]
    for threshold in (0, -0.5, 1.5):
        with pytest.raises(ValueError):
            reanchor(STORY, STORY, anchors, threshold=threshold)


def test_a_higher_threshold_orphans_what_a_lower_one_lets_land_fuzzy():
    anchor = anchor_on(STORY, "build new bike lanes")
    new = STORY.replace("build new bike lanes", "build two bike paths")
    [low] = reanchor(STORY, new, [anchor], threshold=0.6)
    [high] = reanchor(STORY, new, [anchor], threshold=0.9)
    assert low.status == FUZZY and low.score < 0.9
    assert high.status == ORPHANED


def test_a_templated_sentence_inserted_before_its_twin_does_not_take_the_span():
    # From the benchmark (seed 3): the diff can pair the quote with either copy ("slides" the insertion); the stored
    # suffix is whole only at the old sentence's copy, the prefix only partly broken there, so that copy wins.
    old = (
        "The deal will cost €87 million ❤️. According to the city council, the stadium deal in São Paulo will "
        "cost €5 million more."
    )
    at = old.index("❤️.") + 3
    new = old[:at] + " According to the city council, the harbour plan in Málaga will cost €3 million 🇫🇷." + old[at:]
    [landing] = reanchor(old, new, [anchor_on(old, "the city council")])
    start = new.index("the city council, the stadium")
    assert landing == Landing(SHIFTED, start, start + len("the city council"), None)


def test_a_sentence_inserted_after_a_period_does_not_take_the_period():
    # From the benchmark (seed 9): with the paragraph before deleted, the diff pairs the old "2033." with the
    # inserted "2034." and maps the one-character span "." onto the inserted sentence's period. Its stored prefix
    # is whole only at its own sentence, a few sentences back, in text the diff pairs with nothing for sure.
    ana = "Ana Q\u0301uiroga said the police commission would audit 30 cautious minor the harbour plan by 2033."
    rest = " “Local night buses 🇧🇷 are old,” Fatima Haddad told reporters in Hanoi."
    inserted = " Tomás Ó Briain said the housing office would audit 169 bold narrow local the tram extension by 2034."
    deleted = (
        "Zoë Martínez said the housing office would review 360 local urgent speed cameras by 2030. "
        "北京市政府周三表示将审查自行车道预算32亿元。"
    )
    old = f"The port authority met.\n\n{deleted}\n\n{ana}{rest}"
    new = f"The port authority met.\n\n{ana}{inserted}{rest}"
    anchor = anchor_on(old, ".", 2)
    assert anchor.start == old.index("2033.") + 4
    [landing] = reanchor(old, new, [anchor])
    assert landing == Landing(SHIFTED, new.index("2033.") + 4, new.index("2033.") + 5, None)


PARAGRAPHS = [
    "The regional court met on Monday in Bergen to hear the appeal against the new bridge.",
    "On Friday, Søren Dahl said the school board would cut 12 night buses by 2029, after the vote in Tromsø.",
    "東京都の知事は12日、自転車レーンの計画を発表した。大阪府の市議会は3日、新しい橋の計画を承認した。",
    "Officials did not respond to a request for comment. Amara Okafor told reporters in Lagos that the plan was "
    "late. Søren Dahl said the school board would cut 32 bus routes by 2030. The vote is expected next week.",
]


def test_a_moved_paragraph_carries_a_span_its_stored_context_cannot_place():
    # From the benchmark (seeds 4, 7, 9): the quote and its context within the paragraph ("Søren Dahl said the
    # school board would cut") occur twice in the old text, so they prove nothing; the rest of the paragraph does.
    court, friday, tokyo, officials = PARAGRAPHS
    old = "\n\n".join([court, friday, tokyo, officials])
    new = "\n\n".join([court, officials, friday, tokyo])
    [landing] = reanchor(old, new, [anchor_on(old, "Søren", 1)])
    start = new.index("Søren Dahl said the school board would cut 32")
    assert landing == Landing(SHIFTED, start, start + len("Søren"), None)
    # ... and the words right beside it may change in the same revision (benchmark seeds 3, 4, 5).
    edited = officials.replace("Dahl said the school", "Dahl, the mayor, said on Friday the school")
    new = "\n\n".join([court, edited, friday, tokyo])
    [landing] = reanchor(old, new, [anchor_on(old, "said", 1)])
    assert landing == Landing(SHIFTED, new.index("said on Friday"), new.index(" on Friday"), None)


def test_a_deleted_paragraph_is_not_replaced_by_its_twin():
    court, _, tokyo, officials = PARAGRAPHS
    twin = officials.replace("32 bus routes", "32 bus lines")
    old = "\n\n".join([court, officials, tokyo, twin])
    new = "\n\n".join([twin, court, tokyo])  # the anchor's paragraph deleted, its near twin moved
    assert reanchor(old, new, [anchor_on(old, "Søren")]) == [Landing(ORPHANED, None, None, None)]
    new = "\n\n".join([court, tokyo, twin])  # or its twin kept where it was
    assert reanchor(old, new, [anchor_on(old, "said")]) == [Landing(ORPHANED, None, None, None)]


def test_a_deleted_word_is_not_replaced_by_the_same_word_beside_it():
    # From the benchmark (seed 4): once "voted 8 to" is deleted, the paragraph around the next "to" agrees with
    # the old paragraph around the deleted one almost as well as with its own: that place is the other "to".
    old = (
        "Officials did not respond to a request for comment. The vote is expected next week. The water utility "
        "voted 8 to 1 on Thursday to review the ferry service.\n\n東京都の知事は25日、バス路線の計画を発表した。"
    )
    new = old.replace("voted 8 to 1", "1")
    assert reanchor(old, new, [anchor_on(old, "to", 1)]) == [Landing(ORPHANED, None, None, None)]


def test_edits_beside_a_span_do_not_send_it_to_an_intact_copy_elsewhere():
    # From the benchmark (seed 36): words inserted right before the last "for comment.", and a copy of its whole
    # sentence inserted elsewhere, where all of the span's stored context is intact. The diff's unchanged text
    # beside those small edits is long enough to be sure, so the span stays in its own sentence.
    old = "\n\n".join(
        [
            "Ingrid Berg said the city council would cut 268 narrow partial modest school meals by 2038. "
            "深圳市政府周一表示将削减防洪堤预算63亿元。 According to the city council, park benches in Ramallah "
            "will cost €32 million 🏳️‍🌈. Søren Dahl said the planning committee would halve 115 cautious the "
            "ferry service by 2028.",
            "北京市议会周四表示将增加自行车道预算22亿元。 अनुष्का शर्मा said the police commission would spend 79 public "
            "costly late bus routes by 2031.",
            "The housing office voted 7 to 2 on Saturday to halve the new bridge. Tomás Ó Briain said the regional "
            "court would double 110 final urgent broad joint the tram extension by 2028. Officials did not respond "
            "to a request for comment.",
            "Amara Okafor said the city council would double 53 local urgent the harbour plan by 2039. Tomás Ó Briain "
            "said the health agency would approve 90 late early minor overdue park benches by 2026.",
            "“Minor speed cameras 🇧🇷 are final,” Fatima Haddad told reporters in Kraków. According to the city "
            "council, the tram extension in Galway will cost €28 million 🇫🇷. Zoë Martínez said the school board would "
            "halve 95 costly formal the stadium deal by 2027.",
            "According to the city council, bike lanes in Zürich will cost €71 million 🏳️‍🌈. “New bike lanes 🇫🇷 are "
            "modest,” Ingrid Berg told reporters in Málaga. According to the city council, the new bridge in Hanoi "
            "will cost €29 million 🚲.",
            "The housing office voted 7 to 1 on Wednesday to delay night buses. Officials did not respond to a "
            "request for comment.",
        ]
    )
    new = old
    for before, after in [
        ("。 According to the city council, park", "。 to the city council, park"),
        ("北京市议会周四表示将增加自行车道预算22亿元。 ", ""),
        (
            " Tomás Ó Briain said the regional court would double 110 final urgent broad joint the tram extension by "
            "2028.",
            "",
        ),
        ("park benches by 2026", "park rbenches by 2026"),
        ("stadium deal by 2027.", "stadium deal by 2027. Officials did not respond to a request for comment."),
        ("will cost €71", "will formal quiet urgent cost €71"),
        ("reporters in Málaga", "reporters quiet in Málaga"),
        ("city council, the new bridge", "city public overdue council, the new bridge"),
        ("night buses. Officials did not respond to", "night buses. Officials did not respond public quiet to"),
    ]:
        assert before in new
        new = new.replace(before, after)
    anchor = anchor_on(old, "for comment.", 1)
    [landing] = reanchor(old, new, [anchor])
    start = new.rindex("for comment.")
    assert landing == Landing(SHIFTED, start, start + len("for comment."), None)


def test_a_sentence_inserted_after_the_span_keeps_it_in_its_own_sentence():
    # From the benchmark (seed 16): more of the stored context agrees around the inserted copy (" million " before,
    # the whole suffix after) than around the span's own one (the whole prefix, ". " after), but that copy is in the
    # inserted sentence, new text by the diff and by the paragraph map: the diff's copy stays the span's.
    old = "The plan will cost 81 million shekels. Olu Adeyemi said the transport ministry would pay for it."
    at = old.index("Olu")
    new = old[:at] + "The mayor said the plan will cost 45 million shekels. " + old[at:]
    [landing] = reanchor(old, new, [anchor_on(old, "shekels")])
    assert landing == Landing(EXACT, old.index("shekels"), old.index("shekels") + len("shekels"), None)


def test_edit_distance():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance("𠮷野家", "𠮷家") == 1


# Property tests. Texts are made of words, numbers, emoji, flags, CJK, RTL and accented words, as articles are.
WORDS = [
    "council", "voted", "the", "bike", "lanes", "Zoë", "Q\u0301uiroga", "said", "2028", "€40", "👩🏽‍⚖️", "🇫🇷",
    "東京都", "𠮷野家", "قال", "الوزير", "השר", "plan", "river", "mayor", "not", "a",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", ", ", ". ", "\n\n"]


@st.composite
def articles(draw, min_words: int = 6, max_words: int = 60) -> str:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=min_words, max_size=max_words))
    numbers = draw(st.lists(st.integers(0, 999), min_size=len(words), max_size=len(words)))
    separators = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(words), max_size=len(words)))
    # Some words carry a number, as names, dates and figures do: repeated words are common, whole copies rarer.
    return "".join(
        word + (str(number) if number % 3 == 0 else "") + separator
        for word, number, separator in zip(words, numbers, separators)
    ).strip()


def word_span(draw, text: str) -> tuple[int, int]:
    import regex

    words = [match.span() for match in regex.finditer(r"\S+", text)]
    first = draw(st.integers(0, len(words) - 1))
    last = draw(st.integers(first, min(len(words) - 1, first + 5)))
    return words[first][0], words[last][1]


edit_texts = st.lists(st.sampled_from(WORDS + SEPARATORS), min_size=0, max_size=5).map("".join)


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_edits_outside_a_span_leave_it_exact_or_shifted_on_its_text(data):
    text = data.draw(articles())
    start, end = word_span(data.draw, text)
    quote = describe(text, start, end)
    anchor = Anchor(start, end, quote.exact, quote.prefix, quote.suffix)
    new, edited = text, 0
    for _ in range(data.draw(st.integers(1, 3))):  # each edit wholly before or wholly after the span
        before = data.draw(st.booleans())
        low = data.draw(st.integers(0, start) if before else st.integers(end, len(new)))
        high = data.draw(st.integers(low, start if before else len(new)))
        inserted = data.draw(edit_texts)
        new, edited = new[:low] + inserted + new[high:], edited + len(inserted) + high - low
        if before:
            start, end = start + len(inserted) - (high - low), end + len(inserted) - (high - low)
    assert new[start:end] == anchor.quote
    # When a shorter edit than these turns the text into the new one, the text reads better as something else,
    # maybe the span edited ("council0 council0," after "council0 council0 council" became "council" and
    # "council" was inserted after it): rule 3, orphan rather than guess, or fuzzy there. Those are the
    # benchmark's; here the edits made are a shortest one.
    assume(indel_distance(text, new) == edited)
    try:
        validate_span(new, start, end)
    except SpanError:
        assume(False)  # the edit glued a mark or flag onto the span's edge: it is no longer whole characters
    # A quote repeated in the text may be told apart only by its context, and a smaller diff than the edit made
    # may then explain the revision with the span changed (rule 3: orphan rather than guess); those cases are
    # the unit tests' and the benchmark's. Here the quote is unique, as most selections are.
    assume(len(find_all(text, anchor.quote)) == 1 and len(find_all(new, anchor.quote)) == 1)
    [landing] = reanchor(text, new, [anchor])
    assert landing.status in (EXACT, SHIFTED)
    assert new[landing.start : landing.end] == anchor.quote
    assert landing.status == EXACT or (landing.start, landing.end) != (anchor.start, anchor.end)


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_any_landing_is_whole_characters_and_reports_its_text(data):
    text = data.draw(st.one_of(articles(), st.text(min_size=1, max_size=80)))
    spans = [word_span(data.draw, text) for _ in range(3)] if text.split() else [(0, len(text))]
    anchors = []
    for start, end in spans:
        try:
            validate_span(text, start, end)
        except SpanError:
            continue
        quote = describe(text, start, end)
        anchors.append(Anchor(start, end, quote.exact, quote.prefix, quote.suffix))
    new = text
    for _ in range(data.draw(st.integers(1, 4))):
        low = data.draw(st.integers(0, len(new)))
        high = data.draw(st.integers(low, min(len(new), low + 12)))
        new = new[:low] + data.draw(st.one_of(edit_texts, st.text(max_size=4))) + new[high:]
    threshold = data.draw(st.sampled_from([0.6, DEFAULT_THRESHOLD, 0.95]))
    landings = reanchor(text, new, anchors, threshold=threshold)
    assert len(landings) == len(anchors)
    for anchor, landing in zip(anchors, landings):
        if landing.status == ORPHANED:
            assert (landing.start, landing.end, landing.score) == (None, None, None)
            continue
        validate_span(new, landing.start, landing.end)
        found = new[landing.start : landing.end]
        if landing.status in (EXACT, SHIFTED):
            assert found == anchor.quote and landing.score is None
            assert (landing.status == EXACT) == ((landing.start, landing.end) == (anchor.start, anchor.end))
        else:
            assert found != anchor.quote
            similarity = 1 - edit_distance(anchor.quote, found) / max(len(anchor.quote), len(found))
            assert landing.score == pytest.approx(similarity, abs=1e-4)
            assert threshold <= landing.score < 1


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_the_same_text_lands_everything_exactly(data):
    text = data.draw(st.one_of(articles(), st.text(min_size=1, max_size=80)))
    anchors = []
    for _ in range(4):
        start = data.draw(st.integers(0, len(text) - 1))
        end = data.draw(st.integers(start + 1, len(text)))
        try:
            validate_span(text, start, end)
        except SpanError:
            continue
        quote = describe(text, start, end)
        anchors.append(Anchor(start, end, quote.exact, quote.prefix, quote.suffix))
    assert reanchor(text, text, anchors) == [Landing(EXACT, anchor.start, anchor.end, None) for anchor in anchors]


def test_a_moved_paragraph_carries_a_span_whose_context_changed_on_both_sides():
    # From the benchmark (seed 4): the quote occurs twice, its paragraph moved, a sentence was inserted right before
    # it and its paragraph ends right after it, so quote and stored context prove nothing. The rest of its old
    # paragraph, now around the inserted sentence, says where it went.
    okafor = (
        "Amara Okafor said the school board would fund 38 costly modest public the library by 2031. "
        "Ana Q\u0301uiroga told reporters in Lagos. "
    )
    court = "The regional court met on Monday in Bergen to hear the appeal. " + OFFICIALS + " The vote is next week."
    tokyo = PARAGRAPHS[2]
    inserted = "Jean-Luc Moreau said the regional court would approve 127 broad overdue early the new bridge by 2036. "
    old = "\n\n".join([okafor + OFFICIALS, court, tokyo])
    new = "\n\n".join([court, tokyo, okafor + inserted + OFFICIALS])
    [landing] = reanchor(old, new, [anchor_on(old, OFFICIALS)])
    start = new.index(inserted) + len(inserted)
    assert landing == Landing(SHIFTED, start, start + len(OFFICIALS), None)


def test_words_between_an_insertion_and_a_deletion_keep_their_span():
    # From the benchmark (seed 8): a sentence inserted before "According to the city" and ", the recycling" deleted
    # after it make one replacement in the diff (its semantic cleanup drops the short unchanged run between them),
    # and "the" is a word of a templated sentence. The replacement's old text begins with what its new text ends
    # with: those words stayed.
    minh = "Nguyễn Thị Minh said the city council would reconsider 105 joint rival the recycling depot by 2030. "
    lyon = "According to the city council, the recycling depot in Lyon will cost €34 million 🇧🇷. 大阪府の知事は26日。"
    quito = "According to the city council, the recycling depot in Quito will cost €9 million."
    inserted = "अनुष्का शर्मा said the city council would review 282 local broad public partial school meals by 2036. "
    old = "\n\n".join([quito, minh + lyon])
    new = "\n\n".join([quito, minh + inserted + lyon.replace("city council, the recycling depot", "city depot")])
    anchor = anchor_on(old, "the", 4)
    assert anchor.start == old.index("city council, the recycling depot in Lyon") - len("the ")
    [landing] = reanchor(old, new, [anchor])
    start = new.index("According to the city depot") + len("According to ")
    assert landing == Landing(SHIFTED, start, start + 3, None)


def test_a_changed_word_does_not_follow_its_paragraph_to_a_templated_copy():
    # From the benchmark (seed 15): "in" became "wn" (half of it changed), and a templated sentence inserted in
    # another paragraph holds the same words around another "in": that paragraph is not the span's.
    malaga = (
        "According to the city council, the new bridge in Málaga will cost €83 million 🏳️‍🌈. "
        "鈴木一郎氏は「バス路線は遅すぎる」と述べた。"
    )
    krakow = " According to the city council, the new bridge in Kraków will cost €76 million 👩🏽‍⚖️."
    court, friday = PARAGRAPHS[0], PARAGRAPHS[1]
    old = "\n\n".join([malaga, court, friday])
    new = "\n\n".join([malaga.replace("bridge in", "bridge wn"), court, friday + krakow])
    assert reanchor(old, new, [anchor_on(old, "in", 1)]) == [Landing(ORPHANED, None, None, None)]


def test_kept_in_finds_the_words_a_replacement_kept():
    removed = "According to the city council, the recycling"
    added = "Li Wei said the city council would review 282 school meals by 2036. According to the city"
    assert kept_in(removed, added, 13, 16) == added.index("the city", 40)
    assert kept_in(removed, added, 22, 29) is None  # "council" was deleted
    assert kept_in("to the city hall", "Li Wei said to the city", 0, 2) is None  # 11 kept code points prove nothing
    sentence = "上海市交通局周一表示将审查新桥预算25亿元。"  # inserted text on both sides of it
    assert kept_in(sentence, f"Zoë Martínez spoke.\n\n{sentence} Li Wei said so.", 8, 9) == 21 + 8


def test_a_paragraphs_diff_places_a_span_only_where_its_pairing_is_sure():
    # From the benchmark (seed 118): " told reporters" deleted and a templated sentence inserted after the next
    # period; the paragraphs' diff pairs the old "Minh told reporters in " (a short run) with the inserted copy.
    old = (
        "“Late flood defences are partial,” Nguyễn Thị Minh told reporters in Lyon. "
        "Nguyễn Thị Minh said the police commission would cut 60 old urgent public major the new bridge by 2037."
    )
    new = old.replace(
        "Minh told reporters in Lyon.", "Minh in Lyon. “Rival deal are broad,” Nguyễn Thị Minh told reporters in Quito."
    )
    runs = diff_runs(diff(old, new))
    at = old.index("reporters in")
    assert span_in(old, new, runs, at, at + len("reporters in")) is None
    at = old.index("police commission")  # 61 unchanged code points after it
    assert span_in(old, new, runs, at, at + 6) == new.index("police commission")
    at = old.index("“Late")  # at the start of both paragraphs
    assert span_in(old, new, runs, at, at + 5) == 0
    # From the benchmark (seed 189): a deleted sentence that begins as the next one does. diff-match-patch deletes
    # from the middle of the first to the middle of the second (a comma scores as a full stop there), pairing the
    # first "the city council" with the second's text; slid to the sentence ends, the whole sentence is deleted.
    old = (
        "“Late bike lanes are bold,” Søren Dahl told reporters in Zürich. According to the city council, speed "
        "cameras in Hanoi will cost €81 million 🚲. According to the city council, the new bridge will cost more."
    )
    new = old.replace("According to the city council, speed cameras in Hanoi will cost €81 million 🚲. ", "")
    runs = diff_runs(diff(old, new))
    deleted = "According to the city council, speed cameras in Hanoi will cost €81 million 🚲. "
    assert runs[1][0] == "~" and old[runs[1][1] : runs[1][2]] == deleted and runs[1][3] == runs[1][4]
    at = old.index("the city council")
    assert span_in(old, new, runs, at, at + len("the city council")) is None
    assert span_in(old, new, runs, old.index("Søren"), old.index(" Dahl")) == new.index("Søren")


def test_a_deleted_word_does_not_land_on_the_same_word_in_a_sentence_inserted_elsewhere():
    # From the benchmark (seed 35): a word found once in each text used to land wherever it was, with no context;
    # a word is short enough to be written again in a new sentence, so it must be where its old text was replaced.
    deleted = "Nguyễn Thị Minh said the school board would spend 376 quiet cautious park benches by 2026.\n\n"
    old = (
        deleted + "The housing office voted 7 to 2 on Saturday to halve the new bridge. Officials did not respond to a "
        "request for comment.\n\nAccording to the city council, bike lanes in Zürich will cost €71 million. The vote "
        "is expected next week.\n\nIngrid Berg said the health agency would double 9 minor quiet bus routes by 2031. "
        "The vote is expected next week."
    )
    new = old.replace(deleted, "").replace(
        "by 2031. ", "by 2031. Amara Okafor said the water utility would fund 83 public bold cautious minor lights. "
    )
    assert reanchor(old, new, [anchor_on(old, "cautious")]) == [Landing(ORPHANED, None, None, None)]
    # Where its old text was rewritten all around it, the same word still lands (it is the span's own).
    new = old.replace("spend 376 quiet cautious park", "cut 12 new cautious bus")
    at = new.index("cautious")
    assert reanchor(old, new, [anchor_on(old, "cautious")]) == [Landing(SHIFTED, at, at + len("cautious"), None)]


def test_a_period_stays_in_its_sentence_when_a_copy_of_the_sentence_is_inserted_elsewhere():
    # From the benchmark (seed 10): words deleted in the span's sentence changed its stored context, and a copy of
    # the whole sentence inserted in another paragraph carries that context intact; but the span's paragraph did not
    # move there, so the diff's copy stays the span's.
    old = (
        "“Rival school meals are final,” Li Wei told reporters in Lagos. Officials did not respond to a request for "
        "comment.\n\n高橋健氏は「防潮堤は安全だ」と述べた。佐藤花子氏は「学校給食は必要だ」と述べた。\n\n"
        "Ingrid Berg said the transport ministry would reconsider 47 urgent bold formal the new bridge by 2030. Søren "
        "Dahl said the plan was late."
    )
    new = (
        old.replace("did not respond", "did")
        .replace("高橋健氏", "高橋氏")
        .replace("by 2030. ", "by 2030. Officials did not respond to a request for comment. ")
    )
    period = old.index("comment.") + len("comment")
    [landing] = reanchor(old, new, [anchor_on(old, ".", old[:period].count("."))])
    at = new.index("comment.") + len("comment")
    assert landing == Landing(SHIFTED, at, at + 1, None)


def test_small_edits_do_not_make_a_pairing_sure_when_the_spans_own_words_went_elsewhere():
    # From the benchmark (seed 95): paragraphs moved, and the diff paired "the city council" of a moved paragraph
    # with the same words in a templated sentence of another one, with small edits near that copy. Unchanged text
    # beside small edits made that pairing look sure; but little of the span's stored context is there, while its
    # whole paragraph, untouched, is elsewhere: the span goes with it.
    old = "\n\n".join(
        [
            "横浜市の市議会は18日、バス路線の計画を延期した。𠮷野町の教育委員会は5日、自転車レーンの計画を延期した。𠮷田美咲氏は「学校給食は安全だ」と述べた。横浜市の市議会は11日、バス路線の計画を見直した。深圳市交通局周五表示将增加防洪堤预算70亿元。",
            "Zoë Martínez said the city council would audit 66 narrow early night buses by 2028. قال المتحدث "
            "باسم المجلس إن الجسر الجديد ستكلف 4 مليون يورو. The vote is expected next week.",
            "ראש העירייה אמר כי שבילי האופניים יעלה 27 מיליון שקל. Amara Okafor said the housing office would "
            "halve 276 bold costly cautious bus routes by 2027. According to the city council, the harbour plan "
            "in Málaga will cost €88 million 🧑🏿\u200d🔧. Olu Adeyemi said the city council would approve 166 early "
            "final quiet the new bridge by 2031. Officials did not respond to a request for comment. According "
            "to the city council, the library in Zürich will cost €41 million 🚲.",
            "The transport ministry voted 9 to 0 on Monday to audit the recycling depot. Officials did not "
            "respond to a request for comment. השר אמר כי הגשר החדש יעלה 27 מיליון שקל.",
            "Li Wei said the transport ministry would cut 8 formal broad overdue park benches by 2032. “Final "
            "the recycling depot 👍🏾 are local,” Zoë Martínez told reporters in Lyon. Ingrid Berg said the water "
            "utility would review 219 late modest old rival night buses by 2035. "
            "上海市议会周三表示将削减自行车道预算80亿元。 Tomás Ó Briain said the school board would "
            "reconsider 127 final fresh street lighting by 2038.",
            "According to the city council, bike lanes in Osaka will cost €8 million 🇧🇷. The vote is expected "
            "next week. Nguyễn Thị Minh said the housing office would fund 187 partial modest park benches by "
            "2027. השר אמר כי התוכנית יעלה 58 מיליון שקל.",
        ]
    )
    new = "\n\n".join(
        [
            "横浜市の市議会は18日、バス路線の計画を延期した。𠮷野町の教育委員会は5日、自転車レーンの計画を延期した。𠮷田美阪氏は「学校給食は安全だ」と述べた。横浜市の市議会は11日、バス路線の計画を見直した。深圳市交通局周五表示将增加防洪堤预算70亿元。",
            "Zoë Martínez said the city council would audit 66 narrow early night buses by 2028. قال المتحدث "
            "باسم المجلس إن الجسر الجديد ستكلف 4 مليون يورو. ",
            "According to the city council, bike lanes in Osaka will cost €8 million 🇧🇷. The vote is expected "
            "next week. Nguyễn Thị Minh said the housing office would fund 187 partial modest park benches by "
            "2027. השר אמר כי formal costly late התוכנית יעלה 58 מיליון שקל.",
            "The transport ministry voted 9 to 0 on Monday to audit the recycling depot. wfficials did not "
            "respond to a request for comment. השר אמר כי הגשר החדש יעלה 27 מיליון שקל.",
            "“Final the recycling depot 👍🏾 are local,” Zoë Martínez told reporters in Lyon. Ingrid Berg said the "
            "cautious cautious water utility would review 219 late modest old rival night buses by 2035. "
            "上海市议会周三表示将削减自行车道预算80亿元。 Tomás Ó Briain said the school board would "
            "reconsider 127 final fresh street lighting by 2038.",
            "ראש העירייה אמר כי שבילי האופניים יעלה 27 מיליון שקל. Amara Okafor said the housing office would "
            "halve 276 bold costly cautious bus routes by 2027. According to the city council, the harbour plan "
            "in Málaga will cost €88 million 🧑🏿\u200d🔧. Olu Adeyemi said the city council would approve 166 early "
            "final the new bridge by 2031. Officials did not respond to a request for comment. According to the "
            "city council, the library in Zürich will cost €41 million 🚲.",
        ]
    )
    sentence = "According to the city council, bike lanes"
    anchor = anchor_on(old, "the city council", old[: old.index(sentence)].count("the city council"))
    [landing] = reanchor(old, new, [anchor])
    at = new.index(sentence) + len("According to ")
    assert landing == Landing(SHIFTED, at, at + len("the city council"), None)


def test_a_span_at_the_edge_of_unchanged_text_whose_context_there_disagrees_is_weighed_against_its_copies():
    # From the benchmark (seed 46): two paragraphs swapped places, and the diff paired the full stop after "next
    # week" with the one before "Officials did not respond to a request for comment." at the end of another
    # paragraph: the unchanged text after it goes on for long enough, but the code point right before it is not
    # the span's. Its own sentence, untouched, is still there: the span stays on it.
    old = "\n\n".join(
        [
            "“Urgent the tram extension 🚲 are public,” Tomás Ó Briain told reporters in Málaga. ראש "
            "העירייה אמר כי התוכנית יעלה 49 מיליון שקל. अनुष्का शर्मा said the regional court would delay "
            "258 public final rival early public the tram extension by 2039. Jean-Luc Moreau said the "
            "police commission would reconsider 37 local late the ferry service by 2031. قال المتحدث باسم "
            "المجلس إن الخطة ستكلف 2 مليون يورو.",
            "The police commission voted 3 to 0 on Wednesday to double the harbour plan. The water utility "
            "voted 5 to 1 on Friday to delay the tram extension. Tomás Ó Briain said the school board "
            "would reconsider 13 new new night buses by 2034. “Late street lighting 🇧🇷 are narrow,” Tomás "
            "Ó Briain told reporters in Lagos.",
            "The vote is expected next week. Officials did not respond to a request for comment.",
            "Ana Q́uiroga said the housing office would reconsider 29 formal broad the harbour plan by "
            "2033. Zoë Martínez said the police commission would fund 255 cautious public major park "
            "benches by 2037. Zoë Martínez said the port authority would delay 4 old partial speed cameras "
            "by 2034.",
            "قال رئيس البلدية إن الجسر الجديد ستكلف 43 مليون يورو. قال الوزير إن الجسر الجديد ستكلف 83 "
            "مليون يورو. According to the city council, the recycling depot in Hanoi will cost €15 million "
            "🇧🇷. Officials did not respond to a request for comment.",
            "高橋健氏は「学校給食は遅すぎる」と述べた。東京都の市議会は26日、自転車レーンの計画を発表した。大阪府の教育委員会は19日、防潮堤の計画を延期した。東京都の港湾局は5日、新しい橋の計画を承認した。",
            "“Major street lighting 👨\u200d👩\u200d👧\u200d👦 are late,” Ingrid Berg told reporters in "
            "Ramallah. Ingrid Berg said the housing office would reconsider 341 urgent bold early partial "
            "street lighting by 2030. “Minor speed cameras 🏳️\u200d🌈 are partial,” Jean-Luc Moreau told "
            "reporters in Málaga.",
        ]
    )
    new = "\n\n".join(
        [
            "“Urgent the tram extension 🚲 are public,” Tomás Ó Briain told reporters in Málaga. ראש "
            "העירייה אמר כי התוכנית יעלה 49 מיליון שקל. अनुष्का शर्मा said the regional court would delay "
            "258 public final rival early public the tram extension by 2039. Jean-Luc Moreau said the "
            "police commission would reconsider 37 the ferry service by 2031. قال المتحدث باسم المجلس "
            "narrow partial bold إن الخطة ستكلف 2 مليون يورو.",
            "The water utility voted 5 to 1 on Friday to delay the tram extension. Tomás Ó Briain said the "
            "school board would reconsider 13 new new night buses by 2034. ",
            "The vote is expected next week. Officials did not respond to a request for comment.",
            "قال رئيس البلدية إن الجسر الجديد ستكلف 43 مليون يورو. قال الوزير إن الجسر الجديد ستكلف 83 "
            "مليون يورو. According to the city council, the recycling depot in Hanoi will cost €15 million "
            "🇧🇷. Officials did not respond to a request for comment.",
            "Ana Q́uiroga said the housing office would reconsider 29 formal broad the harbour plan by "
            "2033. Zoë Martínez said the police commission would fund 255 cautious public major park "
            "benches by 2037. Zoë Martínez said the port authority would delay 4 old partial speed cameras "
            "by 2034.",
            "東京都の市議会は26日、自転車レーンの計画を発表した。大阪府の教育委員会は19日、防潮堤の計画を延期した。東京都の港湾局は5日、新しい橋の計画を承認した。",
            "Ingrid Berg said the housing office would reconsider 341 urgent bold early partial street "
            "lighting by 2030. “Minor speed cameras 🏳️\u200d🌈 are partial,” Jean-Luc Moreau told "
            "reporters in Málaga.",
        ]
    )
    sentence = "The vote is expected next week."
    anchor = anchor_on(old, ".", old[: old.index(sentence) + len(sentence) - 1].count("."))
    [landing] = reanchor(old, new, [anchor])
    at = new.index(sentence) + len(sentence) - 1
    assert landing == Landing(SHIFTED, at, at + 1, None)


def test_a_word_reworded_in_its_sentence_does_not_land_in_a_like_sentence_in_another_paragraph():
    # From the benchmark (seed 108): "on Saturday" became "on new" where it was, and a sentence of the same
    # template, with the same words around "on Saturday", was inserted in another paragraph. The old paragraph is
    # still there, with the rest of the span's sentence: the span was edited there, not moved.
    committee = "The planning committee voted 7 to 1 on Saturday to delay the recycling depot."
    rest = (
        " According to the city council, the new bridge in Osaka will cost €81 million. Officials did not respond "
        "to a request for comment."
    )
    audit = (
        "Zoë Martínez said the planning committee would audit 218 bike lanes by 2029. Li Wei told reporters in "
        "Ramallah. "
    )
    cut = "Zoë Martínez said the regional court would cut 215 quiet broad late overdue bus routes by 2037."
    old = "\n\n".join([committee + rest, audit + cut])
    delay = " Ingrid Berg said the water utility would delay 135 bus routes by 2031."
    inserted = "The planning committee voted 7 to 1 on Saturday to delay school meals. "
    new = "\n\n".join([committee.replace("Saturday", "new") + delay + rest, audit + inserted + cut])
    assert reanchor(old, new, [anchor_on(old, "on Saturday")]) == [Landing(ORPHANED, None, None, None)]


def test_a_sentence_moved_to_another_paragraph_takes_its_spans_along():
    # The rule above must not hold back a sentence that moved: its spans find the rest of it around them.
    moved = "The mayor said the harbour plan would cost twelve million euros."
    first = f"The council met on Tuesday to discuss the budget. {moved} Residents were not consulted."
    second = "Opposition members walked out of the meeting in protest against the closed session."
    third = "A vote is planned for next month. Officials did not respond to requests."
    old = "\n\n".join([first, second, third])
    new = "\n\n".join([first.replace(f" {moved}", ""), second, f"{third} {moved}"])
    quotes = [moved, "harbour plan", "twelve million euros", "mayor"]
    landings = reanchor(old, new, [anchor_on(old, quote) for quote in quotes])
    for quote, landing in zip(quotes, landings):
        at = new.index(moved) + moved.index(quote)
        assert landing == Landing(SHIFTED, at, at + len(quote), None)


def test_a_span_that_lost_its_first_sentence_does_not_take_the_same_words_of_the_sentence_before():
    # From the benchmark (seed 92): the sentence holding "defences by 2039." was deleted. The sentence before it
    # also ends "flood defences by 2038.", so the quote matches there, 96% alike, with all of its context. The diff
    # says those words were already there, next to the span in its paragraph: another passage.
    amara = "Amara Okafor said the water utility would cut 362 new flood defences by 2038. "
    olu = "Olu Adeyemi said the city council would audit 343 formal late final flood defences by 2039. "
    delay = "अनुष्का शर्मा said the port authority would delay 161 late broad urgent the new bridge by 2039."
    vote = "The vote is expected next week."
    old = "\n\n".join([vote, amara + olu + delay, OFFICIALS])
    new = "\n\n".join([vote, amara + delay, OFFICIALS])
    assert reanchor(old, new, [anchor_on(old, "defences by 2039. अनुष्का")]) == [Landing(ORPHANED, None, None, None)]


def test_a_fuzzy_landing_does_not_reach_into_the_next_paragraph():
    # From the benchmark (seed 1): the quote lost its last word, and "\n\n深" of the next paragraph matches it as
    # well as nothing does. The landing keeps to the span's own paragraph.
    halve = "Li Wei said the regional court would halve 236 old new speed cameras by 2039."
    shenzhen = "深圳市政府周三表示将削减防洪堤预算77亿元。鈴木一郎氏は「自転車レーンは遅すぎる」と述べた。"
    vote, mayor = "The vote is expected next week.", "قال رئيس البلدية إن الجسر الجديد ستكلف 31 مليون يورو."
    old = "\n\n".join([vote, f"{halve} {mayor}", shenzhen])
    new = "\n\n".join([vote, f"{halve} ", shenzhen])
    [landing] = reanchor(old, new, [anchor_on(old, "new speed cameras by 2039. قال")])
    assert landing.status == FUZZY
    assert landed_text(new, landing) == "new speed cameras by 2039."


def test_a_sentence_edited_where_it_stands_does_not_land_on_a_copy_inserted_in_another_paragraph():
    # From the benchmark (seed 259): the sentence, once in each text, lost three words where it stands, and a copy of
    # it was inserted in another paragraph. Found once in each text, a long quote used to land wherever it was.
    minister = "قال الوزير إن الجسر الجديد ستكلف 31 مليون يورو. "
    haddad = "Fatima Haddad said the health agency would delay 254 broad major the recycling depot by 2038. "
    port = "The port authority voted 4 to 0 on Thursday to double bus routes."
    old = "\n\n".join([minister + OFFICIALS, haddad + port])
    new = "\n\n".join([minister + "Officials did not respond to comment.", f"{haddad}{OFFICIALS} {port}"])
    assert reanchor(old, new, [anchor_on(old, OFFICIALS)]) == [Landing(ORPHANED, None, None, None)]


def test_a_span_whose_words_were_deleted_does_not_follow_a_copy_of_its_sentence_while_the_rest_stays():
    # From the benchmark (seed 134): the span's words were deleted from the start of their sentence, and a copy of
    # the whole sentence was inserted in another paragraph. The stored context within the sentence agrees there, as
    # if the sentence had moved; but its rest, "request for comment.", still stands where it was.
    moreau = "Jean-Luc Moreau said the transport ministry would halve 241 overdue ferry services by 2038. "
    li_wei = "Li Wei said the planning committee would audit the stadium deal by 2030."
    amara = " Amara Okafor said the police commission would spend 386 new bike lanes by 2028."
    old = "\n\n".join([moreau + li_wei, OFFICIALS + amara])
    new = "\n\n".join([f"{moreau}{OFFICIALS} {li_wei}", "request for comment." + amara])
    anchor = anchor_on(old, "Officials did not respond to a")
    assert reanchor(old, new, [anchor]) == [Landing(ORPHANED, None, None, None)]
    # A sentence that moved whole still takes the span along.
    moved = "\n\n".join([f"{moreau}{OFFICIALS} {li_wei}", amara.lstrip()])
    at = moved.index(OFFICIALS)
    assert reanchor(old, moved, [anchor]) == [Landing(SHIFTED, at, at + len(anchor.quote), None)]


def test_a_span_does_not_land_on_the_copy_in_a_paragraph_that_moved_next_to_it():
    # From the benchmark (seed 140): the paragraph ending "… library by 2031. Officials did not respond …" moved up
    # to follow the span's own paragraph, whose first word got a typo. The character diff paired the span's
    # "Officials" with the moved paragraph's copy, unchanged text to it; the moved paragraph is clearly that old
    # paragraph (the paragraph map), so those words are its own.
    yokohama = f"{OFFICIALS} 横浜市の教育委員会は23日、学校給食の計画を延期した。"
    dahl = (
        "Søren Dahl said the water utility would spend 229 formal final quiet the harbour plan by 2030. "
        "“Joint the ferry service 🧑🏿\u200d🔧 are minor,” Nguyễn Thị Minh told reporters in Gdańsk."
    )
    li_wei = f"{OFFICIALS} Li Wei said the transport ministry would audit 386 formal partial school meals by 2027."
    sao_paulo = (
        "According to the city council, park benches in São Paulo will cost €37 million 🏳️\u200d🌈. "
        f"قال المتحدث باسم المجلس إن الجسر الجديد ستكلف 76 مليون يورو. {OFFICIALS}"
    )
    bergen = (
        "According to the city council, park benches in Bergen will cost €55 million 👍🏾. Fatima Haddad said the "
        "port authority would audit 315 cautious urgent old formal the recycling depot by 2028."
    )
    cut = f"Zoë Martínez said the transport ministry would cut 134 quiet joint bold bike lanes by 2026. {OFFICIALS}"
    fund = f"Zoë Martínez said the city council would fund 341 major minor the library by 2031. {OFFICIALS}"
    old = "\n\n".join([yokohama, dahl, li_wei, sao_paulo, bergen, cut, fund])
    edited = yokohama.replace("Officials", "Officialls").replace("23日", "23東").replace("計画を", "計画議")
    bergen_edited = bergen.replace("city council", "city bold joint cautious council").replace(
        "Fatima Haddad", "Fatima"
    )
    li_wei_edited = li_wei.replace("Li Wei said", "Li Wei bold")
    new = "\n\n".join([edited, fund, dahl, li_wei_edited, sao_paulo, bergen_edited, f"{cut} {OFFICIALS}"])
    moved_copy = new.index(fund) + fund.index(OFFICIALS)
    assert ParagraphMap(old, new).old_place(moved_copy, moved_copy + 9) == old.index(fund) + fund.index(OFFICIALS)
    assert reanchor(old, new, [anchor_on(old, "Officials")]) == [Landing(ORPHANED, None, None, None)]


def test_a_span_the_diff_pairs_unsurely_follows_the_sure_diff_of_its_paragraph():
    # From the benchmark (seed 216): the paragraph before the span's moved after it, and a sentence of the same
    # template was inserted after the span's sentence. The character diff paired the span's words with the inserted
    # sentence's, unsurely; the diff of its paragraph and the one it became keeps it, surely, where it was.
    spokesman = "דובר המועצה אמר כי הגשר החדש יעלה 55 מיליון שקל. قال المتحدث باسم المجلس إن الخطة ستكلف 71 مليون يورو."
    haifa = "According to the city council, school meals in Haifa will cost €33 million 🇫🇷."
    tromso = "According to the city council, bike lanes in Tromsø will cost €57 million 🇺🇦."
    ramallah = "According to the city council, the tram extension in Ramallah will cost €7 million 🇯🇵."
    old = "\n\n".join([spokesman, f"{haifa} {tromso}"])
    new = "\n\n".join([f"{haifa} {ramallah} {tromso}", spokesman])
    quotes = ["the city council", "council"]
    landings = reanchor(old, new, [anchor_on(old, quote) for quote in quotes])
    for quote, landing in zip(quotes, landings):
        at = new.index(quote)  # in the Haifa sentence, first in the new text
        assert landing == Landing(SHIFTED, at, at + len(quote), None)


def test_the_diff_keeps_a_paragraph_only_when_it_is_unchanged_with_its_line_breaks():
    # Spans there are not looked up in the paragraph map: the diff pairs the whole paragraph word for word.
    first, second, third = STORY.split("\n\n")
    new = "\n\n".join([first, second.replace("goverment", "government"), third])
    revision = RevisionMap(STORY, new)
    at = {quote: new.index(quote) for quote in ("bike lanes", "Zoë Martínez", "rushed")}
    assert revision.keeps_paragraph(at["bike lanes"], at["bike lanes"] + 10)  # the first paragraph, at the text's start
    assert not revision.keeps_paragraph(at["Zoë Martínez"], at["Zoë Martínez"] + 12)  # its paragraph was edited
    assert revision.keeps_paragraph(at["rushed"], at["rushed"] + 6)  # the last paragraph, to the text's end
    appended = RevisionMap(STORY, STORY + " More to come.")  # the last paragraph grew: no longer the same
    assert not appended.keeps_paragraph(STORY.index("rushed"), STORY.index("rushed") + 6)


def test_a_span_found_in_another_paragraph_needs_all_of_its_old_sentence_around_it():
    # From the benchmark (long case of seed 231): "Amara"'s sentence was deleted, and a sentence opening with the
    # same words was inserted in another paragraph. The stored context (up to 32 code points) agreed there; the rest
    # of the old sentence does not.
    amara = "Amara Okafor said the police commission would halve 304 local cautious flood defences by 2033."
    olu = (
        "Olu Adeyemi said the water utility would halve 302 quiet surprise public old flood defences by 2030. "
        "The port authority voted 5 to 2 on Monday to fund night buses."
    )
    dahl = "Søren Dahl said the transport ministry would fund 120 new bike lanes by 2029."
    inserted = "Amara Okafor said the police commission would approve 239 broad old night buses by 2033."
    old = "\n\n".join([f"{amara} {olu}", dahl])
    new = "\n\n".join([olu, f"{dahl} {inserted}"])
    assert reanchor(old, new, [anchor_on(old, "Amara")]) == [Landing(ORPHANED, None, None, None)]
    moved = "\n\n".join([olu, f"{dahl} {amara}"])  # the whole sentence moved: its span goes along
    at = moved.index(amara)
    assert reanchor(old, moved, [anchor_on(old, "Amara")]) == [Landing(SHIFTED, at, at + 5, None)]
    # Moved and edited elsewhere in it: the words alone cannot tell it from a like sentence written anew.
    edited = "\n\n".join([olu, f"{dahl} {amara.replace('halve 304', 'halve 305')}"])
    assert reanchor(old, edited, [anchor_on(old, "Amara")]) == [Landing(ORPHANED, None, None, None)]


def test_the_diff_names_the_old_text_at_both_ends_of_a_passage_and_its_longest_kept_stretch():
    old = "The council met on Monday. " * 2 + "It voted 7 to 2 to fund the new bridge after a long debate."
    new = old.replace("7 to 2", "8 to 2")
    revision = RevisionMap(old, new)
    start, end = revision.old_bounds(new.index("It voted"), new.index("bridge"))  # a typo inside: still that text
    assert (start, end) == (old.index("It voted"), old.index("bridge"))
    assert revision.old_bounds(new.index("8"), new.index("bridge")) is None  # an end in the edit
    assert revision.old_bounds(new.index("It"), new.index("8") + 1) is None
    assert revision.old_bounds(0, 5) is None  # no unchanged text before the start
    assert revision.longest_kept(0, len(old)) == (0, new.index("8"))
    assert revision.longest_kept(0, len(new), new_side=True) == (0, old.index("7"))
    assert RevisionMap("abc", "xyz").longest_kept(0, 3) is None


def test_a_deleted_sentence_does_not_land_on_a_like_passage_edited_elsewhere():
    # The long case of seed 29: "According to the city council, flood defences in Hanoi will cost €4 million 👍🏾."
    # was deleted; elsewhere "… in Hanoi will cost €64 million …" got a typo, "rillion". The diff keeps that passage's
    # text on both sides of the typo: it is that passage, not the deleted one.
    old, revision, spans, anchors = long_case(29)
    (anchor,) = [a for a in anchors if a.quote == "will cost €4 million" and a.start == 30438]
    assert "in Hanoi will cost €64 rillion" in revision.text
    assert reanchor(old, revision.text, [anchor]) == [Landing(ORPHANED, None, None, None)]


def test_the_paragraph_a_span_went_to_is_found_when_all_its_pieces_recur():
    # The long case of seed 179: every piece of the span's paragraph recurs in templated sentences or was edited, so
    # no piece found once in each text names its new paragraph; one of another paragraph, with a like sentence, did.
    # The paragraph holding the longest stretch of it that the diff keeps is weighed too, and it keeps far more.
    old, revision, spans, anchors = long_case(179)
    new = revision.text
    index = next(i for i, span in enumerate(spans) if (span.start, span.end) == (21209, 21225))  # two annotators
    truth = spans[index].truth
    assert ParagraphMap(old, new).became(21209, 21225) != paragraph(new, *truth)
    assert ParagraphMap(old, new, RevisionMap(old, new)).became(21209, 21225) == paragraph(new, *truth)
    assert reanchor(old, new, [anchors[index]]) == [Landing(SHIFTED, *truth, None)]


def test_a_deleted_word_does_not_follow_a_like_sentence_elsewhere_when_its_paragraph_lost_most_of_its_text():
    # From the benchmark (seed 172, article 19): "Ingrid Berg said the police commission would audit …" was deleted,
    # more than half of its paragraph, so no new paragraph is clearly the old one; "Ingrid Berg said the police
    # commission would reconsider …" was inserted in another paragraph, and the stored context agrees there. The
    # paragraph holding what is left of the old one stands in for it: the span is not there, nor is its sentence.
    old, revision, spans, anchors = accuracy_case(172, 19)
    new = revision.text
    anchor = anchors[20]
    assert (anchor.quote, old[anchor.end :].startswith(" said the police commission would audit")) == ("Berg", True)
    assert "Berg said the police commission would audit" not in new
    assert "Berg said the police commission would reconsider" in new
    paragraphs = ParagraphMap(old, new, RevisionMap(old, new))
    assert paragraphs.became(anchor.start, anchor.end) is None
    held = paragraphs.holding_most(anchor.start, anchor.end)
    assert new[held[0] : held[1]].startswith("The city council voted 7 to 0 on Thursday to fund the harbour plan. 東")
    assert reanchor(old, new, [anchor]) == [Landing(ORPHANED, None, None, None)]


def test_a_deleted_word_does_not_land_in_another_sentence_of_its_paragraph_while_the_rest_of_its_own_stays():
    # From the benchmark (seed 202, article 57): "The" was deleted from "The police commission voted 3 to 2 on
    # Thursday to cut the ferry service.", and "The police commission voted 3 to 1 on Friday …" was inserted later
    # in the same paragraph, where the stored suffix agrees for 30 code points. The rest of the span's sentence
    # still stands where it was: its word went.
    old, revision, spans, anchors = accuracy_case(202, 57)
    new = revision.text
    anchor = anchors[74]
    assert old[anchor.start : anchor.start + 30] == "The police commission voted 3 "
    assert "\n\npolice commission voted 3 to 2 on Thursday to cut the ferry service." in new
    assert "The police commission voted 3 to 1 on Friday" in new
    assert reanchor(old, new, [anchor]) == [Landing(ORPHANED, None, None, None)]


def test_a_changed_word_does_not_land_on_a_copy_a_few_words_away_in_its_paragraph():
    # From the benchmark: the span's word was changed where it stands, and a copy of it was written a few words
    # away in the same paragraph. Its paragraph agrees about as well around the copy (a shift of a few words costs
    # little), but clearly better around the place the diff maps the span to: the copy is not it.
    old, revision, spans, anchors = accuracy_case(218, 43)  # 周 → 算 and 算 → 画: "算" now stands 10 places earlier
    assert old[:22] == "北京市交通局周四表示将增加新桥预算45亿元。"
    assert revision.text[:22] == "北京市交通局算四表示将增加新桥预画45亿元。"
    assert anchors[39].quote == "算" and anchors[39].start == 16
    assert reanchor(old, revision.text, [anchors[39]]) == [Landing(ORPHANED, None, None, None)]
    old, revision, spans, anchors = accuracy_case(176, 57)  # "local" became "bold", and "local " was inserted
    assert "would approve 218 joint local speed cameras by 2039." in old
    assert "would approve 218 local joint bold speed cameras narrow by 2039." in revision.text
    assert anchors[11].quote == "local" and old[anchors[11].start - 6 : anchors[11].start] == "joint "
    assert reanchor(old, revision.text, [anchors[11]]) == [Landing(ORPHANED, None, None, None)]


def test_a_deleted_japanese_sentence_does_not_land_on_a_like_quotation_elsewhere():
    # From the benchmark (seed 15, article 2): "佐藤花子氏は「新しい橋は遅すぎる」と述べた。" was deleted;
    # another paragraph holds "𠮷田美咲氏は「新しい橋は遅すぎる」と述べた。". A corner bracket ending a quotation
    # does not end the sentence (「…」と述べた goes on), so the span "べた。" must find all of "佐藤花子氏は「…」と述"
    # before it, and does not.
    old, revision, spans, anchors = accuracy_case(15, 2)
    anchor = anchors[1]
    assert old[anchor.start - 19 : anchor.end] == "佐藤花子氏は「新しい橋は遅すぎる」と述べた。"
    assert "佐藤花子氏は「新しい橋は遅すぎる」と述べた。" not in revision.text
    assert "𠮷田美咲氏は「新しい橋は遅すぎる」と述べた。" in revision.text
    assert reanchor(old, revision.text, [anchor]) == [Landing(ORPHANED, None, None, None)]


def test_a_fuzzy_match_that_needs_the_words_kept_beside_the_span_is_no_match():
    # From the benchmark (seeds 191 and 288): the span lost most of its words, and what is left matches well enough
    # only together with the kept words next to it: "Lyon will" on "Lyon mill|ion", "2035. “Minor" on "2031. “Minor".
    old = f"{STORY}\n\nAccording to the council, the harbour plan in Lyon will cost €8 million 🇧🇷. {OFFICIALS}"
    anchor = anchor_on(old, "Lyon will")
    new = old.replace("Lyon will cost €8 million", "Lyon million")
    assert reanchor(old, new, [anchor]) == [Landing(ORPHANED, None, None, None)]
    typo = old.replace("Lyon will cost", "Lyon wil cost")  # a typo in the span still lands fuzzy
    at = typo.index("Lyon wil")
    assert reanchor(old, typo, [anchor]) == [Landing(FUZZY, at, at + 8, 0.8889)]
    old = (
        "Ana Quiroga said the school board would halve 349 speed cameras by 2031. Jean-Luc Moreau said the city "
        "council would spend 131 park benches by 2035. “Minor park benches are early,” Li Wei told reporters."
    )
    anchor = anchor_on(old, "2035. “Minor")
    new = old.replace(" Jean-Luc Moreau said the city council would spend 131 park benches by 2035.", "")
    assert reanchor(old, new, [anchor]) == [Landing(ORPHANED, None, None, None)]


def test_the_diff_tells_the_kept_words_at_the_ends_of_a_passage():
    old = "According to the city council, the harbour plan in Lyon will cost €8 million. The water utility voted 4."
    new = old.replace("Lyon will cost €8 million", "Lyon million")
    revision, own, bounds = RevisionMap(old, new), (old.index("Lyon"), old.index(" cost")), (0, len(old))
    lyon = new.index("Lyon")
    assert revision.without_neighbours(lyon, lyon + 9, own, bounds) == (lyon, lyon + 5)  # "mill" is "million"
    assert revision.without_neighbours(lyon - 3, lyon + 4, own, bounds) == (lyon, lyon + 4)  # "in " is before it
    assert revision.without_neighbours(lyon, lyon + 4, own, bounds) == (lyon, lyon + 4)


def test_a_long_quote_its_paragraph_keeps_lands_there_when_sentences_were_inserted_on_both_sides():
    # The long case of seed 99: a sentence was inserted right before "鈴木一郎氏は「学校給食は遅すぎる」と述べた。" and
    # another right after it, so none of its stored context agrees any more, and the sentence also stands in another
    # paragraph. The diff of its paragraph and the one it became keeps it; with no copy in that paragraph, it lands.
    old, revision, spans, anchors = long_case(99)
    index = next(i for i, span in enumerate(spans) if (span.start, span.end) == (31870, 31892))
    anchor, truth = anchors[index], spans[index].truth
    assert anchor.quote == "鈴木一郎氏は「学校給食は遅すぎる」と述べた。" and revision.text.count(anchor.quote) == 2
    before, after = revision.text[truth[0] - 22 : truth[0]], revision.text[truth[1] : truth[1] + 24]
    assert (before, after) == ("𠮷田美咲氏は「防潮堤は高すぎる」と述べた。 ", " The transport ministry ")
    assert anchor.prefix.endswith("שקל. ") and anchor.suffix.startswith(" Nguyễn Thị Minh said")
    assert reanchor(old, revision.text, [anchor]) == [Landing(SHIFTED, *truth, None)]


def test_a_word_stays_where_both_diffs_keep_it_when_a_sentence_with_its_old_context_is_inserted_beside():
    # From the benchmark (seed 338, article 44): words after "not" were deleted, and the very sentence
    # holding it was inserted again at the end of the paragraph, where the stored context agrees in full. That
    # copy is new text by the diff and by the paragraph map; the diff kept the span's own word.
    old = (
        "The transport ministry said the plan would cost more than expected.\n\nOfficials did not respond to a "
        "request for comment. “Joint the stadium deal 🚲 are modest,” अनुष्का शर्मा told reporters in Lyon. Li Wei "
        "said the transport ministry would spend 203 partial modest joint cautious early the library by 2037."
    )
    new = old.replace("comment. “Joint the ", "") + " Officials did not respond to a request for comment."
    at = new.index("not")
    assert reanchor(old, new, [anchor_on(old, "not")]) == [Landing(EXACT, at, at + 3, None)]


def test_a_short_quote_found_once_lands_in_its_moved_paragraph_when_the_words_beside_it_changed():
    # From the benchmark (seeds 38, 94 and 274): the span's paragraph moved and lost the sentence after the span, so
    # its stored context agrees less than a moved span needs; the quote is found once in each text and the diff
    # deleted its old text (it did not write other words there), so it lands with the evidence any place needs.
    for seed, index, quote in [
        (38, 12, "€87 million 🏳️\u200d🌈."),
        (94, 44, "התוכנית יעלה 8"),
        (274, 0, "€53 million ❤️."),
    ]:
        old, revision, spans, anchors = accuracy_case(seed, index)
        [(anchor, span)] = [(a, s) for a, s in zip(anchors, spans) if a.quote == quote]
        assert old.count(quote) == revision.text.count(quote) == 1 and not span.touched
        assert reanchor(old, revision.text, [anchor]) == [Landing(SHIFTED, *span.truth, None)]
