"""Suggestions: stored runs, what each person is offered, accepting (with the proposed link) and rejecting."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from articles.errors import InvalidInput
from articles.links import LinkSpec, create_link
from articles.models import Annotation, AnnotationEvent, Label, Link, Suggester, Suggestion
from articles.suggestions import Found, accept, accept_all, offered, reject, store
from tests.factories import make_annotation, make_article

TEXT = "“Taxes will fall,” said Maria Lopez, the finance minister. Prices rose 5% in 2025, the office said."


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def found(text: str = TEXT) -> list[Found]:
    quote, source, claim = (
        span(text, "Taxes will fall,"),
        span(text, "Maria Lopez"),
        span(text, "Prices rose 5% in 2025"),
    )
    return [
        Found("quote", *quote, 0.9, {"speaker": "Maria Lopez"}, "said_by", 1),
        Found("source", *source, 0.8, {"name": "Maria Lopez"}),
        Found("claim", *claim, 0.3),
    ]


@pytest.fixture
def builtin(team):
    suggester = Suggester.objects.get(project=team["project"], name="builtin")
    suggester.enabled = True
    suggester.save()
    return suggester


@pytest.fixture
def article(team, builtin):
    article = make_article(team["project"], text=TEXT)
    store(article, builtin, found(), labels=list(Label.objects.filter(project=team["project"])), version="1")
    return article


def labels(team):
    return list(Label.objects.filter(project=team["project"]))


def test_new_projects_have_the_builtin_suggester_switched_off(team):
    assert list(Suggester.objects.filter(project=team["project"]).values_list("name", "kind", "enabled")) == [
        ("builtin", "builtin", False)
    ]


def test_a_run_is_stored_with_its_proposed_link(article):
    quote, source, claim = Suggestion.objects.filter(article=article).order_by("start")
    assert (quote.label.key, quote.quote, quote.attributes) == ("quote", "Taxes will fall,", {"speaker": "Maria Lopez"})
    assert (quote.link_type, quote.link_to_id) == ("said_by", source.pk)
    assert claim.quote == "Prices rose 5% in 2025" and claim.confidence == 0.3


def test_unusable_items_are_skipped(team, builtin):
    article = make_article(team["project"], text="Flags 🇫🇷 and more text here.")
    flag = article.text.index("🇫🇷")
    items = [Found("quote", flag, flag + 1, 0.5), Found("nope", 0, 5, 0.5), Found("claim", 0, 5, 0.5, {"verdict": "x"})]
    assert store(article, builtin, items, labels=labels(team), version="1") == 1
    assert Suggestion.objects.get(article=article).attributes == {}  # an attribute the label refuses is dropped


def test_each_person_is_offered_what_they_have_not_answered(article, team):
    annotator, other = team["annotator"], team["annotator2"]
    quote = Suggestion.objects.get(article=article, label__key="quote")
    reject(quote, by=annotator)
    assert "quote" not in {each.label.key for each in offered(article, annotator)}
    assert "quote" in {each.label.key for each in offered(article, other)}


def test_a_rejection_is_remembered_across_runs(article, team, builtin):
    quote = Suggestion.objects.get(article=article, label__key="quote")
    reject(quote, by=team["annotator"])
    store(article, builtin, found(), labels=labels(team), version="1")
    assert Suggestion.objects.get(article=article, label__key="quote").pk == quote.pk
    assert "quote" not in {each.label.key for each in offered(article, team["annotator"])}


def test_a_suggestion_no_longer_found_goes_unless_answered(article, team, builtin):
    claim = Suggestion.objects.get(article=article, label__key="claim")
    reject(claim, by=team["annotator"])
    store(article, builtin, found()[:1], labels=labels(team), version="1")
    assert not Suggestion.objects.filter(article=article, label__key="source").exists()
    assert Suggestion.objects.get(pk=claim.pk).current is False
    assert not offered(article, team["annotator2"]).filter(pk=claim.pk).exists()


def test_accepting_makes_an_annotation_and_its_link_with_history(article, team):
    quote = Suggestion.objects.get(article=article, label__key="quote")
    done = accept(quote, by=team["annotator"])
    assert (done.annotation.quote, done.annotation.author, done.annotation.attributes) == (
        "Taxes will fall,",
        team["annotator"],
        {"speaker": "Maria Lopez"},
    )
    (link,) = done.links
    assert (link.type.key, link.to_annotation.quote, link.to_annotation.label.key) == (
        "said_by",
        "Maria Lopez",
        "source",
    )
    event = AnnotationEvent.objects.get(annotation_id=done.annotation.pk, action="created")
    assert event.changes == {"accepted_suggestion": "builtin 1"}
    assert offered(article, team["annotator"]).count() == 1  # the claim: quote and source are now annotations


def test_an_accepted_suggestion_is_not_offered_where_the_annotation_is_visible(article, team):
    accept(Suggestion.objects.get(article=article, label__key="claim"), by=team["annotator"])
    # a shared project: the other annotator sees the claim annotation, so the suggestion is no longer offered
    assert "claim" not in {each.label.key for each in offered(article, team["annotator2"])}


def test_acceptance_can_be_edited_and_a_changed_speaker_drops_the_link(article, team):
    quote = Suggestion.objects.get(article=article, label__key="quote")
    start = TEXT.index("Taxes")
    done = accept(quote, by=team["annotator"], changes={"end": start + len("Taxes will fall"), "speaker": "Someone"})
    assert done.annotation.quote == "Taxes will fall" and done.annotation.attributes == {"speaker": "Someone"}
    assert done.links == [] and not Link.objects.exists()


def test_accepting_twice_or_with_unknown_fields_is_refused(article, team):
    claim = Suggestion.objects.get(article=article, label__key="claim")
    with pytest.raises(InvalidInput):
        accept(claim, by=team["annotator"], changes={"author": 1})
    accept(claim, by=team["annotator"])
    with pytest.raises(InvalidInput):
        accept(claim, by=team["annotator"])
    with pytest.raises(InvalidInput):
        reject(claim, by=team["annotator"])


def test_viewers_may_neither_see_nor_answer_suggestions(article, team):
    quote = Suggestion.objects.get(article=article, label__key="quote")
    with pytest.raises(PermissionDenied):
        offered(article, team["viewer"])
    with pytest.raises(PermissionDenied):
        accept(quote, by=team["viewer"])
    with pytest.raises(PermissionDenied):
        reject(quote, by=team["viewer"])


def test_accept_all_quotes_accepts_only_quotes(article, team):
    done = accept_all(article, by=team["annotator"], label="quote")
    assert [each.annotation.label.key for each in done] == ["quote"]
    assert set(Annotation.objects.values_list("label__key", flat=True)) == {"quote", "source"}


def test_accepting_onto_an_existing_annotation_and_link_reuses_them(article, team):
    mine_quote = make_annotation(article, team["annotator"], "quote", quote="Taxes will fall,")
    mine_source = make_annotation(article, team["annotator"], "source", quote="Maria Lopez")
    create_link(article, LinkSpec(mine_quote.pk, mine_source.pk, "said_by"), author=team["annotator"])
    quote = Suggestion.objects.get(article=article, label__key="quote")
    done = accept(quote, by=team["annotator"])
    assert done.annotation.pk == mine_quote.pk and done.links == []
    assert Annotation.objects.count() == 2 and Link.objects.count() == 1


def test_suggestions_never_reach_exports(article, team):
    from articles.export_scope import ExportScope, export  # noqa: PLC0415

    output = "".join(export(ExportScope(team["project"], team["owner"]), "json", base_url="http://testserver/"))
    assert "Prices rose" in output  # the article's text
    assert '"annotations":[]' in output.replace(" ", "")


def test_a_suggestion_made_on_an_older_text_is_not_accepted(article, team, builtin):
    claim = Suggestion.objects.get(article=article, label__key="claim")
    reject(claim, by=team["annotator2"])  # answered, so it is kept when the next run no longer finds it
    store(article, builtin, found()[:1], labels=labels(team), version="1")
    with pytest.raises(InvalidInput):
        accept(Suggestion.objects.get(pk=claim.pk), by=team["annotator"])
    assert not Annotation.objects.exists()
