"""`manage.py export_annotations`: write a project's (or one article's) export to a file or stdout."""

from __future__ import annotations

import sys

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from articles.errors import InvalidInput
from articles.export_scope import ExportScope, export, parse_filters
from articles.exports import FORMATS
from articles.models import Article, Project, Role


def find_project(reference: str) -> Project:
    """Find a project by id or slug."""
    project = Project.objects.filter(**({"pk": int(reference)} if reference.isdigit() else {"slug": reference}))
    if not project.exists():
        raise CommandError(f"No project {reference!r} (give its id or slug).")
    return project.get()


def acting_user(project: Project, username: str | None) -> User:
    """The member whose view is used: the given one, else the project's first owner."""
    memberships = project.memberships.select_related("user")
    membership = (
        memberships.filter(user__username=username)
        if username
        else memberships.filter(role=Role.OWNER).order_by("created_at", "id")
    ).first()
    if membership is None:
        raise CommandError(f"{username!r} is not a member of {project.slug!r}." if username else "No owner found.")
    return membership.user


def find_article(project: Project, article_id: int | None) -> Article | None:
    """The project's article with this id (None when no id is given)."""
    if article_id is None:
        return None
    article = Article.objects.filter(project=project, pk=article_id).first()
    if article is None:
        raise CommandError(f"No article {article_id} in {project.slug!r}.")
    return article


class Command(BaseCommand):
    help = "Export annotations (native JSON, W3C, JSONL, CSV or ClaimReview) to a file or stdout, streamed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="Project id or slug.")
        parser.add_argument("--format", default="json", choices=sorted(FORMATS))
        parser.add_argument("--output", "-o", default="-", help="File to write ('-' for stdout, the default).")
        parser.add_argument("--article", type=int, help="Export only this article (its id).")
        for name, text in (("label", "label keys"), ("author", "usernames"), ("status", "review statuses")):
            parser.add_argument(f"--{name}", action="append", default=[], help=f"Only these {text} (repeatable).")
        parser.add_argument("--since", default="", help="Annotations created at or after this ISO date.")
        parser.add_argument("--until", default="", help="Annotations created up to the end of this ISO date.")
        parser.add_argument("--as-user", help="Export what this member can see (default: the first owner).")
        parser.add_argument("--base-url", default="http://localhost:8000/", help="Prefix of the IRIs in W3C output.")
        parser.add_argument("--no-progress", action="store_true", help="Do not show the progress bar.")

    def handle(self, *args, **options) -> None:
        project = find_project(options["project"])
        user = acting_user(project, options["as_user"])
        article = find_article(project, options["article"])
        try:
            filters = parse_filters({name: options[name] for name in ("label", "author", "status", "since", "until")})
        except InvalidInput as error:
            raise CommandError(f"Bad filter: {error.errors}") from None
        scope = ExportScope(project, user, article, filters)
        to_stdout = options["output"] == "-"
        bar = tqdm(unit=" articles", disable=True if options["no_progress"] else None, file=sys.stderr)
        target = None if to_stdout else open(options["output"], "w", encoding="utf-8", newline="")
        write = (lambda chunk: self.stdout.write(chunk, ending="")) if target is None else target.write
        try:
            for chunk in export(scope, options["format"], base_url=options["base_url"], progress=bar):
                write(chunk)
        finally:
            bar.close()
            if target is not None:
                target.close()
        if not to_stdout:
            self.stderr.write(f"Wrote {options['output']} ({options['format']}).")
