"""`manage.py import_articles`: import files (and pages by URL) into a project, all or nothing."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from articles import imports
from articles.fetching import FetchError
from articles.management.commands.export_annotations import acting_user, find_article, find_project

SHOWN = 20


class Command(BaseCommand):
    help = (
        "Import articles and annotations from .txt/.md/.html, JSON/JSONL/CSV, native or W3C JSON files and "
        "web addresses. Everything is checked first; nothing is stored unless all of it is valid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="Project id or slug.")
        parser.add_argument("files", nargs="*", help="Files to import (one transaction for all of them).")
        parser.add_argument(
            "--format",
            default="auto",
            choices=["auto", *imports.FORMATS],
            help="Format of the files (default: from each file's extension and content).",
        )
        parser.add_argument("--url", action="append", default=[], help="Also import this page (repeatable).")
        parser.add_argument("--article", type=int, help="Put the annotations onto this article (W3C, JSONL).")
        parser.add_argument("--as-user", help="Import as this member (default: the first owner).")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; store nothing.")
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bar.")

    def handle(self, *args, **options) -> None:
        project = find_project(options["project"])
        user = acting_user(project, options["as_user"])
        article = find_article(project, options["article"])
        if not options["files"] and not options["url"]:
            raise CommandError("Give at least one file or --url.")
        quiet = True if options["no_progress"] else None
        batches = []
        for name in tqdm(options["files"], desc="reading", unit=" files", disable=quiet, file=sys.stderr):
            try:
                data = Path(name).read_bytes()
            except OSError as error:
                raise CommandError(f"Cannot read {name}: {error.strerror}.") from None
            batches.append(imports.read(name, data, options["format"], max_bytes=None))
        for url in options["url"]:
            try:
                batches.append(imports.read_url(url, into=project, by=user))
            except FetchError as error:
                raise CommandError(f"{url[:200]}: {error}") from None
        with tqdm(desc="checking", unit=" articles", disable=quiet, file=sys.stderr) as bar:
            try:
                plan = imports.run_import(
                    project, batches, by=user, article=article, dry_run=options["dry_run"], progress=bar
                )
            except imports.ImportFailed as failure:
                bar.close()
                self.report(failure.plan.summary())
                raise CommandError(str(failure)) from None
        self.report(plan.summary())

    def report(self, summary: dict) -> None:
        created = summary["created"]
        verb = "Imported" if summary["committed"] else "Would import" if not summary["errors"] else "Checked"
        self.stdout.write(
            f"{verb} {created['articles']} article(s), {created['annotations']} annotation(s), "
            f"{created['labels']} label(s); skipped {len(summary['skipped'])} duplicate(s)."
        )
        for skipped in summary["skipped"][:SHOWN]:
            self.stdout.write(f"  skipped {skipped['file']}, {skipped['record']}: {skipped['reason']}")
        for notice in summary["notices"]:
            self.stdout.write(f"  note: {notice}")
        for error in summary["errors"]:
            where = ", ".join(part for part in (error["file"], error["record"], error["field"]) if part)
            self.stderr.write(f"  {where}: {error['message']}")
