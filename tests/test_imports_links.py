"""Links in imports: a native export's links come back between the same spans, and a bad link refuses the whole
import with the item at fault (unknown type, an end in another article or not in the file, labels the type does
not join)."""

from __future__ import annotations

import copy
import json

import pytest

from articles.export_scope import ExportScope, export, parse_filters
from articles.imports import ImportFailed, read, run_import
from articles.links import LinkSpec, create_link, link_types_of, review_link
from articles.models import Annotation, Article, Link, LinkEvent, LinkType
from tests.factories import make_annotation, make_article, make_project

TEXT = "“Taxes will fall,” said the minister. The State Department disagreed. Prices rose 5% last year."


def exported(project, user, key: str = "json", **query) -> str:
    scope = ExportScope(project, user, filters=parse_filters(query))
    return "".join(export(scope, key, base_url="http://testserver/"))


@pytest.fixture
def linked(team):
    """An article with a quote said by the minister and a claim backed by the department (accepted), and a
    second article with a link of its own."""
    article = make_article(team["project"], text=TEXT)
    author = team["annotator"]
    quote = make_annotation(article, author, "quote", quote="Taxes will fall,")
    minister = make_annotation(article, author, "source", quote="the minister")
    department = make_annotation(article, author, "source", quote="The State Department")
    claim = make_annotation(article, author, "claim", quote="Prices rose 5% last year.")
    said = create_link(article, LinkSpec(quote.pk, minister.pk, "said_by", "On the record."), author=author)
    backed = create_link(article, LinkSpec(claim.pk, department.pk, "backed_by"), author=author)
    review_link(backed, by=team["reviewer"], status="accepted")
    other = make_article(team["project"], text="The mayor said the bridge is safe.")
    mayor = make_annotation(other, author, "source", quote="The mayor")
    safe = make_annotation(other, author, "quote", quote="the bridge is safe")
    create_link(other, LinkSpec(safe.pk, mayor.pk, "said_by"), author=team["owner"])
    return {"article": article, "other": other, "said": said, "backed": backed}


def link_shape(document: str) -> list:
    """Each article's links as (type, from quote and label, to quote and label, note, author, status)."""
    data = json.loads(document)
    shapes = []
    for article in data["articles"]:
        spans = {a["id"]: (a["quote"], a["label"]) for a in article["annotations"]}
        shapes.append(
            sorted(
                (link["type"], spans[link["from"]], spans[link["to"]], link["note"], link["author"], link["status"])
                for link in article["links"]
            )
        )
    return shapes


def test_a_native_round_trip_keeps_every_link_between_the_same_spans(team, linked):
    first = exported(team["project"], team["owner"])
    assert json.loads(first)["counts"]["links"] == 3
    target = make_project(team["owner"], name="Copy")
    target.memberships.create(user=team["annotator"], role="annotator")
    plan = run_import(target, [read("export.json", first.encode())], by=team["owner"])
    assert plan.summary()["created"]["links"] == 3 and plan.summary()["created"]["link_types"] == 0
    assert plan.notices == [] and plan.skipped == []
    again = exported(target, team["owner"])
    assert link_shape(again) == link_shape(first)
    assert json.loads(again)["project"]["link_types"] == json.loads(first)["project"]["link_types"]
    assert json.loads(again)["counts"] == json.loads(first)["counts"]
    # each imported link has its `created` history row, by the importer
    links = Link.objects.filter(article__project=target)
    events = LinkEvent.objects.filter(link_id__in=links.values("pk"))
    assert sorted(e.action for e in events) == ["created"] * 3
    assert {e.actor_id for e in events} == {team["owner"].pk}
    assert {e.snapshot["type"] for e in events} == {"said_by", "backed_by"}


def test_links_by_someone_outside_the_project_are_attributed_to_the_importer(team, linked):
    first = exported(team["project"], team["owner"])
    other_owner = make_project(name="Elsewhere").memberships.get().user
    target = make_project(other_owner, name="Copy")
    plan = run_import(target, [read("export.json", first.encode())], by=other_owner)
    assert set(Link.objects.filter(article__project=target).values_list("author", flat=True)) == {other_owner.pk}
    assert "2 link(s) by 'annotator', who is not a member of this project, are attributed to you." in plan.notices
    assert "1 link(s) by 'owner', who is not a member of this project, are attributed to you." in plan.notices


def test_the_files_link_types_the_project_lacks_are_created_and_existing_keys_win(team, linked):
    document = json.loads(exported(team["project"], team["owner"]))
    document["project"]["link_types"].append(
        {
            "key": "contradicts",
            "name": "Contradicts",
            "color": "#A03000",
            "description": "One claim against another.",
            "order": 9,
            "from_labels": ["claim"],
            "to_labels": ["claim", "quote"],
        }
    )
    said_by = next(t for t in document["project"]["link_types"] if t["key"] == "said_by")
    said_by["name"] = "Renamed in the file"
    target = make_project(team["owner"], name="Copy")
    plan = run_import(target, [read("export.json", json.dumps(document).encode())], by=team["owner"])
    assert plan.summary()["created"]["link_types"] == 1
    types = {each.key: each for each in link_types_of(target)}
    assert (types["contradicts"].from_keys, types["contradicts"].to_keys) == (["claim"], ["claim", "quote"])
    assert types["said_by"].name == "Said by"  # the project's own definition stays


def test_a_link_of_a_new_type_between_labels_the_import_adds_is_stored(team):
    """A link type's ends may name labels that the same file brings."""
    source = make_project(team["owner"], name="Source")
    article = make_article(source, text="Alice met Bob in Paris.")
    owner = team["owner"]
    from articles.label_write import create_label
    from articles.link_type_write import create_link_type

    create_label(source, by=owner, key="person", name="Person", color="#0072B2")
    create_link_type(
        source, by=owner, key="met", name="Met", color="#A03000", from_labels=["person"], to_labels=["person"]
    )
    alice = make_annotation(article, owner, "person", quote="Alice")
    bob = make_annotation(article, owner, "person", quote="Bob")
    create_link(article, LinkSpec(alice.pk, bob.pk, "met"), author=owner)
    first = exported(source, owner)
    target = make_project(owner, name="Copy")
    plan = run_import(target, [read("export.json", first.encode())], by=owner)
    created = plan.summary()["created"]
    assert (created["labels"], created["link_types"], created["links"]) == (1, 1, 1)
    assert link_shape(exported(target, owner)) == link_shape(first)


def refused(project, owner, document: dict) -> list[dict]:
    """Import `document`; it must fail as a whole: nothing stored. Returns the problems."""
    before = (Article.objects.count(), Annotation.objects.count(), Link.objects.count(), LinkType.objects.count())
    with pytest.raises(ImportFailed) as caught:
        run_import(project, [read("bad.json", json.dumps(document).encode())], by=owner)
    after = (Article.objects.count(), Annotation.objects.count(), Link.objects.count(), LinkType.objects.count())
    assert after == before
    return [p.as_dict() for p in caught.value.plan.problems]


@pytest.fixture
def document(team, linked) -> dict:
    return json.loads(exported(team["project"], team["owner"]))


@pytest.fixture
def target(team):
    return make_project(team["owner"], name="Copy")


def with_change(document: dict, change) -> dict:
    changed = copy.deepcopy(document)
    change(changed)
    return changed


def test_an_unknown_link_type_refuses_the_import_naming_the_link(team, document, target):
    def change(data):
        data["articles"][0]["links"][1]["type"] = "invented"

    problems = refused(target, team["owner"], with_change(document, change))
    assert problems == [
        {
            "file": "bad.json",
            "record": "article 1, link 2",
            "field": "type",
            "message": "Unknown link type 'invented' in this project (known: backed_by, claimed_by, held_by, said_by).",
        }
    ]


def test_an_end_in_another_article_refuses_the_import(team, document, target):
    def change(data):
        data["articles"][0]["links"][0]["to"] = data["articles"][1]["annotations"][0]["id"]

    [problem] = refused(target, team["owner"], with_change(document, change))
    assert (problem["record"], problem["field"]) == ("article 1, link 1", "to")
    assert "is in article 2: both ends of a link must be in the same article" in problem["message"]


def test_an_end_that_is_not_in_the_file_refuses_the_import(team, document, target):
    def change(data):
        data["articles"][1]["links"][0]["from"] = 987654

    [problem] = refused(target, team["owner"], with_change(document, change))
    assert problem == {
        "file": "bad.json",
        "record": "article 2, link 1",
        "field": "from",
        "message": "There is no annotation 987654 in this file.",
    }


def test_an_end_whose_annotation_was_refused_gets_no_second_message(team, document, target):
    def change(data):
        data["articles"][0]["annotations"][0]["label"] = "invented"

    problems = refused(target, team["owner"], with_change(document, change))
    assert [(p["record"], p["field"]) for p in problems] == [("article 1, annotation 1", "label")]


def test_a_link_between_labels_its_type_does_not_join_refuses_the_import(team, document, target):
    def change(data):
        data["articles"][0]["links"][0]["type"] = "held_by"  # opinion -> source; this one goes from a quote

    [problem] = refused(target, team["owner"], with_change(document, change))
    assert (problem["record"], problem["field"]) == ("article 1, link 1", "type")
    assert "A held_by link goes from opinion to source; this one would go from quote to source." == problem["message"]


def test_malformed_links_are_each_reported(team, document, target):
    def change(data):
        links = data["articles"][0]["links"]
        links[0]["from"] = "12"
        del links[1]["type"]
        links.append(copy.deepcopy(data["articles"][1]["links"][0]) | {"from": links[1]["from"], "to": links[1]["to"]})
        links.append("not a link")
        links.append(dict(links[1], status="approved", type="backed_by"))
        data["articles"][1]["links"].append(dict(data["articles"][1]["links"][0]))  # the same link twice
        data["articles"][1]["links"].append(
            dict(data["articles"][1]["links"][0], to=data["articles"][1]["links"][0]["from"])
        )

    problems = refused(target, team["owner"], with_change(document, change))
    found = {(p["record"], p["field"]): p["message"] for p in problems}
    assert found["article 1, link 1", "from"] == "Give the id of one of this article's annotations."
    assert found["article 1, link 2", "type"] == "This field is required."
    assert found["article 1, link 4", ""] == "Each link must be a JSON object."
    assert found["article 1, link 5", "status"] == "Choose one of: pending, accepted, rejected."
    assert found["article 2, link 2", ""] == "The same link already appears at bad.json, article 2, link 1."
    assert found["article 2, link 3", "to"] == "A span cannot link to itself."
    assert ("article 1, link 3", "type") in found  # said_by between a claim and a source


def test_links_that_are_not_a_list_are_refused(team, document, target):
    def change(data):
        data["articles"][0]["links"] = {"0": "x"}

    assert refused(target, team["owner"], with_change(document, change)) == [
        {"file": "bad.json", "record": "article 1", "field": "links", "message": "Must be a list."}
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"color": "#FFFF00"}, "color", "contrast"),
        ({"key": "Not A Key"}, "key", "lower-case"),
        ({"from_labels": ["nobody"]}, "from_labels", "Unknown label 'nobody' in this project."),
        ({"to_labels": []}, "to_labels", "Send a list of one or more label keys."),
        ({"color": None}, "color", "This field is required."),
        ({"order": -1}, "order", "whole number"),
    ],
)
def test_a_new_link_type_breaking_the_rules_refuses_the_import(team, document, target, change, field, message):
    def add(data):
        new = {
            "key": "contradicts",
            "name": "Contradicts",
            "color": "#A03000",
            "description": "",
            "order": 9,
            "from_labels": ["claim"],
            "to_labels": ["claim"],
        }
        data["project"]["link_types"].append(new | change)

    [problem] = refused(target, team["owner"], with_change(document, add))
    assert problem["record"] == "link type 5" and problem["field"] == field and message in problem["message"]


def test_importing_the_same_file_twice_stores_its_links_once(team, linked, target):
    first = exported(team["project"], team["owner"])
    run_import(target, [read("export.json", first.encode())], by=team["owner"])
    again = run_import(target, [read("export.json", first.encode())], by=team["owner"])
    assert again.summary()["created"]["links"] == 0 and Link.objects.filter(article__project=target).count() == 3


def test_a_file_into_one_article_skips_links_whose_end_is_stored_already(team, linked):
    """Importing an article's export into that article: annotations stored already are skipped, and so are their
    links; a link between two new annotations is stored."""
    article = linked["other"]
    one = "".join(export(ExportScope(team["project"], team["owner"], article), "json", base_url="http://x/"))
    document = json.loads(one)
    spans = document["articles"][0]["annotations"]
    new = dict(spans[0], id=999001, author="annotator2", start=spans[0]["start"])  # another author's twin span
    twin = dict(spans[1], id=999002, author="annotator2")
    document["articles"][0]["annotations"] += [new, twin]
    document["articles"][0]["links"].append(
        dict(document["articles"][0]["links"][0], id=5, **{"from": 999002, "to": 999001})
    )
    plan = run_import(
        team["project"], [read("one.json", json.dumps(document).encode())], by=team["owner"], article=article
    )
    assert plan.summary()["created"]["links"] == 1 and plan.summary()["created"]["annotations"] == 2
    assert [s.reason for s in plan.skipped].count("An end of this link is already stored.") == 1


def test_jsonl_relations_read_back_as_links(team, linked):
    """Our JSONL export reads back with its relations (the spans at their ends carry ids)."""
    first = exported(team["project"], team["owner"], "jsonl")
    target = make_project(team["owner"], name="Copy")
    plan = run_import(target, [read("spans.jsonl", first.encode())], by=team["owner"])
    assert plan.summary()["created"]["links"] == 3
    again = [json.loads(line) for line in exported(target, team["owner"], "jsonl").splitlines()]
    original = [json.loads(line) for line in first.splitlines()]

    def shape(line: dict) -> list:
        spans = {s["id"]: (s["start"], s["end"], s["label"]) for s in line["spans"] if "id" in s}
        return sorted((r["type"], spans[r["from_id"]], spans[r["to_id"]]) for r in line["relations"])

    assert [shape(line) for line in again] == [shape(line) for line in original]


def test_jsonl_relations_naming_no_span_of_their_line_are_refused(team):
    line = {
        "text": "The mayor said the bridge is safe.",
        "spans": [
            {"id": 1, "start": 0, "end": 9, "label": "source"},
            {"id": 2, "start": 15, "end": 33, "label": "quote"},
        ],
        "relations": [
            {"id": 1, "from_id": 2, "to_id": 1, "type": "said_by"},
            {"id": 2, "from_id": 2, "to_id": 7, "type": "said_by"},
            {"id": 3, "from_id": 2, "to_id": "1"},
        ],
    }
    target = make_project(team["owner"], name="Copy")
    with pytest.raises(ImportFailed) as caught:
        run_import(target, [read("spans.jsonl", json.dumps(line).encode())], by=team["owner"])
    found = {(p.record, p.field): p.message for p in caught.value.plan.problems}
    assert found == {
        ("line 1, relation 2", "to_id"): "There is no annotation 7 in this record.",
        ("line 1, relation 3", "to_id"): "Give the id of one of this record's spans.",
        ("line 1, relation 3", "type"): "This field is required.",
    }
    assert not Link.objects.exists()


def test_a_w3c_export_with_links_imports_its_annotations_and_passes_over_the_links(team, linked):
    """Re-importing our W3C export onto the same articles: the linking items are counted, not refused."""
    w3c = exported(team["project"], team["owner"], "w3c")
    Annotation.objects.filter(article__project=team["project"]).delete()
    plan = run_import(team["project"], [read("annotations.jsonld", w3c.encode())], by=team["owner"])
    assert plan.summary()["created"]["annotations"] == 6 and plan.summary()["created"]["links"] == 0
    assert plan.notices == [
        "annotations.jsonld: 3 link(s) between annotations were passed over; W3C imports bring annotations only "
        "(the native JSON export carries links)."
    ]
