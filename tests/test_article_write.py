"""Adding articles: canonical text, limits and duplicate detection."""

from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.test import override_settings

from articles.access import projects_for
from articles.article_write import create_article
from articles.errors import InvalidInput
from articles.models import Article
from articles.suggesters import read_suggesting
from tests.factories import make_project, make_user


def test_text_is_stored_canonical_with_its_hash(team):
    article = create_article(team["project"], by=team["owner"], title=" Café ", text="Cafe\u0301 opens\r\ntoday")
    assert article.text == "Café opens\ntoday" and article.title == "Café"
    assert len(article.text_sha256) == 64 and article.created_by == team["owner"]


@pytest.mark.parametrize(
    ("title", "text", "field"),
    [("T", "   \n ", "text"), ("", "Some text", "title"), ("T", "a\x00b", "text"), ("T", 42, "text")],
)
def test_bad_articles_are_refused_with_the_field_at_fault(team, title, text, field):
    with pytest.raises(InvalidInput) as error:
        create_article(team["project"], by=team["owner"], title=title, text=text)
    assert field in error.value.errors
    assert not Article.objects.exists()


@override_settings(ARTICLE_MAX_CHARS=10)
def test_over_long_text_is_refused(team):
    """INPUT-5: the article length limit is enforced."""
    with pytest.raises(InvalidInput, match="longer than 10"):
        create_article(team["project"], by=team["owner"], title="T", text="x" * 11)


def test_the_same_text_twice_is_reported_as_a_duplicate(team):
    first = create_article(team["project"], by=team["owner"], title="One", text="Same words.")
    with pytest.raises(InvalidInput) as error:
        create_article(team["project"], by=team["owner"], title="Two", text="Same words.\r\n"[:-2])
    assert error.value.extra["duplicate_id"] == first.pk


def test_the_same_external_id_twice_is_reported_as_a_duplicate(team):
    create_article(team["project"], by=team["owner"], title="One", text="Alpha.", external_id="wire-1")
    with pytest.raises(InvalidInput, match="already has"):
        create_article(team["project"], by=team["owner"], title="Two", text="Beta.", external_id="wire-1")


def test_a_duplicate_refused_inside_a_transaction_leaves_the_transaction_usable(team):
    """The INSERT finds the duplicate; inside a transaction it runs in a savepoint, so the caller goes on."""
    first = create_article(team["project"], by=team["owner"], title="One", text="Alpha.", external_id="wire-1")
    with transaction.atomic():
        with pytest.raises(InvalidInput) as error:
            create_article(team["project"], by=team["owner"], title="Two", text="Beta.", external_id="wire-1")
        second = create_article(team["project"], by=team["owner"], title="Three", text="Gamma.")
    assert error.value.extra["duplicate_id"] == first.pk and "'One'" in error.value.errors["external_id"][0]
    assert set(Article.objects.values_list("pk", flat=True)) == {first.pk, second.pk}


@pytest.mark.django_db(transaction=True)
def test_adding_an_article_outside_a_transaction_is_one_insert(django_assert_num_queries):
    """As a request adds it (autocommit): no duplicate lookup first, no BEGIN and COMMIT around the INSERT."""
    owner = make_user("owner")
    project = projects_for(owner).get(pk=make_project(owner).pk)  # with the owner's role, as the API reads it
    read_suggesting()  # this process knows that no project runs suggesters (it asks again every 10 s)
    with django_assert_num_queries(1) as queries:
        article = create_article(project, by=owner, title="One", text="Alpha.")
    assert "BEGIN" not in queries.captured_queries[0]["sql"] and Article.objects.get().pk == article.pk
    with django_assert_num_queries(2), pytest.raises(InvalidInput) as error:  # the refused INSERT, then the twin
        create_article(project, by=owner, title="Two", text="Alpha.")
    assert error.value.extra["duplicate_id"] == article.pk


def test_an_added_article_reads_back_field_for_field(team):
    """On PostgreSQL articles go in through a hand-written INSERT built from the model's fields: every
    field, a new one too, must come back from the database exactly as the object was left."""
    published = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    article = create_article(
        team["project"],
        by=team["owner"],
        title="Budget ✓",
        text="The minister said “taxes will fall”. 🚲",
        byline="A. Writer",
        outlet="The Daily",
        url="https://example.test/budget",
        published_at=published,
        language="en",
        external_id="budget-1",
    )
    stored = Article.objects.get(pk=article.pk)
    for field in Article._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(article, field.attname), field.name
