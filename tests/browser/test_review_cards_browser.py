"""A reviewer reads a claim's verdict on its card, accepts it with the mouse, accepts the next span from the
keyboard alone, and reads the history entries in words ("Verdict: true → mostly false")."""

from __future__ import annotations

import pytest

from articles.annotation_write import update_annotation
from articles.models import Annotation, Assignment, AssignmentState, ReviewStatus
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = "The minister said taxes will fall next year. Critics cited the Audit Office report on Monday."


def test_a_reviewer_sees_the_verdict_accepts_by_mouse_then_by_keyboard_and_reads_the_history(page, sign_in, team):
    article = make_article(team["project"], text=TEXT, by=team["owner"])
    claim = make_annotation(article, team["annotator"], label="claim", start=18, end=43, attributes={"verdict": "true"})
    update_annotation(claim, by=team["annotator"], changes={"attributes": {"verdict": "mostly false"}})
    source = make_annotation(
        article, team["annotator"], label="source", start=59, end=82, attributes={"name": "Audit Office"}
    )
    work = Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)

    sign_in(team["reviewer"], next_url=f"/assignments/{work.pk}/review/")
    page.wait_for_selector("#review-spans")
    page.wait_for_load_state("load")  # review.js is deferred: keys pressed before it runs would be lost
    card = page.locator(f"#span-{claim.pk}")
    assert "Verdict: mostly false" in " ".join(card.locator(".span-attributes").inner_text().split())

    card.locator(".decide-accept").click()
    page.wait_for_selector(f"#span-{claim.pk}.status-accepted")
    page.keyboard.press("j")
    assert page.get_attribute(".review-span.is-selected", "data-span") == str(source.pk)
    page.keyboard.press("a")
    page.wait_for_selector(f"#span-{source.pk}.status-accepted")
    assert set(Annotation.objects.values_list("status", flat=True)) == {ReviewStatus.ACCEPTED}

    page.locator(f"#span-{claim.pk} .span-history summary").click()
    history = " ".join(page.locator(f"#span-{claim.pk} .span-history").inner_text().split())
    assert "History (3)" in history
    assert "Verdict: true → mostly false" in history and "Status: Pending → Accepted" in history
