"""Links between spans in every export format: the writers as pure functions (records in, text out), then what
export_scope reads: only links the user may see whose two ends are exported, in a constant number of queries."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import timedelta

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.annotation_write import review_annotation
from articles.errors import InvalidInput
from articles.export_scope import (
    ExportScope,
    annotations_in,
    articles_with_annotations,
    export,
    header_for,
    links_in,
    parse_filters,
)
from articles.exports import FORMATS, TABLES, format_for, jsonl, native
from articles.exports.records import ArticleWithAnnotations, LinkRecord, LinkTypeRecord
from articles.links import LinkSpec, create_link, review_link
from articles.models import AnnotationEvent, Assignment, AssignmentState, Visibility
from articles.revisions import add_revision
from tests.api_client import api_as, url
from tests.factories import make_annotation, make_article, make_project
from tests.test_exports import SCHEMA, TEXT, WHEN, article, header, span
from tests.test_exports_scope import W3C_SCHEMAS, load_w3c_validator

# ---------------------------------------------------------------------------------------------------------------
# Writers: records in, text out.

CAFE, MINISTER = TEXT.index("“café”"), TEXT.index("the minister")
QUOTE = span(CAFE, CAFE + 6, label="quote")
SOURCE = span(MINISTER, MINISTER + 12, label="source", note="=cmd")
LONE = span(0, 5)  # at no link's end
LINK = LinkRecord(900, 3, QUOTE.id, SOURCE.id, "said_by", "On the record.", "bob", "accepted", WHEN, WHEN)
TYPES = (
    LinkTypeRecord("said_by", "Said by", "#0072B2", "A quote to who said it.", 0, ("quote",), ("source",)),
    LinkTypeRecord("claimed_by", "Claimed by", "#A03000", "", 1, ("claim",), ("source", "person")),
)
ROWS = [ArticleWithAnnotations(article(), [LONE, QUOTE, SOURCE], [LINK])]


def linked_header(**changes):
    return header(**{"annotation_count": 3, "link_count": 1, "link_types": TYPES, **changes})


def write(key: str, rows=ROWS, head=None, what: str = "annotations") -> str:
    return "".join(format_for(key, what).write(head or linked_header(), rows))


def test_native_json_carries_link_types_counts_and_each_articles_links():
    document = json.loads(write("json"))
    jsonschema.validate(document, SCHEMA)
    assert document["counts"] == {"articles": 1, "annotations": 3, "links": 1}
    assert document["project"]["link_types"][1] == {
        "key": "claimed_by",
        "name": "Claimed by",
        "color": "#A03000",
        "description": "",
        "order": 1,
        "from_labels": ["claim"],
        "to_labels": ["source", "person"],
    }
    assert document["articles"][0]["links"] == [
        {
            "id": 900,
            "from": QUOTE.id,
            "to": SOURCE.id,
            "type": "said_by",
            "note": "On the record.",
            "author": "bob",
            "status": "accepted",
            "created_at": "2026-03-02T07:15:00.123456Z",
            "updated_at": "2026-03-02T07:15:00.123456Z",
        }
    ]
    ids = {a["id"] for a in document["articles"][0]["annotations"]}
    assert {LINK.from_id, LINK.to_id} <= ids


def test_native_link_json_says_what_json_dumps_would():
    odd = LINK._replace(note='"quoted" \\ </script> \u2028 😀', author="Zoë", type="held_by")
    expected = {
        "id": odd.id,
        "from": odd.from_id,
        "to": odd.to_id,
        "type": odd.type,
        "note": odd.note,
        "author": odd.author,
        "status": odd.status,
        "created_at": "2026-03-02T07:15:00.123456Z",
        "updated_at": "2026-03-02T07:15:00.123456Z",
    }
    assert json.loads(native.link_json(odd)) == expected


def test_native_files_from_before_links_still_match_the_schema():
    document = json.loads(write("json"))
    del document["counts"]["links"], document["project"]["link_types"], document["articles"][0]["links"]
    jsonschema.validate(document, SCHEMA)


def test_jsonl_relations_name_the_ids_of_the_spans_at_their_ends():
    line = json.loads(write("jsonl"))
    assert line["relations"] == [{"id": 900, "from_id": QUOTE.id, "to_id": SOURCE.id, "type": "said_by"}]
    by_id = {s["id"]: s for s in line["spans"] if "id" in s}
    assert set(by_id) == {QUOTE.id, SOURCE.id}  # only the spans at a relation's end carry their id
    assert (by_id[QUOTE.id]["start"], by_id[QUOTE.id]["label"]) == (CAFE, "quote")
    assert list(line["spans"][1]) == ["id", "start", "end", "label", "attributes", "anchor_status", "anchored_revision"]


def test_a_jsonl_line_without_links_has_empty_relations_and_spans_without_ids():
    line = json.loads(write("jsonl", [ArticleWithAnnotations(article(), [LONE, QUOTE])]))
    assert line["relations"] == [] and all("id" not in s for s in line["spans"])
    assert line["spans"][0] == json.loads(jsonl._span(LONE))


def test_csv_what_links_is_a_table_of_links_naming_both_ends():
    text = write("csv", what="links")
    assert text.startswith("link_id,article_id,from_annotation_id,from_label,from_quote,to_annotation_id,")
    records = list(csv.DictReader(io.StringIO(text, newline="")))
    assert records == [
        {
            "link_id": "900",
            "article_id": "3",
            "from_annotation_id": str(QUOTE.id),
            "from_label": "quote",
            "from_quote": "“café”",
            "to_annotation_id": str(SOURCE.id),
            "to_label": "source",
            "to_quote": "the minister",
            "type": "said_by",
            "note": "On the record.",
            "author": "bob",
            "status": "accepted",
            "created_at": "2026-03-02T07:15:00.123456Z",
            "updated_at": "2026-03-02T07:15:00.123456Z",
        }
    ]
    assert text.endswith("\r\n")


def test_csv_link_cells_a_spreadsheet_would_run_are_neutralised():
    payload = '=HYPERLINK("http://evil","x")'
    rows = [
        ArticleWithAnnotations(
            article(), [QUOTE._replace(quote=payload), SOURCE], [LINK._replace(note="+1", author="@me")]
        )
    ]
    record = next(csv.DictReader(io.StringIO(write("csv", rows, what="links"), newline="")))
    assert (record["from_quote"], record["note"], record["author"]) == ("'" + payload, "'+1", "'@me")


def test_the_csv_of_annotations_is_unchanged_by_links():
    assert write("csv") == "".join(FORMATS["csv"].write(linked_header(), [r._replace(links=[]) for r in ROWS]))


def test_w3c_links_are_linking_annotations_targeting_the_two_annotation_iris():
    document = json.loads(write("w3c"))
    items = document["first"]["items"]
    assert document["total"] == len(items) == 4
    link = items[-1]
    ids = {item["id"] for item in items[:-1]}
    assert link == {
        "id": "https://annotate.example.org/api/v1/links/900/",
        "type": "Annotation",
        "motivation": "linking",
        "created": "2026-03-02T07:15:00.123456Z",
        "modified": "2026-03-02T07:15:00.123456Z",
        "creator": {"type": "Person", "name": "bob", "nickname": "bob"},
        "body": [
            {"type": "TextualBody", "purpose": "classifying", "value": "said_by", "format": "text/plain"},
            {"type": "TextualBody", "purpose": "commenting", "value": "On the record.", "format": "text/plain"},
        ],
        "target": [
            f"https://annotate.example.org/api/v1/annotations/{QUOTE.id}/",
            f"https://annotate.example.org/api/v1/annotations/{SOURCE.id}/",
        ],
    }
    assert set(link["target"]) <= ids  # the same IRIs as the annotations' ids


def test_w3c_links_pass_every_must_of_the_w3c_schemas_in_the_collection_and_the_page():
    validator = load_w3c_validator()
    suite = validator.load_suite(W3C_SCHEMAS, {"must"})
    bare = LINK._replace(note="")  # a link without a note has the type's body alone
    rows = [ArticleWithAnnotations(article(), [LONE, QUOTE, SOURCE], [LINK, bare._replace(id=901)])]
    head = linked_header(link_count=2)
    assert validator.check(suite, json.loads(write("w3c", rows, head))) == []
    page = json.loads(write("w3c", rows, linked_header(link_count=2, page=1)))
    assert validator.check(suite, page) == [] and page["partOf"]["total"] == len(page["items"]) == 5


def test_the_w3c_validator_catches_a_broken_link():
    validator = load_w3c_validator()
    document = json.loads(write("w3c"))
    document["first"]["items"][-1]["created"] = "yesterday"
    assert validator.check(validator.load_suite(W3C_SCHEMAS, {"must"}), document) != []


def test_the_links_table_is_only_csv():
    assert set(TABLES) == {("csv", "links")}
    assert format_for("csv", "links").write is not FORMATS["csv"].write
    with pytest.raises(KeyError):
        format_for("json", "links")


# ---------------------------------------------------------------------------------------------------------------
# What export_scope reads.

STORY = "“Taxes will fall,” said the minister. The State Department disagreed. Prices rose 5% last year."
_stories = itertools.count(1)


def link_story(project, author, reviewer=None):
    """A quote said by the minister, a claim claimed by the department (its link accepted by `reviewer`)."""
    article = make_article(project, text=f"{STORY} Story {next(_stories)}.")
    quote = make_annotation(article, author, "quote", quote="Taxes will fall,")
    minister = make_annotation(article, author, "source", quote="the minister")
    department = make_annotation(article, author, "source", quote="The State Department")
    claim = make_annotation(article, author, "claim", quote="Prices rose 5% last year.")
    said = create_link(article, LinkSpec(quote.pk, minister.pk, "said_by"), author=author)
    claimed = create_link(article, LinkSpec(claim.pk, department.pk, "claimed_by"), author=author)
    if reviewer is not None:
        review_link(claimed, by=reviewer, status="accepted")
    return {"article": article, "quote": quote, "claim": claim, "said": said, "claimed": claimed}


def exported(scope: ExportScope, key: str = "json") -> str:
    return "".join(export(scope, key, base_url="http://testserver/"))


def link_ids(scope: ExportScope) -> set[int]:
    """The ids of the links the native export holds, checked against the header's count and links_in."""
    document = json.loads(exported(scope))
    ids = [link["id"] for each in document["articles"] for link in each["links"]]
    assert document["counts"]["links"] == len(ids)
    assert set(links_in(scope).values_list("id", flat=True)) == set(ids)
    return set(ids)


def test_a_link_is_exported_only_with_both_of_its_ends(team):
    story = link_story(team["project"], team["annotator"])
    said, claimed = story["said"].pk, story["claimed"].pk

    def ids(**query) -> set[int]:
        return link_ids(ExportScope(team["project"], team["owner"], filters=parse_filters(query)))

    assert ids() == {said, claimed}
    assert ids(label="claim") == set()  # the sources are not exported: no link points outside the export
    assert ids(label="claim,source") == {claimed}
    assert ids(label="quote,source,claim", author="annotator") == {said, claimed}
    assert ids(author="annotator2") == set()


def test_links_follow_their_ends_whatever_their_own_status(team):
    """Filters choose annotations; a link between two exported annotations comes with its status."""
    story = link_story(team["project"], team["annotator"], reviewer=team["reviewer"])
    for name in ("claim", "quote"):
        review_annotation(story[name], by=team["reviewer"], status="accepted")
    scope = ExportScope(team["project"], team["owner"], filters=parse_filters({"status": "accepted"}))
    assert link_ids(scope) == set()  # the sources are pending: not exported, and neither are the links
    scope = ExportScope(team["project"], team["owner"], filters=parse_filters({"status": "accepted,pending"}))
    links = json.loads(exported(scope))["articles"][0]["links"]
    assert sorted(link["status"] for link in links) == ["accepted", "pending"]


def test_a_link_to_an_orphan_comes_only_with_include_orphaned(team):
    story = link_story(team["project"], team["annotator"])
    text = story["article"].text.replace("“Taxes will fall,” said", "So said")
    add_revision(story["article"], by=team["owner"], text=text)
    plain = ExportScope(team["project"], team["owner"])
    every = ExportScope(team["project"], team["owner"], filters=parse_filters({"include": "orphaned"}))
    assert link_ids(plain) == {story["claimed"].pk}
    assert link_ids(every) == {story["said"].pk, story["claimed"].pk}


def test_one_articles_export_holds_its_links_only(team):
    first = link_story(team["project"], team["annotator"])
    link_story(team["project"], team["annotator"])
    scope = ExportScope(team["project"], team["owner"], first["article"])
    assert link_ids(scope) == {first["said"].pk, first["claimed"].pk}


def test_in_an_independent_project_others_links_stay_hidden_until_submit(team):
    """AUTHZ-3 for links: an annotator exports their own links, and others' once their own work is submitted."""
    project = team["project"]
    project.visibility = Visibility.INDEPENDENT
    project.save()
    article = make_article(project, text=STORY)
    mine = {
        label: make_annotation(article, team["annotator"], label, quote=quote)
        for label, quote in (("quote", "Taxes will fall,"), ("source", "the minister"))
    }
    theirs = {
        label: make_annotation(article, team["annotator2"], label, quote=quote)
        for label, quote in (("quote", "Taxes will fall,"), ("source", "the minister"))
    }
    my_link = create_link(article, LinkSpec(mine["quote"].pk, mine["source"].pk, "said_by"), author=team["annotator"])
    their_link = create_link(
        article, LinkSpec(theirs["quote"].pk, theirs["source"].pk, "said_by"), author=team["annotator2"]
    )
    scope = ExportScope(project, team["annotator"])
    for key in ("json", "jsonl", "w3c"):
        assert f"/links/{their_link.pk}/" not in exported(scope, key)
    assert link_ids(scope) == {my_link.pk}
    assert link_ids(ExportScope(project, team["owner"])) == {my_link.pk, their_link.pk}
    Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
    assert link_ids(scope) == {my_link.pk, their_link.pk}
    assert link_ids(ExportScope(project, team["outsider"])) == set()


def test_the_header_names_each_link_type_with_its_label_keys_and_the_projects_claim_settings(team):
    project = team["project"]
    project.factcheck_url_pattern = "https://check.example/{uuid}"
    project.save()
    head = header_for(
        ExportScope(project, team["owner"]), base_url="http://x/", link_fields=("link_types", "link_count")
    )
    assert [t.key for t in head.link_types] == ["said_by", "claimed_by", "backed_by", "held_by"]
    said_by = head.link_types[0]
    assert (said_by.key, said_by.order, said_by.from_labels, said_by.to_labels) == (
        "said_by",
        0,
        ("quote",),
        ("source",),
    )
    assert said_by.name and said_by.color.startswith("#")
    assert head.project.factcheck_url_pattern == "https://check.example/{uuid}"
    assert head.project.public_uuid == str(project.public_uuid) and head.link_count == 0
    plain = header_for(ExportScope(project, team["owner"]), base_url="http://x/")
    assert plain.link_types == () and plain.project.public_uuid == str(project.public_uuid)


def test_reviewed_at_is_the_latest_review_decision_and_read_only_when_asked(team, article):
    claim = make_annotation(article, team["annotator"], "claim", start=0, end=7)
    scope = ExportScope(team["project"], team["owner"])

    def reviewed(fields) -> object:
        rows = articles_with_annotations(scope, annotation_fields=fields)
        try:
            return next(rows).annotations[0].reviewed_at
        finally:
            rows.close()

    assert reviewed({"reviewed_at"}) is None  # never reviewed
    review_annotation(claim, by=team["reviewer"], status="accepted")
    earlier = timezone.now() - timedelta(days=2)
    AnnotationEvent.objects.filter(annotation_id=claim.pk, action="reviewed").update(created_at=earlier)
    first = reviewed({"reviewed_at"})
    assert first.startswith(earlier.date().isoformat() + "T") and first.endswith("Z")
    claim.refresh_from_db()
    review_annotation(claim, by=team["reviewer"], status="rejected")
    latest = reviewed({"reviewed_at"})
    assert latest.startswith(timezone.now().date().isoformat()) and latest > first
    assert reviewed({"label"}) is None  # not asked for: not read
    assert reviewed(None) == latest  # every field


def test_csv_what_links_from_the_database(team):
    story = link_story(team["project"], team["annotator"])
    scope = ExportScope(team["project"], team["owner"], filters=parse_filters({"format": "csv", "what": "links"}))
    records = list(csv.DictReader(io.StringIO(exported(scope, "csv"), newline="")))
    assert [(r["link_id"], r["from_quote"], r["to_quote"], r["type"]) for r in records] == [
        (str(story["said"].pk), "Taxes will fall,", "the minister", "said_by"),
        (str(story["claimed"].pk), "Prices rose 5% last year.", "The State Department", "claimed_by"),
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"what": "links"}, "what=links is only for format=csv."),
        ({"format": "w3c", "what": "links"}, "what=links is only for format=csv."),
        ({"format": "csv", "what": "everything"}, "Choose annotations or links."),
        ({"format": "csv", "what": ["links", "annotations"]}, "Give what once."),
    ],
)
def test_what_is_checked_against_the_format(query, message):
    with pytest.raises(InvalidInput) as caught:
        parse_filters(query)
    assert caught.value.errors == {"what": [message]}


def test_what_defaults_to_annotations_and_is_not_a_filter_in_the_header(team):
    assert parse_filters({}).what == "annotations" == parse_filters({"format": "json", "what": "annotations"}).what
    assert "what" not in parse_filters({"format": "csv", "what": "links"}).as_dict()


def test_the_api_streams_the_links_table_and_refuses_what_for_other_formats(team):
    story = link_story(team["project"], team["annotator"])
    client = api_as(team["viewer"])
    response = client.get(url("api_project_export", team["project"].pk), {"format": "csv", "what": "links"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("link_id,") and f"\r\n{story['said'].pk}," in text
    refused = client.get(url("api_project_export", team["project"].pk), {"format": "json", "what": "links"})
    assert refused.status_code == 400 and "what" in json.dumps(refused.json())


def test_the_download_page_streams_the_links_table_too(team, client):
    story = link_story(team["project"], team["annotator"])
    client.force_login(team["viewer"])
    page = reverse("project_export_download", args=[team["project"].pk])
    response = client.get(page, {"format": "csv", "what": "links"})
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.csv"')
    assert f"\r\n{story['claimed'].pk}," in b"".join(response.streaming_content).decode()
    assert client.get(page, {"format": "jsonl", "what": "links"}).status_code == 302  # back to the form, with why


@pytest.mark.parametrize("key", ["json", "jsonl", "w3c", "csv", "claimreview", "csv-links"])
def test_exports_with_links_run_the_same_number_of_queries_for_3_or_30_articles(db, key):
    """LOAD-3 with links: one more cursor, and for the native header the link types and count; nothing per
    article or link."""
    key, what = ("csv", "links") if key == "csv-links" else (key, "annotations")
    counts = []
    for size in (3, 30):
        project = make_project()
        owner = project.memberships.get().user
        for _ in range(size):
            link_story(project, owner)
        scope = ExportScope(project, owner, filters=parse_filters({"format": key, "what": what}))
        with CaptureQueriesContext(connection) as queries:
            output = exported(scope, key)
        assert output
        counts.append(len(queries))
        reads_links = any('"articles_link"' in q["sql"] for q in queries.captured_queries)
        assert reads_links == format_for(key, what).reads_links
    expected = {"json": 10, "w3c": 7, "jsonl": 6, "csv": 5, "claimreview": 6}[key if what == "annotations" else "jsonl"]
    assert counts == [expected, expected]


def test_every_links_count_equals_what_follows(team):
    """The native counts and the W3C total announce the links the body holds."""
    link_story(team["project"], team["annotator"])
    link_story(team["project"], team["annotator"])
    scope = ExportScope(team["project"], team["owner"])
    document = json.loads(exported(scope))
    assert document["counts"]["links"] == sum(len(a["links"]) for a in document["articles"]) == 4
    collection = json.loads(exported(scope, "w3c"))
    items = collection["first"]["items"]
    assert collection["total"] == len(items) == len(annotations_in(scope)) + 4
    assert sum(item["motivation"] == "linking" for item in items) == 4
    validator = load_w3c_validator()
    assert validator.check(validator.load_suite(W3C_SCHEMAS, {"must"}), collection) == []
