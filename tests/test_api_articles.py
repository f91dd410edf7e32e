"""The articles API: owners add and edit, members read and search; filters are an allow-list."""

from __future__ import annotations

import pytest

from articles.models import Annotation, Article, Role, Visibility
from articles.suggesters import read_suggesting
from tests.api_client import api_as, article_url, url
from tests.factories import add_member, make_annotation, make_article, make_project, make_user

ARTICLES = url("article-list")


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def test_owners_add_articles_with_canonical_text_etag_and_location(team):
    payload = {
        "project": team["project"].pk,
        "title": "  Budget day ",
        "text": "Line one\r\nLine two",
        "url": "https://news.example/a",
        "published_at": "2026-03-01T10:00:00+01:00",
        "outlet": "Example",
    }
    response = api_as(team["owner"]).post(ARTICLES, payload)
    assert response.status_code == 201, response.json()
    body = response.json()
    article = Article.objects.get(pk=body["id"])
    assert (article.title, article.text, article.created_by) == ("Budget day", "Line one\nLine two", team["owner"])
    assert body["published_at"] == "2026-03-01T09:00:00Z" and body["annotation_count"] == 0
    assert response["ETag"] == f'"r{article.pk}v1"' and response["Location"].endswith(article_url(article))


@pytest.mark.parametrize("role", ["reviewer", "annotator", "viewer"])
def test_only_owners_add_articles(team, role):
    """AUTHZ-5: managing articles is the owner's."""
    response = api_as(team[role]).post(ARTICLES, {"project": team["project"].pk, "title": "t", "text": "x"})
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_adding_to_someone_elses_project_looks_like_adding_to_no_project(team):
    """AUTHZ-1: a project id you are not in answers exactly like one that does not exist."""
    foreign = make_project()
    client = api_as(team["owner"])
    theirs = client.post(ARTICLES, {"project": foreign.pk, "title": "t", "text": "x"})
    nothing = client.post(ARTICLES, {"project": 999_999_999, "title": "t", "text": "x"})
    assert theirs.status_code == nothing.status_code == 400
    assert theirs.json() == nothing.json()
    assert not Article.objects.exists()


def test_the_same_text_twice_in_a_project_is_refused_with_the_first_articles_id(team, article):
    response = api_as(team["owner"]).post(
        ARTICLES, {"project": team["project"].pk, "title": "Again", "text": article.text}
    )
    assert response.status_code == 400 and response.json()["duplicate_id"] == article.pk


def test_the_list_omits_text_and_the_detail_has_it(team, article):
    row = api_as(team["viewer"]).get(ARTICLES).json()["results"][0]
    assert "text" not in row and row["text_sha256"] == article.text_sha256
    assert api_as(team["viewer"]).get(article_url(article)).json()["text"] == article.text


def test_the_list_shows_only_articles_of_projects_you_belong_to(team, article):
    """AUTHZ-3: no filter reaches another project's rows."""
    foreign = make_article(make_project(), title="Elsewhere")
    client = api_as(team["viewer"])
    assert ids(client.get(ARTICLES)) == [article.pk]
    assert ids(client.get(ARTICLES + f"?project={foreign.project_id}")) == []
    assert api_as(team["outsider"]).get(ARTICLES).json()["count"] == 0
    assert api_as(team["outsider"]).get(article_url(article)).status_code == 404


def test_filters_by_project_status_label_and_author(team):
    first = make_article(team["project"], title="First")
    second = make_article(team["project"], title="Second")
    other_project = make_project(team["owner"])
    third = make_article(other_project, title="Third", by=team["owner"])
    make_annotation(first, author=team["annotator"], label="claim")
    make_annotation(second, author=team["annotator2"], label="quote")
    Article.objects.filter(pk=second.pk).update(status="in_review")
    client = api_as(team["owner"])
    assert set(ids(client.get(ARTICLES + f"?project={team['project'].pk}"))) == {first.pk, second.pk}
    assert ids(client.get(ARTICLES + "?status=in_review")) == [second.pk]
    assert ids(client.get(ARTICLES + "?label=claim")) == [first.pk]
    assert ids(client.get(ARTICLES + "?author=annotator2")) == [second.pk]
    assert ids(client.get(ARTICLES + "?author=nobody")) == []
    assert third.pk in ids(client.get(ARTICLES))


def test_label_and_author_filters_and_counts_see_only_visible_annotations(db):
    """AUTHZ-3: in an independent project a filter cannot reveal where another annotator worked."""
    owner = make_user("boss")
    project = make_project(owner, visibility=Visibility.INDEPENDENT)
    first, second = add_member(project, Role.ANNOTATOR), add_member(project, Role.ANNOTATOR)
    article = make_article(project, by=owner)
    make_annotation(article, author=first, label="opinion")
    client = api_as(second)
    assert ids(client.get(ARTICLES + f"?author={first.username}")) == []
    assert ids(client.get(ARTICLES + "?label=opinion")) == []
    assert client.get(ARTICLES).json()["results"][0]["annotation_count"] == 0
    assert api_as(owner).get(ARTICLES).json()["results"][0]["annotation_count"] == 1


def test_full_text_search_finds_words_in_title_and_text(team):
    budget = make_article(team["project"], title="Budget day", text="The minister presented the budget.")
    storm = make_article(team["project"], title="Storm warning", text="Heavy rain expected on the coast.")
    client = api_as(team["viewer"])
    assert ids(client.get(ARTICLES + "?q=budget")) == [budget.pk]
    assert ids(client.get(ARTICLES + "?q=rain coast")) == [storm.pk]
    assert ids(client.get(ARTICLES + "?q=minister storm")) == []
    assert client.get(ARTICLES + "?q=" + "(.*)+$ ' OR 1=1 --").status_code == 200


def test_ordering_takes_allow_listed_fields_only(team):
    """AUTHZ-4: ?ordering cannot walk to password hashes or tokens (CVE-2023-47117)."""
    make_article(team["project"], title="B")
    make_article(team["project"], title="A")
    client = api_as(team["viewer"])
    titles = [row["title"] for row in client.get(ARTICLES + "?ordering=title").json()["results"]]
    assert titles == ["A", "B"]
    assert [r["title"] for r in client.get(ARTICLES + "?ordering=-title").json()["results"]] == ["B", "A"]
    client.get(ARTICLES + "?ordering=-annotation_count,id").json()
    for probe in ("created_by__password", "-created_by__password", "project__memberships__user__password", "text"):
        response = client.get(ARTICLES + f"?ordering={probe}")
        assert response.status_code == 400, probe


@pytest.mark.parametrize(
    "query",
    [
        "created_by__password__startswith=md5",
        "filter=user__auth_token__key__startswith=a",
        "project__memberships__user__username=owner",
        "search=x",
        "format=json",
    ],
)
def test_unknown_query_parameters_are_refused_so_no_orm_path_reaches_the_database(team, article, query):
    """AUTHZ-4: every parameter is declared; anything else is a 400 whatever the secret's content."""
    response = api_as(team["viewer"]).get(ARTICLES + "?" + query)
    assert response.status_code == 400 and response.json() == {query.split("=")[0]: ["Unknown query parameter."]}


def test_include_annotations_embeds_them_in_text_order(team, article):
    late = make_annotation(article, author=team["annotator"], start=20, end=30)
    early = make_annotation(article, author=team["annotator"], label="quote", start=0, end=7)
    client = api_as(team["viewer"])
    assert client.get(article_url(article)).json()["annotations"] is None
    embedded = client.get(article_url(article) + "?include=annotations").json()["annotations"]
    assert [row["id"] for row in embedded] == [early.pk, late.pk]
    assert client.get(article_url(article) + "?include=comments").status_code == 400


def test_owners_change_metadata_with_if_match(team, article):
    client = api_as(team["owner"])
    etag = client.get(article_url(article))["ETag"]
    response = client.patch(article_url(article), {"title": "Corrected", "outlet": "Daily"}, HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert (response.json()["title"], response.json()["version"]) == ("Corrected", 2)
    assert response["ETag"] == f'"r{article.pk}v2"'
    stale = client.patch(article_url(article), {"title": "Lost"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412 and stale.json()["current"]["title"] == "Corrected"
    assert client.patch(article_url(article), {"title": "No precondition"}).status_code == 428
    assert Article.objects.get(pk=article.pk).title == "Corrected"


def test_non_owners_cannot_change_or_delete_articles(team, article):
    for role in ("reviewer", "annotator", "viewer"):
        client = api_as(team[role])
        assert client.patch(article_url(article), {"title": "x"}, HTTP_IF_MATCH="*").status_code == 403
        assert client.delete(article_url(article), HTTP_IF_MATCH="*").status_code == 403
    assert Article.objects.get(pk=article.pk).title == article.title


def test_text_can_change_until_annotations_point_into_it(team, article):
    client = api_as(team["owner"])
    changed = client.patch(article_url(article), {"text": "A new text."}, HTTP_IF_MATCH="*")
    assert changed.status_code == 200 and changed.json()["text"] == "A new text."
    assert changed.json()["text_sha256"] != article.text_sha256
    article.refresh_from_db()
    make_annotation(article, author=team["annotator"], start=0, end=5)
    refused = client.patch(article_url(article), {"text": "Rewritten."}, HTTP_IF_MATCH=changed["ETag"])
    assert refused.status_code == 400
    assert "new revision" in refused.json()["text"][0] and refused.json()["annotation_count"] == 1
    assert Article.objects.get(pk=article.pk).text == "A new text."


def test_server_set_article_fields_cannot_be_assigned(team, article):
    """AUTHZ-6: project, status, version, hashes and authorship are the server's."""
    client = api_as(team["owner"])
    for field, value in (
        ("project", make_project(team["owner"]).pk),
        ("status", "approved"),
        ("version", 7),
        ("text_sha256", "0" * 64),
        ("created_by", "outsider"),
        ("annotation_count", 3),
    ):
        assert client.patch(article_url(article), {field: value}, HTTP_IF_MATCH="*").status_code == 400, field
    article.refresh_from_db()
    assert (article.version, article.status) == (1, "new")


def test_deleting_an_article_removes_its_annotations(team, article):
    make_annotation(article, author=team["annotator"])
    client = api_as(team["owner"])
    assert client.delete(article_url(article)).status_code == 428
    assert client.delete(article_url(article), HTTP_IF_MATCH='"r0v1"').status_code == 412
    assert client.delete(article_url(article), HTTP_IF_MATCH=f'"r{article.pk}v1"').status_code == 204
    assert not Article.objects.exists() and not Annotation.objects.exists()


@pytest.mark.parametrize("who", ["outsider", "ex_member"])
def test_strangers_and_ex_members_get_404_on_article_urls(team, article, who):
    """AUTHZ-1, AUTHZ-2, AUTHZ-7."""
    user = team["outsider"]
    if who == "ex_member":
        user = add_member(team["project"], Role.OWNER, make_user("former-owner"))
        team["project"].memberships.filter(user=user).delete()
    client = api_as(user)
    assert client.get(article_url(article)).status_code == 404
    assert client.patch(article_url(article), {"title": "x"}, HTTP_IF_MATCH="*").status_code == 404
    assert client.delete(article_url(article), HTTP_IF_MATCH="*").status_code == 404
    assert ids(client.get(ARTICLES)) == []
    assert Article.objects.get(pk=article.pk).title == article.title


def test_an_empty_ordering_keeps_the_default_order_and_ties_break_on_id(team, recwarn):
    """Found by fuzzing: ?ordering=, once cleared the order, so pages could overlap."""
    first = make_article(team["project"], title="Same")
    second = make_article(team["project"], title="Same")
    client = api_as(team["viewer"])
    assert ids(client.get(ARTICLES + "?ordering=,")) == [second.pk, first.pk]
    assert ids(client.get(ARTICLES + "?ordering=title&page_size=1")) == [second.pk]
    assert ids(client.get(ARTICLES + "?ordering=title&page_size=1&page=2")) == [first.pk]
    assert not [w for w in recwarn if type(w.message).__name__ == "UnorderedObjectListWarning"]


def test_hand_built_article_representations_have_exactly_the_declared_fields(team, article):
    """The schema comes from the declared fields, the JSON is built by hand for speed: they agree."""
    from articles.api.serializers import ArticleSerializer, ArticleSummarySerializer

    detail = api_as(team["viewer"]).get(article_url(article)).json()
    assert list(detail) == list(ArticleSerializer().fields)
    row = api_as(team["viewer"]).get(ARTICLES).json()["results"][0]
    assert list(row) == list(ArticleSummarySerializer().fields)
    assert detail["created_at"].endswith("Z") and detail["published_at"] is None and detail["created_by"] == "owner"


def article_payload(project, number: int = 1) -> dict:
    return {
        "project": project.pk,
        "title": f"Budget day {number}",
        "text": f"Report {number}. The minister said “taxes will fall”. " * 80,
        "url": "https://news.example/a",
        "published_at": "2026-03-01T10:00:00+01:00",
    }


@pytest.mark.django_db(transaction=True)
def test_adding_an_article_costs_three_statements(django_assert_num_queries):
    """As in production (autocommit): the token, the project with the caller's role, and the INSERT, which
    also finds duplicates; no uniqueness query before it, no BEGIN/COMMIT, no re-read. (Production adds
    one statement for the rate-limit count, which the test settings turn off.)"""
    owner = make_user("owner")
    project = make_project(owner, name="Desk")
    client = api_as(owner)
    read_suggesting()  # this process knows that no project runs suggesters (it asks again every 10 s)
    with django_assert_num_queries(3) as queries:
        response = client.post(ARTICLES, article_payload(project))
    assert response.status_code == 201, response.json()
    statements = [query["sql"] for query in queries.captured_queries]
    assert not [sql for sql in statements if sql.startswith(("BEGIN", "SAVEPOINT")) or 'FROM "articles_article"' in sql]
    body = response.json()
    assert body["text"] == Article.objects.get(pk=body["id"]).text and body["annotation_count"] == 0
    with django_assert_num_queries(4):  # a duplicate: the refused INSERT, then the stored twin to name it
        again = client.post(ARTICLES, {**article_payload(project), "title": "Again"})
    assert again.status_code == 400 and again.json()["duplicate_id"] == body["id"]


def test_server_set_fields_are_refused_when_adding_an_article(team):
    """AUTHZ-6 on create: read-only and unknown fields are a 400 naming each, and nothing is stored."""
    payload = {**article_payload(team["project"]), "status": "approved", "version": 3, "colour": "red"}
    response = api_as(team["owner"]).post(ARTICLES, payload)
    assert response.status_code == 400
    assert response.json() == {
        "colour": ["Unknown field."],
        "status": ["This field is read-only."],
        "version": ["This field is read-only."],
    }
    assert not Article.objects.exists()


def test_the_same_external_id_twice_is_refused_with_the_first_articles_id(team):
    client = api_as(team["owner"])
    first = client.post(ARTICLES, {**article_payload(team["project"], 1), "external_id": "wire-1"}).json()
    again = client.post(ARTICLES, {**article_payload(team["project"], 2), "external_id": "wire-1"})
    assert again.status_code == 400 and again.json()["duplicate_id"] == first["id"]
    assert again.json()["external_id"] == [
        "This project already has an article with this external id: 'Budget day 1' (id {}).".format(first["id"])
    ]
    assert Article.objects.count() == 1


def test_a_lone_surrogate_in_an_article_text_is_refused_before_the_serializer(team):
    """The text field skips DRF's per-character surrogate loop: the API's parser refuses them in any string."""
    body = '{"project": %d, "title": "t", "text": "bad \\ud800 text"}' % team["project"].pk
    response = api_as(team["owner"]).post(ARTICLES, body, content_type="application/json")
    assert response.status_code == 400 and "surrogate" in response.json()["detail"]
    assert not Article.objects.exists()
