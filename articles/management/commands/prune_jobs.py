"""Delete background jobs' result files past JOB_RESULT_DAYS, and finished jobs past JOB_KEEP_DAYS.

Run it daily (cron or a systemd timer) on one machine; see docs/deploy.md, "Background jobs".
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from articles.jobs import prune


class Command(BaseCommand):
    help = "Delete expired job result files and old finished jobs."

    def handle(self, *args, **options) -> None:
        pruned = prune()
        self.stdout.write(f"Deleted {pruned.files} result file(s) and {pruned.jobs} old job(s).")
