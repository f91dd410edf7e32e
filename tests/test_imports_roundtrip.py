"""DATA-4: export, import into an empty project, export again: identical except ids and timestamps."""

from __future__ import annotations

import itertools
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from articles.anchoring import canonical_text, split_character
from articles.annotation_write import create_annotation
from articles.article_write import create_article
from articles.export_scope import ExportScope, export
from articles.imports import read, run_import
from articles.models import Project, Role
from tests.factories import add_member, make_user

_names = itertools.count(1)
ALPHABET = st.sampled_from(
    list("abc XYZ.,\n\t'\"<>&=+-@")
    + ["é", "ß", "“", "”", "😀", "👩", "\u200d", "⚖", "\ufe0f", "𝒳", "中", "\u0301", "\u2028", "\u00a0"]
)
TEXTS = st.text(ALPHABET, min_size=1, max_size=80).map(canonical_text).filter(lambda text: text.strip())
NOTES = st.text(ALPHABET, max_size=20)
PAYLOAD_NOTES = st.sampled_from(["<script>alert(1)</script>", '=HYPERLINK("http://evil","x")', "{{ 7*7 }}", ""])


@st.composite
def articles(draw):
    text = draw(TEXTS)
    spans = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(text) - 1),
                st.integers(1, len(text)),
                st.sampled_from(["claim", "quote", "source"]),
                st.sampled_from(["owner", "annotator"]),
                st.sampled_from(["pending", "accepted", "rejected"]),
                NOTES | PAYLOAD_NOTES,
            ),
            max_size=8,
        )
    )
    unique = {}
    for start, end, label, author, status, note in spans:
        start, end = min(start, end - 1), max(start + 1, end)
        if split_character(text, start) or split_character(text, end):
            continue  # a span never splits a character (an emoji sequence, a letter and its accent)
        unique[(start, end, label, author)] = (status, note)  # one span per author, label and offsets
    title = draw(st.text(ALPHABET, min_size=1, max_size=30).filter(lambda t: t.strip() and "\x00" not in t))
    return {"title": title, "text": text, "spans": unique}


def make_desk(owner, annotator, **fields) -> Project:
    project = Project.create_with_owner(
        owner=owner,
        name="Round trip desk",
        slug=f"desk-{next(_names)}",
        description="Fixed",
        guidelines="Same",
        organisation="Org",
        **fields,
    )
    add_member(project, Role.ANNOTATOR, annotator)
    return project


def document(project: Project, user, key: str = "json") -> str:
    return "".join(export(ExportScope(project, user), key, base_url="http://testserver/"))


def without_ids(text: str) -> dict:
    data = json.loads(text)
    del data["exported_at"], data["scope"]["project"], data["project"]["id"], data["project"]["slug"]
    for article in data["articles"]:
        for key in ("id", "created_at", "updated_at"):
            del article[key]
        for annotation in article["annotations"]:
            for key in ("id", "created_at", "updated_at"):
                del annotation[key]
    return data


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(articles(), min_size=1, max_size=3, unique_by=lambda a: a["text"]))
def test_native_export_import_export_is_identical_except_ids_and_timestamps(db, generated):
    owner, annotator = make_user(f"owner{next(_names)}"), make_user(f"annotator{next(_names)}")
    users = {"owner": owner, "annotator": annotator}
    source = make_desk(owner, annotator)
    for spec in generated:
        article = create_article(source, by=owner, title=spec["title"], text=spec["text"], url="https://news.example/a")
        for (start, end, label, author), (status, note) in spec["spans"].items():
            create_annotation(
                article,
                author=users[author],
                label=label,
                start=start,
                end=end,
                note=note,
                status=status,
                attributes={"speaker": note} if label == "quote" else {},
            )
    first = document(source, owner)
    target = make_desk(owner, annotator)
    plan = run_import(target, [read("export.json", first.encode())], by=owner)
    assert plan.notices == [] and plan.skipped == []
    assert without_ids(document(target, owner)) == without_ids(first)


def test_jsonl_and_w3c_round_trip_keep_every_span(db):
    """DATA-4 for the other re-importable formats: JSONL spans, then W3C annotations onto those articles."""
    owner, annotator = make_user(), make_user()
    source = make_desk(owner, annotator)
    text = "👩🏽‍⚖️ said “café” 𝒳 and the mayor said taxes will fall."
    article = create_article(source, by=owner, title="T", text=text, url="https://news.example/t")
    create_annotation(article, author=annotator, label="claim", quote="taxes will fall", note="<b>check</b>")
    create_annotation(article, author=owner, label="quote", quote="“café”")
    create_annotation(article, author=owner, label="claim", quote="café")
    target = make_desk(owner, annotator)
    jsonl = document(source, owner, "jsonl")
    run_import(target, [read("spans.jsonl", jsonl.encode())], by=owner)
    again = [json.loads(line) for line in document(target, owner, "jsonl").splitlines()]
    original = [json.loads(line) for line in jsonl.splitlines()]
    assert [(a["text"], a["spans"], {**a["meta"], "project": ""}) for a in again] == [
        (a["text"], a["spans"], {**a["meta"], "project": ""}) for a in original
    ]

    bare = make_desk(owner, annotator)
    run_import(bare, [read("texts.jsonl", jsonl.encode())], by=owner)
    bare.articles.get().annotations.all().delete()
    w3c = document(source, owner, "w3c")
    run_import(bare, [read("annotations.jsonld", w3c.encode())], by=owner)

    def comparable(text: str) -> list:
        items = json.loads(text)["first"]["items"]
        return sorted(
            json.dumps(
                {**item, "id": "", "created": "", "modified": "", "target": {**item["target"], "source": ""}},
                sort_keys=True,
            )
            for item in items
        )

    assert comparable(document(bare, owner, "w3c")) == comparable(w3c)
