"""Helpers for browser tests: sign in through the form, find text on screen, drag over it like a person.

Every page a browser test opens must stay silent: a console error, an uncaught exception or a
Content-Security-Policy violation fails the test at teardown.
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD

# Walk the article text's nodes to the UTF-16 range [start, end) (what the DOM counts).
RANGE_JS = """
([start, end]) => {
  const element = document.getElementById("article-text");
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (start >= seen && start <= seen + length && !range.__started) {
      range.setStart(node, start - seen);
      range.__started = true;
    }
    if (end >= seen && end <= seen + length) { range.setEnd(node, end - seen); break; }
    seen += length;
  }
  return range;
}
"""


# Chromium logs most CSP violations itself; this also reports those it only sends as events, with the directive.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI || event.sample} at ${where}`);
});
"""


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "http_errors(*statuses): the test provokes these HTTP error answers on purpose; the browser's and "
        "htmx's console reports of them are expected",
    )


def is_expected_http_error(text: str, statuses: tuple[int, ...]) -> bool:
    """Whether a console message is Chromium's or htmx's report of an HTTP answer the test provokes."""
    return any(
        f"with a status of {status} " in text or text.startswith(f"Response Status Error Code {status} ")
        for status in statuses
    )


@pytest.fixture(autouse=True)
def silent_console(request):
    """Fail the test if any page it opened logged a console error, threw, or violated the CSP."""
    if "page" not in request.fixturenames:
        yield
        return
    marker = request.node.get_closest_marker("http_errors")
    statuses = marker.args if marker else ()
    page = request.getfixturevalue("page")
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and not is_expected_http_error(message.text, statuses):
            problems.append(f"{message.text} ({page.url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught {error} ({page.url})"))
    page.add_init_script(REPORT_CSP_VIOLATIONS)
    yield
    assert not problems, "Console errors or CSP violations:\n" + "\n".join(problems)


@pytest.fixture
def sign_in(page):
    """Sign in by filling the form, as a person does; returns the page."""

    def sign_in_as(user, next_url: str = ""):
        page.goto("/accounts/login/" + (f"?next={next_url}" if next_url else ""))
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return sign_in_as


def utf16_range(page, quote: str, occurrence: int = 0) -> tuple[int, int]:
    """Return the UTF-16 offsets of `quote` in the page's article text."""
    return page.evaluate(
        """([quote, occurrence]) => {
            const text = document.getElementById("article-text").textContent;
            let index = -1;
            for (let i = 0; i <= occurrence; i++) index = text.indexOf(quote, index + 1);
            return [index, index + quote.length];
        }""",
        [quote, occurrence],
    )


def select_utf16(page, start: int, end: int) -> None:
    """Select the article text between two UTF-16 offsets (the way a drag or Shift+arrows would)."""
    page.evaluate(
        f"""(bounds) => {{
            const range = ({RANGE_JS})(bounds);
            const selection = getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }}""",
        [start, end],
    )


def drag_over(page, quote: str, occurrence: int = 0) -> None:
    """Press the mouse at the first character of `quote` and release it after the last one."""
    start, end = utf16_range(page, quote, occurrence)
    box = page.evaluate(
        f"""(bounds) => {{
            const range = ({RANGE_JS})(bounds);
            const rects = range.getClientRects();
            const first = rects[0], last = rects[rects.length - 1];
            return [first.left + 1, first.top + first.height / 2, last.right - 1, last.top + last.height / 2];
        }}""",
        [start, end],
    )
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, steps=4)
    page.mouse.move(box[2], box[3], steps=4)
    page.mouse.up()
    page.wait_for_selector("#selection-toolbar:not([hidden])")


def wait_for_workspace(page, count: int) -> None:
    """Wait until the sidebar lists `count` annotations (the workspace was swapped in)."""
    page.wait_for_function("(n) => document.querySelectorAll('#ann-list .ann-item').length === n", arg=count)


def double_click_word(page, word: str) -> None:
    """Double-click the middle of `word` in the article text (the browser selects the word)."""
    start, end = utf16_range(page, word)
    x, y = page.evaluate(
        f"""(bounds) => {{
            const rect = ({RANGE_JS})(bounds).getClientRects()[0];
            return [rect.left + rect.width / 2, rect.top + rect.height / 2];
        }}""",
        [start, end],
    )
    page.mouse.dblclick(x, y)
    page.wait_for_selector("#selection-toolbar:not([hidden])")
