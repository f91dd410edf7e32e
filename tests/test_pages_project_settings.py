"""Setting up a project in the browser: create it (and own it), change its settings, delete it by its name.

The same rules hold for the API (project_write is the one place); guidelines in Markdown are shown
rendered, and nothing a guideline holds runs in the page.
"""

from __future__ import annotations

import lxml.html
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from articles.access import role_in
from articles.errors import InvalidInput
from articles.models import Article, Label, Project, Role, Visibility
from articles.project_write import create_project, update_project
from tests.api_client import api_as, project_url, url
from tests.factories import make_annotation, make_article, make_user
from tests.test_settings import run_manage

pytestmark = pytest.mark.django_db

SETTINGS = {
    "name": "Election desk",
    "description": "Claims of the campaign.",
    "guidelines": "Tag every claim.",
    "guidelines_format": "plain",
    "organisation": "The Herald",
    "visibility": "independent",
    "annotators_per_article": "2",
    "revisions_from_imports": "on",
    "watch_hourly_days": "1",
    "watch_daily_days": "14",
}
QUERIES = 5  # session, user, the project with the role, its article count, its suggesters (their section)
XSS = (
    "# Rules\n\n<script>alert('script')</script>\n\n<img src=x onerror=\"alert('img')\">\n\n"
    "[tricky](javascript:alert('link')) and <a href=\"JaVaScRiPt:alert(1)\">mixed case</a>\n\n"
    '<p style="position:fixed">styled</p> <b onclick="alert(1)">bold</b>\n\n'
    '<iframe src="https://example.org"></iframe><svg onload=alert(1)></svg>'
)


def edit_url(project) -> str:
    return reverse("project_edit", args=[project.pk])


def delete_url(project) -> str:
    return reverse("project_delete", args=[project.pk])


def field_errors(response) -> list[str]:
    return [p.text_content() for p in lxml.html.fromstring(response.content).find_class("field-error")]


# Creating


def test_any_signed_in_user_creates_a_project_and_owns_it(client):
    user = make_user("founder")
    client.force_login(user)
    assert b"New project" in client.get(reverse("project_list")).content
    assert client.get(reverse("project_create")).status_code == 200
    response = client.post(reverse("project_create"), SETTINGS)
    project = Project.objects.get(name="Election desk")
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[project.pk])
    assert role_in(project, user) == Role.OWNER
    assert (project.visibility, project.annotators_per_article, project.organisation) == (
        "independent",
        2,
        "The Herald",
    )
    assert (project.revisions_from_imports, project.watch_hourly_days, project.watch_daily_days) == (True, 1, 14)
    assert list(Label.objects.filter(project=project).values_list("key", flat=True)) == [
        "claim",
        "quote",
        "source",
        "opinion",
    ]


def test_htmx_creation_sends_the_whole_page_to_the_new_project(client):
    client.force_login(make_user())
    response = client.post(reverse("project_create"), SETTINGS, HTTP_HX_REQUEST="true")
    project = Project.objects.get()
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("project_detail", args=[project.pk])


def test_with_project_creation_staff_only_staff_create_on_the_pages_and_the_api(client, settings):
    settings.PROJECT_CREATION = "staff"
    member, staff = make_user("member"), make_user("editor", is_staff=True)
    client.force_login(member)
    assert b"New project" not in client.get(reverse("project_list")).content
    assert client.get(reverse("project_create")).status_code == 403
    assert client.post(reverse("project_create"), SETTINGS).status_code == 403
    assert api_as(member).post(url("project-list"), {"name": "Sneaky"}).status_code == 403
    assert not Project.objects.exists()
    client.force_login(staff)
    assert client.post(reverse("project_create"), SETTINGS).status_code == 302
    assert api_as(staff).post(url("project-list"), {"name": "Second desk"}).status_code == 201
    assert Project.objects.count() == 2


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.post(reverse("project_create"), SETTINGS)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "field,value",
    [
        ("name", ""),
        ("name", "   "),
        ("name", "x" * 201),
        ("name", "Nul\x00here"),
        ("description", "d" * 5001),
        ("guidelines", "Bell\x07"),
        ("guidelines", "g" * 50_001),
        ("organisation", "o\x00"),
        ("visibility", "public"),
        ("guidelines_format", "html"),
        ("annotators_per_article", "0"),
        ("annotators_per_article", "21"),
        ("annotators_per_article", "9" * 30),
        ("watch_hourly_days", "-1"),
        ("watch_daily_days", "3651"),
    ],
)
def test_bad_input_is_a_form_error_beside_its_field_and_nothing_is_stored(client, field, value):
    client.force_login(make_user())
    response = client.post(reverse("project_create"), {**SETTINGS, field: value})
    assert response.status_code == 422
    assert field_errors(response), response.content
    assert not Project.objects.exists()
    htmx = client.post(reverse("project_create"), {**SETTINGS, field: value}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 422 and htmx.content.lstrip().startswith(b'<form id="project-form"')


# Editing


def test_owner_edits_the_settings_and_the_project_page_shows_them(client, team):
    project = team["project"]
    client.force_login(team["owner"])
    page = client.get(edit_url(project))
    assert page.status_code == 200 and b'value="Desk"' in page.content
    changes = {
        **SETTINGS,
        "name": "Desk 2",
        "guidelines": "## Claims\n\nTag **every** claim.",
        "guidelines_format": "markdown",
    }
    response = client.post(edit_url(project), changes)
    assert response.status_code == 302 and response["Location"] == reverse("project_detail", args=[project.pk])
    project.refresh_from_db()
    assert (project.name, project.visibility, project.guidelines_format) == (
        "Desk 2",
        Visibility.INDEPENDENT,
        "markdown",
    )
    detail = client.get(reverse("project_detail", args=[project.pk]))
    tree = lxml.html.fromstring(detail.content)
    guidelines = tree.get_element_by_id("project-guidelines")
    assert guidelines.xpath(".//h2")[0].text_content() == "Claims"
    assert guidelines.xpath(".//strong")[0].text_content() == "every"


def test_plain_text_guidelines_are_escaped_paragraphs(client, team):
    project = team["project"]
    update_project(project, by=team["owner"], changes={"guidelines": "Use <b>care</b>.\n\nSecond **part**."})
    client.force_login(team["annotator"])
    tree = lxml.html.fromstring(client.get(reverse("project_detail", args=[project.pk])).content)
    paragraphs = tree.get_element_by_id("project-guidelines").xpath(".//p")
    assert [p.text_content() for p in paragraphs] == ["Use <b>care</b>.", "Second **part**."]


def test_markdown_guidelines_cannot_run_code_or_carry_styles(client, team):
    project = team["project"]
    client.force_login(team["owner"])
    response = client.post(edit_url(project), {**SETTINGS, "guidelines": XSS, "guidelines_format": "markdown"})
    assert response.status_code == 302
    detail = client.get(reverse("project_detail", args=[project.pk]))
    guidelines = lxml.html.fromstring(detail.content).get_element_by_id("project-guidelines")
    html = lxml.html.tostring(guidelines, encoding="unicode").lower()
    assert guidelines.xpath(".//h1")[0].text_content() == "Rules"
    assert not guidelines.xpath(".//script | .//img | .//iframe | .//svg | .//*[@style] | .//*[@onclick]")
    for payload in ("alert", "javascript:", "onerror", "onload", "style="):
        assert payload not in html, payload
    links = guidelines.xpath(".//a")
    assert [link.text_content() for link in links] == ["tricky", "mixed case"]
    assert all(link.get("href") is None for link in links)


def test_safe_links_in_guidelines_stay_and_open_no_window_handle(client, team):
    project = team["project"]
    changes = {"guidelines": "See [the handbook](https://example.org/handbook).", "guidelines_format": "markdown"}
    update_project(project, by=team["owner"], changes=changes)
    client.force_login(team["viewer"])
    guidelines = lxml.html.fromstring(client.get(reverse("project_detail", args=[project.pk])).content)
    link = guidelines.get_element_by_id("project-guidelines").xpath(".//a")[0]
    assert link.get("href") == "https://example.org/handbook" and "noopener" in link.get("rel")


@pytest.mark.parametrize("role", ["reviewer", "annotator", "viewer"])
def test_members_who_are_not_owners_are_refused_403_and_see_no_settings_tab(client, team, role):
    project = team["project"]
    client.force_login(team[role])
    assert client.get(edit_url(project)).status_code == 403
    assert client.post(edit_url(project), {**SETTINGS, "name": "Mine"}).status_code == 403
    assert client.post(delete_url(project), {"confirm_name": "Desk"}).status_code == 403
    assert edit_url(project).encode() not in client.get(reverse("project_detail", args=[project.pk])).content
    assert Project.objects.get(pk=project.pk).name == "Desk"


def test_owners_find_the_settings_tab_on_the_project_page(client, team):
    client.force_login(team["owner"])
    content = client.get(reverse("project_detail", args=[team["project"].pk])).content
    assert edit_url(team["project"]).encode() in content and b">Settings</a>" in content


def test_outsiders_get_404_as_for_a_missing_project(client, team):
    project = team["project"]
    client.force_login(team["outsider"])
    for target in (edit_url(project), reverse("project_edit", args=[project.pk + 10_000])):
        assert client.get(target).status_code == 404
    assert client.post(edit_url(project), {**SETTINGS, "name": "Mine"}).status_code == 404
    assert client.post(delete_url(project), {"confirm_name": "Desk"}).status_code == 404
    assert Project.objects.get(pk=project.pk).name == "Desk"


def test_bad_edits_show_inline_and_change_nothing(client, team):
    project = team["project"]
    client.force_login(team["owner"])
    response = client.post(edit_url(project), {**SETTINGS, "name": "Nul\x00", "annotators_per_article": "99"})
    assert response.status_code == 422 and len(field_errors(response)) == 2
    assert Project.objects.get(pk=project.pk).name == "Desk"


# Deleting


def test_deleting_needs_the_name_typed_exactly(client, team):
    project = team["project"]
    make_annotation(make_article(project), author=team["annotator"])
    client.force_login(team["owner"])
    for typed in ("", "desk", "Desk!", "Other"):
        response = client.post(delete_url(project), {"confirm_name": typed})
        assert response.status_code == 422 and field_errors(response)
    htmx = client.post(delete_url(project), {"confirm_name": "desk"}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 422 and htmx.content.lstrip().startswith(b'<form id="project-delete"')
    assert Project.objects.filter(pk=project.pk).exists()
    response = client.post(delete_url(project), {"confirm_name": "Desk"})
    assert response.status_code == 302 and response["Location"] == reverse("project_list")
    assert not Project.objects.exists() and not Article.objects.exists()


def test_deleting_answers_only_post(client, team):
    client.force_login(team["owner"])
    assert client.get(delete_url(team["project"])).status_code == 405


# One rule for pages, API and domain


def test_the_api_changes_a_project_through_the_same_checks(team):
    response = api_as(team["owner"]).patch(project_url(team["project"]), {"name": "Bell\x07"})
    assert response.status_code == 400 and "name" in response.json()
    markdown = {"guidelines": "# Rules", "guidelines_format": "markdown"}
    response = api_as(team["owner"]).patch(project_url(team["project"]), markdown)
    assert response.status_code == 200 and response.json()["guidelines_format"] == "markdown"
    assert api_as(team["reviewer"]).patch(project_url(team["project"]), {"name": "Mine"}).status_code == 403


@pytest.mark.parametrize("role", ["owner", "reviewer", "annotator", "viewer", "outsider"])
def test_update_project_refuses_everyone_but_owners(team, role):
    project = Project.objects.get(pk=team["project"].pk)
    if role == "owner":
        assert update_project(project, by=team[role], changes={"name": "Renamed"}).name == "Renamed"
        return
    with pytest.raises(PermissionDenied):
        update_project(project, by=team[role], changes={"name": "Renamed"})
    assert Project.objects.get(pk=project.pk).name == "Desk"


def test_create_project_refuses_fields_it_does_not_set(db):
    with pytest.raises(InvalidInput) as refused:
        create_project(by=make_user(), name="Desk", slug="chosen")
    assert "slug" in refused.value.errors
    assert not Project.objects.exists()


def test_the_annotate_page_shows_the_guidelines_rendered_too(client, team, article):
    changes = {"guidelines": "## Quotes\n\n<script>alert(1)</script>", "guidelines_format": "markdown"}
    update_project(team["project"], by=team["owner"], changes=changes)
    client.force_login(team["annotator"])
    tree = lxml.html.fromstring(client.get(reverse("article_annotate", args=[article.pk])).content)
    popover = tree.get_element_by_id("guidelines")
    assert [h.text_content() for h in popover.xpath(".//h2")] == ["Annotation guidelines", "Quotes"]
    assert "alert" not in lxml.html.tostring(popover, encoding="unicode")


def test_the_settings_page_costs_a_fixed_number_of_queries(client, team, django_assert_num_queries):
    for _ in range(3):
        make_article(team["project"])
    client.force_login(team["owner"])
    client.get(reverse("project_list"))  # the session is read and cached once
    with django_assert_num_queries(QUERIES):
        assert client.get(edit_url(team["project"])).status_code == 200


def test_an_unknown_project_creation_setting_stops_the_server_from_starting():
    result = run_manage("check", DEBUG="1", PROJECT_CREATION="everyone")
    assert result.returncode != 0 and "PROJECT_CREATION" in result.stderr
    assert run_manage("check", DEBUG="1", PROJECT_CREATION="Staff").returncode == 0
