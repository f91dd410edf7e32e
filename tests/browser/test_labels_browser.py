"""The label editor in the browser: an owner adds a label with the mouse, moves it with the keyboard alone,
and deletes a label in use by merging it into another."""

from __future__ import annotations

import pytest

from articles.models import Annotation, Label
from tests.factories import make_annotation, make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def keys(project) -> list[str]:
    return list(Label.objects.filter(project=project).order_by("order", "id").values_list("key", flat=True))


def tab_to(page, element_id: str, limit: int = 200) -> None:
    """Press Tab until the element has the focus, as a keyboard user does."""
    for _ in range(limit):
        if page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


@pytest.mark.http_errors(409)
def test_an_owner_adds_moves_and_merges_labels(sign_in, team):
    project = team["project"]
    opinion = project.labels.get(key="opinion")
    annotation = make_annotation(make_article(project), team["annotator"], label="opinion")
    page = sign_in(team["owner"], next_url=f"/projects/{project.pk}/")
    page.click("nav.tabs >> text=Labels")
    page.wait_for_selector("#label-editor")

    page.click("#new-name")
    page.keyboard.type("Statistic")
    page.fill("#new-color", "#f0e442")
    page.select_option("#new-shortcut", "5")
    page.click("#new-fields")
    page.keyboard.type("value | Value | number")
    page.click("#label-form-new button[type=submit]")
    page.wait_for_selector("#label-statistic")
    assert "Label “Statistic” added." in page.inner_text("#label-editor .notices")
    assert keys(project)[-1] == "statistic"
    # The swapped region links the project's new stylesheet; the browser applies it once it has loaded.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#label-statistic .swatch')).backgroundColor"
        " === 'rgb(240, 228, 66)'"
    )

    statistic = project.labels.get(key="statistic")
    tab_to(page, f"label-{statistic.pk}-up")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#label-list li:nth-child(4)').id === 'label-statistic'")
    assert keys(project) == ["claim", "quote", "source", "statistic", "opinion"]
    assert page.evaluate("() => document.activeElement && document.activeElement.id") == f"label-{statistic.pk}-up"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('#label-list li:nth-child(3)').id === 'label-statistic'")
    assert keys(project) == ["claim", "quote", "statistic", "source", "opinion"]

    page.click("#label-opinion details:last-of-type summary")
    page.click("#label-opinion button.btn-danger-ghost")
    page.wait_for_selector("#label-editor .notice-error")
    assert "in use by 1 annotation" in page.inner_text("#label-editor .notice-error")
    page.click("#label-opinion details:last-of-type summary")
    page.select_option(f"#merge-{opinion.pk}", label="Claim")
    page.click("#label-opinion button.btn-danger-ghost")
    page.wait_for_selector("#label-opinion", state="detached")
    assert "1 annotation moved" in page.inner_text("#label-editor .notices")
    assert Annotation.objects.get(pk=annotation.pk).label.key == "claim"
    assert "opinion" not in keys(project)
