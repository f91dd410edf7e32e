"""Adjusting a span in Chromium (static/articles/span_adjust.js) on the review page: by keyboard alone and by
dragging the handles, over emoji sequences, a flag, Hindi with combining marks, Japanese and Arabic; every
boundary the browser stops at is one the server accepts, and refusals show on the span's card."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.templatetags.static import static

from articles.anchoring import Utf16Map, split_character
from articles.annotation_write import create_annotation
from articles.models import Annotation, Assignment, AssignmentState
from tests.factories import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAMILY = "👩\u200d👩\u200d👧"
TEXT = f"Family {FAMILY} went to Paris 🇫🇷 today. नमस्ते दुनिया and 東京の天気は晴れ. مرحبا بالعالم 𠮷野家."
TEXT_JS = "() => document.getElementById('review-text').textContent"


def at(part: str) -> int:
    """The code-point offset of `part` in TEXT."""
    return TEXT.index(part)


@pytest.fixture
def review(team, sign_in):
    """A submitted article with the annotator's span on "Family"; the reviewer's page open on it."""
    article = make_article(team["project"], text=TEXT, title="Family trip", by=team["owner"])
    span = create_annotation(article, author=team["annotator"], label="claim", start=0, end=6)
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
    page = sign_in(team["reviewer"], next_url=f"/assignments/{work.pk}/review/")
    page.wait_for_load_state("load")  # review.js is a module: keys pressed before it runs would be lost
    assert page.evaluate(TEXT_JS) == TEXT
    page.article, page.span, page.work = article, span, work
    return page


def stored(span) -> tuple[int, int]:
    fresh = Annotation.objects.get(pk=span.pk)
    return fresh.start, fresh.end


def announced(page) -> str:
    return page.inner_text("#review-announcer")


def press_and_wait_for_swap(page, key: str) -> None:
    with page.expect_response(lambda response: "/correct" in response.url):
        page.keyboard.press(key)
    page.wait_for_selector(".review-span.is-selected")


def test_every_character_stop_is_a_boundary_the_server_accepts(review):
    """Step an end edge through the whole text a character at a time, then a start edge back: the browser's
    grapheme clusters never split one of the server's characters, and toUtf16 inverts toCodePoints."""
    stops = review.evaluate(
        """async ([url, text]) => {
            const { stepEdge, toCodePoints, toUtf16 } = await import(url);
            const forward = [], backward = [];
            for (let i = 0; i < text.length; ) { i = stepEdge(text, i, 1, "grapheme", "end"); forward.push(i); }
            for (let i = text.length; i > 0; ) { i = stepEdge(text, i, -1, "grapheme", "start"); backward.push(i); }
            const points = (list) => list.map((i) => toCodePoints(text, i));
            const back = (list) => points(list).map((p) => toUtf16(text, p));
            return { forward: points(forward), backward: points(backward), same: [back(forward), forward] };
        }""",
        [static("articles/offsets.js"), TEXT],
    )
    assert stops["same"][0] == stops["same"][1]
    for offset in stops["forward"] + stops["backward"]:
        assert split_character(TEXT, offset) is None, offset
    family_end = at(FAMILY) + len(FAMILY)
    assert family_end in stops["forward"] and not any(at(FAMILY) < s < family_end for s in stops["forward"])
    flag = at("🇫🇷")
    assert flag + 2 in stops["forward"] and flag + 1 not in stops["forward"]
    assert at("𠮷") + 1 in stops["forward"]  # one character, two UTF-16 units
    assert not any(TEXT[s - 1].isspace() for s in stops["forward"])  # an end never rests after white space
    assert not any(TEXT[s].isspace() for s in stops["backward"] if s < len(TEXT))


def test_word_stops_are_word_starts_for_a_start_and_word_ends_for_an_end(review):
    units = Utf16Map(TEXT)
    moves = review.evaluate(
        """async ([url, text, fromStart, fromEnd]) => {
            const { stepEdge, toCodePoints } = await import(url);
            const walk = (index, direction, edge) => {
              const seen = [];
              for (let n = 0; n < 4; n++) {
                index = stepEdge(text, index, direction, "word", edge);
                seen.push(toCodePoints(text, index));
              }
              return seen;
            };
            return { ends: walk(fromEnd, 1, "end"), starts: walk(fromStart, -1, "start") };
        }""",
        [static("articles/offsets.js"), TEXT, units.to_utf16(at("दुनिया")), units.to_utf16(at("Family") + 6)],
    )
    # An emoji and a flag count as words; the full stop after "today" does not.
    assert moves["ends"] == [at(FAMILY) + len(FAMILY), at("went") + 4, at("to ") + 2, at("Paris") + 5]
    assert moves["starts"] == [at("नमस्ते"), at("today"), at("🇫🇷"), at("Paris")]


def test_keyboard_only_the_reviewer_widens_a_span_over_an_emoji_and_saves(review):
    page, span = review, review.span
    page.keyboard.press("j")
    page.keyboard.press("b")
    page.wait_for_selector(f"#span-{span.pk}.is-adjusting")
    assert page.locator(f"#fix-start-{span.pk}").is_hidden()  # the number inputs give way to the control
    assert page.locator(".adjust-handle").count() == 2 and page.locator(".adjust-end.is-active").count() == 1
    assert announced(page) == "End: Family"
    page.keyboard.press("ArrowRight")  # the space is passed, the family emoji is one character
    assert announced(page) == f"End: Family {FAMILY}"
    page.keyboard.press("Control+ArrowRight")
    assert announced(page) == f"End: Family {FAMILY} went"
    page.keyboard.press("Alt+ArrowLeft")  # as on macOS: back by a word, and the emoji is one
    assert announced(page) == f"End: Family {FAMILY}"
    page.keyboard.press("Tab")
    assert announced(page).startswith("Start: Family") and page.locator(".adjust-start.is-active").count() == 1
    page.keyboard.press("ArrowRight")
    assert announced(page) == f"Start: amily {FAMILY}"
    page.keyboard.press("Shift+Tab")
    assert announced(page) == f"End: amily {FAMILY}"
    press_and_wait_for_swap(page, "Enter")
    assert stored(span) == (1, at(FAMILY) + len(FAMILY))
    assert page.locator(".adjust-handle").count() == 0
    assert page.evaluate("() => CSS.highlights.has('adjust')") is False
    page.wait_for_selector("#review-workspace .notices >> text=Fixed.")


def test_escape_cancels_and_single_key_shortcuts_wait(review):
    page, span = review, review.span
    page.keyboard.press("j")
    page.keyboard.press("b")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("a")  # accept, outside the mode: swallowed inside it
    page.keyboard.press("Escape")
    assert announced(page) == "Adjusting cancelled; the span is as it was."
    assert page.locator(".adjust-handle").count() == 0 and page.locator(".is-adjusting").count() == 0
    assert Annotation.objects.get(pk=span.pk).status == "pending" and stored(span) == (0, 6)


def test_an_end_never_crosses_the_start(review):
    page, span = review, review.span
    page.keyboard.press("j")
    page.keyboard.press("b")
    for _ in range(8):
        page.keyboard.press("ArrowLeft")
    assert announced(page) == "The span cannot be empty."
    page.keyboard.press("Enter")
    page.wait_for_selector(".notices >> text=Fixed.")
    assert stored(span) == (0, 1)


def edge_point(page, edge: str) -> tuple[float, float]:
    box = page.locator(f".adjust-{edge}").bounding_box()
    grip = box["y"] + box["height"] + 5 if edge == "end" else box["y"] - 5  # the round grip outside the line
    return box["x"] + box["width"] / 2, grip


def char_point(page, part: str, fraction: float, container: str = "review-text") -> tuple[float, float]:
    """The screen point `fraction` of the way across the first occurrence of `part` in the text."""
    return tuple(
        page.evaluate(
            """([part, fraction, container]) => {
                const root = document.getElementById(container);
                const index = root.textContent.indexOf(part);
                const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
                let seen = 0, node;
                while ((node = walker.nextNode())) {
                  if (index < seen + node.data.length) break;
                  seen += node.data.length;
                }
                const range = document.createRange();
                range.setStart(node, index - seen);
                range.setEnd(node, index - seen + part.length);
                const rect = range.getClientRects()[0];
                return [rect.left + rect.width * fraction, rect.top + rect.height / 2];
            }""",
            [part, fraction, container],
        )
    )


def drag(page, edge: str, *points: tuple[float, float]) -> None:
    """Press an edge's grip and move it so that the text line under the handle is hit at each point in turn
    (the pointer stays as far below or above the line as where the grip was taken); the button stays down."""
    x, y = edge_point(page, edge)
    box = page.locator(f".adjust-{edge}").bounding_box()
    below = y - (box["y"] + box["height"] / 2)
    page.mouse.move(x, y)
    page.mouse.down()
    for to in points:
        page.mouse.move(to[0], to[1] + below, steps=4)


def preview(page) -> str:
    return page.evaluate("() => CSS.highlights.get('adjust').values().next().value.toString()")


def test_dragging_the_end_handle_snaps_to_a_whole_flag_and_saves_on_release(review):
    page, span = review, review.span
    page.click(f"#span-{span.pk} [data-adjust]")
    drag(page, "end", char_point(page, "Paris", 0.5), char_point(page, "🇫🇷", 0.8))
    assert preview(page) == f"Family {FAMILY} went to Paris 🇫🇷"
    with page.expect_response(lambda response: "/correct" in response.url):
        page.mouse.up()
    page.wait_for_selector(".notices >> text=Fixed.")
    assert stored(span) == (0, at("🇫🇷") + 2)


def test_dragging_the_start_handle_past_the_end_stops_short_and_an_unchanged_release_sends_nothing(review):
    page, span = review, review.span
    page.click(f"#span-{span.pk} [data-adjust]")
    requests = []
    page.on("request", lambda request: requests.append(request.url) if "/correct" in request.url else None)
    x, y = edge_point(page, "start")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 3, y)
    page.mouse.move(x, y)
    page.mouse.up()  # back where it was: nothing to save
    assert requests == [] and page.locator(".adjust-handle").count() == 2
    drag(page, "start", char_point(page, "ily", 0.1))
    page.keyboard.press("Escape")  # calls off the drag, not the adjusting
    page.mouse.up()
    assert requests == [] and page.locator(".adjust-handle").count() == 2 and preview(page) == "Family"
    drag(page, "start", char_point(page, "ily", 0.1))
    assert preview(page) == "ily"
    page.mouse.move(*char_point(page, "went", 0.5), steps=4)  # past the end: the start stays before it
    assert preview(page) == "ily"
    with page.expect_response(lambda response: "/correct" in response.url):
        page.mouse.up()
    page.wait_for_selector(".notices >> text=Fixed.")
    assert stored(span) == (3, 6)


def test_the_mode_takes_arabic_text_by_its_screen_direction(team, sign_in):
    text = "قال الوزير إن الضرائب ستنخفض."
    article = make_article(team["project"], text=text, title="ضرائب", by=team["owner"])
    span = create_annotation(article, author=team["annotator"], label="claim", start=0, end=3)
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
    page = sign_in(team["reviewer"], next_url=f"/assignments/{work.pk}/review/")
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    page.keyboard.press("b")
    page.keyboard.press("Control+ArrowLeft")  # leftward is forward in right-to-left text
    assert announced(page) == "End: قال الوزير"
    press_and_wait_for_swap(page, "Enter")
    assert stored(span) == (0, text.index(" إن"))


@pytest.mark.http_errors(409, 412)
def test_refusals_show_on_the_card_duplicate_then_stale(review, team):
    page, span, work = review, review.span, review.work
    Assignment.objects.filter(pk=work.pk).update(state=AssignmentState.IN_PROGRESS)
    create_annotation(review.article, author=team["annotator"], label="claim", start=0, end=at(FAMILY) + len(FAMILY))
    Assignment.objects.filter(pk=work.pk).update(state=AssignmentState.SUBMITTED)
    page.keyboard.press("j")
    page.keyboard.press("b")
    page.keyboard.press("ArrowRight")
    press_and_wait_for_swap(page, "Enter")
    card = page.locator(f"#span-{span.pk} .span-error")
    assert "Its author already has this label on exactly this span" in card.inner_text()
    assert stored(span) == (0, 6)

    page.keyboard.press("b")  # the card is still selected
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    Annotation.objects.filter(pk=span.pk).update(version=9)  # someone else saved meanwhile
    press_and_wait_for_swap(page, "Enter")
    assert "Someone else changed this meanwhile" in page.inner_text(f"#span-{span.pk} .span-error")
    assert stored(span) == (0, 6)


def test_a_long_text_scrolls_the_active_edge_into_view_and_hides_handles_out_of_it(team, sign_in):
    """The review text scrolls on its own: a handle outside it is hidden, and a key move brings its edge back."""
    filler = "\n".join(f"Line {n} of a long report on the budget." for n in range(80))
    text = filler + "\nThe minister said taxes will fall."
    article = make_article(team["project"], text=text, title="Long", by=team["owner"])
    start = text.index("taxes")
    span = create_annotation(article, author=team["annotator"], label="claim", start=start, end=start + 5)
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
    page = sign_in(team["reviewer"], next_url=f"/assignments/{work.pk}/review/")
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    page.keyboard.press("b")
    assert page.locator(".adjust-end").is_visible()
    page.evaluate("() => { document.getElementById('review-text').scrollTop = 0; }")
    page.wait_for_function("() => document.querySelector('.adjust-end').hidden")
    page.keyboard.press("Control+ArrowRight")
    assert announced(page) == "End: taxes will"
    assert page.locator(".adjust-end").is_visible() and page.locator(".adjust-end").bounding_box()["y"] > 0
    press_and_wait_for_swap(page, "Enter")
    assert stored(span) == (start, start + len("taxes will"))


def test_adjusting_shows_no_serious_accessibility_violations(review):
    page = review
    page.keyboard.press("j")
    page.keyboard.press("b")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(".adjust-help:not([hidden])")
    violations = [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert violations == []
