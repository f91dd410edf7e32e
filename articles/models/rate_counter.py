"""The counters behind the rate limits (articles.rate_limits) when they live in the database."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Requests one caller made in one window of a rate limit. The key names the limit, the caller and the
    window; rows of windows that have ended are deleted when a caller opens a new one."""

    key = models.CharField(max_length=255, primary_key=True)
    hits = models.PositiveIntegerField(default=0)
    window_end = models.BigIntegerField(db_index=True, help_text="When the window ends, in Unix seconds.")

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"
