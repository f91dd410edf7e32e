"""The annotations API: create by offsets or quote, one or many, read with UTF-16 offsets, change with If-Match."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from articles.annotation_write import update_annotation
from articles.errors import ANY_VERSION
from articles.models import Annotation, AnnotationEvent, Role, Visibility
from tests.api_client import annotation_url, annotations_url, api_as, article_url
from tests.factories import add_member, make_annotation, make_article, make_project, make_user


def create(user, on, **payload):
    return api_as(user).post(annotations_url(on), payload)


def span_of(article, quote: str) -> tuple[int, int]:
    start = article.text.index(quote)
    return start, start + len(quote)


def test_annotating_by_offsets_stores_the_span_and_answers_with_etag_and_location(team, article):
    start, end = span_of(article, "taxes will fall")
    response = create(team["annotator"], article, label="claim", start=start, end=end, note=" keep  spaces ")
    assert response.status_code == 201, response.json()
    body = response.json()
    stored = Annotation.objects.get(pk=body["id"])
    assert (stored.start, stored.end, stored.quote) == (start, end, "taxes will fall")
    assert body["label"] == "claim" and body["author"] == "annotator" and body["status"] == "pending"
    assert body["note"] == " keep  spaces "
    assert response["ETag"] == f'"a{stored.pk}v1"'
    assert response["Location"].endswith(annotation_url(stored))
    assert AnnotationEvent.objects.filter(annotation_id=stored.pk, action="created").exists()


def test_offsets_with_a_quote_that_does_not_match_the_text_are_refused(team, article):
    """DATA-2: the server never stores a span whose quote disagrees with the text."""
    start, end = span_of(article, "taxes will fall")
    response = create(team["annotator"], article, label="claim", start=start, end=end, quote="taxes will rise")
    assert response.status_code == 400
    assert "taxes will fall" in response.json()["quote"][0]
    assert not Annotation.objects.exists()


def test_annotating_by_quote_finds_the_offsets(team, article):
    response = create(team["annotator"], article, label="quote", quote="taxes will fall")
    assert response.status_code == 201
    assert (response.json()["start"], response.json()["end"]) == span_of(article, "taxes will fall")


def test_an_ambiguous_quote_is_a_400_listing_every_candidate_and_context_resolves_it(team):
    article = make_article(team["project"], text="The cat sat. The cat ran. A dog.")
    response = create(team["annotator"], article, label="claim", quote="The cat")
    assert response.status_code == 400
    assert response.json()["candidates"] == [{"start": 0, "end": 7}, {"start": 13, "end": 20}]
    assert "quote" in response.json()
    resolved = create(team["annotator"], article, label="claim", quote="The cat", suffix=" ran")
    assert (resolved.status_code, resolved.json()["start"]) == (201, 13)


def test_a_quote_that_is_not_in_the_text_is_a_400(team, article):
    response = create(team["annotator"], article, label="claim", quote="not in the article")
    assert response.status_code == 400 and "not found" in response.json()["quote"][0]


def test_one_offset_without_the_other_is_a_400_naming_the_missing_one(team, article):
    assert "end" in create(team["annotator"], article, label="claim", start=3).json()
    assert "quote" in create(team["annotator"], article, label="claim").json()


def test_utf16_offsets_are_computed_for_astral_characters(team):
    """DATA-1: code points are stored; JavaScript clients get UTF-16 offsets for the same span."""
    text = "👩🏽‍⚖️ said “café” 𝒳 and more"
    article = make_article(team["project"], text=text)
    response = create(team["annotator"], article, label="quote", quote="café")
    body = response.json()
    assert text[body["start"] : body["end"]] == "café"
    utf16 = text.encode("utf-16-le")
    assert utf16[2 * body["utf16_start"] : 2 * body["utf16_end"]].decode("utf-16-le") == "café"
    assert body["utf16_start"] - body["start"] == 2  # two astral code points before it: 👩 and 🏽 (⚖ is BMP)


def test_a_list_creates_many_annotations_at_once(team, article):
    specs = [{"label": "claim", "start": 0, "end": 7}, {"label": "quote", "quote": "taxes will fall"}]
    response = api_as(team["annotator"]).post(annotations_url(article), specs)
    assert response.status_code == 201
    assert [row["label"] for row in response.json()] == ["claim", "quote"]
    assert Annotation.objects.filter(article=article).count() == 2


def test_a_list_with_one_bad_item_stores_nothing_and_names_the_item(team, article):
    specs = [
        {"label": "claim", "start": 0, "end": 7},
        {"label": "claim", "start": 0, "end": 7000},
        {"label": "claim", "start": "1", "end": 3},
    ]
    response = api_as(team["annotator"]).post(annotations_url(article), specs)
    assert response.status_code == 400
    assert set(response.json()) == {"2"}  # shape errors first; the domain then checks spans
    specs.pop()
    response = api_as(team["annotator"]).post(annotations_url(article), specs)
    assert set(response.json()) == {"1"} and "end" in response.json()["1"]
    assert not Annotation.objects.exists()


def test_a_list_repeating_an_existing_span_stores_nothing(team, article):
    make_annotation(article, author=team["annotator"], start=0, end=7)
    specs = [{"label": "quote", "start": 10, "end": 14}, {"label": "claim", "start": 0, "end": 7}]
    response = api_as(team["annotator"]).post(annotations_url(article), specs)
    assert response.status_code == 400
    assert Annotation.objects.count() == 1


def test_double_submit_of_the_same_span_is_a_409_with_the_existing_annotation(team, article):
    """CONC-2: a retry or double click never makes a second row."""
    first = create(team["annotator"], article, label="claim", start=0, end=7)
    second = create(team["annotator"], article, label="claim", start=0, end=7)
    assert second.status_code == 409
    assert second.json()["existing"]["id"] == first.json()["id"]
    assert second["ETag"] == first["ETag"]
    assert Annotation.objects.count() == 1


@pytest.mark.parametrize(
    "field,value",
    [
        ("author", "owner"),
        ("status", "accepted"),
        ("version", 9),
        ("id", 12345),
        ("article", 1),
        ("created_at", "2020-01-01T00:00:00Z"),
        ("utf16_start", 0),
        ("reviewed_by", "owner"),
        ("is_staff", True),
    ],
)
def test_server_set_and_unknown_fields_cannot_be_mass_assigned_on_create(team, article, field, value):
    """AUTHZ-6: anything the server sets is refused with a 400 naming the field."""
    response = create(team["annotator"], article, label="claim", start=0, end=7, **{field: value})
    assert response.status_code == 400 and field in response.json()
    assert not Annotation.objects.exists()


@pytest.mark.parametrize("field,value", [("author", "owner"), ("version", 9), ("article", 1), ("quote", "Article")])
def test_server_set_fields_cannot_be_mass_assigned_on_update(team, article, field, value):
    """AUTHZ-6 on PATCH: the author cannot move the span to another article or rewrite its author."""
    annotation = make_annotation(article, author=team["annotator"])
    response = api_as(team["annotator"]).patch(
        annotation_url(annotation), {field: value}, HTTP_IF_MATCH=annotation.etag
    )
    assert response.status_code == 400 and field in response.json()
    annotation.refresh_from_db()
    assert (annotation.author, annotation.version) == (team["annotator"], 1)


def test_patch_with_the_current_etag_changes_the_annotation_and_returns_the_new_etag(team, article):
    annotation = make_annotation(article, author=team["annotator"])
    response = api_as(team["annotator"]).patch(
        annotation_url(annotation), {"label": "opinion", "note": "why", "start": 1}, HTTP_IF_MATCH=annotation.etag
    )
    assert response.status_code == 200, response.json()
    assert response.json()["label"] == "opinion" and response.json()["quote"] == article.text[1:7]
    assert response["ETag"] == f'"a{annotation.pk}v2"' and response.json()["version"] == 2


def test_two_edits_from_the_same_version_never_lose_one(team, article):
    """CONC-1: A's label change wins; B's note, sent with the old ETag, is a 412 carrying A's state."""
    annotation = make_annotation(article, author=team["annotator"])
    old_etag = api_as(team["reviewer"]).get(annotation_url(annotation))["ETag"]
    first = api_as(team["annotator"]).patch(annotation_url(annotation), {"label": "quote"}, HTTP_IF_MATCH=old_etag)
    second = api_as(team["reviewer"]).patch(annotation_url(annotation), {"note": "B"}, HTTP_IF_MATCH=old_etag)
    assert first.status_code == 200
    assert second.status_code == 412
    assert second.json()["current"]["label"] == "quote" and second.json()["current"]["version"] == 2
    assert second["ETag"] == first["ETag"]
    annotation.refresh_from_db()
    assert (annotation.label.key, annotation.note, annotation.version) == ("quote", "", 2)


def test_a_change_without_if_match_is_428_and_changes_nothing(team, article):
    """CONC-1: no If-Match, no write (If-Match: * overwrites deliberately)."""
    annotation = make_annotation(article, author=team["annotator"])
    client = api_as(team["annotator"])
    assert client.patch(annotation_url(annotation), {"note": "x"}).status_code == 428
    assert client.delete(annotation_url(annotation)).status_code == 428
    weak = client.patch(annotation_url(annotation), {"note": "x"}, HTTP_IF_MATCH="W/" + annotation.etag)
    assert weak.status_code == 412
    annotation.refresh_from_db()
    assert annotation.version == 1
    assert client.patch(annotation_url(annotation), {"note": "x"}, HTTP_IF_MATCH="*").status_code == 200


def test_delete_with_a_stale_etag_is_412_and_with_the_current_one_deletes(team, article):
    annotation = make_annotation(article, author=team["annotator"])
    client = api_as(team["annotator"])
    client.patch(annotation_url(annotation), {"note": "newer"}, HTTP_IF_MATCH=annotation.etag)
    stale = client.delete(annotation_url(annotation), HTTP_IF_MATCH=annotation.etag)
    assert stale.status_code == 412 and stale.json()["current"]["note"] == "newer"
    assert client.delete(annotation_url(annotation), HTTP_IF_MATCH=stale["ETag"]).status_code == 204
    assert not Annotation.objects.exists()
    assert AnnotationEvent.objects.filter(annotation_id=annotation.pk, action="deleted").exists()


def test_only_reviewers_and_owners_set_the_review_status(team, article):
    annotation = make_annotation(article, author=team["annotator"])
    denied = api_as(team["annotator"]).patch(
        annotation_url(annotation), {"status": "accepted"}, HTTP_IF_MATCH=annotation.etag
    )
    assert denied.status_code == 403
    allowed = api_as(team["reviewer"]).patch(
        annotation_url(annotation), {"status": "accepted", "note": "ok"}, HTTP_IF_MATCH=annotation.etag
    )
    assert allowed.status_code == 200
    assert (allowed.json()["status"], allowed.json()["note"], allowed.json()["version"]) == ("accepted", "ok", 3)
    assert (
        api_as(team["reviewer"])
        .patch(annotation_url(annotation), {"status": "maybe"}, HTTP_IF_MATCH=allowed["ETag"])
        .status_code
        == 400
    )


def test_reviewers_cannot_review_their_own_annotations(team, article):
    """A second person checks every span: self-review is refused and changes nothing."""
    own = make_annotation(article, author=team["reviewer"])
    response = api_as(team["reviewer"]).patch(annotation_url(own), {"status": "accepted"}, HTTP_IF_MATCH=own.etag)
    assert response.status_code == 403 and "your own" in response.json()["detail"]
    own.refresh_from_db()
    assert (own.status, own.version) == ("pending", 1)


# AUTHZ-5: one row per role; columns: create, edit own, edit another's, delete another's, review another's.
MATRIX = {
    "owner": (201, 200, 200, 204, 200),
    "reviewer": (201, 200, 200, 204, 200),
    "annotator": (201, 200, 403, 403, 403),
    "viewer": (403, None, 403, 403, 403),
}


@pytest.mark.parametrize("role", MATRIX)
def test_role_matrix_for_annotations(team, article, role):
    """AUTHZ-5: viewers read; annotators change their own; reviewers and owners anyone's, and review."""
    user = team[role]
    create_status, edit_own, edit_other, delete_other, review_other = MATRIX[role]
    client = api_as(user)
    created = client.post(annotations_url(article), {"label": "claim", "start": 0, "end": 7})
    assert created.status_code == create_status
    if edit_own is not None:
        own = created.json()
        edited = client.patch(annotation_url_of(own), {"note": "n"}, HTTP_IF_MATCH=created["ETag"])
        assert edited.status_code == edit_own
    other = make_annotation(article, author=team["annotator2"], label="quote", start=10, end=14)
    assert client.get(annotation_url(other)).status_code == 200
    assert client.patch(annotation_url(other), {"note": "x"}, HTTP_IF_MATCH=other.etag).status_code == edit_other
    other.refresh_from_db()
    assert (
        client.patch(annotation_url(other), {"status": "rejected"}, HTTP_IF_MATCH=other.etag).status_code
        == review_other
    )
    other.refresh_from_db()
    assert client.delete(annotation_url(other), HTTP_IF_MATCH=other.etag).status_code == delete_other
    assert Annotation.objects.filter(pk=other.pk).exists() == (delete_other != 204)


def annotation_url_of(body: dict) -> str:
    return f"/api/v1/annotations/{body['id']}/"


@pytest.fixture
def ex_member(team):
    """AUTHZ-7: someone who was an annotator and was removed."""
    user = add_member(team["project"], Role.ANNOTATOR, make_user("leaver"))
    team["project"].memberships.filter(user=user).delete()
    return user


@pytest.mark.parametrize("who", ["outsider", "ex_member"])
def test_strangers_and_ex_members_get_404_for_everything_and_change_nothing(team, article, ex_member, who):
    """AUTHZ-1, AUTHZ-2, AUTHZ-7: never-members and ex-members alike; the body equals a missing id's."""
    user = ex_member if who == "ex_member" else team["outsider"]
    annotation = make_annotation(article, author=team["annotator"])
    client = api_as(user)
    missing = client.get("/api/v1/annotations/999999999/")
    for response in (
        client.get(annotation_url(annotation)),
        client.patch(annotation_url(annotation), {"note": "x"}, HTTP_IF_MATCH=annotation.etag),
        client.delete(annotation_url(annotation), HTTP_IF_MATCH=annotation.etag),
    ):
        assert response.status_code == 404 and response.json() == missing.json()
    assert client.get(annotations_url(article)).status_code == 404
    assert client.post(annotations_url(article), {"label": "claim", "start": 0, "end": 7}).status_code == 404
    annotation.refresh_from_db()
    assert (Annotation.objects.count(), annotation.version, annotation.note) == (1, 1, "")


def test_in_an_independent_project_annotators_do_not_see_each_others_annotations(db):
    """Visibility: blind annotation holds through the API (list, detail, counts)."""
    owner = make_user("indie-owner")
    project = make_project(owner, visibility=Visibility.INDEPENDENT)
    first, second = add_member(project, Role.ANNOTATOR), add_member(project, Role.ANNOTATOR)
    article = make_article(project, by=owner)
    theirs = make_annotation(article, author=first)
    mine = make_annotation(article, author=second, label="quote")
    listed = api_as(second).get(annotations_url(article)).json()["results"]
    assert [row["id"] for row in listed] == [mine.pk]
    assert api_as(second).get(annotation_url(theirs)).status_code == 404
    assert api_as(second).get(article_url(article)).json()["annotation_count"] == 1
    included = api_as(second).get(article_url(article) + "?include=annotations").json()["annotations"]
    assert [row["id"] for row in included] == [mine.pk]
    assert len(api_as(owner).get(annotations_url(article)).json()["results"]) == 2


def test_the_list_filters_by_label_author_and_status_and_keeps_text_order(team, article):
    late = make_annotation(article, author=team["annotator"], label="claim", start=20, end=30)
    early = make_annotation(article, author=team["annotator2"], label="quote", start=0, end=7)
    client = api_as(team["viewer"])

    def ids(query=""):
        return [row["id"] for row in client.get(annotations_url(article) + query).json()["results"]]

    assert ids() == [early.pk, late.pk]
    assert ids("?label=claim") == [late.pk]
    assert ids("?author=annotator2") == [early.pk]
    assert ids("?status=accepted") == []
    assert client.get(annotations_url(article) + "?author__password__startswith=md5").status_code == 400


def test_the_hand_built_representation_has_exactly_the_declared_fields(team, article):
    """The schema is generated from the declared fields; the JSON is built by hand for speed: they agree."""
    from articles.api.fields import Utf16Maps
    from articles.api.serializers import AnnotationSerializer

    annotation = make_annotation(article, author=team["annotator"], note="n", attributes={"verdict": "false"})
    data = AnnotationSerializer(annotation, context={"utf16": Utf16Maps()}).data
    assert list(data) == list(AnnotationSerializer().fields)
    assert data["created_at"].endswith("Z") and data["attributes"] == {"verdict": "false"}


def test_utf16_offsets_follow_a_text_change_of_an_unannotated_article(team, article):
    """UTF-16 maps are kept per text (by its hash), so a changed text never reuses the old map."""
    client = api_as(team["owner"])
    assert client.get(article_url(article) + "?include=annotations").status_code == 200
    client.patch(article_url(article), {"text": "🚲🚲 taxes will fall"}, HTTP_IF_MATCH="*")
    body = create(team["annotator"], article, label="claim", quote="taxes").json()
    assert (body["start"], body["utf16_start"]) == (3, 5)


def _in_parallel(*calls):
    """Run each call in its own thread (own database connection), released together by a barrier."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_and_double_submits_on_real_connections(team, article):
    """CONC-1 and CONC-2 with real parallel connections: one edit wins, the other gets 412; two identical
    creates make one row, the other gets 409 (or its own 201 if it came first), never a 500."""
    if connection.vendor != "postgresql":
        pytest.skip("needs parallel database connections with row locks (PostgreSQL)")
    annotation = make_annotation(article, author=team["annotator"])
    first, second = api_as(team["annotator"]), api_as(team["reviewer"])
    edits = _in_parallel(
        lambda: first.patch(annotation_url(annotation), {"note": "A"}, HTTP_IF_MATCH=annotation.etag).status_code,
        lambda: second.patch(annotation_url(annotation), {"note": "B"}, HTTP_IF_MATCH=annotation.etag).status_code,
    )
    assert sorted(edits) == [200, 412]
    annotation.refresh_from_db()
    assert annotation.version == 2 and annotation.note == ("A" if edits[0] == 200 else "B")
    span = {"label": "quote", "start": 10, "end": 14}
    twins = [api_as(team["annotator"]), api_as(team["annotator"])]
    creates = _in_parallel(
        *[lambda client=client: client.post(annotations_url(article), span).status_code for client in twins]
    )
    assert sorted(creates) == [201, 409]
    assert Annotation.objects.filter(article=article, label__key="quote").count() == 1


def test_if_match_star_overwrites_whatever_is_stored_even_after_a_concurrent_write(team, article):
    """`*` means "whatever is stored": a write that read version 1 still lands when version 2 is stored."""
    annotation = make_annotation(article, author=team["annotator"])
    read_earlier = Annotation.objects.get(pk=annotation.pk)
    update_annotation(annotation, by=team["annotator"], changes={"note": "first"})
    update_annotation(read_earlier, by=team["reviewer"], expected_version=ANY_VERSION, changes={"note": "second"})
    annotation.refresh_from_db()
    assert (annotation.note, annotation.version) == ("second", 3)


@pytest.mark.django_db(transaction=True)
def test_concurrent_patches_with_if_match_star_all_succeed(team, article):
    if connection.vendor != "postgresql":
        pytest.skip("needs parallel database connections (PostgreSQL)")
    annotation = make_annotation(article, author=team["annotator"])
    clients = [api_as(team["annotator"]) for _ in range(6)]
    codes = _in_parallel(
        *[
            lambda client=client, n=n: (
                client.patch(annotation_url(annotation), {"note": f"n{n}"}, HTTP_IF_MATCH="*").status_code
            )
            for n, client in enumerate(clients)
        ]
    )
    assert codes == [200] * 6
    annotation.refresh_from_db()
    assert annotation.version == 7
