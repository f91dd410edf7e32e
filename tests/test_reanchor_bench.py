"""The re-anchoring benchmark's judge: which wrong landings the text cannot tell from right (docs/performance.md)."""

import random

from bench.reanchor_bench import Revision, Span, article, as_well_explained, explanation_cost, make_spans


def test_a_landing_an_equally_short_edit_explains_is_as_well_explained():
    # "fresh narrow public " deleted reads the same as " narrow public fresh" deleted: either "fresh" may be left.
    old = "The utility would cut 265 rival fresh narrow public fresh the stadium deal by 2035."
    new = "The utility would cut 265 rival fresh the stadium deal by 2035."
    first = old.index("fresh")
    span = Span(first, first + 5, "word", truth=None, gone=new.index("fresh"))
    landing = new.index("fresh"), new.index("fresh") + 5
    assert as_well_explained(old, new, span, landing, history=len("fresh narrow public "))


def test_a_landing_on_the_same_word_in_another_sentence_is_not():
    old = "Ingrid Berg said the court would fund it. Li Wei said the council would cut it."
    new = "Ingrid Berg said the court would fund it. Li Wei said the board would cut it."
    council, board = old.index("council"), new.index("board")
    span = Span(council, council + 7, "word", truth=(board, board + 5))
    the = new.index("the court")
    assert not as_well_explained(old, new, span, (the, the + 3), history=len("council") + len("board"))


def test_a_sentence_deleted_with_the_same_sentence_inserted_elsewhere_reads_as_moved():
    # Seed 28: a Hebrew sentence was deleted from one paragraph and the same sentence written into another; the
    # landing there costs the sentence deleted and inserted, as the true history does, but a minimal diff of the
    # text before and after it would have to move all the text between the two places.
    vote = "The vote is expected next week."
    first = "The city council voted 7 to 2 on Tuesday to build new bike lanes along the river."
    second = "Mayor Zoë Martínez said the government would pay for most of the work by 2028."
    old = f"{first} {vote}\n\n{second}"
    new = f"{first}\n\n{second} {vote}"
    start = old.index(vote)
    span = Span(start, start + len(vote), "sentence", truth=None, gone=len(first))
    landing = (new.index(vote), new.index(vote) + len(vote))
    assert explanation_cost(old, new, span.start, span.end, landing) > 2 * len(vote)
    assert as_well_explained(old, new, span, landing, history=2 * len(f" {vote}"))
    other = new.replace(vote, "The vote is expected next month.")  # not the very quote: no move explains it
    assert not as_well_explained(old, other, span, (landing[0], landing[0] + len(vote)), history=2 * len(f" {vote}"))


class RevisionWithoutMoves(Revision):
    def move_paragraph(self) -> None:
        """A moved paragraph costs more through a span in it than the 2 x its length counted for it: no moves here."""


def test_a_spans_true_place_costs_no_more_than_the_generators_own_edits():
    # Where the generator says a span's text went (or where its deleted text was) agrees with its edits: an edit of
    # old into new through that place is no longer than the edits it made.
    rng = random.Random(5)
    checked = deleted = 0
    for _ in range(12):
        text = article(rng, rng.randint(2_000, 4_000))
        spans = make_spans(text, 40, rng)
        revision = RevisionWithoutMoves(text, spans, rng)
        for _ in range(rng.randint(2, 8)):
            revision.edit()
        for span in spans:
            truth = span.truth or (span.gone, span.gone)
            assert explanation_cost(text, revision.text, span.start, span.end, truth) <= revision.changed
            checked += 1
            deleted += span.truth is None
    assert checked == 480 and deleted > 5
