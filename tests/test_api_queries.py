"""Every API list runs the same number of SQL queries whatever the page size (no N+1)."""

from __future__ import annotations

import pytest

from articles.models import Role
from tests.api_client import annotations_url, api_as, article_url, url
from tests.factories import add_member, make_annotation, make_article, make_project, make_user

ROWS = 12


@pytest.fixture
def busy(team):
    """A project with many members, labels, articles and annotations by different people."""
    project = team["project"]
    for number in range(ROWS):
        add_member(project, Role.ANNOTATOR, make_user(f"member{number}"))
        project.labels.create(key=f"extra{number}", name=f"Extra {number}", color="#000000", order=10 + number)
        make_project(team["viewer"], name=f"Side project {number}")
    articles = [make_article(project, title=f"Busy {number}") for number in range(ROWS)]
    authors = [team["annotator"], team["annotator2"], team["reviewer"]]
    for number in range(ROWS):
        for article in articles[:3]:
            make_annotation(article, author=authors[number % 3], label=f"extra{number}", start=number, end=number + 5)
    return {"articles": articles, **team}


def lists(busy) -> dict[str, tuple[str, int]]:
    """Each list URL with the queries it may run: 1 for the token, then the list's own."""
    project = busy["project"]
    return {
        "projects": (url("project-list"), 1 + 3),  # count, page, labels of the page's projects
        "members": (url("project-member-list", project.pk), 1 + 3),  # project and role, count, page
        "labels": (url("project-label-list", project.pk), 1 + 3),
        "articles": (url("article-list"), 1 + 2),  # count, page with visible-annotation counts
        "filtered articles": (url("article-list") + "?label=extra1&author=annotator&ordering=-annotation_count", 1 + 2),
        "annotations": (annotations_url(busy["articles"][0]), 1 + 3),  # article and role, count, page
    }


@pytest.mark.parametrize("name", ["projects", "members", "labels", "articles", "filtered articles", "annotations"])
def test_list_query_count_does_not_grow_with_the_page_size(busy, django_assert_num_queries, name):
    path, expected = lists(busy)[name]
    client = api_as(busy["viewer"])
    separator = "&" if "?" in path else "?"
    sizes = []
    for page_size in (2, 10):
        with django_assert_num_queries(expected):
            response = client.get(f"{path}{separator}page_size={page_size}")
        assert response.status_code == 200, response.json()
        sizes.append(len(response.json()["results"]))
    assert sizes[0] == 2 and sizes[1] > 2


def test_one_article_with_all_its_annotations_takes_three_queries(busy, django_assert_num_queries):
    client = api_as(busy["viewer"])
    small, big = busy["articles"][3], busy["articles"][0]
    make_annotation(small, author=busy["annotator"])
    for article, count in ((small, 1), (big, ROWS)):
        with django_assert_num_queries(3):  # token, article with role and count, annotations
            response = client.get(article_url(article) + "?include=annotations")
        assert len(response.json()["annotations"]) == count


def test_creating_an_annotation_takes_a_handful_of_queries(busy, django_assert_max_num_queries):
    """The hot path: token, article and role, work lock check, label, insert and history, no more."""
    client = api_as(busy["annotator"])
    with django_assert_max_num_queries(8):
        response = client.post(annotations_url(busy["articles"][5]), {"label": "claim", "start": 0, "end": 7})
    assert response.status_code == 201
