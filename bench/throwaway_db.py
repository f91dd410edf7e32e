"""A PostgreSQL database that a benchmark creates, migrates and drops again (never an existing one).

Server: $BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432). Django is configured for it
through DATABASE_URL before setup, with production settings (DEBUG off, so no query log grows).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")


def configure_django(name: str) -> None:
    """Point Django at the benchmark database and set it up (call once per process)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"{SERVER}/{name}"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ["DEBUG"] = "0"
    os.environ["HTTPS"] = "0"
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    import django

    django.setup()


def _admin(statement: str) -> None:
    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@contextmanager
def throwaway_database(name: str):
    """Create the database `name` (dropping a leftover of an earlier run), yield, then drop it."""
    assert name.startswith("annotator_bench_"), "benchmarks only ever touch their own databases"
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
