"""The review page in a real browser: the status badge follows each decision without a reload, and
discussing a span swaps content in without breaking the Content-Security-Policy."""

from __future__ import annotations

import pytest

from articles.models import Assignment, AssignmentState
from tests.browser.conftest import REPORT_CSP_VIOLATIONS
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "The minister said taxes will fall next year. Critics called the plan reckless."


@pytest.fixture
def submitted(team):
    """A submitted assignment with one span, waiting for the reviewer."""
    article = make_article(team["project"], text=TEXT, title="Tax plan", by=team["owner"])
    span = make_annotation(article, team["annotator"], label="claim", start=18, end=43)
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
    return work, span


@pytest.mark.parametrize(
    ("action", "badge", "state"),
    [("approve", "Approved", "approved"), ("request_changes", "Changes requested", "changes_requested")],
)
def test_the_status_badge_shows_the_new_state_after_a_decision(sign_in, team, submitted, action, badge, state):
    work, _ = submitted
    page = sign_in(team["reviewer"], next_url=f"/assignments/{work.pk}/review/")
    page.wait_for_load_state("load")
    assert page.inner_text("#work-state") == "Submitted"
    page.evaluate("() => { window.sameDocument = true; }")
    if action == "request_changes":
        page.fill("#decision-message", "Please check the figure.")
    page.click(f"#action-{action}")
    page.wait_for_selector(f"#review-workspace .notices >> text={badge}.")
    assert Assignment.objects.get(pk=work.pk).state == state
    assert page.inner_text("#work-state") == badge
    assert page.get_attribute("#work-state", "class") == f"state state-{state}"
    assert page.evaluate("() => window.sameDocument") is True  # htmx swapped the region: no reload


def test_commenting_replying_and_resolving_swap_in_no_inline_styles(sign_in, team, submitted):
    """The console guard (conftest) fails this test on any CSP violation while the threads are swapped in."""
    work, span = submitted
    page = sign_in(team["reviewer"], next_url=f"/assignments/{work.pk}/review/")
    page.fill(f"#comment-{span.pk}", "Which budget line is this?")
    page.click(f"#span-{span.pk} .comment-form button")
    page.wait_for_selector(f"#span-{span.pk} .thread >> text=Which budget line is this?")
    page.fill(f"#span-{span.pk} .reply-form input[name=body]", "Line 4.2, I think.")
    page.click(f"#span-{span.pk} .reply-form button:not([name=resolve])")
    page.wait_for_selector(f"#span-{span.pk} .comment.reply >> text=Line 4.2, I think.")
    page.click(f"#span-{span.pk} .reply-form button[name=resolve]")
    page.wait_for_selector(f"#span-{span.pk} .thread.is-resolved")
    assert page.locator("[style]").count() == 0


def test_the_console_guard_sees_an_inline_style_swapped_in(browser, live_server):
    """What the guard relies on: an inline style that the CSP blocks reaches the console as an error."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.add_init_script(REPORT_CSP_VIOLATIONS)
    page.goto("/accounts/login/")
    styled = "<p style='color: red'>x</p>"  # as htmx inserts a swapped-in fragment
    with page.expect_console_message(lambda message: message.type == "error" and "style-src" in message.text):
        page.evaluate("(html) => document.getElementById('flash').insertAdjacentHTML('beforeend', html)", styled)
    context.close()
