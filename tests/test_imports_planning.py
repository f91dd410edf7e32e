"""Imports against a real project: all or nothing, every problem located, duplicates skipped, authors mapped."""

from __future__ import annotations

import json

import pytest

from articles.article_write import create_article
from articles.export_scope import ExportScope, export
from articles.imports import ImportFailed, commit, plan_import, planning, read, run_import
from articles.models import Annotation, AnnotationEvent, Article, ArticleRevision, Label, ReviewStatus
from tests.factories import make_annotation, make_article, make_project

TEXT = "The minister said taxes will fall. Critics said taxes will rise. 👩🏽‍⚖️ café"


def counts(project) -> tuple[int, int, int]:
    return (
        Article.objects.filter(project=project).count(),
        Annotation.objects.filter(article__project=project).count(),
        Label.objects.filter(project=project).count(),
    )


def failed(project, by, *batches, **options) -> list[tuple[str, str, str, str]]:
    """Run an import that must fail; check nothing was stored and return its located problems."""
    before = counts(project)
    with pytest.raises(ImportFailed) as caught:
        run_import(project, list(batches), by=by, **options)
    assert counts(project) == before
    return [(p.file, p.record, p.field, p.message) for p in caught.value.plan.problems]


def native_file(articles: list[dict], labels: list[dict] | None = None) -> bytes:
    return json.dumps(
        {"format": "news-annotator/export", "version": 1, "project": {"labels": labels or []}, "articles": articles}
    ).encode()


def test_jsonl_articles_and_spans_are_imported_with_history(team):
    project, owner = team["project"], team["owner"]
    spans = [{"start": 18, "end": 33, "label": "claim"}, {"start": 4, "end": 33, "label": "quote"}]
    line = json.dumps({"text": TEXT, "meta": {"title": "Taxes", "url": "https://news.example/t"}, "spans": spans})
    plan = run_import(project, [read("a.jsonl", line.encode())], by=owner)
    article = Article.objects.get(pk=plan.articles[0].pk)
    assert (article.title, article.url, article.created_by) == ("Taxes", "https://news.example/t", owner)
    stored = article.annotations.order_by("start")
    assert [(a.start, a.end, a.quote, a.author) for a in stored] == [
        (4, 33, TEXT[4:33], owner),
        (18, 33, "taxes will fall", owner),
    ]
    assert AnnotationEvent.objects.filter(article=article, action="created").count() == 2


def test_data6_one_bad_row_near_the_end_of_ten_thousand_stores_nothing(team):
    rows = [json.dumps({"title": f"Story {n}", "text": f"Story number {n} about the harbour."}) for n in range(10_000)]
    broken = {"title": "Broken", "text": "Short.", "spans": [{"start": 0, "end": 99, "label": "claim"}]}
    rows[9_998] = json.dumps(broken)
    problems = failed(team["project"], team["owner"], read("big.jsonl", "\n".join(rows).encode()))
    assert problems == [("big.jsonl", "line 9999, span 1", "end", "end is beyond the text, which has 6 code points.")]


def test_broken_files_leave_the_database_unchanged_with_precise_messages(team):
    project, owner = team["project"], team["owner"]
    problems = failed(
        project,
        owner,
        read("truncated.json", b'[{"title": "A", "text": "Body'),
        read("latin1.csv", "title,text\nCaf\xe9,Body\n".encode("latin-1")),
        read(
            "fields.jsonl", b'{"title": "No text here"}\n{"text": "   "}\n{"text": "ok", "url": "javascript:alert(1)"}'
        ),
        read(
            "offsets.jsonl",
            json.dumps(
                {
                    "text": TEXT,
                    "spans": [
                        {"start": -1, "end": 4, "label": "claim"},
                        {"start": 5, "end": 4, "label": "claim"},
                        {"start": 0, "end": 4, "label": "rumour"},
                        {"start": "0", "end": 4, "label": "claim"},
                    ],
                }
            ).encode(),
        ),
    )
    assert [p[:3] for p in problems] == [
        ("truncated.json", "line 1, column 25", "json"),
        ("latin1.csv", "line 2", "encoding"),
        ("fields.jsonl", "line 1", "text"),
        ("fields.jsonl", "line 2", "text"),
        ("fields.jsonl", "line 3", "url"),
        ("offsets.jsonl", "line 1, span 1", "start"),
        ("offsets.jsonl", "line 1, span 2", "end"),
        ("offsets.jsonl", "line 1, span 3", "label"),
        ("offsets.jsonl", "line 1, span 4", "start"),
    ]
    assert "Unknown label 'rumour'; this project has claim, opinion, quote, source." in problems[7][3]


def test_native_import_checks_hash_status_metadata_and_annotation_fields(team):
    article = {
        "title": "A",
        "text": TEXT,
        "text_sha256": "0" * 64,
        "status": "published",
        "published_at": "soon",
        "annotations": [{"label": "claim", "start": 18, "end": 33, "quote": "taxes will rise"}],
    }
    long_title = {**article, "title": "x" * 501}
    problems = failed(team["project"], team["owner"], read("n.json", native_file([article, long_title])))
    fields = {(record, field) for _, record, field, _ in problems}
    assert ("article 1", "text_sha256") not in fields  # only checked once the other fields are fine
    assert {("article 1", "status"), ("article 1", "published_at"), ("article 2", "title")} <= fields


def test_native_annotation_errors_are_located(team):
    article = {
        "title": "A",
        "text": TEXT,
        "annotations": [
            {"label": "claim", "start": 18, "end": 33, "quote": "taxes will rise"},
            {"label": "claim", "start": 18, "end": 33, "status": "maybe"},
            {"label": "claim", "start": 18, "end": 33, "attributes": {"verdict": "probably"}},
        ],
    }
    problems = failed(team["project"], team["owner"], read("n.json", native_file([article])))
    assert [p[1:3] for p in problems] == [
        ("article 1, annotation 1", "quote"),
        ("article 1, annotation 2", "status"),
        ("article 1, annotation 3", "attributes"),
    ]


def test_a_native_text_that_does_not_match_its_hash_is_refused(team):
    article = {"title": "A", "text": TEXT, "text_sha256": "0" * 64}
    problems = failed(team["project"], team["owner"], read("n.json", native_file([article])))
    assert problems == [
        ("n.json", "article 1", "text_sha256", "Does not match the text: the file was edited or is damaged.")
    ]


def test_the_same_file_twice_is_harmless(team):
    project, owner = team["project"], team["owner"]
    data = json.dumps([{"title": "One", "text": TEXT, "external_id": "wire-1"}, {"title": "Two", "text": "Other."}])
    first = run_import(project, [read("a.json", data.encode())], by=owner)
    second = run_import(project, [read("a.json", data.encode())], by=owner)
    assert len(first.articles) == 2 and second.articles == []
    assert [s.reason for s in second.skipped] == [
        f"Already in the project (same text as article {first.articles[0].pk}).",
        f"Already in the project (same text as article {first.articles[1].pk}).",
    ]
    same_id = json.dumps([{"title": "New text, same wire id", "text": "Completely new.", "external_id": "wire-1"}])
    project.revisions_from_imports = False
    project.save()
    third = run_import(project, [read("b.json", same_id.encode())], by=owner)
    assert third.articles == [] and "same external id" in third.skipped[0].reason


def test_a_new_text_of_a_stored_article_becomes_its_revision_with_its_annotations(team):
    """Matched by external id or url, with other text: a revision (source "import"), whose annotations are
    placed on the new text; the stored annotations are re-anchored."""
    project, owner = team["project"], team["owner"]
    data = json.dumps([{"title": "One", "text": TEXT, "external_id": "wire-1", "url": "https://news.example/one"}])
    [article] = run_import(project, [read("a.json", data.encode())], by=owner).articles
    make_annotation(article, team["annotator"], label="claim", quote=TEXT[:12])
    corrected = "Correction: " + TEXT
    updated = json.dumps(
        {
            "text": corrected,
            "meta": {"title": "One", "url": "https://news.example/one"},
            "spans": [{"start": 0, "end": 10, "label": "claim"}],
        }
    )
    plan = run_import(project, [read("b.jsonl", updated.encode())], by=owner)
    assert plan.articles == [] and [r.article.pk for r in plan.revisions] == [article.pk]
    assert plan.summary()["created"]["revisions"] == 1
    article.refresh_from_db()
    assert (article.text, article.text_revision) == (corrected, 2)
    revision = ArticleRevision.objects.get(article=article, number=2)
    assert revision.source == "import" and "b.jsonl" in revision.note
    quotes = sorted(Annotation.objects.filter(article=article).values_list("quote", "anchor_status"))
    assert quotes == sorted([("Correction", "exact"), (TEXT[:12], "shifted")])


def test_duplicates_inside_one_import_are_skipped_and_reported(team):
    decomposed = TEXT.replace("café", "cafe\u0301")  # the same text once normalised to NFC
    data = json.dumps(
        [
            {"text": TEXT},
            {"text": decomposed},
            {"text": "Other.", "external_id": "e"},
            {"text": "Third.", "external_id": "e"},
        ]
    )
    plan = run_import(team["project"], [read("a.json", data.encode())], by=team["owner"])
    assert len(plan.articles) == 2
    assert [(s.record, s.reason) for s in plan.skipped] == [
        ("record 2", "Already in the project (same as a.json, record 1)."),
        ("record 4", "Already in the project (same as a.json, record 3)."),
    ]


def test_authors_map_to_members_and_others_keep_their_name(team):
    project, owner = team["project"], team["owner"]
    annotations = [
        {"label": "claim", "start": 18, "end": 33, "author": "annotator"},
        {"label": "quote", "start": 4, "end": 33, "author": "zoe-from-elsewhere", "status": "accepted"},
        {"label": "claim", "start": 48, "end": 63, "author": "outsider"},
    ]
    file = native_file([{"title": "A", "text": TEXT, "annotations": annotations}])
    plan = run_import(project, [read("n.json", file)], by=owner)
    stored = {a.start: a for a in Annotation.objects.filter(article=plan.articles[0]).select_related("author")}
    assert stored[18].author == team["annotator"] and stored[18].attributes == {}
    assert stored[4].author == owner and stored[4].attributes == {"original_author": "zoe-from-elsewhere"}
    assert stored[4].status == ReviewStatus.ACCEPTED
    assert stored[48].author == owner and stored[48].attributes == {"original_author": "outsider"}
    assert any("'zoe-from-elsewhere'" in notice for notice in plan.notices)


def test_native_import_creates_missing_labels_and_checks_them(team):
    project, owner = team["project"], team["owner"]
    labels = [
        {"key": "claim", "name": "Renamed elsewhere", "color": "#000000"},
        {"key": "satire", "name": "Satire", "color": "#123456", "shortcut": "1", "fields": []},
    ]
    article = {"title": "A", "text": TEXT, "annotations": [{"label": "satire", "start": 4, "end": 12}]}
    plan = run_import(project, [read("n.json", native_file([article], labels))], by=owner)
    satire = Label.objects.get(project=project, key="satire")
    assert satire.shortcut == "" and Label.objects.get(project=project, key="claim").name == "Claim"
    assert plan.articles[0].annotations.get().label == satire
    bad = [{"key": "Bad Key!", "name": "x", "color": "red"}]
    problems = failed(project, owner, read("m.json", native_file([], bad)))
    assert {p[2] for p in problems} == {"key", "color"}


def test_w3c_annotations_anchor_by_position_or_else_by_quote(team):
    project, owner = team["project"], team["owner"]
    article = create_article(project, by=owner, title="Taxes", text=TEXT, url="https://news.example/taxes")

    def annotation(exact, start, end, prefix=""):
        return {
            "type": "Annotation",
            "body": {"type": "TextualBody", "purpose": "tagging", "value": "Claim"},
            "target": {
                "source": "https://elsewhere.example/copy",
                "scope": "https://news.example/taxes",
                "selector": [
                    {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix},
                    {"type": "TextPositionSelector", "start": start, "end": end},
                ],
            },
        }

    items = [
        annotation("taxes will fall", 18, 33),
        annotation("taxes will rise", 0, 15),
        annotation("will rise", 999, 1008),
    ]
    plan = run_import(project, [read("w.json", json.dumps(items).encode())], by=owner)
    assert sorted((a.start, a.end) for a in plan.annotations) == [(18, 33), (48, 63), (54, 63)]
    assert any("placed by their quote" in notice for notice in plan.notices)
    assert all(a.article_id == article.pk and a.label.key == "claim" for a in plan.annotations)
    again = run_import(project, [read("w.json", json.dumps(items).encode())], by=owner)
    assert again.annotations == [] and len(again.skipped) == 3


def test_w3c_problems_missing_target_ambiguous_quote_and_unknown_article(team):
    project, owner = team["project"], team["owner"]
    create_article(project, by=owner, title="Taxes", text=TEXT, url="https://news.example/taxes")
    tag = {"type": "TextualBody", "purpose": "tagging", "value": "claim"}
    items = [
        {"type": "Annotation", "body": tag},
        {
            "type": "Annotation",
            "body": tag,
            "target": {
                "source": "https://news.example/taxes",
                "selector": {"type": "TextQuoteSelector", "exact": "said taxes will"},
            },
        },
        {
            "type": "Annotation",
            "body": tag,
            "target": {
                "source": "https://news.example/taxes",
                "selector": {"type": "TextPositionSelector", "start": 70, "end": 90},
            },
        },
        {
            "type": "Annotation",
            "body": tag,
            "target": {
                "source": "https://unknown.example/",
                "selector": {"type": "TextQuoteSelector", "exact": "taxes"},
            },
        },
    ]
    problems = failed(project, owner, read("w.json", json.dumps(items).encode()))
    assert [p[1:3] for p in problems] == [
        ("annotation 1", "target"),
        ("annotation 2", "target.selector"),
        ("annotation 3", "end"),
        ("annotation 4", "target.source"),
    ]
    assert "Found at 13-28, 43-58." in problems[1][3]


def test_importing_into_one_article_needs_the_same_text(team, article):
    project, owner = team["project"], team["owner"]
    spans = [{"start": 0, "end": 7, "label": "claim"}]
    line = json.dumps({"text": article.text, "spans": spans})
    plan = run_import(project, [read("a.jsonl", line.encode())], by=owner, article=article)
    assert plan.articles == [] and [(a.article_id, a.start) for a in plan.annotations] == [(article.pk, 0)]
    other = json.dumps({"text": "Another text entirely.", "spans": spans})
    assert failed(project, owner, read("b.jsonl", other.encode()), article=article)[0][2] == "text"


def test_a_commit_that_loses_a_race_stores_nothing(team):
    project, owner = team["project"], team["owner"]
    plan = plan_import(project, [read("a.json", json.dumps([{"text": TEXT}, {"text": "Other."}]).encode())], by=owner)
    make_article(project, text=TEXT)  # someone adds the same article between preview and commit
    before = counts(project)
    with pytest.raises(ImportFailed) as caught:
        commit(plan)
    assert counts(project) == before and "nothing was imported" in caught.value.plan.problems[0].message


def test_imports_over_the_size_limit_are_refused_before_planning(team, monkeypatch):
    monkeypatch.setattr(planning, "MAX_ARTICLES", 2)
    data = json.dumps([{"text": f"Story {n}."} for n in range(3)])
    problems = failed(team["project"], team["owner"], read("a.json", data.encode()))
    assert "at most 2 articles" in problems[0][3]


def test_dry_run_plans_without_writing(team):
    before = counts(team["project"])
    plan = run_import(team["project"], [read("a.json", b'[{"text": "Fresh."}]')], by=team["owner"], dry_run=True)
    assert plan.summary()["created"]["articles"] == 1 and not plan.committed and counts(team["project"]) == before


def test_null_bytes_and_oversized_texts_are_refused(team, settings):
    settings.ARTICLE_MAX_CHARS = 100
    data = json.dumps([{"title": "a\u0000b", "text": "Fine."}, {"text": "x" * 101}, {"text": "ok\u0000"}])
    problems = failed(team["project"], team["owner"], read("a.json", data.encode()))
    assert [p[1:3] for p in problems] == [("record 1", "title"), ("record 2", "text"), ("record 3", "text")]


def test_export_then_import_of_a_filtered_set_keeps_only_those_annotations(team, article):
    make_annotation(article, team["annotator"], label="claim", start=0, end=7)
    accepted = make_annotation(article, team["annotator"], label="quote", start=8, end=14)
    Annotation.objects.filter(pk=accepted.pk).update(status="accepted")
    from articles.export_scope import parse_filters

    scope = ExportScope(team["project"], team["owner"], filters=parse_filters({"status": "accepted"}))
    document = "".join(export(scope, "json", base_url="http://testserver/"))
    target = make_project(team["owner"])
    plan = run_import(target, [read("accepted.json", document.encode())], by=team["owner"])
    assert [(a.label.key, a.status) for a in plan.annotations] == [("quote", "accepted")]


def test_publication_dates_become_utc_moments(team):
    data = json.dumps(
        [{"text": "One.", "published_at": "2026-03-02"}, {"text": "Two.", "published_at": "2026-03-02T09:30:00+02:00"}]
    )
    plan = run_import(team["project"], [read("a.json", data.encode())], by=team["owner"])
    stored = [Article.objects.get(pk=a.pk).published_at.isoformat() for a in plan.articles]
    assert stored == ["2026-03-02T00:00:00+00:00", "2026-03-02T07:30:00+00:00"]
