"""The project list, a project's article list (search, filters, counts, pages) and its label stylesheet."""

from __future__ import annotations

import lxml.html
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import ArticleStatus, Label, Visibility
from articles.views.label_styles import label_stylesheet
from tests.factories import make_annotation, make_article, make_project

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    tree = lxml.html.fromstring(response.content)
    return [link.text_content() for link in tree.find_class("row-title")]


def test_project_list_shows_only_the_users_projects_with_their_role(client, team):
    make_project(name="Someone else's desk")
    client.force_login(team["annotator"])
    response = client.get(reverse("project_list"))
    assert b"Desk" in response.content and b"Annotator" in response.content
    assert b"Someone else" not in response.content


def test_non_members_get_404_for_the_project_page_and_its_stylesheet_authz_1(client, team):
    project = team["project"]
    client.force_login(team["outsider"])
    for name in ("project_detail", "project_labels_css", "article_create"):
        assert client.get(reverse(name, args=[project.pk])).status_code == 404
    missing = client.get(reverse("project_detail", args=[project.pk + 10_000]))
    assert missing.status_code == 404


def test_project_page_lists_articles_with_per_label_counts(client, team):
    article = make_article(team["project"], title="Budget story")
    make_annotation(article, team["annotator"], label="claim")
    make_annotation(article, team["annotator"], label="quote", start=2, end=9)
    client.force_login(team["viewer"])
    response = client.get(reverse("project_detail", args=[team["project"].pk]))
    assert response.status_code == 200
    assert titles(response) == ["Budget story"]
    tree = lxml.html.fromstring(response.content)
    totals = {
        chip.text_content().split()[0]: chip.text_content().split()[-1]
        for chip in tree.get_element_by_id("article-list").find_class("list-summary")[0].find_class("count-chip")
    }
    assert totals == {"Claim": "1", "Quote": "1", "Source": "0", "Opinion": "0"}


def test_search_and_status_filter_narrow_the_list(client, team):
    project = team["project"]
    make_article(project, title="Hospital opens", text="The new hospital in Riverside opens in spring.")
    make_article(project, title="Tram plan", text="The council debates the tram plan.")
    approved = make_article(project, title="Budget approved", text="The budget was approved on Monday.")
    approved.status = ArticleStatus.APPROVED
    approved.save()
    client.force_login(team["annotator"])
    url = reverse("project_detail", args=[project.pk])
    assert titles(client.get(url, {"q": "hospital"})) == ["Hospital opens"]
    assert titles(client.get(url, {"q": "council tram"})) == ["Tram plan"]
    assert titles(client.get(url, {"status": "approved"})) == ["Budget approved"]
    assert titles(client.get(url, {"q": "nothing-like-this"})) == []


def test_label_and_author_filters_use_visible_annotations(client, team):
    project = team["project"]
    quoted = make_article(project, title="Quoted")
    make_article(project, title="Plain")
    make_annotation(quoted, team["annotator2"], label="quote")
    client.force_login(team["annotator"])
    url = reverse("project_detail", args=[project.pk])
    assert titles(client.get(url, {"label": "quote"})) == ["Quoted"]
    assert titles(client.get(url, {"author": str(team["annotator2"].pk)})) == ["Quoted"]
    assert titles(client.get(url, {"author": str(team["annotator"].pk)})) == []


def test_independent_projects_do_not_leak_others_annotations_through_filters_or_counts_authz_3(client, team):
    project = team["project"]
    project.visibility = Visibility.INDEPENDENT
    project.save()
    article = make_article(project, title="Blind")
    make_annotation(article, team["annotator2"], label="quote")
    client.force_login(team["annotator"])
    url = reverse("project_detail", args=[project.pk])
    assert titles(client.get(url, {"label": "quote"})) == []
    assert titles(client.get(url, {"author": str(team["annotator2"].pk)})) == []
    assert b"No annotations" in client.get(url).content
    client.force_login(team["reviewer"])
    assert titles(client.get(url, {"label": "quote"})) == ["Blind"]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "bogus"},
        {"label": "user__password"},
        {"author": "abc"},
        {"author": "99999999"},
        {"page": "-3"},
        {"q": "a" * 500},
    ],
)
def test_odd_filter_values_are_reported_not_obeyed_authz_4(client, team, query):
    make_article(team["project"], title="Visible")
    client.force_login(team["annotator"])
    response = client.get(reverse("project_detail", args=[team["project"].pk]), query)
    assert response.status_code == 200
    assert titles(response) == ["Visible"]


def test_pages_hold_25_articles_and_link_to_the_next_page(client, team):
    for number in range(27):
        make_article(team["project"], title=f"Story {number:02d}")
    client.force_login(team["annotator"])
    url = reverse("project_detail", args=[team["project"].pk])
    first = client.get(url)
    assert len(titles(first)) == 25 and b"Page 1 of 2" in first.content
    second = client.get(url, {"page": 2})
    assert titles(second) == ["Story 01", "Story 00"]


def test_htmx_requests_get_only_the_article_list_region(client, team):
    make_article(team["project"], title="Only this")
    client.force_login(team["annotator"])
    response = client.get(reverse("project_detail", args=[team["project"].pk]), {"q": "only"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="article-list"')
    assert "<html" not in html and "Only this" in html
    assert "HX-Request" in response["Vary"]


def test_project_page_costs_the_same_queries_for_3_or_30_articles(client, team):
    project = team["project"]
    url = reverse("project_detail", args=[project.pk])
    client.force_login(team["annotator"])

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"label": "claim"}).status_code == 200
        return len(queries)

    for _ in range(3):
        make_annotation(make_article(project), team["annotator"])
    few = count_queries()
    for _ in range(27):
        make_annotation(make_article(project), team["annotator"])
    assert count_queries() == few <= 12


def test_article_titles_with_payloads_stay_text_xss_1(client, team):
    payload = '<script>alert(1)</script><img src=x onerror=alert(1)>"><svg onload=alert(1)>'
    make_article(team["project"], title=payload)
    client.force_login(team["annotator"])
    response = client.get(reverse("project_detail", args=[team["project"].pk]))
    assert titles(response) == [payload]
    tree = lxml.html.fromstring(response.content)
    assert not tree.get_element_by_id("article-list").xpath(".//script | .//img | .//svg")


def test_label_stylesheet_is_css_for_members_only(client, team):
    client.force_login(team["viewer"])
    response = client.get(reverse("project_labels_css", args=[team["project"].pk]), {"v": "x"})
    assert response["Content-Type"] == "text/css; charset=utf-8"
    assert ".hl-claim { --c: #e69f00;" in response.content.decode()
    assert "immutable" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_label_stylesheet_skips_colours_and_keys_that_are_not_safe_xss_3(team):
    project = team["project"]
    hostile = [
        Label(project=project, key="evil", name="x", color="red;background:url(javascript:alert(1))"),
        Label(project=project, key="evil2", name="x", color='#fff" onmouseover="alert(1)'),
        Label(project=project, key="a}b{c", name="x", color="#123456"),
        Label(project=project, key="fine", name="x", color="#ABCDEF"),
    ]
    css = label_stylesheet(hostile)
    assert "javascript" not in css and "onmouseover" not in css and "a}b" not in css
    assert ".hl-fine { --c: #abcdef; --u: solid; }" in css
