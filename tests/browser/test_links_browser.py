"""Links between spans in a real browser: made with the mouse or the keyboard alone, drawn as connectors between
the two highlights (found by annotation id, whatever text comes before them), listed in words, removed."""

from __future__ import annotations

import pytest

from articles.links import LinkSpec, create_link
from articles.models import Annotation, Link
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Budget row\n\n"
    "“Taxes will fall,” said the minister on Tuesday.\n\n"
    "The State Department disagreed, and so did the opposition."
)
# Emoji (a ZWJ sequence, a flag, an astral letter), CJK and Arabic before the spans: UTF-16 and code points
# part ways long before the quote, and the connector must still meet the right highlights.
WIDE_TEXT = (
    "Tokyo 東京 👩🏽‍⚖️ 🇩🇪 𝒳𝒳 report — «مرحبا بالعالم» e\u0301 again.\n\n"
    "“Taxes will fall,” 😀 said the minister 🇫🇷 on Tuesday.\n\n"
    "Then 𝒳 the State Department 👍🏾 disagreed."
)


@pytest.fixture
def desk(team):
    """An article with a quote and two sources by the annotator."""
    article = make_article(team["project"], text=TEXT, title="Budget row")
    author = team["annotator"]
    return {
        "article": article,
        "quote": make_annotation(article, author, "quote", quote="Taxes will fall,"),
        "minister": make_annotation(article, author, "source", quote="the minister"),
        "department": make_annotation(article, author, "source", quote="The State Department"),
    }


def open_article(sign_in, user, article):
    page = sign_in(user, next_url=f"/articles/{article.pk}/")
    page.wait_for_selector("#article-text")
    return page


def mark(annotation) -> str:
    return f'#article-text mark[data-ids~="{annotation.pk}"]'


def connector(link_id: int) -> str:
    return f'#link-layer g[data-link="{link_id}"]'


def announced(page, words: str) -> None:
    page.wait_for_function("(words) => document.getElementById('announcer').textContent.includes(words)", arg=words)


def ends_meet_highlights(page, link_id: int, source_id: int, target_id: int) -> bool:
    """Whether the connector starts at the source's first highlight and ends at the target's (to a pixel)."""
    return page.evaluate(
        """([link, from, to]) => {
            const layer = document.getElementById("link-layer").getBoundingClientRect();
            const group = document.querySelector(`#link-layer g[data-link="${link}"]`);
            const [x1, y1, x2, y2] = group.dataset.ends.split(" ").map(Number);
            const first = (id) => document.querySelector(`#article-text mark[data-ids~="${id}"]`).getClientRects()[0];
            const near = (rect, x, y) => x >= rect.left - layer.left - 1 && x <= rect.right - layer.left + 1
                && Math.abs(y - (rect.top - layer.top)) <= 1;
            return near(first(from), x1, y1) && near(first(to), x2, y2);
        }""",
        [link_id, source_id, target_id],
    )


def test_mouse_link_a_quote_to_its_source_see_it_and_remove_it(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk["article"])
    page.click(mark(desk["quote"]))
    page.wait_for_selector(f'#annotation-editor[data-ann="{desk["quote"].pk}"] #link-button')
    page.click("#link-button")
    page.wait_for_selector(f"{mark(desk['minister'])}.is-link-candidate")
    assert page.locator(f"{mark(desk['quote'])}.is-link-candidate").count() == 0  # a quote is no target of a quote
    page.click(mark(desk["minister"]))
    page.click('.link-types:not([hidden]) button[value="said_by"]')
    page.wait_for_selector("#link-list .link-item")
    link = Link.objects.get()
    assert (link.from_annotation_id, link.to_annotation_id, link.type.key) == (
        desk["quote"].pk,
        desk["minister"].pk,
        "said_by",
    )
    line = " ".join(page.inner_text(f"#link-item-{link.pk}").split())
    assert line.startswith("said by: the minister (source)")
    page.wait_for_selector(connector(link.pk))
    assert page.locator(f"{connector(link.pk)} text").text_content() == "Said by"  # the type in words, too
    assert page.locator(connector(link.pk)).get_attribute("class") == "link-connector is-current"
    assert page.locator(".is-link-candidate").count() == 0
    assert ends_meet_highlights(page, link.pk, desk["quote"].pk, desk["minister"].pk)
    # Seen from the source (its name in the list opens it), the same link reads the other way round.
    page.click(f"#link-item-{link.pk} .link-end")
    page.wait_for_selector(f'#annotation-editor[data-ann="{desk["minister"].pk}"] #link-list')
    assert " ".join(page.inner_text("#link-list").split()).startswith("says: Taxes will fall, (quote)")
    page.click(f"#link-item-{link.pk} .link-remove")
    page.wait_for_selector("#link-notice")
    assert "Link removed." in page.inner_text("#link-panel")
    page.wait_for_selector(connector(link.pk), state="detached")
    assert not Link.objects.exists()


def test_keyboard_only_l_then_j_k_enter_and_a_number(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk["article"])
    page.focus(f'#ann-list [data-ann="{desk["quote"].pk}"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#annotation-editor[data-ann="{desk["quote"].pk}"] #link-button')
    page.keyboard.press("l")
    announced(page, "to a source: 2 in the text")
    page.keyboard.press("j")  # the first source after the quote
    announced(page, "Link target 1 of 2: ‘the minister’ (source). Enter to choose")
    page.keyboard.press("j")
    announced(page, "Link target 2 of 2: ‘The State Department’ (source)")
    assert page.locator(f"{mark(desk['department'])}.is-link-current").count() == 1
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    announced(page, "press the type's number: 1 Said by")
    page.keyboard.press("1")
    page.wait_for_selector("#link-list .link-item")
    link = Link.objects.get()
    assert (link.to_annotation_id, link.type.key) == (desk["department"].pk, "said_by")
    page.wait_for_selector(connector(link.pk))
    announced(page, "Linked: said by “The State Department”.")
    # The focus waits on the new link's Remove button: Enter removes it.
    assert page.evaluate("document.activeElement.classList.contains('link-remove')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#link-notice")
    announced(page, "Link removed.")
    page.wait_for_selector(connector(link.pk), state="detached")
    assert not Link.objects.exists()
    assert page.evaluate("document.activeElement.id") == "link-button"


def test_keys_typed_before_the_choices_arrive_wait_for_them(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk["article"])
    page.focus(f'#ann-list [data-ann="{desk["quote"].pk}"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#annotation-editor[data-ann="{desk["quote"].pk}"] #link-button')
    for key in ("l", "j", "Enter", "1"):  # at once: the choices are still on their way after "l"
        page.keyboard.press(key)
    page.wait_for_selector("#link-list .link-item")
    link = Link.objects.get()
    assert (link.from_annotation_id, link.to_annotation_id) == (desk["quote"].pk, desk["minister"].pk)
    assert page.locator("#annotation-editor").get_attribute("data-ann") == str(desk["quote"].pk)


def test_escape_cancels_and_other_shortcuts_wait(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk["article"])
    page.focus(f'#ann-list [data-ann="{desk["quote"].pk}"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#annotation-editor[data-ann="{desk["quote"].pk}"] #link-button')
    page.keyboard.press("l")
    page.keyboard.press("k")  # backwards from the quote: none before it, so the last source
    announced(page, "‘The State Department’")
    page.keyboard.press("Delete")  # no deletion while linking
    page.keyboard.press("3")  # no relabelling either
    page.keyboard.press("Escape")
    announced(page, "Linking cancelled.")
    assert page.locator(".is-link-candidate, .is-link-current").count() == 0
    assert page.locator("#annotation-editor").get_attribute("data-ann") == str(desk["quote"].pk)  # still selected
    assert not Link.objects.exists() and Annotation.objects.get(pk=desk["quote"].pk).label.key == "quote"
    assert page.locator(f'#ann-list [data-ann="{desk["quote"].pk}"]').count() == 1


@pytest.mark.http_errors(409)
def test_the_same_link_again_is_refused_inline(sign_in, team, desk):
    create_link(desk["article"], LinkSpec(desk["quote"].pk, desk["minister"].pk, "said_by"), author=team["annotator"])
    page = open_article(sign_in, team["annotator"], desk["article"])
    page.click(mark(desk["quote"]))
    page.wait_for_selector(f'#annotation-editor[data-ann="{desk["quote"].pk}"] #link-button')
    page.click("#link-button")
    page.click(mark(desk["minister"]))
    page.click('.link-types:not([hidden]) button[value="said_by"]')
    page.wait_for_selector("#link-error")
    assert page.inner_text("#link-error") == "This link already exists."
    assert Link.objects.count() == 1


def test_connectors_meet_their_highlights_after_emoji_and_non_latin_text(sign_in, team):
    article = make_article(team["project"], text=WIDE_TEXT, title="Wide")
    author = team["annotator"]
    quote = make_annotation(article, author, "quote", quote="Taxes will fall,")
    minister = make_annotation(article, author, "source", quote="the minister")
    department = make_annotation(article, author, "source", quote="the State Department")
    links = [
        create_link(article, LinkSpec(quote.pk, minister.pk, "said_by"), author=author),
        create_link(article, LinkSpec(quote.pk, department.pk, "said_by"), author=author),
    ]
    page = open_article(sign_in, author, article)
    for link in links:
        page.wait_for_selector(connector(link.pk))
        assert ends_meet_highlights(page, link.pk, link.from_annotation_id, link.to_annotation_id)
    paths = page.evaluate(
        "() => Array.from(document.querySelectorAll('#link-layer g path:first-child'), (p) => p.getAttribute('d'))"
    )
    assert len(paths[0].split()) == 4  # the minister is on the quote's line: joined straight across above it
    assert len(paths[1].split()) == 6  # the State Department is further down: through the margin
    page.set_viewport_size({"width": 900, "height": 900})  # the text reflows: the connectors follow
    page.wait_for_timeout(200)
    for link in links:
        assert ends_meet_highlights(page, link.pk, link.from_annotation_id, link.to_annotation_id)


def test_a_reviewer_accepts_a_link_by_keyboard_and_sees_accepted(sign_in, team, desk):
    link = create_link(
        desk["article"], LinkSpec(desk["quote"].pk, desk["minister"].pk, "said_by"), author=team["annotator"]
    )
    page = open_article(sign_in, team["reviewer"], desk["article"])
    page.focus(f'#ann-list [data-ann="{desk["quote"].pk}"]')
    page.keyboard.press("Enter")
    item = f"#link-item-{link.pk}"
    page.wait_for_selector(f'#annotation-editor[data-ann="{desk["quote"].pk}"] {item}')
    assert " ".join(page.inner_text(item).split()).startswith("said by: the minister (source) · annotator · pending")
    page.focus(f'{item} .link-review[value="accepted"]')
    page.keyboard.press("Enter")
    announced(page, "Link accepted.")
    assert "· accepted" in page.inner_text(f"{item} .link-status-word")
    link.refresh_from_db()
    assert link.status == "accepted"
    # The focus stays on the link's review buttons (now Reject and Back to pending) for the next verdict.
    assert page.evaluate("document.activeElement.value") == "rejected"
    page.wait_for_selector(connector(link.pk))  # the map came back with the panel


def test_a_note_typed_before_the_type_is_saved_with_the_link(sign_in, team, desk):
    page = open_article(sign_in, team["annotator"], desk["article"])
    page.focus(f'#ann-list [data-ann="{desk["quote"].pk}"]')
    page.keyboard.press("Enter")
    page.wait_for_selector(f'#annotation-editor[data-ann="{desk["quote"].pk}"] #link-button')
    page.keyboard.press("l")
    announced(page, "to a source: 2 in the text")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    announced(page, "Shift+Tab first to add a note")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "link-note"
    page.keyboard.type("On the radio, 1 May")  # digits and j/k are text here, not the mode's keys
    page.keyboard.press("Enter")  # on to the type buttons, nothing sent yet
    announced(page, "Note kept.")
    assert not Link.objects.exists()
    page.keyboard.press("1")
    page.wait_for_selector("#link-list .link-note")
    link = Link.objects.get()
    assert (link.to_annotation_id, link.note) == (desk["minister"].pk, "On the radio, 1 May")
    assert page.inner_text(f"#link-item-{link.pk} .link-note") == "On the radio, 1 May"
