"""Creating, editing, deleting and restoring annotations from the annotate page (htmx and plain POST)."""

from __future__ import annotations

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from articles.annotation_write import update_annotation
from articles.models import Annotation, AnnotationEvent
from tests.factories import make_annotation, make_article

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def create(client, article, **data):
    return client.post(reverse("annotation_create", args=[article.pk]), data, **HTMX)


def notices(response) -> str:
    tree = lxml.html.fromstring(response.content)
    return " ".join(tree.get_element_by_id("notices").text_content().split())


def test_creating_an_annotation_returns_the_workspace_with_it_selected(client, team, article):
    client.force_login(team["annotator"])
    start = article.text.index("taxes will fall")
    response = create(client, article, label="claim", start=start, end=start + 15, quote="taxes will fall")
    annotation = Annotation.objects.get()
    assert response.status_code == 200
    assert (annotation.author, annotation.label.key, annotation.quote) == (
        team["annotator"],
        "claim",
        "taxes will fall",
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="workspace" class="workspace"')
    assert f'id="notices" data-selected="{annotation.pk}"' in html
    assert f'data-ids="{annotation.pk}"' in html and 'id="editor-form"' in html


def test_offsets_are_code_points_after_emoji_and_astral_characters_data_1(client, team):
    article = make_article(team["project"], text="👩🏽‍⚖️ said “café” 𝒳 then spoke.")
    client.force_login(team["annotator"])
    start = article.text.index("said")
    assert start == 6  # woman, skin tone, ZWJ, scales, VS16, space: code points, not UTF-16 units
    response = create(client, article, label="quote", start=start, end=start + 4, quote="said")
    assert response.status_code == 200
    annotation = Annotation.objects.get()
    assert (annotation.start, annotation.end, annotation.quote) == (6, 10, "said")
    assert article.text[annotation.start : annotation.end] == annotation.quote


def test_a_quote_that_does_not_match_the_offsets_is_refused_data_2(client, team, article):
    client.force_login(team["annotator"])
    response = create(client, article, label="claim", start=0, end=7, quote="Nothing")
    assert response.status_code == 422
    assert "quote does not match" in notices(response)
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"label": "claim"},
        {"label": "claim", "start": "5", "end": "2"},
        {"label": "claim", "start": "-1", "end": "3"},
        {"label": "nope", "start": 0, "end": 3},
        {"label": "claim", "start": "0", "end": "99999999"},
        {"start": 0, "end": 3},
    ],
)
def test_bad_spans_get_a_readable_422_and_store_nothing(client, team, article, data):
    client.force_login(team["annotator"])
    response = create(client, article, **data)
    assert response.status_code == 422
    assert notices(response)
    assert not Annotation.objects.exists()


def test_a_quote_alone_is_found_in_the_text(client, team, article):
    client.force_login(team["annotator"])
    response = create(client, article, label="quote", quote="taxes will fall")
    assert response.status_code == 200
    annotation = Annotation.objects.get()
    assert article.text[annotation.start : annotation.end] == "taxes will fall"


def test_an_ambiguous_quote_asks_for_more_context(client, team):
    article = make_article(team["project"], text="The plan. The plan. The plan.")
    client.force_login(team["annotator"])
    response = create(client, article, label="claim", quote="The plan")
    assert response.status_code == 422
    assert "occurs 3 times" in notices(response)


def test_a_double_submit_stores_one_annotation_and_says_so_conc_2(client, team, article):
    client.force_login(team["annotator"])
    first = create(client, article, label="claim", start=0, end=7)
    second = create(client, article, label="claim", start=0, end=7)
    assert (first.status_code, second.status_code) == (200, 409)
    assert Annotation.objects.count() == 1
    assert "already have this label" in notices(second)
    assert f'data-selected="{Annotation.objects.get().pk}"' in second.content.decode()


def test_viewers_cannot_create_edit_or_delete_authz_2(client, team, article):
    annotation = make_annotation(article, team["annotator"])
    client.force_login(team["viewer"])
    assert create(client, article, label="claim", start=0, end=3).status_code == 403
    assert (
        client.post(reverse("annotation_update", args=[annotation.pk]), {"version": 1, "note": "x"}, **HTMX).status_code
        == 403
    )
    assert client.post(reverse("annotation_delete", args=[annotation.pk]), {"version": 1}, **HTMX).status_code == 403
    annotation.refresh_from_db()
    assert (Annotation.objects.count(), annotation.note, annotation.version) == (1, "", 1)


def test_outsiders_get_404_for_every_write_authz_2(client, team, article):
    annotation = make_annotation(article, team["annotator"])
    client.force_login(team["outsider"])
    assert create(client, article, label="claim", start=0, end=3).status_code == 404
    assert client.post(reverse("annotation_update", args=[annotation.pk]), {"version": 1}).status_code == 404
    assert client.post(reverse("annotation_delete", args=[annotation.pk]), {"version": 1}).status_code == 404
    assert client.post(reverse("annotation_restore", args=[article.pk, annotation.pk])).status_code == 404
    assert Annotation.objects.count() == 1


def test_annotators_edit_their_own_but_not_others_authz_5(client, team, article):
    mine = make_annotation(article, team["annotator"])
    theirs = make_annotation(article, team["annotator2"], label="quote")
    client.force_login(team["annotator"])
    url = reverse("annotation_update", args=[theirs.pk])
    assert client.post(url, {"version": 1, "note": "hijack"}, **HTMX).status_code == 403
    ok = client.post(reverse("annotation_update", args=[mine.pk]), {"version": 1, "note": "mine"}, **HTMX)
    assert ok.status_code == 200
    client.force_login(team["reviewer"])
    assert client.post(url, {"version": 1, "note": "reviewed"}, **HTMX).status_code == 200
    theirs.refresh_from_db()
    assert theirs.note == "reviewed"


def test_editing_label_note_and_attributes(client, team, article):
    annotation = make_annotation(article, team["annotator"], label="claim")
    client.force_login(team["annotator"])
    url = reverse("annotation_update", args=[annotation.pk])
    response = client.post(
        url,
        {"version": 1, "note": "Check the budget", "attr-verdict": "mostly false", "attr-check_worthiness": "high"},
        **HTMX,
    )
    assert response.status_code == 200 and "Saved." in notices(response)
    annotation.refresh_from_db()
    assert annotation.note == "Check the budget" and annotation.version == 2
    assert annotation.attributes == {"verdict": "mostly false", "check_worthiness": "high"}
    relabel = client.post(url, {"version": 2, "label": "quote"}, **HTMX)
    assert relabel.status_code == 200
    annotation.refresh_from_db()
    assert (annotation.label.key, annotation.note, annotation.version) == ("quote", "Check the budget", 3)
    assert 'name="attr-speaker"' in relabel.content.decode()


def test_invalid_attribute_values_are_shown_in_the_editor(client, team, article):
    annotation = make_annotation(article, team["annotator"], label="source")
    client.force_login(team["annotator"])
    response = client.post(
        reverse("annotation_update", args=[annotation.pk]),
        {"version": 1, "attr-url": "javascript:alert(1)", "label": "source"},
        **HTMX,
    )
    assert response.status_code == 422
    assert b"give an http:// or https:// address" in response.content
    annotation.refresh_from_db()
    assert annotation.attributes == {} and annotation.version == 1


def test_a_stale_version_shows_who_changed_it_and_the_current_state_conc_1(client, team, article):
    annotation = make_annotation(article, team["annotator"], label="claim")
    update_annotation(annotation, by=team["reviewer"], changes={"note": "Reviewer's note"})
    client.force_login(team["annotator"])
    response = client.post(
        reverse("annotation_update", args=[annotation.pk]), {"version": 1, "note": "My note"}, **HTMX
    )
    assert response.status_code == 412
    html = response.content.decode()
    assert 'id="stale-message"' in html and "reviewer changed this annotation" in html
    assert "My note" in html  # what the user wrote is shown, not lost
    assert "Reviewer&#x27;s note</textarea>" in html  # the editor holds the current state
    assert 'name="version" value="2"' in html
    annotation.refresh_from_db()
    assert annotation.note == "Reviewer's note"


def test_deleting_offers_undo_and_undo_restores_the_same_annotation(client, team, article):
    annotation = make_annotation(article, team["annotator"], note="keep me")
    client.force_login(team["annotator"])
    deleted = client.post(reverse("annotation_delete", args=[annotation.pk]), {"version": 1}, **HTMX)
    assert deleted.status_code == 200 and not Annotation.objects.exists()
    restore_url = reverse("annotation_restore", args=[article.pk, annotation.pk])
    assert f'hx-post="{restore_url}"' in deleted.content.decode()
    restored = client.post(restore_url, **HTMX)
    assert restored.status_code == 200 and "Annotation restored." in notices(restored)
    again = Annotation.objects.get()
    assert (again.pk, again.note) == (annotation.pk, "keep me")
    twice = client.post(restore_url, **HTMX)
    assert twice.status_code == 422 and "no deleted annotation" in notices(twice)


def test_deleting_with_a_stale_version_deletes_nothing(client, team, article):
    annotation = make_annotation(article, team["annotator"])
    update_annotation(annotation, by=team["reviewer"], changes={"note": "changed"})
    client.force_login(team["annotator"])
    response = client.post(reverse("annotation_delete", args=[annotation.pk]), {"version": 1}, **HTMX)
    assert response.status_code == 412
    assert "Not deleted." in response.content.decode()
    assert Annotation.objects.filter(pk=annotation.pk).exists()


def test_nobody_restores_someone_elses_deletion_without_the_right_authz_8(client, team, article):
    annotation = make_annotation(article, team["annotator"])
    client.force_login(team["annotator"])
    client.post(reverse("annotation_delete", args=[annotation.pk]), {"version": 1}, **HTMX)
    url = reverse("annotation_restore", args=[article.pk, annotation.pk])
    for role in ("annotator2", "viewer"):
        client.force_login(team[role])
        assert client.post(url, **HTMX).status_code == 403
    assert not Annotation.objects.exists()
    client.force_login(team["reviewer"])
    assert client.post(url, **HTMX).status_code == 200
    assert AnnotationEvent.objects.filter(annotation_id=annotation.pk).latest("id").actor == team["reviewer"]


@pytest.mark.parametrize("name", ["annotation_create", "annotation_update", "annotation_delete", "annotation_restore"])
def test_get_never_changes_anything_csrf_3(client, team, article, name):
    annotation = make_annotation(article, team["annotator"])
    client.force_login(team["annotator"])
    args = {"annotation_create": [article.pk], "annotation_restore": [article.pk, annotation.pk]}.get(
        name, [annotation.pk]
    )
    assert client.get(reverse(name, args=args)).status_code == 405
    assert Annotation.objects.get().version == 1


def test_htmx_writes_need_the_csrf_header_csrf_1(team, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team["annotator"])
    url = reverse("annotation_create", args=[article.pk])
    refused = client.post(url, {"label": "claim", "start": 0, "end": 7}, **HTMX)
    assert refused.status_code == 403 and not Annotation.objects.exists()
    page = client.get(reverse("article_annotate", args=[article.pk])).content.decode()
    token = page.split('hx-headers=\'{"X-CSRFToken": "')[1].split('"')[0]
    accepted = client.post(url, {"label": "claim", "start": 0, "end": 7}, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert accepted.status_code == 200 and Annotation.objects.count() == 1


def test_a_foreign_origin_is_refused_even_with_a_token_csrf_2(team, article):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team["annotator"])
    page = client.get(reverse("article_annotate", args=[article.pk])).content.decode()
    token = page.split('hx-headers=\'{"X-CSRFToken": "')[1].split('"')[0]
    response = client.post(
        reverse("annotation_create", args=[article.pk]),
        {"label": "claim", "start": 0, "end": 7},
        HTTP_X_CSRFTOKEN=token,
        HTTP_ORIGIN="https://evil.example",
        **HTMX,
    )
    assert response.status_code == 403 and not Annotation.objects.exists()


def test_plain_form_posts_work_without_javascript(client, team, article):
    client.force_login(team["annotator"])
    response = client.post(
        reverse("annotation_create", args=[article.pk]), {"label": "quote", "quote": "taxes will fall"}
    )
    annotation = Annotation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("article_annotate", args=[article.pk]) + f"?selected={annotation.pk}"
    saved = client.post(
        reverse("annotation_update", args=[annotation.pk]), {"version": 1, "note": "plain"}, follow=True
    )
    assert b"Saved." in saved.content and b"plain</textarea>" in saved.content
