"""Suggestions in a real browser: dashed outlines on the right characters (emoji, CJK and Arabic before them),
picked and answered from the keyboard alone (s, a, x, e), and every quote accepted with the mouse."""

from __future__ import annotations

import pytest

from articles.models import Annotation, Label, Link, Suggester, Suggestion, SuggestionDecision
from articles.suggestions import Found, store
from tests.browser.conftest import utf16_range
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Emoji (a ZWJ sequence, flags, an astral letter), CJK and Arabic before the spans: UTF-16 and code points part
# ways long before the first suggestion, and its outline must still sit on its own characters.
TEXT = (
    "Tokyo 東京 👩🏽‍⚖️ 🇩🇪 𝒳𝒳 report — «مرحبا بالعالم» e\u0301 again.\n\n"
    "“Taxes will fall,” 😀 said Maria Lopez, the finance minister 🇫🇷 on Tuesday.\n\n"
    "Then 𝒳 prices rose 5% in 2025 👍🏾, the office said."
)


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)  # in the stored text (NFC: "e\u0301" is one character there)
    return start, start + len(part)


@pytest.fixture
def article(team):
    builtin = Suggester.objects.get(project=team["project"], kind="builtin")
    builtin.enabled = True
    builtin.save()
    article = make_article(team["project"], text=TEXT, title="Budget row")
    text = article.text
    found = [
        Found("quote", *span(text, "Taxes will fall,"), 0.9, {"speaker": "Maria Lopez"}, "said_by", 1),
        Found("source", *span(text, "Maria Lopez"), 0.8),
        Found("claim", *span(text, "prices rose 5% in 2025"), 0.4),
    ]
    store(article, builtin, found, labels=list(Label.objects.filter(project=team["project"])), version="1")
    return article


def sid(article, label: str) -> int:
    return Suggestion.objects.get(article=article, label__key=label).pk


def open_article(sign_in, user, article):
    page = sign_in(user, next_url=f"/articles/{article.pk}/")
    page.wait_for_selector("#suggestion-layer .sug-box")
    return page


def announced(page, words: str) -> None:
    page.wait_for_function("(words) => document.getElementById('announcer').textContent.includes(words)", arg=words)


def outline_covers(page, suggestion_id: int, quote: str) -> bool:
    """Whether the suggestion's first outline box surrounds the quote's first line, and no more than a few pixels."""
    start, end = utf16_range(page, quote)
    return page.evaluate(
        """([id, start, end]) => {
            const element = document.getElementById("article-text");
            const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
            const range = document.createRange();
            let seen = 0, node, started = false;
            while ((node = walker.nextNode())) {
                const length = node.data.length;
                if (!started && start >= seen && start < seen + length) {
                    range.setStart(node, start - seen);
                    started = true;
                }
                if (end > seen && end <= seen + length) { range.setEnd(node, end - seen); break; }
                seen += length;
            }
            const text = range.getClientRects()[0];
            const box = document.querySelector(`#suggestion-layer .sug-box[data-sug="${id}"]`).getBoundingClientRect();
            const last = Array.from(range.getClientRects()).filter((r) => Math.abs(r.top - text.top) < 2).pop();
            return box.left <= text.left && box.left >= text.left - 5 && box.right >= last.right
                && box.right <= last.right + 5 && box.top <= text.top && box.bottom >= text.bottom;
        }""",
        [suggestion_id, start, end],
    )


def test_keyboard_only_select_accept_and_reject(sign_in, team, article):
    page = open_article(sign_in, team["annotator"], article)
    quote, source, claim = sid(article, "quote"), sid(article, "source"), sid(article, "claim")
    assert outline_covers(page, quote, "Taxes will fall,")
    assert outline_covers(page, source, "Maria Lopez")
    assert outline_covers(page, claim, "prices rose 5% in 2025")
    assert page.locator(f'#suggestion-layer .sug-tag[data-sug="{quote}"]').text_content() == "suggested quote"
    page.focus("#article-text")
    page.keyboard.press("s")
    announced(page, "Suggestion 1 of 3: Suggested quote: “Taxes will fall,”, 90%.")
    assert page.locator(f'.sug-item.is-selected[data-sug="{quote}"]').count() == 1
    assert page.locator(f'#suggestion-layer .sug-box.is-selected[data-sug="{quote}"]').count() == 1
    assert page.input_value("#suggestion-speaker") == "Maria Lopez"
    page.keyboard.press("a")
    page.wait_for_selector(f'#suggestion-layer .sug-box[data-sug="{quote}"]', state="detached")
    made = Annotation.objects.get(label__key="quote")
    page.wait_for_selector(f'#article-text mark[data-ids~="{made.pk}"]')
    assert (made.quote, made.attributes) == ("Taxes will fall,", {"speaker": "Maria Lopez"})
    link = Link.objects.get()
    assert link.to_annotation.quote == "Maria Lopez"  # its source accepted with it, and the two linked
    page.wait_for_selector(f'#link-layer g[data-link="{link.pk}"]')
    assert page.locator(".sug-item").count() == 1  # only the claim is left
    page.keyboard.press("s")
    announced(page, "Suggestion 1 of 1: Suggested claim")
    page.keyboard.press("x")
    page.wait_for_selector(f'#suggestion-layer .sug-box[data-sug="{claim}"]', state="detached")
    announced(page, "Rejected: claim")
    decision = SuggestionDecision.objects.get(suggestion_id=claim)
    assert (decision.accepted, decision.user) == (False, team["annotator"])
    assert Annotation.objects.count() == 2
    page.reload()
    page.wait_for_selector("#article-text")
    assert page.locator("#suggestion-layer .sug-box").count() == 0  # remembered


def test_keyboard_edit_the_speaker_before_accepting(sign_in, team, article):
    page = open_article(sign_in, team["annotator"], article)
    page.focus("#article-text")
    page.keyboard.press("s")
    announced(page, "Suggestion 1 of 3")
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.id") == "suggestion-speaker"
    page.keyboard.type("The finance minister")  # "e" selected the speaker suggested: typing replaces it
    page.keyboard.press("Escape")  # back to the suggestion, still selected and edited
    assert page.evaluate("document.activeElement.dataset.sug") == str(sid(article, "quote"))
    page.keyboard.press("e")
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.wait_for_selector("#article-text mark.hl-quote")
    made = Annotation.objects.get(label__key="quote")
    assert made.attributes == {"speaker": "The finance minister"}
    assert not Link.objects.exists()  # another speaker than the one proposed: no link to Maria Lopez
    assert page.locator(".sug-item").count() == 2


def test_mouse_accept_all_quotes_and_pick_by_tag(sign_in, team, article):
    page = open_article(sign_in, team["annotator"], article)
    page.click("#accept-all-quotes")
    page.wait_for_selector("#article-text mark.hl-quote")
    assert sorted(Annotation.objects.values_list("label__key", flat=True)) == ["quote", "source"]
    assert Link.objects.count() == 1
    claim = sid(article, "claim")
    page.wait_for_function("() => document.querySelectorAll('.sug-item').length === 1")
    page.click(f'#suggestion-layer .sug-tag[data-sug="{claim}"]')
    page.wait_for_selector("#suggestion-form:not([hidden])")
    assert page.input_value("#suggestion-label") == "claim"
    page.select_option("#suggestion-label", "opinion")
    page.click("#suggestion-accept")
    page.wait_for_selector("#article-text mark.hl-opinion")
    assert Annotation.objects.get(label__key="opinion").quote == "prices rose 5% in 2025"
    page.wait_for_selector("#suggestion-layer", state="detached")
