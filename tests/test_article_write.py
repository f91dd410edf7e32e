"""Adding articles: canonical text, limits and duplicate detection."""

import pytest
from django.test import override_settings

from articles.article_write import create_article
from articles.errors import InvalidInput
from articles.models import Article


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
