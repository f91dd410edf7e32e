"""Living articles in a real browser: a correction pasted on the revisions page moves the highlights, flags the
changed annotation and leaves an orphan; the diff shows the inserted and deleted words; orphans are re-attached
by a mouse selection and by Shift + arrow keys after emoji and Greek text (the UTF-16 -> code point conversion)."""

from __future__ import annotations

import pytest

from articles.models import AnchorStatus, Annotation
from articles.revisions import add_revision
from tests.browser.test_accessibility_browser import serious_violations
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

P1 = "Ο δήμαρχος 🏛️ said the new bridge will open in May next year."
P2 = "Critics called the whole budget reckless and unfunded."
P3 = "Residents welcomed the news 🎉 and café owners agreed."
CLAIM = "the new bridge will open in May next year"
TEXT = f"{P1}\n\n{P2}\n\n{P3}"
INTRO = "Έκτακτο 📰 officials met on Monday."
CORRECTED = f"{INTRO}\n\n{P1.replace('in May', 'in June')}\n\n{P3}"

# The UTF-16 range [start, end) of the orphan queue's text, which the page renders as one text node.
ORPHAN_RANGE_JS = """
([start, end]) => {
  const node = document.getElementById("orphan-text").firstChild;
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, end);
  return range;
}
"""


@pytest.fixture
def story(team):
    article = make_article(team["project"], text=TEXT, title="Γέφυρα: the bridge", outlet="Daily Post")
    return {
        "article": article,
        "claim": make_annotation(
            article, team["annotator"], label="claim", quote="the new bridge will open in May next year"
        ),
        "opinion": make_annotation(article, team["annotator"], label="opinion", quote=P2),
        "quote": make_annotation(article, team["annotator"], label="quote", quote="Residents welcomed the news 🎉"),
    }


def marked_text(page, annotation_id: int) -> str:
    return "".join(page.locator(f'#article-text mark[data-ids~="{annotation_id}"]').all_text_contents())


def test_a_correction_pasted_on_the_revisions_page_moves_flags_and_orphans_annotations(sign_in, team, story):
    article = story["article"]
    page = sign_in(team["reviewer"], next_url=f"/articles/{article.pk}/")
    page.wait_for_selector("#article-text")
    assert marked_text(page, story["quote"].pk) == "Residents welcomed the news 🎉"
    page.click("#revisions-link")
    page.wait_for_selector("#revise-form", state="attached")
    page.wait_for_load_state("load")  # reattach.js is a module: it runs after the HTML
    page.click(".revise-details > summary")
    page.fill("#revise-text", CORRECTED)
    page.fill("#revise-note", "The opening is in June")
    page.evaluate("() => { window.sameDocument = true; }")
    page.click("#revise-button")
    notice = page.wait_for_selector("#revision-notice")
    assert "Revision 2 added. Annotations: 0 exact · 1 shifted · 1 changed · 1 orphaned." in notice.inner_text()
    assert page.evaluate("() => window.sameDocument") is True  # htmx swapped the region in
    assert page.evaluate("() => document.activeElement.id") == "revision-notice"
    assert "1 shifted · 1 changed · 1 orphaned" in page.inner_text("#revision-2")

    page.click(".revision-now >> text=Annotate it")
    page.wait_for_selector("#article-text")
    assert page.inner_text("#orphan-link") == "Orphaned (1)"
    assert marked_text(page, story["quote"].pk) == "Residents welcomed the news 🎉"  # shifted by the new paragraph
    assert marked_text(page, story["claim"].pk) == "the new bridge will open in June next year"
    assert not page.locator(f'#article-text mark[data-ids~="{story["opinion"].pk}"]').count()
    claim_item = page.locator(f'#ann-list .ann-item[data-ann="{story["claim"].pk}"]')
    assert "Changed after annotation" in claim_item.inner_text()
    assert (
        "Changed after annotation"
        not in page.locator(f'#ann-list .ann-item[data-ann="{story["quote"].pk}"]').inner_text()
    )
    claim_item.click()
    page.wait_for_selector("#changed-note")
    assert "Originally: “the new bridge will open in May next year”" in page.inner_text("#changed-note")


def test_the_diff_shows_the_inserted_and_deleted_words(sign_in, team, story):
    article = story["article"]
    add_revision(article, by=team["owner"], text=CORRECTED)
    add_revision(article, by=team["owner"], text=CORRECTED.replace("Monday", "Tuesday"))
    page = sign_in(team["viewer"], next_url=f"/articles/{article.pk}/revisions/")
    page.wait_for_selector("#diff-text")
    (deleted,) = page.locator("#diff-text del").all_text_contents()
    (inserted,) = page.locator("#diff-text ins").all_text_contents()
    assert deleted.startswith("[deleted: Monday") and inserted.startswith("[inserted: Tuesday")
    assert page.locator("#diff-text del").evaluate("(e) => getComputedStyle(e).textDecorationLine") == "line-through"
    assert page.locator("#diff-text ins").evaluate("(e) => getComputedStyle(e).textDecorationLine") == "underline"
    page.select_option("#diff-from", "1")
    page.select_option("#diff-to", "3")
    page.click("#diff-button")
    page.wait_for_function("() => document.getElementById('diff-summary').textContent.includes('revision 1 to')")
    deleted = " ".join(page.locator("#diff-text del").all_text_contents())
    inserted = " ".join(page.locator("#diff-text ins").all_text_contents())
    assert "Critics" in deleted and "May" in deleted
    assert "Έκτακτο" in inserted and "Tuesday" in inserted and "June" in inserted
    assert page.locator("#revise-form").count() == 0  # viewers read only


def drag_in_orphan_text(page, quote: str) -> None:
    """Press the mouse on the first character of `quote` in the orphan queue's text and release it after the last."""
    start = page.evaluate("(q) => document.getElementById('orphan-text').textContent.indexOf(q)", quote)
    box = page.evaluate(
        f"""(bounds) => {{
            const rects = ({ORPHAN_RANGE_JS})(bounds).getClientRects();
            const first = rects[0], last = rects[rects.length - 1];
            return [first.left + 1, first.top + first.height / 2, last.right - 1, last.top + last.height / 2];
        }}""",
        [start, start + len(quote.encode("utf-16-le")) // 2],
    )
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, steps=4)
    page.mouse.move(box[2], box[3], steps=4)
    page.mouse.up()


def test_orphans_are_reattached_by_mouse_and_by_keyboard_and_highlighted_again(sign_in, team, story):
    article = story["article"]
    make_annotation(article, team["annotator"], label="source", quote="Critics")  # a second orphan to come
    add_revision(article, by=team["owner"], text=CORRECTED)
    mouse_one, keyboard_one = (
        Annotation.objects.get(pk=story["opinion"].pk),
        Annotation.objects.get(article=article, label__key="source"),
    )
    assert mouse_one.is_orphaned and keyboard_one.is_orphaned
    page = sign_in(team["annotator"], next_url=f"/articles/{article.pk}/")
    page.click("#orphan-link")
    page.wait_for_selector("#orphan-text")
    page.wait_for_load_state("load")  # reattach.js is a module: it runs after the HTML

    drag_in_orphan_text(page, "officials met on Monday")  # after the emoji: UTF-16 and code points differ
    # the panel follows the selection while the mouse moves; wait for the passage the drag ended on
    page.wait_for_function(
        "() => document.getElementById('reattach-selection').textContent.includes('“officials met on Monday”')"
    )
    assert page.is_visible("#reattach-selection")
    page.click(f"#reattach-{mouse_one.pk}")
    page.wait_for_selector("#orphan-notice")
    mouse_one.refresh_from_db()
    assert (mouse_one.anchor_status, mouse_one.quote) == (AnchorStatus.EXACT, "officials met on Monday")
    assert CORRECTED[mouse_one.start : mouse_one.end] == "officials met on Monday"
    assert page.inner_text("#queue-title") == "1 orphaned · 1 changed"

    for _ in range(40):  # Tab to the text, as a keyboard user does
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "orphan-text":
            break
    assert page.evaluate("() => document.activeElement.id") == "orphan-text"
    for _ in range(len("Έκτακτο 📰")):  # Greek letters, a space and an emoji: one grapheme each
        page.keyboard.press("Shift+ArrowRight")
    page.wait_for_function("() => document.getElementById('reattach-selection').textContent.includes('Έκτακτο 📰')")
    page.focus(f"#reattach-{keyboard_one.pk}")
    page.keyboard.press("Enter")
    page.wait_for_selector("#orphan-notice >> text=characters 0–9")
    keyboard_one.refresh_from_db()
    assert (keyboard_one.anchor_status, keyboard_one.start, keyboard_one.end) == (AnchorStatus.EXACT, 0, 9)
    assert keyboard_one.quote == "Έκτακτο 📰"
    assert page.inner_text("#queue-title") == "0 orphaned · 1 changed"

    page.click("#orphan-notice a")  # open it on the annotate page
    page.wait_for_selector("#article-text")
    assert marked_text(page, keyboard_one.pk) == "Έκτακτο 📰"
    assert marked_text(page, mouse_one.pk) == "officials met on Monday"
    assert page.locator("#orphan-link").count() == 0


def test_the_revisions_page_the_orphan_queue_and_the_flags_have_no_serious_accessibility_violations(
    sign_in, team, story
):
    article = story["article"]
    add_revision(article, by=team["owner"], text=CORRECTED, note="Opening date corrected")
    page = sign_in(team["reviewer"], next_url=f"/articles/{article.pk}/revisions/")
    page.wait_for_selector("#diff-text")
    page.click(".revise-details > summary")
    assert serious_violations(page) == []
    page.goto(f"/articles/{article.pk}/orphans/")
    page.wait_for_selector("#orphan-text")
    assert serious_violations(page) == []
    page.goto(f"/articles/{article.pk}/?selected={story['claim'].pk}")
    page.wait_for_selector("#changed-note")
    assert serious_violations(page) == []
