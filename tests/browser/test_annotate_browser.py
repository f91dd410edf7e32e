"""Annotating in a real browser: drag and click, shortcuts, emoji offsets, overlaps, notes, undo, stale edits."""

from __future__ import annotations

import pytest

from articles.anchoring import Utf16Map
from articles.annotation_write import update_annotation
from articles.models import Annotation
from tests.browser.conftest import double_click_word, drag_over, select_utf16, utf16_range, wait_for_workspace
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Regional budget to grow by 4% next year\n\n"
    "The regional government will raise its budget by 4% next year, Finance Minister Elena Ortiz said, "
    "arguing that “taxes will fall for nine out of ten households”.\n\n"
    "Opposition leader Mark Hale called the plan “a reckless gamble”."
)
EMOJI_TEXT = "👩🏽‍⚖️ said “café” 𝒳 then 🇩🇪 spoke: e\u0301 and 𝒳𝒳 again.\nSecond line 😀 here."


@pytest.fixture
def desk(team):
    return make_article(team["project"], text=TEXT, title="Budget to grow")


def open_article(sign_in, user, article):
    page = sign_in(user, next_url=f"/articles/{article.pk}/")
    page.wait_for_selector("#article-text")
    return page


def test_a_mouse_drag_and_a_label_click_create_an_annotation(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk)
    drag_over(page, "Finance Minister Elena Ortiz")
    page.click("#selection-toolbar button[value=source]")
    wait_for_workspace(page, 1)
    annotation = Annotation.objects.get()
    assert (annotation.label.key, annotation.quote, annotation.author) == (
        "source",
        "Finance Minister Elena Ortiz",
        team["annotator"],
    )
    assert desk.text[annotation.start : annotation.end] == annotation.quote
    assert page.locator(f'mark[data-ids~="{annotation.pk}"]').inner_text() == "Finance Minister Elena Ortiz"
    assert page.locator("#annotation-editor").get_attribute("data-ann") == str(annotation.pk)
    assert page.is_hidden("#selection-toolbar")


def test_a_selection_across_paragraphs_is_trimmed_and_kept_whole(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk)
    start, _ = utf16_range(page, " next year\n\nThe regional")
    _, end = utf16_range(page, "The regional government ")
    select_utf16(page, start, end)  # starts and ends with white space, crosses a paragraph break
    page.wait_for_selector("#selection-toolbar:not([hidden])")
    page.keyboard.press("1")
    wait_for_workspace(page, 1)
    annotation = Annotation.objects.get()
    assert annotation.quote == "next year\n\nThe regional government"
    assert annotation.label.key == "claim"


def test_a_keyboard_shortcut_labels_the_selection(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk)
    double_click_word(page, "Opposition")
    page.keyboard.press("2")
    wait_for_workspace(page, 1)
    annotation = Annotation.objects.get()
    assert (annotation.label.key, annotation.quote) == ("quote", "Opposition")


def test_offsets_after_emoji_are_code_points_that_match_the_text_data_1(sign_in, team):
    article = make_article(team["project"], text=EMOJI_TEXT)
    page = open_article(sign_in, team["annotator"], article)
    for quote, digit in (("said “café” 𝒳", "1"), ("𝒳𝒳 again", "2"), ("here", "3")):
        start, end = utf16_range(page, quote)
        select_utf16(page, start, end)
        page.wait_for_selector("#selection-toolbar:not([hidden])")
        page.keyboard.press(digit)
        wait_for_workspace(page, int(digit))
    stored = {a.quote: (a.start, a.end) for a in Annotation.objects.all()}
    for quote in ("said “café” 𝒳", "𝒳𝒳 again", "here"):
        start = article.text.index(quote)
        assert stored[quote] == (start, start + len(quote))
        assert article.text[start : start + len(quote)] == quote
    assert stored["said “café” 𝒳"][0] == 6  # 5 code points of 👩🏽‍⚖️ and a space; 8 in UTF-16


def test_the_browser_converts_offsets_exactly_as_the_server_does(sign_in, team):
    article = make_article(team["project"], text=EMOJI_TEXT)
    page = open_article(sign_in, team["annotator"], article)
    units = len(EMOJI_TEXT.encode("utf-16-le")) // 2
    browser = page.evaluate(
        """(units) => { const text = document.getElementById("article-text").textContent;
                        const points = (i) => window.annotatorOffsets.toCodePoints(text, i);
                        return Array.from({length: units + 1}, (_, i) => points(i)); }""",
        units,
    )
    mapping = Utf16Map(article.text)
    assert browser == [mapping.to_code_point(i) for i in range(units + 1)]


def test_selections_never_split_a_character_or_keep_outer_spaces(sign_in, team):
    article = make_article(team["project"], text=EMOJI_TEXT)
    page = open_article(sign_in, team["annotator"], article)
    tidy = page.evaluate(
        """() => { const text = document.getElementById("article-text").textContent;
                   const t = window.annotatorOffsets.tidy;
                   return [t(text, 2, 5), t(text, 7, 13), t(text, 0, 1)]; }"""
    )
    text16 = EMOJI_TEXT.encode("utf-16-le")

    def quote(bounds):
        return text16[bounds[0] * 2 : bounds[1] * 2].decode("utf-16-le")

    assert quote(tidy[0]) == "👩🏽‍⚖️"  # inside the ZWJ sequence: grows to the whole sequence
    assert quote(tidy[1]) == "said"  # " said " loses its outer spaces
    assert quote(tidy[2]) == "👩🏽‍⚖️"  # half a surrogate pair grows to the whole character


def test_an_overlapping_annotation_is_created_and_both_stay_visible(sign_in, team, desk):
    start = desk.text.index("taxes will fall for nine out of ten households")
    claim = make_annotation(desk, team["annotator"], label="claim", start=start, end=start + len("taxes will fall"))
    page = open_article(sign_in, team["annotator"], desk)
    drag_over(page, "will fall for nine")
    page.click("#selection-toolbar button[value=quote]")
    wait_for_workspace(page, 2)
    quote = Annotation.objects.exclude(pk=claim.pk).get()
    assert quote.quote == "will fall for nine"
    both = page.locator(f'mark[data-ids="{claim.pk} {quote.pk}"]')
    assert both.inner_text() == "will fall"
    assert both.get_attribute("data-labels") == "claim quote"
    for annotation in (claim, quote):
        parts = page.locator(f'mark[data-ids~="{annotation.pk}"]').all_inner_texts()
        assert "".join(parts) == annotation.quote
    assert page.locator("#ann-list .ann-item").count() == 2


def test_clicking_a_highlight_opens_it_and_the_note_is_saved(sign_in, team, desk):
    annotation = make_annotation(desk, team["annotator"], label="claim", start=0, end=15)
    page = open_article(sign_in, team["annotator"], desk)
    page.click(f'mark[data-ids~="{annotation.pk}"]')
    page.wait_for_selector(f'#annotation-editor[data-ann="{annotation.pk}"] textarea[name=note]')
    page.fill("#annotation-editor textarea[name=note]", "Check the draft budget.")
    page.select_option("#annotation-editor select[name=attr-verdict]", "mostly true")
    page.click("#save-button")
    page.wait_for_selector("#notices >> text=Saved.")
    annotation.refresh_from_db()
    assert (annotation.note, annotation.attributes["verdict"], annotation.version) == (
        "Check the draft budget.",
        "mostly true",
        2,
    )
    assert "Check the draft budget." in page.locator(f'#ann-list [data-ann="{annotation.pk}"]').text_content()


def test_delete_and_undo_bring_back_the_same_annotation(sign_in, team, desk):
    annotation = make_annotation(desk, team["annotator"], label="opinion", start=0, end=15, note="keep")
    page = open_article(sign_in, team["annotator"], desk)
    page.click(f'#ann-list [data-ann="{annotation.pk}"]')
    page.wait_for_selector(f'#annotation-editor[data-ann="{annotation.pk}"] #delete-button')
    page.click("#delete-button")
    page.wait_for_selector("#undo-button")
    assert not Annotation.objects.exists()
    assert page.locator("#article-text mark").count() == 0
    page.click("#undo-button")
    wait_for_workspace(page, 1)
    restored = Annotation.objects.get()
    assert (restored.pk, restored.note) == (annotation.pk, "keep")
    assert page.locator(f'mark[data-ids~="{annotation.pk}"]').count() == 1


@pytest.mark.http_errors(412)
def test_a_stale_edit_shows_a_clear_message_and_the_current_state(sign_in, team, desk):
    annotation = make_annotation(desk, team["annotator"], label="claim", start=0, end=15)
    page = open_article(sign_in, team["annotator"], desk)
    page.click(f'#ann-list [data-ann="{annotation.pk}"]')
    page.wait_for_selector(f'#annotation-editor[data-ann="{annotation.pk}"] textarea[name=note]')
    update_annotation(annotation, by=team["reviewer"], changes={"note": "The reviewer's version"})
    page.fill("#annotation-editor textarea[name=note]", "My version")
    page.click("#save-button")
    message = page.wait_for_selector("#stale-message")
    assert "reviewer changed this annotation while you were editing it" in message.inner_text()
    assert "My version" in message.inner_text()
    assert page.input_value("#annotation-editor textarea[name=note]") == "The reviewer's version"
    annotation.refresh_from_db()
    assert annotation.note == "The reviewer's version"


def test_a_double_click_on_a_label_never_creates_twins_conc_2(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk)
    drag_over(page, "Mark Hale")
    page.dblclick("#selection-toolbar button[value=source]")
    wait_for_workspace(page, 1)
    page.wait_for_timeout(300)
    assert Annotation.objects.count() == 1


@pytest.mark.http_errors(404)
def test_a_refused_request_shows_a_readable_message(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk)
    team["project"].memberships.filter(user=team["annotator"]).delete()
    drag_over(page, "Mark Hale")
    page.click("#selection-toolbar button[value=source]")
    alert = page.wait_for_selector("#flash [role=alert]")
    assert "no longer exists" in alert.inner_text()
    assert not Annotation.objects.exists()
