"""Team review in a real browser: assign, annotate and submit, reject with a comment and request changes,
fix and resubmit, approve from the keyboard; the approved spans export as accepted. Plus axe scans."""

from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from articles.export_scope import ExportFilters, ExportScope, export
from articles.models import Annotation, Assignment, AssignmentState, Comment, ReviewStatus
from tests.browser.conftest import drag_over, wait_for_workspace
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Transport plan\n\n"
    "The minister said taxes will fall next year. Critics called the plan reckless and unfunded.\n\n"
    "“We will not back down,” the minister told reporters."
)


def switch_user(page, sign_in, user, next_url: str):
    if page.locator(".account button").count():
        page.click(".account button")  # Sign out
        page.wait_for_selector("#id_username")
    return sign_in(user, next_url=next_url)


def test_the_whole_review_workflow_in_the_browser(page, sign_in, team):
    article = make_article(team["project"], text=TEXT, title="Transport plan", by=team["owner"])

    # The owner assigns the article by hand on the Assign page.
    sign_in(team["owner"], next_url=f"/projects/{team['project'].pk}/assign/")
    page.check(f"#pick-{article.pk}")
    page.check(f"#annotator-{team['annotator'].pk}")
    page.click("#assign-button")
    page.wait_for_selector("#assignment-table >> text=Saved.")
    work = Assignment.objects.get(article=article)

    # The annotator finds it in their queue, annotates (one label wrong) and submits.
    switch_user(page, sign_in, team["annotator"], "/queue/")
    page.click(f"#assignment-{work.pk} .row-title")
    page.wait_for_selector("#article-text")
    drag_over(page, "taxes will fall next year")
    page.click("#selection-toolbar button[value=claim]")
    wait_for_workspace(page, 1)
    drag_over(page, "We will not back down")
    page.click("#selection-toolbar button[value=opinion]")
    wait_for_workspace(page, 2)
    page.click(".account a >> text=My queue")
    page.click(f'#assignment-{work.pk} button[data-action-name="submit"]')
    page.wait_for_selector("#queue-list >> text=locked until a reviewer answers")
    assert Assignment.objects.get(pk=work.pk).state == AssignmentState.SUBMITTED
    wrong = Annotation.objects.get(label__key="opinion")

    # The reviewer rejects the wrong span with a comment (keyboard: j to move, r to reject) and asks for changes.
    switch_user(page, sign_in, team["reviewer"], f"/projects/{team['project'].pk}/review/")
    page.click(".row-title")
    page.wait_for_selector("#review-spans")
    page.wait_for_load_state("load")  # review.js is deferred: keys pressed before it runs would be lost
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.get_attribute(".review-span.is-selected", "data-span") == str(wrong.pk)
    page.fill(f"#why-{wrong.pk}", "Words attributed to the minister: a quote.")
    page.keyboard.press("Escape")
    page.keyboard.press("r")
    page.wait_for_selector(f"#span-{wrong.pk}.status-rejected")
    assert Comment.objects.get().body == "Words attributed to the minister: a quote."
    page.fill("#decision-message", "Please relabel the rejected span.")
    page.click("#action-request_changes")
    page.wait_for_selector("#work-state, #review-workspace >> text=Changes requested")
    assert Assignment.objects.get(pk=work.pk).state == AssignmentState.CHANGES_REQUESTED

    # The annotator reads the message, fixes the label on the annotate page and resubmits.
    switch_user(page, sign_in, team["annotator"], "/queue/")
    assert "Please relabel the rejected span." in page.inner_text(f"#assignment-{work.pk}")
    page.click(f"#assignment-{work.pk} .row-title")
    page.wait_for_selector("#article-text")
    page.click(f'#article-text mark[data-ids~="{wrong.pk}"]')
    page.wait_for_selector(f'#annotation-editor[data-ann="{wrong.pk}"] #editor-form')
    page.click("#editor-form label.chip-radio.lab-quote")
    page.wait_for_selector(f'#article-text mark.hl-quote[data-ids~="{wrong.pk}"]')
    assert Annotation.objects.get(pk=wrong.pk).status == ReviewStatus.PENDING
    page.click(".account a >> text=My queue")
    page.click(f'#assignment-{work.pk} button[data-action-name="submit"]')
    page.wait_for_selector("#queue-list >> text=locked until a reviewer answers")

    # The reviewer approves with Shift+A; every span not rejected is accepted.
    switch_user(page, sign_in, team["reviewer"], f"/assignments/{work.pk}/review/")
    page.wait_for_selector("#action-approve")
    page.wait_for_load_state("load")
    page.keyboard.press("Shift+A")
    page.wait_for_selector("#review-workspace >> text=Approved.")
    assert Assignment.objects.get(pk=work.pk).state == AssignmentState.APPROVED
    assert set(Annotation.objects.values_list("status", flat=True)) == {ReviewStatus.ACCEPTED}
    scope = ExportScope(team["project"], team["owner"], filters=ExportFilters(statuses=(ReviewStatus.ACCEPTED,)))
    lines = "".join(export(scope, "jsonl", base_url="http://testserver")).splitlines()
    assert sorted(s["label"] for s in json.loads(lines[0])["spans"]) == ["claim", "quote"]


def test_the_review_page_moves_between_spans_and_submissions_from_the_keyboard(page, sign_in, team):
    works = []
    for n in range(2):
        article = make_article(team["project"], text=f"{n}. {TEXT}", by=team["owner"])
        make_annotation(article, team["annotator"], label="claim", start=3, end=17)
        make_annotation(article, team["annotator"], label="quote", start=20, end=32)
        works.append(
            Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
        )
    sign_in(team["reviewer"], next_url=f"/assignments/{works[0].pk}/review/")
    page.wait_for_selector("#review-spans")
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    first = page.get_attribute(".review-span.is-selected", "data-span")
    assert page.locator(f'#review-text mark.is-focused[data-ids~="{first}"]').count() == 1
    page.keyboard.press("a")
    page.wait_for_selector(f"#span-{first}.status-accepted")
    page.keyboard.press("j")
    assert page.get_attribute(".review-span.is-selected", "data-span") != first
    page.keyboard.press("n")
    page.wait_for_url(f"**/assignments/{works[1].pk}/review/")
    page.wait_for_load_state("load")
    page.keyboard.press("p")
    page.wait_for_url(f"**/assignments/{works[0].pk}/review/")


@pytest.mark.parametrize("path", ["review", "dashboard", "agreement", "queue", "adjudicate", "assign"])
def test_review_pages_have_no_serious_accessibility_violations(page, sign_in, team, path):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    for user, end in ((team["annotator"], 30), (team["annotator2"], 27)):
        make_annotation(article, user, label="claim", start=16, end=end)
        Assignment.objects.create(article=article, annotator=user, state=AssignmentState.SUBMITTED)
    work = Assignment.objects.filter(article=article).first()
    project = team["project"].pk
    url = {
        "review": f"/assignments/{work.pk}/review/",
        "dashboard": f"/projects/{project}/dashboard/",
        "agreement": f"/projects/{project}/agreement/",
        "queue": "/queue/",
        "adjudicate": f"/articles/{article.pk}/adjudicate/",
        "assign": f"/projects/{project}/assign/",
    }[path]
    sign_in(team["owner"], next_url=url)
    page.wait_for_selector("main h1")
    violations = [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert violations == []
