"""Living articles through the API: revisions, re-anchoring counts, the diff, orphans and re-attaching."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from articles.models import Annotation, AnnotationEvent, Article, ArticleRevision
from articles.revisions import add_revision
from tests.api_client import annotation_url, annotations_url, api_as, article_url
from tests.factories import make_annotation, make_article
from tests.test_api_annotations import _in_parallel

TEXT = (
    "Mayor 🇺🇦 Olena Petrenko said the bridge would open in May.\n\n"
    "Critics called the plan “a costly mistake” at the meeting.\n\n"
    "東京の記者は「橋は五月に開通する」と書いた。"
)


def revisions_url(article) -> str:
    return reverse("article-revision-list", args=[article.pk])


def revision_url(article, number: int) -> str:
    return reverse("article-revision-detail", args=[article.pk, number])


def diff_url(article, number: int, against: int) -> str:
    return reverse("article-revision-diff", args=[article.pk, number]) + f"?against={against}"


def post_revision(user, article, text, note="", **headers):
    return api_as(user).post(revisions_url(article), {"text": text, "note": note}, **headers)


@pytest.fixture
def story(team):
    article = make_article(team["project"], text=TEXT)
    spans = {
        "mayor": make_annotation(article, team["annotator"], label="quote", quote="Olena Petrenko"),
        "bridge": make_annotation(article, team["annotator"], label="claim", quote="the bridge would open in May"),
        "critics": make_annotation(article, team["annotator2"], label="opinion", quote="a costly mistake"),
        "tokyo": make_annotation(article, team["annotator"], label="quote", quote="橋は五月に開通する"),
    }
    return article, spans


def corrected() -> str:
    return "UPDATED. " + TEXT.replace("open in May", "open in June").replace(
        "Critics called the plan “a costly mistake” at the meeting.\n\n", ""
    )


def test_a_correction_re_anchors_every_annotation_and_answers_with_the_counts(team, story):
    article, spans = story
    response = post_revision(team["reviewer"], article, corrected(), note="Date corrected")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["revision"] == 2
    assert len(body["text_sha256"]) == 64
    assert sum(body["anchoring"].values()) == 4
    assert body["anchoring"]["exact"] == 0  # everything moved by the inserted word
    assert body["anchoring"]["orphaned"] == 1  # the deleted sentence
    article.refresh_from_db()
    assert (article.text_revision, article.text) == (2, corrected())
    for annotation in Annotation.objects.filter(article=article):
        if annotation.anchor_status == "orphaned":
            assert annotation.pk == spans["critics"].pk
            assert (annotation.start, annotation.end, annotation.quote) == (None, None, "a costly mistake")
        else:
            assert article.text[annotation.start : annotation.end] == annotation.quote
            assert annotation.anchored_revision == 2
    mayor = Annotation.objects.get(pk=spans["mayor"].pk)
    assert (mayor.anchor_status, mayor.quote) == ("shifted", "Olena Petrenko")
    assert mayor.version == spans["mayor"].version + 1  # its ETag changes with its place


def test_the_annotation_json_carries_the_anchor_fields_and_orphans_have_null_offsets(team, story):
    article, spans = story
    post_revision(team["owner"], article, corrected())
    listed = api_as(team["reviewer"]).get(annotations_url(article)).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    by_id = {row["id"]: row for row in rows}
    orphan = by_id[spans["critics"].pk]
    assert (orphan["start"], orphan["end"], orphan["utf16_start"]) == (None, None, None)
    assert orphan["anchor_status"] == "orphaned" and orphan["quote"] == "a costly mistake"
    assert orphan["original_quote"] == "a costly mistake" and orphan["anchored_revision"] == 1
    text = Article.objects.get(pk=article.pk).text
    for row in rows:
        if row["anchor_status"] != "orphaned":
            assert text[row["start"] : row["end"]] == row["quote"]
            assert row["anchor_score"] is None or 0 <= row["anchor_score"] <= 1
    tokyo = by_id[spans["tokyo"].pk]
    assert tokyo["anchor_status"] == "shifted" and tokyo["quote"] == "橋は五月に開通する"


def test_a_typo_fixed_inside_a_quote_lands_fuzzy_with_a_score_and_keeps_the_original(team):
    article = make_article(team["project"], text="He said the goverment would resign soon. Then he left the room.")
    annotation = make_annotation(article, team["annotator"], label="quote", quote="the goverment would resign soon")
    response = post_revision(team["owner"], article, article.text.replace("goverment", "government"))
    assert response.json()["anchoring"]["fuzzy"] == 1
    annotation.refresh_from_db()
    assert annotation.anchor_status == "fuzzy" and 0 < annotation.anchor_score <= 1
    assert annotation.quote == "the government would resign soon"
    assert annotation.original_quote == "the goverment would resign soon"
    assert annotation.text_changed
    event = AnnotationEvent.objects.filter(annotation_id=annotation.pk, action="reanchored").get()
    assert event.changes["anchor_status"] == ["exact", "fuzzy"]
    assert event.changes["quote"] == ["the goverment would resign soon", "the government would resign soon"]


def test_the_same_text_again_is_a_200_that_changes_nothing(team, story):
    article, _ = story
    response = post_revision(team["owner"], article, TEXT)
    assert response.status_code == 200
    assert response.json() == {"revision": 1, "changed": False}
    assert not ArticleRevision.objects.exists()


@pytest.mark.parametrize(
    ("text", "field"),
    [("", "text"), ("   \n ", "text"), ("a\x00b", "text")],
)
def test_bad_text_is_a_400_and_nothing_changes(team, story, text, field):
    article, _ = story
    response = post_revision(team["owner"], article, text)
    assert response.status_code == 400
    assert field in response.json()
    assert Article.objects.get(pk=article.pk).text_revision == 1


def test_text_over_the_limit_is_a_400(team, story, settings):
    article, _ = story
    settings.ARTICLE_MAX_CHARS = len(TEXT) + 5
    response = post_revision(team["owner"], article, TEXT + "x" * 10)
    assert response.status_code == 400 and "text" in response.json()


def test_who_may_add_revisions(team, story):
    article, _ = story
    assert post_revision(team["annotator"], article, corrected()).status_code == 403
    assert post_revision(team["viewer"], article, corrected()).status_code == 403
    assert post_revision(team["outsider"], article, corrected()).status_code == 404
    assert api_as(team["outsider"]).get(revisions_url(article)).status_code == 404
    assert post_revision(team["reviewer"], article, corrected()).status_code == 201


def test_a_stale_if_match_is_a_412_and_without_it_a_second_revision_applies_after_the_first(team, story):
    article, _ = story
    etag = api_as(team["owner"]).get(article_url(article))["ETag"]
    first = post_revision(team["owner"], article, corrected(), HTTP_IF_MATCH=etag)
    assert first.status_code == 201
    stale = post_revision(team["reviewer"], article, corrected() + " More.", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["current"]["text_revision"] == 2
    later = post_revision(team["reviewer"], article, corrected() + " More.")
    assert later.status_code == 201 and later.json()["revision"] == 3


def test_revisions_are_listed_newest_first_and_read_with_their_text(team, story):
    article, _ = story
    one = api_as(team["viewer"]).get(revisions_url(article)).json()
    assert [r["revision"] for r in one] == [1] and one[0]["source"] == "manual"
    post_revision(team["owner"], article, corrected(), note="Date corrected")
    listed = api_as(team["viewer"]).get(revisions_url(article)).json()
    assert [r["revision"] for r in listed] == [2, 1]
    assert listed[0]["note"] == "Date corrected" and listed[0]["source"] == "manual"
    assert set(listed[0]["anchoring"]) == {"exact", "shifted", "fuzzy", "orphaned"}
    assert "text" not in listed[0]
    assert api_as(team["viewer"]).get(revision_url(article, 1)).json()["text"] == TEXT
    assert api_as(team["viewer"]).get(revision_url(article, 2)).json()["text"] == corrected()
    assert api_as(team["viewer"]).get(revision_url(article, 3)).status_code == 404


def test_the_diff_is_word_level_in_code_points_and_rebuilds_both_texts(team, story):
    article, _ = story
    post_revision(team["owner"], article, corrected())
    ops = api_as(team["viewer"]).get(diff_url(article, 2, 1)).json()
    assert "".join(op["text"] for op in ops if op["op"] != "insert") == TEXT
    assert "".join(op["text"] for op in ops if op["op"] != "delete") == corrected()
    assert {"op": "insert", "text": "June"} in ops
    deleted = [op["text"] for op in ops if op["op"] == "delete"]
    assert len(deleted) == 1 and deleted[0].startswith("May") and "a costly mistake" in deleted[0]
    assert api_as(team["viewer"]).get(diff_url(article, 2, 9)).status_code == 404
    assert api_as(team["viewer"]).get(reverse("article-revision-diff", args=[article.pk, 2])).status_code == 400


def test_orphans_are_filtered_and_re_attached_with_if_match(team, story):
    article, spans = story
    post_revision(team["owner"], article, corrected())
    listed = api_as(team["reviewer"]).get(annotations_url(article) + "?anchor_status=orphaned").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["id"] for row in rows] == [spans["critics"].pk]
    orphan = api_as(team["reviewer"]).get(annotation_url(spans["critics"]))
    url = annotation_url(spans["critics"]) + "reanchor/"
    assert api_as(team["reviewer"]).post(url, {"quote": "Mayor"}).status_code == 428
    assert api_as(team["viewer"]).post(url, {"quote": "Mayor"}, HTTP_IF_MATCH=orphan["ETag"]).status_code == 403
    missing = api_as(team["reviewer"]).post(url, {"quote": "not in the text"}, HTTP_IF_MATCH=orphan["ETag"])
    assert missing.status_code == 400 and "quote" in missing.json()
    done = api_as(team["reviewer"]).post(url, {"quote": "costly"}, HTTP_IF_MATCH=orphan["ETag"])
    assert done.status_code == 400  # "costly" is no longer in the text either
    text = Article.objects.get(pk=article.pk).text
    start = text.index("bridge")
    done = api_as(team["reviewer"]).post(url, {"start": start, "end": start + 6}, HTTP_IF_MATCH=orphan["ETag"])
    assert done.status_code == 200, done.json()
    body = done.json()
    assert (body["anchor_status"], body["start"], body["quote"]) == ("exact", start, "bridge")
    assert body["original_quote"] == "a costly mistake" and body["anchored_revision"] == 2
    again = api_as(team["reviewer"]).post(url, {"start": 0, "end": 7}, HTTP_IF_MATCH=orphan["ETag"])
    assert again.status_code == 412


def test_an_orphan_cannot_be_moved_by_patch_but_its_note_can_change(team, story):
    article, spans = story
    post_revision(team["owner"], article, corrected())
    response = api_as(team["annotator2"]).get(annotation_url(spans["critics"]))
    moved = api_as(team["annotator2"]).patch(
        annotation_url(spans["critics"]), {"start": 0, "end": 5}, HTTP_IF_MATCH=response["ETag"]
    )
    assert moved.status_code == 400 and "re-attach" in str(moved.json())
    noted = api_as(team["annotator2"]).patch(
        annotation_url(spans["critics"]), {"note": "gone from the page"}, HTTP_IF_MATCH=response["ETag"]
    )
    assert noted.status_code == 200 and noted.json()["start"] is None


def test_a_deleted_annotation_restored_after_a_revision_lands_on_the_new_text(team):
    article = make_article(team["project"], text="One two three. Four five six. Seven eight nine.")
    annotation = make_annotation(article, team["annotator"], label="claim", quote="Seven eight")
    from articles.annotation_write import delete_annotation, restore_annotation

    delete_annotation(annotation, by=team["annotator"])
    add_revision(article, by=team["owner"], text="Zero. " + article.text)
    article.refresh_from_db()
    restored = restore_annotation(article, annotation.pk, by=team["annotator"])
    assert article.text[restored.start : restored.end] == "Seven eight"
    assert restored.anchored_revision == 2


def test_patching_the_text_of_an_annotated_article_points_at_revisions(team, story):
    article, _ = story
    etag = api_as(team["owner"]).get(article_url(article))["ETag"]
    response = api_as(team["owner"]).patch(article_url(article), {"text": corrected()}, HTTP_IF_MATCH=etag)
    assert response.status_code == 400
    assert "revisions" in response.json()["text"][0]


def test_reading_revisions_costs_a_fixed_number_of_queries(team, story, django_assert_max_num_queries):
    article, _ = story
    for number in range(3):
        add_revision(article, by=team["owner"], text=f"{number}. {TEXT}")
        article.refresh_from_db()
    client = api_as(team["viewer"])
    client.get(revisions_url(article))  # the token and session warm up
    with django_assert_max_num_queries(4):
        assert len(client.get(revisions_url(article)).json()) == 4


@pytest.mark.django_db(transaction=True)
def test_two_revisions_at_once_one_wins_with_if_match_and_both_apply_in_turn_without(team):
    """Real parallel connections: the article's row lock orders them; a stale If-Match is a 412."""
    if connection.vendor != "postgresql":
        pytest.skip("needs parallel database connections with row locks (PostgreSQL)")
    article = make_article(team["project"], text=TEXT)
    make_annotation(article, team["annotator"], label="quote", quote="Olena Petrenko")
    etag = api_as(team["owner"]).get(article_url(article))["ETag"]
    owner, reviewer = team["owner"], team["reviewer"]
    guarded = _in_parallel(
        lambda: post_revision(owner, article, "A. " + TEXT, HTTP_IF_MATCH=etag).status_code,
        lambda: post_revision(reviewer, article, "B. " + TEXT, HTTP_IF_MATCH=etag).status_code,
    )
    assert sorted(guarded) == [201, 412]
    both = _in_parallel(
        lambda: post_revision(owner, article, "C. " + TEXT).status_code,
        lambda: post_revision(reviewer, article, "D. " + TEXT).status_code,
    )
    assert both == [201, 201]
    article.refresh_from_db()
    assert article.text_revision == 4
    assert list(ArticleRevision.objects.filter(article=article).values_list("number", flat=True)) == [4, 3, 2, 1]
    quote = Annotation.objects.get(article=article)
    assert article.text[quote.start : quote.end] == "Olena Petrenko" and quote.anchored_revision == 4
