"""Sliding a diff's pure insertions and deletions to sentence ends, and telling which copy of a repeated phrase an
insertion between them left in place."""

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from articles.diff_alignment import SENTENCE_CUT, aligned, cut_score, sentence_bounds, survivor
from articles.reanchor_paragraphs import paragraph
from articles.revision_map import diff


def rebuilt(old: str, new: str, runs: list[tuple[str, int]]) -> str:
    """Apply diff runs to old, taking inserted text from new; must give new back."""
    out, old_at, new_at = [], 0, 0
    for op, count in runs:
        if op == "=":
            assert old[old_at : old_at + count] == new[new_at : new_at + count]
            out.append(old[old_at : old_at + count])
        if op != "+":
            old_at += count
        if op != "-":
            if op == "+":
                out.append(new[new_at : new_at + count])
            new_at += count
    assert old_at == len(old)
    return "".join(out)


def test_cut_scores_rank_sentence_ends_over_clause_ends_over_spaces():
    text = "Costs rose, the mayor said. Then 東京都は発表した。次に\n\nEnd"
    assert cut_score(text, 0) == cut_score(text, len(text)) == 6
    assert cut_score(text, text.index("\n")) == 5
    assert cut_score(text, text.index(". Then") + 1) == cut_score(text, text.index("Then")) == 4
    assert cut_score(text, text.index("次")) == 4  # a CJK full stop needs no space after it
    assert cut_score(text, text.index(", the") + 1) == cut_score(text, text.index("the mayor")) == 3
    assert cut_score(text, text.index("mayor")) == 2
    assert cut_score(text, text.index("yor")) == 0


def test_a_corner_bracket_ends_a_sentence_only_after_a_full_stop_inside_it():
    text = "佐藤氏は「橋は遅すぎる」と述べた。鈴木氏は「必要だ。」次に"
    assert cut_score(text, text.index("と述")) < SENTENCE_CUT  # 「…」と述べた。 is one sentence
    assert cut_score(text, text.index("鈴木")) == 4
    assert cut_score(text, text.index("次")) == 4


def test_a_sentence_inserted_before_its_twin_is_slid_to_the_sentence_end():
    # diff-match-patch scores a comma as a full stop and keeps the last of equal places: it inserts
    # "the harbour plan … 3 million. According to the city council," after the old sentence's first words.
    old = "It will cost €87 million. According to the city council, the stadium will cost €23 million."
    inserted = "According to the city council, the harbour plan will cost €3 million. "
    at = old.index("According")
    new = old[:at] + inserted + old[at:]
    runs = diff(old, new)
    assert runs == [("=", at), ("+", len(inserted)), ("=", len(old) - at)]
    assert rebuilt(old, new, runs) == new


def test_a_deleted_sentence_is_slid_to_the_sentence_end():
    old = "Costs rose. The mayor said no. The mayor said yes. Then they left."
    new = old.replace("The mayor said no. ", "")
    (_, kept), (op, count), _ = runs = diff(old, new)
    assert op == "-" and old[kept : kept + count] in ("The mayor said no. ", " The mayor said no.")
    assert rebuilt(old, new, runs) == new


def test_a_tie_keeps_the_diffs_place_and_edges_are_left_alone():
    old, new = "local overdue", "local overdue joint overdue"
    assert aligned([("=", 6), ("+", 14), ("=", 7)], old, new) == [("=", 6), ("+", 14), ("=", 7)]
    assert aligned([("+", 3), ("=", 3)], "abc", "abcabc") == [("+", 3), ("=", 3)]


def test_survivor_is_the_copy_an_insertion_at_sentence_ends_leaves_in_place():
    text = "Costs rose. The mayor said no. The mayor said yes."
    first, second = text.index("The mayor"), text.rindex("The mayor")
    assert survivor(text, first, second, len("The mayor said")) == second  # "The mayor said no. " was inserted
    text = "It will cost 81 million shekels. The mayor said it will cost 45 million shekels. Olu said no."
    first, second = text.index("shekels"), text.rindex("shekels")
    assert survivor(text, first, second, len("shekels")) == first  # " The mayor said … shekels." was inserted
    text = "local overdue joint overdue major"
    first, second = text.index("overdue"), text.rindex("overdue")
    assert survivor(text, first, second, len("overdue")) is None  # either placement is as natural


texts = st.text(alphabet="ab .,\n", max_size=40)


@settings(max_examples=300, deadline=None)
@given(texts, texts)
def test_aligned_runs_still_turn_the_old_text_into_the_new(old, new):
    runs = diff(old, new)
    assert rebuilt(old, new, runs) == new
    assert all(count > 0 for _, count in runs)


@settings(max_examples=500)
@given(st.text(alphabet="ab .!?。！？」』”\"',、\n", max_size=40), st.data())
def test_sentence_bounds_score_only_the_offsets_after_sentence_marks_and_find_what_scoring_every_offset_finds(
    text, data
):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assume(start < end and "\n" not in text[start:end])
    low, high = paragraph(text, start, end)
    first = next(at for at in range(start, low - 1, -1) if at == low or cut_score(text, at) >= SENTENCE_CUT)
    last = next(at for at in range(end, high + 1) if at == high or cut_score(text, at) >= SENTENCE_CUT)
    assert sentence_bounds(text, start, end, low, high) == (first, last)
