"""The export writers are pure: each imports and writes in a fresh interpreter without Django settings.

Every check runs `python -c` with no DJANGO_SETTINGS_MODULE, so touching settings fails it, and then
looks at what got imported: the ORM, HTTP and models stay out of sys.modules.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
WRITERS = ["native", "w3c", "jsonl", "csvfile", "claimreview"]
FORBIDDEN = ["django.db", "django.http", "django.conf", "articles.models"]

# Builds a tiny project from plain records, writes it with `write`, and reports the text and what was imported.
SCRIPT = """
import json, sys
from datetime import datetime, timezone
{imports}
from articles.exports.records import (AnnotationRecord, ArticleRecord, ArticleWithAnnotations, ExportHeader,
                                      LabelRecord, ProjectRecord)

when = datetime(2026, 3, 2, 7, 15, tzinfo=timezone.utc)
header = ExportHeader(ProjectRecord(1, "Desk", "desk", "", "", "Coast Fact Check", "shared"),
                      (LabelRecord("claim", "Claim", "#E69F00", "1", "", 0, []),), "https://annotate.example.org/",
                      when, annotation_count=1, article_count=1)
article = ArticleRecord(3, "Bridge", "", "", "https://news.example/b", when, "en", "", "new",
                        "The bridge closes on Monday.", "0" * 64, when, when)
claim = AnnotationRecord(5, 3, 4, 10, "bridge", "The ", " closes", "claim", "", '{{"verdict": "false"}}', "ana",
                         "pending", False, "", when, when)
texts = {{key: "".join(write(header, [ArticleWithAnnotations(article, [claim])])) for key, write in {writers}}}
print(json.dumps({{"texts": texts, "loaded": sorted(m for m in {forbidden} if m in sys.modules)}}))
"""


def run_pure(imports: str, writers: str) -> dict:
    """Run SCRIPT in a new interpreter without Django settings; return what it printed."""
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    code = SCRIPT.format(imports=imports, writers=writers, forbidden=FORBIDDEN)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", WRITERS)
def test_each_writer_imports_and_writes_without_settings_the_orm_or_http(name):
    report = run_pure(f"import articles.exports.{name} as writer", '{"one": writer.write}.items()')
    assert report["loaded"] == []
    assert "bridge" in report["texts"]["one"]


def test_the_registry_imports_and_writes_every_format_without_settings_the_orm_or_http():
    report = run_pure("from articles.exports import FORMATS", "((k, f.write) for k, f in FORMATS.items())")
    assert report["loaded"] == []
    assert set(report["texts"]) == {"json", "w3c", "jsonl", "csv", "claimreview"}
    assert json.loads(report["texts"]["claimreview"])[0]["claimReviewed"] == "bridge"


def test_the_check_can_fail_when_a_module_reaches_for_the_orm():
    """The same script reports the ORM once something loads it, so an empty report means something."""
    orm_first = "import django.db.models\nimport articles.exports.csvfile as writer"
    report = run_pure(orm_first, '{"one": writer.write}.items()')
    assert "django.db" in report["loaded"]
