"""Export writers, tested as pure functions: records in, text out (no database)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.exports import FORMATS, claimreview, csvfile, native, w3c
from articles.exports.records import (
    AnnotationRecord,
    ArticleRecord,
    ArticleWithAnnotations,
    ExportHeader,
    LabelRecord,
    ProjectRecord,
    utc_iso,
)
from articles.labels import VERDICTS

SCHEMA = json.loads((Path(native.__file__).parent / "native.schema.json").read_text())
PAYLOADS = [
    '=HYPERLINK("http://evil","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\tTAB",
    "\rCR",
    "<script>alert(1)</script>",
    "line\u2028sep",
]
WHEN = datetime(2026, 3, 2, 7, 15, 0, 123456, tzinfo=timezone.utc)
CLAIM_FIELDS = [
    {"name": "check_worthiness", "label": "Check-worthiness", "type": "choice", "choices": ["low", "high"]},
    {"name": "verdict", "label": "Verdict", "type": "choice", "choices": ["true", "false"]},
]
# Labels whose fields cover every case: a name two labels share, a name that is already a column, a web address.
LABELS = (
    LabelRecord("claim", "Claim", "#E69F00", "1", "", 0, CLAIM_FIELDS),
    LabelRecord("quote", "Quote", "#56B4E9", "2", "", 1, [{"name": "speaker", "label": "Speaker", "type": "text"}]),
    LabelRecord(
        "source",
        "Source",
        "#009E73",
        "3",
        "",
        2,
        [{"name": "name", "label": "Name", "type": "text"}, {"name": "url", "label": "URL", "type": "url"}],
    ),
    LabelRecord(
        "person",
        "Person",
        "#CC79A7",
        "4",
        "",
        3,
        [{"name": "name", "label": "Name", "type": "text"}, {"name": "note", "label": "Note", "type": "text"}],
    ),
)
TEXT = "👩🏽‍⚖️ said “café” 𝒳, and the minister said taxes will fall."


def header(**changes) -> ExportHeader:
    values = dict(
        project=ProjectRecord(7, "Desk", "desk", "", "", "Coast Fact Check", "shared"),
        labels=(LabelRecord("claim", "Claim", "#E69F00", "1", "", 0, []),),
        base_url="https://annotate.example.org/",
        exported_at=WHEN,
        article_count=1,
        annotation_count=2,
        filters={"label": [], "author": [], "status": [], "since": None, "until": None},
    )
    return ExportHeader(**{**values, **changes})


def article(**changes) -> ArticleRecord:
    values = dict(
        id=3,
        title="Bridge closes",
        byline="Jonas",
        outlet="The Gazette",
        url="https://news.example/b",
        published_at=WHEN,
        language="en",
        external_id="",
        status="new",
        text=TEXT,
        text_sha256="0" * 64,
        created_at=WHEN,
        updated_at=WHEN,
    )
    return ArticleRecord(**{**values, **changes})


def span(start: int, end: int, text: str = TEXT, **changes) -> AnnotationRecord:
    values = dict(
        id=start + 100,
        article_id=3,
        start=start,
        end=end,
        quote=text[start:end],
        prefix=text[max(0, start - 32) : start],
        suffix=text[end : end + 32],
        label="claim",
        note="",
        attributes="{}",
        author="alice",
        status="pending",
        is_flagged=False,
        question="",
        created_at=WHEN,
        updated_at=WHEN + timedelta(hours=1),
    )
    return AnnotationRecord(**{**values, **changes})


def written(key: str, rows, head: ExportHeader | None = None) -> str:
    return "".join(FORMATS[key].write(head or header(), [ArticleWithAnnotations(*row) for row in rows]))


def test_utc_timestamps_end_in_z_whatever_zone_they_come_in():
    assert utc_iso(WHEN) == "2026-03-02T07:15:00.123456Z"
    assert utc_iso(WHEN.astimezone(timezone(timedelta(hours=5)))) == "2026-03-02T07:15:00.123456Z"
    assert utc_iso(None) is None


def test_native_export_matches_its_json_schema_and_counts_code_points():
    cafe = TEXT.index("café")
    document = json.loads(written("json", [(article(), [span(0, 5), span(cafe, cafe + 4)])]))
    jsonschema.validate(document, SCHEMA)
    annotation = document["articles"][0]["annotations"][1]
    assert TEXT[annotation["start"] : annotation["end"]] == annotation["quote"] == "café"
    assert document["counts"] == {"articles": 1, "annotations": 2, "links": 0}
    assert document["articles"][0]["published_at"] == "2026-03-02T07:15:00.123456Z"


def orphan(text: str = TEXT) -> AnnotationRecord:
    """An annotation whose text a revision removed: its old quote, no offsets."""
    return span(0, 5, text)._replace(
        start=None, end=None, quote="gone", anchor_status="orphaned", anchored_revision=1, original_quote="gone"
    )


def test_orphans_export_with_null_offsets_in_every_format():
    fuzzy = span(0, 5)._replace(anchor_status="fuzzy", anchored_revision=2, original_quote="Befor")
    rows = [(article(text_revision=2), [fuzzy, orphan()])]
    document = json.loads(written("json", rows))
    jsonschema.validate(document, SCHEMA)
    assert document["articles"][0]["text_revision"] == 2
    first, second = document["articles"][0]["annotations"]
    assert (first["anchor_status"], first["anchored_revision"], first["original_quote"]) == ("fuzzy", 2, "Befor")
    assert (second["start"], second["end"], second["anchor_status"]) == (None, None, "orphaned")
    spans = json.loads(written("jsonl", rows))["spans"]
    assert spans[1]["start"] is None and spans[1]["anchor_status"] == "orphaned"
    assert spans[0]["original_quote"] == "Befor"  # its wording changed; an unchanged span has none
    records = csv_records(rows)
    assert (records[1]["start"], records[1]["end"], records[1]["anchor_status"]) == ("", "", "orphaned")
    assert records[0]["original_quote"] == "Befor" and records[0]["anchored_revision"] == "2"
    item = json.loads(w3c.annotation_json(header(), article(), orphan()))
    assert item["target"]["selector"] == [
        {"type": "TextQuoteSelector", "exact": "gone", "prefix": "", "suffix": TEXT[5:37]}
    ]
    assert item["anchor_status"] == "orphaned"


def test_native_export_of_nothing_is_still_a_valid_document():
    document = json.loads(written("json", [], header(article_count=0, annotation_count=0)))
    jsonschema.validate(document, SCHEMA)
    assert document["articles"] == []


def test_jsonl_has_one_article_per_line_with_spans_in_code_points():
    text = "Zeile 1\u2028noch 𝒳 mehr"
    output = written("jsonl", [(article(text=text), [span(8, 12, text)]), (article(id=4), [])])
    lines = output.splitlines()
    assert len(lines) == 2 and output.endswith("\n")
    first = json.loads(lines[0])
    assert first["spans"] == [
        {
            "start": 8,
            "end": 12,
            "label": "claim",
            "attributes": {},
            "anchor_status": "exact",
            "anchored_revision": 1,
        }
    ]
    assert first["text"][8:12] == "noch" and first["meta"]["project"] == "desk"


def test_jsonl_spans_carry_their_attributes_as_readable_json():
    stored = json.dumps({"speaker": "Zoë", "quoted": True, "line\u2028break": "a\u2029b"})  # \u escapes, as SQLite
    output = written("jsonl", [(article(), [span(0, 5, label="quote", attributes=stored), span(6, 9, attributes="")])])
    assert "Zoë" in output and len(output.splitlines()) == 1
    spans = json.loads(output)["spans"]
    assert spans[0] == {
        "start": 0,
        "end": 5,
        "label": "quote",
        "attributes": json.loads(stored),
        "anchor_status": "exact",
        "anchored_revision": 1,
    }
    assert spans[1]["attributes"] == {}


def csv_records(rows, head: ExportHeader | None = None) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(written("csv", rows, head or header(labels=LABELS)), newline="")))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss8_csv_cells_that_a_spreadsheet_would_run_are_neutralised(payload):
    attributes = json.dumps({"speaker": payload})
    rows = [
        (
            article(title=payload, outlet=payload),
            [span(0, 5, label="quote", note=payload, author=payload, attributes=attributes)],
        )
    ]
    record = csv_records(rows)[0]
    for column in ("article_title", "article_outlet", "note", "author", "speaker"):
        if payload[0] in "=+-@\t\r":
            assert record[column] == "'" + payload
        else:
            assert record[column] == payload


def test_csv_is_rfc_4180_with_crlf_and_quoted_separators():
    note = 'says "no", then\nleaves'
    head = header(labels=LABELS[:1])
    output = written("csv", [(article(title="A, B"), [span(0, 5, note=note, attributes='{"verdict": "false"}')])], head)
    assert output.startswith(",".join([*csvfile.COLUMNS, "check_worthiness", "verdict", "other_attributes"]) + "\r\n")
    assert '"A, B"' in output and '"says ""no"", then\nleaves"' in output
    record = csv_records([(article(), [span(0, 5, note=note, attributes='{"verdict": "false"}')])], head)[0]
    assert record["note"] == note and record["verdict"] == "false" and record["other_attributes"] == ""


def test_csv_has_a_column_per_attribute_field_in_label_then_field_order():
    """A name is prefixed by its label only where two labels share it or a fixed column has it already."""
    head = written("csv", [], header(labels=LABELS)).splitlines()[0].split(",")
    assert head[: len(csvfile.COLUMNS)] == list(csvfile.COLUMNS)
    assert head[len(csvfile.COLUMNS) :] == [
        "check_worthiness",
        "verdict",
        "speaker",
        "source.name",
        "url",
        "person.name",
        "person.note",
        "other_attributes",
    ]
    assert written("csv", [], header(labels=())).splitlines()[0] == ",".join([*csvfile.COLUMNS, "other_attributes"])


def test_csv_puts_each_attribute_in_its_own_labels_column_and_the_rest_in_one_readable_json_cell():
    claim = span(
        0,
        5,
        # as SQLite stores JSON: non-ASCII as \u escapes; speaker is a field of quotes, not of claims
        attributes=json.dumps({"verdict": "false", "speaker": "Zoë", "confidence": 0.8, "checked": True, "x": None}),
    )
    source = span(6, 10, label="source", attributes=json.dumps({"name": "@Ministry", "url": "https://gov.example/r"}))
    person = span(11, 15, label="person", attributes=json.dumps({"name": -2, "note": "見出し"}))
    output = written("csv", [(article(), [claim, source, person])], header(labels=LABELS))
    assert "\\u" not in output and "Zoë" in output and "見出し" in output
    first, second, third = csv_records([(article(), [claim, source, person])])
    assert (first["verdict"], first["check_worthiness"], first["speaker"]) == ("false", "", "")
    assert json.loads(first["other_attributes"]) == {"speaker": "Zoë", "confidence": 0.8, "checked": True, "x": None}
    assert (second["source.name"], second["url"], second["person.name"]) == ("'@Ministry", "https://gov.example/r", "")
    assert (third["person.name"], third["person.note"], third["other_attributes"]) == ("-2", "見出し", "")


def test_csv_attributes_of_a_label_the_header_does_not_know_go_to_other_attributes():
    stray = span(0, 5, label="rumour", attributes='{"verdict": "=1+1"}')
    record = csv_records([(article(), [stray])])[0]
    assert record["verdict"] == "" and json.loads(record["other_attributes"]) == {"verdict": "=1+1"}


def test_w3c_annotation_has_both_selectors_agreeing_and_only_web_scopes():
    a = span(0, 5, note="<script>x</script>")
    data = json.loads(w3c.annotation_json(header(), article(url="javascript:alert(1)"), a))
    quote, position = data["target"]["selector"]
    assert TEXT[position["start"] : position["end"]] == quote["exact"]
    assert "scope" not in data["target"]
    assert data["target"]["source"] == "https://annotate.example.org/api/v1/articles/3/"
    assert data["body"][1] == {
        "type": "TextualBody",
        "purpose": "commenting",
        "value": "<script>x</script>",
        "format": "text/plain",
    }
    assert data["created"].endswith("Z") and data["modified"].endswith("Z")


@given(quote=st.text(min_size=1), note=st.text(), author=st.text(min_size=1), label=st.text(min_size=1))
def test_w3c_annotation_json_holds_exactly_these_fields(quote, note, author, label):
    record = span(0, 5)._replace(quote=quote, note=note, author=author, label=label, prefix=note[:2], suffix="\u2028")
    body = [{"type": "TextualBody", "purpose": "tagging", "value": label, "format": "text/plain"}]
    if note:
        body.append({"type": "TextualBody", "purpose": "commenting", "value": note, "format": "text/plain"})
    assert json.loads(w3c.annotation_json(header(), article(), record)) == {
        "id": f"https://annotate.example.org/api/v1/annotations/{record.id}/",
        "type": "Annotation",
        "motivation": "classifying",
        "created": "2026-03-02T07:15:00.123456Z",
        "modified": "2026-03-02T08:15:00.123456Z",
        "creator": {"type": "Person", "name": author, "nickname": author},
        "body": body,
        "target": {
            "type": "SpecificResource",
            "source": "https://annotate.example.org/api/v1/articles/3/",
            "scope": "https://news.example/b",
            "selector": [
                {"type": "TextQuoteSelector", "exact": quote, "prefix": note[:2], "suffix": "\u2028"},
                {"type": "TextPositionSelector", "start": 0, "end": 5},
            ],
        },
        "anchor_status": "exact",
        "anchored_revision": 1,
        "original_quote": quote,
    }


def described(purpose: str, name: str, value: str) -> dict[str, str]:
    return {
        "type": "TextualBody",
        "purpose": purpose,
        "schema:propertyID": name,
        "value": value,
        "format": "text/plain",
    }


def test_w3c_attributes_are_bodies_whose_purpose_follows_the_field_type():
    """Choices classify, text describes, a web address links; the label's fields first, empty values left out."""
    attributes = {"score": 3, "speaker": "Zoë", "checked": None, "verdict": "false", "check_worthiness": ""}
    claim = span(0, 5, note="Old figures.", attributes=json.dumps(attributes))
    source = span(6, 10, label="source", attributes=json.dumps({"url": "https://gov.example/r", "name": "Ministry"}))
    odd = span(11, 15, label="source", attributes=json.dumps({"url": "javascript:alert(1)"}))
    spaced = span(16, 20, label="source", attributes=json.dumps({"url": "https://gov.example/a b"}))
    head = header(labels=LABELS, annotation_count=4)
    rows = [(article(), [claim, source, odd, spaced])]
    items = [json.loads(w3c.annotation_json(head, article(), a)) for a in rows[0][1]]
    assert json.loads(written("w3c", rows, head))["first"]["items"] == items
    claim_body, source_body, odd_body, spaced_body = (item["body"] for item in items)
    assert claim_body[1]["purpose"] == "commenting"
    assert claim_body[2:] == [
        described("classifying", "verdict", "false"),
        described("describing", "score", "3"),
        described("describing", "speaker", "Zoë"),
    ]
    link = {
        "type": "SpecificResource",
        "purpose": "linking",
        "schema:propertyID": "url",
        "source": "https://gov.example/r",
    }
    assert source_body[1:] == [described("describing", "name", "Ministry"), link]
    assert odd_body[1:] == [described("describing", "url", "javascript:alert(1)")]
    assert spaced_body[1:] == [described("describing", "url", "https://gov.example/a b")]


@given(
    attributes=st.dictionaries(st.text(min_size=1), st.text() | st.integers() | st.booleans() | st.none(), max_size=4)
)
def test_w3c_attribute_bodies_hold_any_name_and_value_as_json_reads_them(attributes):
    record = span(0, 5, label="quote", attributes=json.dumps(attributes))
    bodies = json.loads(w3c.annotation_json(header(labels=LABELS), article(), record))["body"][1:]
    expected = {name: value if isinstance(value, str) else json.dumps(value) for name, value in attributes.items()}
    assert {body["schema:propertyID"]: body["value"] for body in bodies} == {
        name: text for name, text in expected.items() if attributes[name] is not None and text
    }


def test_w3c_collection_total_equals_items_streamed():
    document = json.loads(written("w3c", [(article(), [span(0, 5), span(6, 10)])]))
    assert document["type"] == "AnnotationCollection" and document["total"] == 2
    assert len(document["first"]["items"]) == 2 and document["first"]["startIndex"] == 0


def test_every_verdict_has_a_place_on_the_claimreview_scale():
    assert set(claimreview.RATING_SCALE) == set(VERDICTS)


def test_claimreview_holds_one_review_per_claim_with_a_verdict():
    claims = [
        span(0, 5, attributes='{"verdict": "mostly false"}', note="Figures are from 2019."),
        span(6, 10, attributes='{"verdict": "unverifiable"}'),
        span(11, 15, attributes='{"check_worthiness": "high"}'),  # no verdict yet
        span(16, 20, label="quote", attributes='{"verdict": "false"}'),  # not a claim
    ]
    reviews = json.loads(written("claimreview", [(article(), claims)]))
    assert len(reviews) == 2
    first = reviews[0]
    assert first["@type"] == "ClaimReview" and first["claimReviewed"] == TEXT[0:5]
    assert first["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 2,
        "bestRating": 5,
        "worstRating": 1,
        "alternateName": "mostly false",
        "name": "mostly false",
    }
    assert first["author"] == {"@type": "Organization", "name": "Coast Fact Check"}
    appearance = first["itemReviewed"]["appearance"]
    assert appearance["url"] == "https://news.example/b" and appearance["headline"] == "Bridge closes"
    assert appearance["publisher"]["name"] == "The Gazette" and first["datePublished"] == "2026-03-02"
    assert reviews[1]["reviewRating"] == {"@type": "Rating", "alternateName": "unverifiable", "name": "unverifiable"}


def test_claimreview_author_falls_back_to_the_project_name():
    head = header(project=ProjectRecord(7, "Desk", "desk", "", "", "", "shared"))
    reviews = json.loads(written("claimreview", [(article(), [span(0, 5, attributes='{"verdict": "true"}')])], head))
    assert reviews[0]["author"]["name"] == "Desk"


def test_claimreview_can_be_pasted_into_a_script_block_as_it_is():
    """`</script>` in a quote or note cannot end the JSON-LD block: < > & are \\u escapes, and read back the same."""
    quote, note = "Taxes </script><script>alert(1)</script> fall", "A&B say <!-- so --> & more"
    claim = span(0, 5, quote=quote, note=note, attributes='{"verdict": "false"}')
    output = written("claimreview", [(article(title="Q&A <b>", url="https://news.example/b?x=1&y=2"), [claim])])
    assert not {"<", ">", "&"} & set(output)
    assert "\\u003c/script\\u003e" in output and "\\u0026" in output
    review = json.loads(output)[0]
    assert (review["claimReviewed"], review["reviewBody"]) == (quote, note)
    appearance = review["itemReviewed"]["appearance"]
    assert (appearance["headline"], appearance["url"]) == ("Q&A <b>", "https://news.example/b?x=1&y=2")


@given(quote=st.text(min_size=1), note=st.text(min_size=1))
def test_claimreview_strings_survive_the_script_escapes(quote, note):
    claim = span(0, 5, quote=quote, note=note, attributes='{"verdict": "true"}')
    review = json.loads(written("claimreview", [(article(), [claim])]))[0]
    assert (review["claimReviewed"], review["reviewBody"]) == (quote, note)


def test_the_w3c_page_asked_for_by_its_iri_is_that_page_part_of_the_collection():
    rows = [(article(), [span(0, 5), span(6, 10)])]
    collection = json.loads(written("w3c", rows))
    page = json.loads(written("w3c", rows, header(page=1)))
    assert page["id"] == collection["first"]["id"] == collection["last"] == collection["id"] + "&page=1"
    assert page["type"] == "AnnotationPage" and page["items"] == collection["first"]["items"]
    assert page["partOf"] == {
        "id": collection["id"],
        "type": "AnnotationCollection",
        "label": collection["label"],
        "total": 2,
    }
    assert page["@context"] == w3c.CONTEXT


@pytest.mark.parametrize("key", sorted(FORMATS))
def test_every_format_streams_in_chunks_without_holding_the_whole_export(key):
    pulled = []

    def rows():
        for n in range(3000):
            pulled.append(n)
            yield ArticleWithAnnotations(article(id=n), [span(0, 5, id=n, attributes='{"verdict": "true"}')])

    chunks = iter(FORMATS[key].write(header(article_count=3000, annotation_count=3000), rows()))
    first = next(chunks)
    assert 0 < len(first) < 200_000 and len(pulled) < 3000  # the first chunk leaves before the rest is read
    assert sum(1 for _ in chunks) >= 1 and len(pulled) == 3000


@given(
    quote=st.text(min_size=1),
    note=st.text(),
    author=st.text(min_size=1),
    question=st.text(),
    flagged=st.booleans(),
    attributes=st.dictionaries(st.text(min_size=1, max_size=5), st.text() | st.integers() | st.none(), max_size=3),
)
def test_native_annotation_json_says_exactly_what_json_dumps_would(quote, note, author, question, flagged, attributes):
    """The formatted fast path escapes like json.dumps for any text, U+2028, quotes and controls included."""
    record = span(0, 5)._replace(
        quote=quote,
        note=note,
        author=author,
        question=question,
        is_flagged=flagged,
        attributes=json.dumps(attributes),
        prefix=note[:3],
        suffix=question[:3],
    )
    expected = {
        "id": record.id,
        "start": 0,
        "end": 5,
        "quote": quote,
        "prefix": note[:3],
        "suffix": question[:3],
        "label": "claim",
        "note": note,
        "attributes": attributes,
        "author": author,
        "status": "pending",
        "is_flagged": flagged,
        "question": question,
        "created_at": "2026-03-02T07:15:00.123456Z",
        "updated_at": "2026-03-02T08:15:00.123456Z",
        "anchor_status": "exact",
        "anchored_revision": 1,
        "original_quote": quote,
    }
    text = native.annotation_json(record)
    assert json.loads(text) == expected
    assert text == json.dumps({**expected, "attributes": None}, ensure_ascii=False, separators=(",", ":")).replace(
        '"attributes":null', '"attributes":' + json.dumps(attributes)
    )
