"""Import readers, tested as pure functions: bytes in, drafts and located problems out (no database)."""

from __future__ import annotations

import json

import pytest

from articles.imports import read, read_value, safe_name
from tests.local_web_server import ARTICLE_HTML


def problems(batch) -> list[tuple[str, str, str]]:
    return [(p.file, p.record, p.field) for p in batch.problems]


def test_plain_text_takes_its_first_line_as_title():
    batch = read("note.txt", "Mayor resigns\r\n\r\nThe mayor resigned on Friday.\r\nMore follows.".encode())
    draft = batch.articles[0]
    assert draft.title == "Mayor resigns" and draft.text == "The mayor resigned on Friday.\nMore follows."
    assert batch.problems == []


def test_a_one_line_text_is_titled_by_its_file_name():
    draft = read("budget-vote.txt", b"Only one line here.").articles[0]
    assert (draft.title, draft.text) == ("budget-vote", "Only one line here.")


def test_markdown_title_loses_its_hashes():
    assert read("a.md", b"# Heading *here*\n\nBody text.").articles[0].title == "Heading *here*"


def test_xss5_html_pages_become_extracted_plain_text_and_metadata():
    draft = read("page.html", ARTICLE_HTML.encode()).articles[0]
    assert draft.title == "Harbour bridge to close for repairs"
    assert draft.metadata["byline"] == "Jonas Ødegård" and draft.metadata["outlet"] == "The Coast Gazette"
    assert draft.metadata["published_at"] == "2026-03-02"
    assert "six weeks from April" in draft.text and "Safety comes first" in draft.text
    for markup in ("<", "alert(", "onerror", "evil.example", "hx-get", "Comments (12)"):
        assert markup not in draft.text


def test_an_html_page_without_article_text_is_a_problem():
    batch = read("empty.html", b"<html><body><script>alert(1)</script></body></html>")
    assert problems(batch) == [("empty.html", "document", "text")]


def test_json_array_of_articles_with_metadata_inside_meta_or_at_the_top():
    data = [
        {"title": "A", "text": "First story.", "outlet": "Ledger"},
        {"text": "Second story\nwith lines", "meta": {"url": "https://x.example/2", "external_id": "x-2"}},
    ]
    batch = read("articles.json", json.dumps(data).encode())
    first, second = batch.articles
    assert first.metadata == {"outlet": "Ledger"} and second.title == "Second story"
    assert second.metadata == {"url": "https://x.example/2", "external_id": "x-2"}


def test_jsonl_reports_every_bad_line_with_its_number():
    """INPUT-7: all line-level errors at once, not just the first."""
    lines = [
        '{"text": "Good one."}',
        '{"text": "Broken',
        "",
        '["not", "an object"]',
        '{"title": "No text"}',
        '{"text": "Spans", "spans": [{"start": 0, "end": 5, "label": "claim"}, [0, 1]]}',
    ]
    batch = read("data.jsonl", "\n".join(lines).encode())
    assert problems(batch) == [
        ("data.jsonl", "line 2, column 10", "json"),
        ("data.jsonl", "line 4", ""),
        ("data.jsonl", "line 5", "text"),
        ("data.jsonl", "line 6, span 2", "spans"),
    ]
    assert [a.text for a in batch.articles] == ["Good one.", "Spans"]
    assert batch.problems[0].message.startswith("Invalid JSON: Unterminated string")


def test_jsonl_accepts_doccano_labels_too():
    draft = read("d.jsonl", b'{"text": "Taxes fell.", "label": [[0, 5, "claim"]]}').articles[0]
    assert [(a.start, a.end, a.label) for a in draft.annotations] == [(0, 5, "claim")]


def test_csv_with_bom_mixed_newlines_and_quoted_line_breaks():
    data = '\ufefftitle,text,url\r\nOne,"Line one\nline two",https://a.example/1\nTwo,Plain,\r\n'.encode()
    batch = read("a.csv", data)
    assert [(a.title, a.text) for a in batch.articles] == [("One", "Line one\nline two"), ("Two", "Plain")]
    assert batch.articles[1].metadata == {} and batch.problems == []


def test_csv_rows_with_the_wrong_number_of_cells_are_reported_by_line():
    batch = read("a.csv", b"title,text\nOne,Text one\nTwo,Text two,extra\nThree\n")
    assert problems(batch) == [("a.csv", "line 3", ""), ("a.csv", "line 4", "")]
    assert "has 3 cells; the header has 2" in batch.problems[0].message


def test_csv_needs_a_text_column():
    assert problems(read("a.csv", b"title,body\nA,B\n")) == [("a.csv", "line 1", "text")]


def test_csv_with_a_ten_megabyte_field_is_read_not_crashed():
    batch = read("big.csv", b"title,text\nBig," + b"x" * 10_000_000 + b"\n")
    assert len(batch.articles[0].text) == 10_000_000  # too long for an article: refused when planned


def test_wrong_encoding_names_the_line_and_byte():
    batch = read("latin1.jsonl", '{"text": "ok"}\n{"text": "café"}'.encode("latin-1"))
    assert problems(batch) == [("latin1.jsonl", "line 2", "encoding")]
    assert "byte 29" in batch.problems[0].message and batch.articles == []


def test_truncated_json_names_line_and_column():
    batch = read("export.json", b'{"format": "news-annotator/export",\n "articles": [{"title": "A", "te')
    assert problems(batch) == [("export.json", "line 2, column 30", "json")]


@pytest.mark.parametrize(
    "payload, message",
    [
        ("[" * 100_000, "nested too deeply"),
        ('{"a": 1e999999}', "out of range"),
        ('{"a": NaN}', "not a number"),
    ],
)
def test_hostile_json_is_a_problem_not_a_crash(payload, message):
    batch = read("evil.json", payload.encode())
    assert len(batch.problems) == 1 and message in batch.problems[0].message


def test_lone_surrogates_are_refused_where_they_are():
    batch = read("s.json", b'[{"title": "ok", "text": "bad \\ud800 text"}]')
    assert problems(batch) == [("s.json", "", "[0]['text']")]
    assert read_value("s.json", [{"text": "bad \ud800"}], "json").problems


def test_native_reader_checks_format_version_and_types():
    def native(**changes):
        data = {"format": "news-annotator/export", "version": 1, "project": {"labels": []}, "articles": []}
        return read("n.json", json.dumps({**data, **changes}).encode())

    assert problems(native(version=2)) == [("n.json", "", "version")]
    assert problems(native(articles={})) == [("n.json", "", "articles")]
    broken = native(articles=[{"title": "A", "text": 5, "annotations": [{"label": "claim", "start": 0, "note": 3}]}])
    assert problems(broken) == [
        ("n.json", "article 1", "text"),
        ("n.json", "article 1, annotation 1", "end"),
        ("n.json", "article 1, annotation 1", "note"),
    ]


def test_json_content_is_recognised_as_native_w3c_or_articles():
    native = read("x.json", b'{"format": "news-annotator/export", "version": 1, "articles": []}')
    w3c = read("x.json", json.dumps({"type": "Annotation", "target": "x"}).encode())
    plain = read("x.json", b'[{"text": "hello"}]')
    assert native.problems == [] and len(plain.articles) == 1
    assert problems(w3c) == [("x.json", "annotation 1", "body"), ("x.json", "annotation 1", "target")]


def test_w3c_reader_takes_label_note_author_and_both_selectors():
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://elsewhere.example/anno/1",
        "type": "Annotation",
        "creator": {"type": "Person", "nickname": "alice"},
        "body": [
            {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
            {"type": "TextualBody", "purpose": "commenting", "value": "Check this."},
        ],
        "target": {
            "source": "https://news.example/a",
            "selector": [
                {"type": "TextQuoteSelector", "exact": "taxes", "prefix": "said ", "suffix": " will"},
                {"type": "TextPositionSelector", "start": 10, "end": 15},
            ],
        },
    }
    page = {"type": "AnnotationPage", "items": [annotation]}
    draft = read("a.jsonld", json.dumps({"type": "AnnotationCollection", "first": page}).encode()).annotations[0]
    assert (draft.label, draft.note, draft.author) == ("claim", "Check this.", "alice")
    assert draft.source == "https://news.example/a"
    assert draft.record == "annotation 1 (https://elsewhere.example/anno/1)"
    assert (draft.start, draft.end, draft.quote, draft.prefix, draft.relocatable) == (10, 15, "taxes", "said ", True)


def test_w3c_collections_whose_pages_are_only_addresses_are_not_fetched():
    batch = read(
        "c.json",
        b'{"@context": "http://www.w3.org/ns/anno.jsonld", "type": "AnnotationCollection", '
        b'"first": "http://169.254.169.254/latest/"}',
    )
    assert problems(batch) == [("c.json", "collection", "first")]


def test_unknown_formats_and_hostile_file_names():
    """INPUT-7: a YAML file is not parsed at all; a path in the name never becomes a path."""
    assert problems(read("evil.yaml", b"!!python/object/apply:os.system ['id']")) == [("evil.yaml", "", "format")]
    assert safe_name("../../etc/passwd") == "passwd" and safe_name("..\\..\\boot.ini") == "boot.ini"
