"""Hostile article text, notes and labels in a real browser: shown literally, nothing runs (XSS-1..7)."""

from __future__ import annotations

import pytest

from articles.models import Annotation, Label
from tests.browser.conftest import drag_over, wait_for_workspace
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOSTILE = (
    "Before <script>window.xssRan = 1; alert(1)</script> middle <img src=x onerror=alert(1)> "
    '"><svg onload=alert(1)> <a href="#" hx-get="/accounts/token/" hx-trigger="load" hx-target="body">x</a> '
    '<div hx-on:htmx:load="alert(1)">x</div> &lt;script&gt; &amp; {{ 7*7 }} after.'
)

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || event.sample || ""));
});
"""


def test_hostile_article_text_shows_literally_and_runs_nothing_xss_1(sign_in, team):
    article = make_article(team["project"], text=HOSTILE, title='<img src=x onerror=alert("title")>')
    Label.objects.filter(project=team["project"], key="claim").update(name="<b onmouseover=alert(1)>Claim</b>")
    start = HOSTILE.index("<img")
    make_annotation(
        article, team["annotator"], label="claim", start=start, end=start + 26, note="<script>alert('note')</script>"
    )
    requests: list[str] = []
    page = sign_in(team["annotator"])
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script(WATCH_CSP)
    page.goto(f"/articles/{article.pk}/")
    page.wait_for_selector("#article-text")
    page.click("#ann-list .ann-item")
    page.wait_for_selector("#editor-form")
    page.wait_for_timeout(300)
    assert page.text_content("#article-text") == article.text
    assert page.inner_text("h1.article-title") == '<img src=x onerror=alert("title")>'
    assert page.locator("#article-text *:not(mark, span.tb)").count() == 0
    assert page.locator("img, svg, [onerror], [onload], [onmouseover]").count() == 0
    assert page.evaluate("window.xssRan") is None
    assert "<b onmouseover=alert(1)>Claim</b>" in page.inner_text("#annotation-editor")
    assert page.input_value("#annotation-editor textarea[name=note]") == "<script>alert('note')</script>"
    assert not [url for url in requests if url.endswith("/x") or "/accounts/token/" in url]
    assert page.evaluate("window.__cspViolations") == []


def test_the_whole_create_and_edit_cycle_stays_within_the_csp_xss_7(sign_in, team):
    article = make_article(team["project"], text="The minister said taxes will fall on Tuesday.")
    page = sign_in(team["annotator"])
    page.add_init_script(WATCH_CSP)
    page.goto(f"/articles/{article.pk}/")
    drag_over(page, "taxes will fall")
    page.keyboard.press("1")
    wait_for_workspace(page, 1)
    page.fill("#annotation-editor textarea[name=note]", "<img src=x onerror=alert(1)>")
    page.click("#save-button")
    page.wait_for_selector("#notices >> text=Saved.")
    assert Annotation.objects.get().note == "<img src=x onerror=alert(1)>"
    assert page.locator("#ann-list img").count() == 0
    page.keyboard.press("?")
    page.wait_for_selector("#help-dialog[open]")
    assert page.evaluate("window.__cspViolations") == []
