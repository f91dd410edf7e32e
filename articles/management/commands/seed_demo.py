"""`manage.py seed_demo`: create the demo project, users and annotated articles (idempotent)."""

from django.core.management.base import BaseCommand

from articles.demo import DEMO_USERS, demo_annotation_count, demo_link_count, seed


class Command(BaseCommand):
    help = "Create the demo project with users demo (owner), alice (annotator) and bob (reviewer)."

    def handle(self, *args, **options) -> None:
        project = seed()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo project '{project.name}': {project.articles.count()} articles, "
                f"{demo_annotation_count()} annotations, {demo_link_count()} links."
            )
        )
        for username, (password, role) in DEMO_USERS.items():
            self.stdout.write(f"  {username} / {password} ({role})")
