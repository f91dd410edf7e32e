"""The private Django APIs the code relies on, checked against the installed Django release.

Only articles/compiled.py reads private ORM internals (the SQL compiler's select list, in `_read_select`).
These tests fail, naming the Django version, when an upgrade changes what it reads, and on every new
Django feature release until someone has checked it again.
"""

from __future__ import annotations

import re
from pathlib import Path

import django
import pytest
from django.db import connection
from django.db.models import F
from django.db.models.sql.compiler import SQLCompiler

from articles import compiled
from articles.models import Annotation
from tests.factories import make_annotation

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements.txt"
CHECKED = ".".join(map(str, compiled.DJANGO_CHECKED))


def test_the_installed_django_is_the_release_requirements_pin():
    pinned = re.search(r"^Django==(\S+)$", REQUIREMENTS.read_text(), re.MULTILINE | re.IGNORECASE)
    assert pinned, "requirements.txt must pin Django exactly (Django==x.y.z)."
    assert django.get_version() == pinned.group(1), (
        f"requirements.txt pins Django {pinned.group(1)}, but Django {django.get_version()} is installed: "
        "install the pinned release (pip install -r requirements-dev.txt) before trusting these checks."
    )


def test_django_is_the_feature_release_the_compiler_internals_were_checked_against():
    assert django.VERSION[:2] == compiled.DJANGO_CHECKED, (
        f"Django {django.get_version()} is installed; articles/compiled.py's _read_select() reads private "
        f"SQLCompiler internals (klass_info, annotation_col_map, select, get_converters, apply_converters) "
        f"checked against Django {CHECKED}. Read them again in the new release, make this module pass, "
        f"then set DJANGO_CHECKED to {django.VERSION[:2]}."
    )


def test_the_select_list_read_from_the_compiler_matches_the_querysets_own_rows(team, article):
    make_annotation(article, start=0, end=7, attributes={"speaker": "Zoë"})
    make_annotation(article, author=team["annotator"], start=2, end=9, label="quote", note="🚲")
    queryset = (
        Annotation.objects.filter(article=article)
        .annotate(label_key=F("label__key"), twice=F("start") * 2)
        .order_by("start")
    )
    select = compiled._read_select(queryset, "default")
    with connection.cursor() as cursor:
        cursor.execute(select.sql, select.params)
        rows = list(select.convert(cursor.fetchall()))
    read = [
        {
            **{name: row[index] for name, index in zip(select.attnames, select.model_columns, strict=True)},
            **{name: row[index] for name, index in select.annotations},
        }
        for row in rows
    ]
    fields = [field.attname for field in Annotation._meta.get_fields() if field.concrete]
    expected = list(queryset.values(*fields, "label_key", "twice"))
    assert (sorted(select.attnames), read) == (sorted(fields), expected), (
        f"Django {django.get_version()}: SQLCompiler.klass_info['select_fields'], select or annotation_col_map "
        f"no longer say where each value lands as they did in Django {CHECKED}; fix articles/compiled.py "
        f"_read_select()."
    )


def test_a_compiler_internal_gone_in_an_upgrade_fails_loudly_with_the_django_version(monkeypatch):
    monkeypatch.delattr(SQLCompiler, "get_converters")  # as if a Django release renamed it
    with pytest.raises(RuntimeError, match=rf"Django {re.escape(django.get_version())} changed .*Django {CHECKED}"):
        compiled._read_select(Annotation.objects.all(), "default")
