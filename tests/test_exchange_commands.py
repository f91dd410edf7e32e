"""The export_annotations and import_articles commands: files, stdout, filters, progress, all or nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from articles.demo import seed
from articles.models import Annotation, Article, Role
from tests.factories import add_member, make_project


def run(command: str, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_export_writes_a_file_with_a_progress_bar_and_imports_back(db, tmp_path):
    project = seed()
    target = tmp_path / "demo.json"
    _, err = run("export_annotations", project.slug, "--format", "json", "--output", str(target))
    assert err.startswith("Wrote ")
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["counts"]["articles"] == 4
    owner = project.memberships.get(role=Role.OWNER).user
    copy = make_project(owner, name="Copy")
    for membership in project.memberships.exclude(user=owner):
        add_member(copy, membership.role, membership.user)
    out, _ = run("import_articles", copy.slug, str(target), "--no-progress")
    assert out.startswith(f"Imported 4 article(s), {document['counts']['annotations']} annotation(s)")
    assert Annotation.objects.filter(article__project=copy).count() == document["counts"]["annotations"]
    again, _ = run("import_articles", str(copy.pk), str(target), "--no-progress")
    assert again.startswith("Imported 0 article(s), 0 annotation(s), 0 label(s); skipped 4 duplicate(s).")


def test_export_to_stdout_with_filters(db):
    project = seed()
    out, _ = run(
        "export_annotations",
        str(project.pk),
        "--format",
        "jsonl",
        "--label",
        "claim",
        "--status",
        "accepted",
        "--no-progress",
    )
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 4 and {s["label"] for line in lines for s in line["spans"]} == {"claim"}


def test_export_refuses_unknown_projects_members_and_filters(db):
    project = seed()
    with pytest.raises(CommandError, match="No project"):
        run("export_annotations", "no-such-project")
    with pytest.raises(CommandError, match="not a member"):
        run("export_annotations", project.slug, "--as-user", "nobody")
    with pytest.raises(CommandError, match="Bad filter"):
        run("export_annotations", project.slug, "--since", "soon")


def test_import_reports_every_problem_and_stores_nothing(team, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.jsonl"
    good.write_text("title,text\nOne,First text.\n", encoding="utf-8")
    bad.write_text('{"text": "ok"}\n{"text": "x", "spans": [{"start": 0, "end": 9, "label": "claim"}]}\n{"oops"\n')
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 2 problem"):
        call_command(
            "import_articles", team["project"].slug, str(good), str(bad), "--no-progress", stdout=out, stderr=err
        )
    assert "bad.jsonl, line 2, span 1, end: end is beyond the text" in err.getvalue()
    assert "bad.jsonl, line 3, column 8, json: Invalid JSON" in err.getvalue()
    assert not Article.objects.exists()


def test_import_dry_run_and_missing_files(team, tmp_path):
    source = tmp_path / "story.md"
    source.write_text("# Harbour news\n\nThe ferry runs again.", encoding="utf-8")
    out, _ = run("import_articles", team["project"].slug, str(source), "--dry-run", "--no-progress")
    assert out.startswith("Would import 1 article(s)") and not Article.objects.exists()
    with pytest.raises(CommandError, match="Cannot read"):
        run("import_articles", team["project"].slug, str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError, match="at least one file"):
        run("import_articles", team["project"].slug)


def test_import_from_a_refused_url_is_a_plain_error(team, settings):
    settings.URL_IMPORT_ALLOW_PRIVATE = False
    with pytest.raises(CommandError, match="Could not fetch that page"):
        run("import_articles", team["project"].slug, "--url", "http://127.0.0.1/admin/")
