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
from articles.exports.records import AnnotationRecord, ArticleRecord, ExportHeader, LabelRecord, ProjectRecord, utc_iso
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
    return "".join(FORMATS[key].write(head or header(), rows))


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
    assert document["counts"] == {"articles": 1, "annotations": 2}
    assert document["articles"][0]["published_at"] == "2026-03-02T07:15:00.123456Z"


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
    assert first["spans"] == [{"start": 8, "end": 12, "label": "claim"}]
    assert first["text"][8:12] == "noch" and first["meta"]["project"] == "desk"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss8_csv_cells_that_a_spreadsheet_would_run_are_neutralised(payload):
    rows = [(article(title=payload, outlet=payload), [span(0, 5, note=payload, author=payload)])]
    parsed = list(csv.reader(io.StringIO(written("csv", rows), newline="")))
    record = dict(zip(parsed[0], parsed[1]))
    for column in ("article_title", "article_outlet", "note", "author"):
        if payload[0] in "=+-@\t\r":
            assert record[column] == "'" + payload
        else:
            assert record[column] == payload


def test_csv_is_rfc_4180_with_crlf_and_quoted_separators():
    note = 'says "no", then\nleaves'
    output = written("csv", [(article(title="A, B"), [span(0, 5, note=note, attributes='{"verdict": "false"}')])])
    assert output.startswith(",".join(csvfile.COLUMNS) + "\r\n")
    assert '"A, B"' in output and '"says ""no"", then\nleaves"' in output
    record = list(csv.DictReader(io.StringIO(output, newline="")))[0]
    assert record["note"] == note and json.loads(record["attributes"]) == {"verdict": "false"}


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
    }
    assert first["author"] == {"@type": "Organization", "name": "Coast Fact Check"}
    appearance = first["itemReviewed"]["appearance"]
    assert appearance["url"] == "https://news.example/b" and appearance["headline"] == "Bridge closes"
    assert appearance["publisher"]["name"] == "The Gazette" and first["datePublished"] == "2026-03-02"
    assert reviews[1]["reviewRating"] == {"@type": "Rating", "alternateName": "unverifiable"}


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
            yield article(id=n), [span(0, 5, id=n, attributes='{"verdict": "true"}')]

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
    }
    text = native.annotation_json(record)
    assert json.loads(text) == expected
    assert text == json.dumps({**expected, "attributes": None}, ensure_ascii=False, separators=(",", ":")).replace(
        '"attributes":null', '"attributes":' + json.dumps(attributes)
    )
