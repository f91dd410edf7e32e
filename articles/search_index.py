"""Putting new articles into the full-text index in the background (PostgreSQL).

The GIN index over an article's title and text covers only articles marked `search_ready`, so adding an
article stores it without computing the text's tsvector: that was most of what adding an article cost
beyond adding a span. `index_waiting` marks the waiting ones, a batch at a time; PostgreSQL computes their
index entries then. `recover_jobs`, the periodic service every deployment runs, calls it on each pass.
Searches match the articles still waiting one by one (ArticleQuerySet.search), so nothing is found later.
"""

from __future__ import annotations

from articles.models import Article

BATCH = 500


def index_waiting(batch: int = BATCH) -> int:
    """Mark every article not yet in the full-text index as in it; return how many. Safe to run anywhere, at
    any time and on several machines at once (marking an article twice changes nothing)."""
    done = 0
    while True:
        waiting = list(Article.objects.filter(search_ready=False).values_list("pk", flat=True)[:batch])
        if not waiting:
            return done
        done += Article.objects.filter(pk__in=waiting, search_ready=False).update(search_ready=True)
