"""The periodic pass every deployment runs: queue again the background jobs whose worker died mid-run (their
heartbeat stopped; articles.jobs.recover) and the webhook deliveries it left "sending"
(articles.webhooks.recover_deliveries), put new articles into the full-text index
(articles.search_index.index_waiting), and queue the re-fetches of watched articles that are due
(articles.watches.queue_due).

Run it on one machine or several (passes at once never recover a job twice): as a long-running service with
`--every 30`, or from cron every minute without it. See docs/deploy.md, "Background jobs".
"""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from articles.jobs import HEARTBEAT_SECONDS, STALE_AFTER, recover
from articles.search_index import index_waiting
from articles.watches import queue_due
from articles.webhooks import recover_deliveries


class Command(BaseCommand):
    help = "Queue again (or fail, after JOB_MAX_ATTEMPTS) running jobs whose worker stopped showing it is alive."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--stale-after",
            type=float,
            default=STALE_AFTER,
            help=f"seconds without a heartbeat before a job's worker counts as dead (default {STALE_AFTER:g}; "
            f"at least {3 * HEARTBEAT_SECONDS:g})",
        )
        parser.add_argument(
            "--every",
            type=float,
            default=None,
            help="repeat every this many seconds until SIGTERM or Ctrl+C (default: one pass, then exit)",
        )

    def handle(self, *args, stale_after: float, every: float | None, **options) -> None:
        if stale_after < 3 * HEARTBEAT_SECONDS:
            raise CommandError(f"--stale-after must be at least {3 * HEARTBEAT_SECONDS:g} seconds.")
        if every is not None and every <= 0:
            raise CommandError("--every must be a positive number of seconds.")
        if every is None:
            self._report(recover(stale_after), recover_deliveries(stale_after), index_waiting(), queue_due())
            return
        stopped = threading.Event()
        previous = {
            signum: signal.signal(signum, lambda *_: stopped.set()) for signum in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            while True:
                recovered, deliveries = recover(stale_after), recover_deliveries(stale_after)
                indexed, watched = index_waiting(), queue_due()
                if recovered.requeued or recovered.failed or deliveries or options["verbosity"] > 1:
                    self._report(recovered, deliveries, indexed, watched)
                if stopped.wait(every):
                    return
                close_old_connections()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _report(self, recovered, deliveries: int, indexed: int, watched: int) -> None:
        self.stdout.write(
            f"Queued {recovered.requeued} job(s) again and failed {recovered.failed} whose worker stopped responding; "
            f"queued {deliveries} webhook delivery(ies) again; indexed {indexed} new article(s) for search; "
            f"queued {watched} re-fetch(es) of watched articles."
        )
