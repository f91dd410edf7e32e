"""What an export holds: visibility, filters, one snapshot, W3C conformance, constant queries."""

from __future__ import annotations

import gc
import importlib.util
import json
import os
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.annotation_write import review_annotation
from articles.demo import seed
from articles.errors import InvalidInput
from articles.export_scope import ExportScope, annotations_in, export, parse_filters
from articles.imports import read, run_import
from articles.models import Annotation, Assignment, AssignmentState, Link, Role, Visibility
from articles.revisions import add_revision
from tests.factories import add_member, make_annotation, make_article, make_project, make_user

# The W3C test-suite schemas and their checker, kept in tests/w3c-annotation/ (another copy: $W3C_ANNOTATION_SCHEMAS).
W3C_SCHEMAS = Path(os.environ.get("W3C_ANNOTATION_SCHEMAS") or Path(__file__).resolve().parent / "w3c-annotation")


def load_w3c_validator():
    """Import validate.py, the checker of the W3C test-suite schemas."""
    path = W3C_SCHEMAS / "validate.py"
    assert path.exists(), f"W3C schemas not found at {W3C_SCHEMAS} (set W3C_ANNOTATION_SCHEMAS)"
    spec = importlib.util.spec_from_file_location("w3c_validate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def exported(scope: ExportScope, key: str = "json") -> str:
    return "".join(export(scope, key, base_url="http://testserver/"))


def annotate_with_every_kind_of_attribute(article, author) -> None:
    """Attributes that become every kind of W3C body: a choice, text, a web address, one no label defines."""
    attributes = {"verdict": "false", "check_worthiness": "high", "imported_from": "Zoë's sheet", "pages": 3}
    make_annotation(article, author, label="claim", start=0, end=3, attributes=attributes)
    make_annotation(article, author, label="quote", start=4, end=7, attributes={"speaker": "The mayor"})
    make_annotation(
        article,
        author,
        label="source",
        start=8,
        end=11,
        attributes={"name": "Ministry", "url": "https://gov.example/r"},
    )


def test_w3c_export_of_the_demo_project_passes_every_must_of_the_w3c_schemas(db):
    """DATA-4, DATA-8: the shared validator finds no MUST failure; our own extra checks hold too."""
    project = seed()
    owner = project.memberships.get(role=Role.OWNER).user
    annotate_with_every_kind_of_attribute(project.articles.order_by("id").first(), owner)
    document = json.loads(exported(ExportScope(project, owner), "w3c"))
    validator = load_w3c_validator()
    failures = validator.check(validator.load_suite(W3C_SCHEMAS, {"must"}), document)
    assert failures == []
    items = [item for item in document["first"]["items"] if item["motivation"] != "linking"]  # links: their own test
    purposes = {
        (body["purpose"], body["type"]) for item in items for body in item["body"] if "schema:propertyID" in body
    }
    assert purposes == {("classifying", "TextualBody"), ("describing", "TextualBody"), ("linking", "SpecificResource")}
    assert len(items) == Annotation.objects.filter(article__project=project).count() > 0
    links = Link.objects.filter(article__project=project).count()
    assert document["total"] == len(document["first"]["items"]) == len(items) + links
    texts = {f"http://testserver/api/v1/articles/{a.pk}/": a.text for a in project.articles.all()}
    for item in items:
        quote, position = item["target"]["selector"]
        assert 0 <= position["start"] < position["end"]
        assert texts[item["target"]["source"]][position["start"] : position["end"]] == quote["exact"]
        assert item["target"]["scope"].startswith("https://")


def test_w3c_validator_really_rejects_a_broken_export(db):
    """The conformance test above can fail: a date without a zone and a negative offset are caught."""
    project = seed()
    owner = project.memberships.get(role=Role.OWNER).user
    document = json.loads(exported(ExportScope(project, owner), "w3c"))
    item = document["first"]["items"][0]
    item["created"] = "2026-11-18T08:30:00"
    item["target"]["selector"][1]["start"] = -1
    validator = load_w3c_validator()
    failures = validator.check(validator.load_suite(W3C_SCHEMAS, {"must"}), document)
    assert len(failures) >= 2


def test_the_w3c_page_served_on_its_own_passes_every_must_of_the_w3c_schemas(team, article):
    make_annotation(article, team["annotator"], note="Checked.", start=12, end=15)
    annotate_with_every_kind_of_attribute(article, team["annotator"])
    scope = ExportScope(team["project"], team["owner"], filters=parse_filters({"page": "1"}))
    document = json.loads(exported(scope, "w3c"))
    assert document["type"] == "AnnotationPage" and len(document["items"]) == document["partOf"]["total"] == 4
    validator = load_w3c_validator()
    assert validator.check(validator.load_suite(W3C_SCHEMAS, {"must"}), document) == []


def test_after_a_revision_exports_leave_orphans_out_unless_asked_and_stay_w3c_valid(team):
    article = make_article(team["project"], text="Keep this sentence. Drop this one. Fix the typpo here.")
    make_annotation(article, team["annotator"], label="claim", quote="Keep this sentence")
    make_annotation(article, team["annotator"], label="opinion", quote="Drop this one")
    make_annotation(article, team["annotator"], label="quote", quote="Fix the typpo here")
    add_revision(article, by=team["owner"], text="New lead. Keep this sentence. Fix the typo here.")
    plain = json.loads(exported(ExportScope(team["project"], team["owner"])))
    statuses = [a["anchor_status"] for a in plain["articles"][0]["annotations"]]
    assert sorted(statuses) == ["fuzzy", "shifted"] and plain["counts"]["annotations"] == 2
    every = ExportScope(team["project"], team["owner"], filters=parse_filters({"include": "orphaned"}))
    document = json.loads(exported(every))
    assert [a["anchor_status"] for a in document["articles"][0]["annotations"]][-1] == "orphaned"
    assert document["counts"]["annotations"] == 3 and document["scope"]["filters"]["include"] == ["orphaned"]
    w3c_document = json.loads(exported(every, "w3c"))
    validator = load_w3c_validator()
    assert validator.check(validator.load_suite(W3C_SCHEMAS, {"must"}), w3c_document) == []
    orphan = [item for item in w3c_document["first"]["items"] if item["anchor_status"] == "orphaned"]
    assert [selector["type"] for selector in orphan[0]["target"]["selector"]] == ["TextQuoteSelector"]
    with pytest.raises(InvalidInput):
        parse_filters({"include": "everything"})


def test_exports_hold_only_annotations_the_user_may_see(team):
    """AUTHZ-3: in an independent project an annotator exports only their own work until revealed."""
    project = team["project"]
    project.visibility = Visibility.INDEPENDENT
    project.save()
    article = make_article(project, by=team["owner"])
    mine = make_annotation(article, team["annotator"])
    theirs = make_annotation(article, team["annotator2"], label="quote")

    def seen() -> set[int]:
        document = json.loads(exported(ExportScope(project, team["annotator"])))
        return {a["id"] for a in document["articles"][0]["annotations"]}

    assert seen() == {mine.pk}
    Assignment.objects.create(article=article, annotator=team["annotator"], state=AssignmentState.SUBMITTED)
    assert seen() == {mine.pk, theirs.pk}
    outsider_view = json.loads(exported(ExportScope(project, team["outsider"])))
    assert outsider_view["counts"]["annotations"] == 0 and outsider_view["articles"][0]["annotations"] == []


def test_filters_narrow_annotations_by_label_author_status_and_date(team, article):
    claim = make_annotation(article, team["annotator"], label="claim", start=0, end=7)
    quote = make_annotation(article, team["annotator2"], label="quote", start=8, end=14)
    review_annotation(quote, by=team["reviewer"], status="accepted")
    Annotation.objects.filter(pk=claim.pk).update(created_at=timezone.now() - timedelta(days=10))

    def ids(**query) -> set[int]:
        scope = ExportScope(team["project"], team["owner"], filters=parse_filters(query))
        return set(annotations_in(scope).values_list("id", flat=True))

    assert ids() == {claim.pk, quote.pk}
    assert ids(label="quote") == ids(status="accepted") == ids(author="annotator2") == {quote.pk}
    assert ids(label="claim,quote", author=["annotator", "annotator2"]) == {claim.pk, quote.pk}
    since = (timezone.now() - timedelta(days=1)).date().isoformat()
    assert ids(since=since) == {quote.pk}
    assert ids(until=(timezone.now() - timedelta(days=5)).isoformat()) == {claim.pk}
    assert ids(until=timezone.now().date().isoformat()) == {claim.pk, quote.pk}  # a bare date: its whole day
    assert parse_filters({"until": "2024-05-01"}).until.isoformat() == "2024-05-02T00:00:00+00:00"


@pytest.mark.parametrize(
    "query, field",
    [
        ({"status": "approved"}, "status"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2024-13-45"}, "until"),
        ({"since": "2024-05-02", "until": "2024-05-01"}, "until"),
        ({"label": ",".join(map(str, range(60)))}, "label"),
        ({"label": ["claim", "a\udcffb"]}, "label"),
        ({"author": "x" * 151}, "author"),
        ({"page": "2"}, "page"),
    ],
)
def test_bad_filters_are_refused_with_the_field_named(query, field):
    with pytest.raises(InvalidInput) as caught:
        parse_filters(query)
    assert field in caught.value.errors


def test_export_header_echoes_filters_and_counts(team, article):
    make_annotation(article, team["annotator"], label="claim")
    filters = parse_filters({"status": "pending", "since": "2024-05-01"})
    scope = ExportScope(team["project"], team["owner"], filters=filters)
    document = json.loads(exported(scope))
    assert document["scope"]["filters"]["since"] == "2024-05-01T00:00:00Z"
    assert document["counts"] == {"articles": 1, "annotations": 1, "links": 0}


@pytest.mark.parametrize("key", ["json", "jsonl", "csv", "w3c", "claimreview"])
def test_export_runs_the_same_number_of_queries_for_3_or_30_articles(db, key):
    """LOAD-3: no N+1; rows stream from two cursors whatever the project's size."""
    counts = []
    for size in (3, 30):
        project = make_project()
        owner = project.memberships.get().user
        for number in range(size):
            article = make_article(project, text=f"Article {number}: the mayor said the budget is balanced.")
            make_annotation(article, owner, start=0, end=7, attributes={"verdict": "false"})
            make_annotation(article, owner, label="quote", start=3, end=12)
        with CaptureQueriesContext(connection) as queries:
            output = exported(ExportScope(project, owner), key)
        assert output
        counts.append(len(queries))
    # At most 10: the native header also reads the link types (three queries) and counts the links (one), and the
    # links come from a third cursor (formats that write them); the other formats read less.
    assert counts[0] == counts[1] <= 10


@pytest.mark.django_db(transaction=True)
def test_data5_export_reads_one_snapshot_while_annotations_are_added(monkeypatch):
    """DATA-5: counts in the header equal the rows in the body although a writer commits mid-export."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite exports read without a snapshot transaction (documented); PostgreSQL is checked here")
    owner = make_user()
    project = make_project(owner)
    articles = [make_article(project, text=f"Story {n}: the mayor said the budget is balanced.") for n in range(3)]
    for article in articles:
        make_annotation(article, owner)
    monkeypatch.setattr("articles.exports.native.buffered", lambda pieces: pieces)  # yield the header alone
    chunks = export(ExportScope(project, owner), "json", base_url="http://testserver/")
    first = next(chunks)  # counts are read; no article row yet
    assert '"annotations":3' in first

    def write_meanwhile():
        make_annotation(articles[-1], owner, label="quote", start=3, end=12)
        connections.close_all()

    writer = threading.Thread(target=write_meanwhile)
    writer.start()
    writer.join()
    document = json.loads(first + "".join(chunks))
    body = sum(len(a["annotations"]) for a in document["articles"])
    assert document["counts"]["annotations"] == body == 3
    assert Annotation.objects.filter(article__project=project).count() == 4


def test_an_outsiders_scope_sees_articles_but_never_annotations(team, article):
    make_annotation(article, team["annotator"])
    owner_view = json.loads(exported(ExportScope(team["project"], team["owner"])))
    assert owner_view["counts"]["annotations"] == 1
    outsider = make_user()
    add_member(make_project(outsider), Role.VIEWER, make_user())
    assert json.loads(exported(ExportScope(team["project"], outsider)))["counts"]["annotations"] == 0


def test_progress_counts_every_article_written(team, article):
    class Progress:
        total, done = None, 0

        def reset(self, total):
            self.total = total

        def update(self, n):
            self.done += n

    make_article(team["project"], by=team["owner"])
    progress = Progress()
    "".join(export(ExportScope(team["project"], team["owner"]), "csv", base_url="http://x/", progress=progress))
    assert progress.total == progress.done == 2


def test_annotations_come_in_text_order_longest_first_on_equal_starts(team, article):
    short = make_annotation(article, team["annotator"], label="claim", start=4, end=7)
    long = make_annotation(article, team["annotator"], label="quote", start=4, end=12)
    first = make_annotation(article, team["annotator"], label="source", start=0, end=3)
    twin = make_annotation(article, team["annotator2"], label="claim", start=4, end=7)
    document = json.loads(exported(ExportScope(team["project"], team["owner"])))
    assert [a["id"] for a in document["articles"][0]["annotations"]] == [first.pk, long.pk, short.pk, twin.pk]


@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
def test_load3_a_client_hanging_up_ends_the_snapshot_and_its_cursors():
    """LOAD-3: closing the stream half-way (what a WSGI server does on disconnect) ends the transaction."""
    owner = make_user()
    project = make_project(owner)
    for number in range(30):
        article = make_article(project, text=f"Story {number}: " + "the mayor said the budget is balanced. " * 60)
        make_annotation(article, owner)
    chunks = export(ExportScope(project, owner), "json", base_url="http://testserver/")
    assert next(chunks)
    if connection.vendor == "postgresql":
        assert connection.in_atomic_block  # the snapshot is open while streaming
    chunks.close()
    gc.collect()  # a cursor closed after its transaction would complain here
    assert not connection.in_atomic_block
    assert Annotation.objects.filter(article__project=project).count() == 30  # the connection is usable again


def test_native_export_keeps_attributes_as_stored_and_reimports_to_the_same_export(team, article):
    """The readable formats change nothing in the native one: attributes stay one object, byte for byte on re-import."""
    owner = team["owner"]
    annotate_with_every_kind_of_attribute(article, owner)
    first = exported(ExportScope(team["project"], owner))
    stored = {a.pk: a.attributes for a in Annotation.objects.filter(article=article)}
    annotations = json.loads(first)["articles"][0]["annotations"]
    assert {a["id"]: a["attributes"] for a in annotations} == stored
    target = make_project(owner)
    plan = run_import(target, [read("export.json", first.encode())], by=owner)
    assert plan.notices == [] and plan.skipped == []

    def comparable(text: str) -> list:
        document = json.loads(text)
        keep = ("start", "end", "quote", "label", "note", "attributes", "author", "status")
        annotations = [[{key: a[key] for key in keep} for a in each["annotations"]] for each in document["articles"]]
        return [document["project"]["labels"], annotations]

    assert comparable(exported(ExportScope(target, owner))) == comparable(first)
