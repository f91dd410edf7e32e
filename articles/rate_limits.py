"""Rate limits: how many requests one caller may make per period, counted in fixed windows.

A caller (a user id or an address) has one counter per limit and window; each request increments it
atomically and is allowed while the count stays within the rate. The counters are shared by every
worker and server: in the database by default (one upsert per request, table of RateCounter), in Redis
when REDIS_URL is set. Rows of windows that have ended are deleted whenever a caller opens a new window.
Fixed windows are cheap, but let a burst at the edge of two windows reach twice the rate for a moment.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from articles.compiled import execute
from articles.models import RateCounter

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_KEY_LENGTH = 200  # RateCounter.key holds 255; longer identities are hashed


@dataclass(frozen=True)
class Rate:
    """At most `count` requests per `period` seconds."""

    count: int
    period: int


@dataclass(frozen=True)
class Verdict:
    """What counting one request found: whether it is allowed, the count so far in this window, and the
    whole seconds until the window ends (what Retry-After says when it is not allowed)."""

    allowed: bool
    count: int
    retry_after: int


@functools.lru_cache(maxsize=64)
def parse_rate(text: str) -> Rate:
    """Read a rate in DRF's notation: "10/min", "600/hour", "5/s" (the period's first letter counts)."""
    count, _, period = text.partition("/")
    return Rate(int(count), PERIODS[period.strip()[:1]])


def count_request(scope: str, ident: object, rate: Rate | str, *, now: float | None = None) -> Verdict:
    """Count one request of `ident` (a user id, an address) against the limit named `scope`."""
    rate = parse_rate(rate) if isinstance(rate, str) else rate
    now = time.time() if now is None else now
    window = int(now // rate.period)
    window_end = (window + 1) * rate.period
    count = _counters().increment(f"{_caller_key(scope, ident)}:{window}", window_end=window_end, now=now)
    return Verdict(count <= rate.count, count, max(1, math.ceil(window_end - now)))


def client_address(request: HttpRequest) -> str | None:
    """The caller's IP address: the connection's peer, or with BEHIND_PROXY the address our proxy appended
    to X-Forwarded-For (the entries before it are the client's to choose). None when there is none."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_PROXY:
        address = request.META.get("HTTP_X_FORWARDED_FOR", "").rpartition(",")[2].strip() or address
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _caller_key(scope: str, ident: object) -> str:
    key = f"{scope}:{ident}"
    if len(key) > MAX_KEY_LENGTH:
        key = f"{scope}:{hashlib.sha256(str(ident).encode()).hexdigest()}"
    return key


class Counters(Protocol):
    def increment(self, key: str, *, window_end: int, now: float) -> int: ...


class DatabaseCounters:
    """Counters in the database: an atomic upsert that returns the new count (PostgreSQL, SQLite >= 3.35)."""

    UPSERT = (
        'INSERT INTO "{table}" ("key", "hits", "window_end") VALUES (%s, 1, %s) '
        'ON CONFLICT ("key") DO UPDATE SET "hits" = "{table}"."hits" + 1 RETURNING "hits"'
    ).format(table=RateCounter._meta.db_table)

    def increment(self, key: str, *, window_end: int, now: float) -> int:
        with connection.cursor() as cursor:
            execute(cursor, self.UPSERT, [key, window_end])
            count = cursor.fetchone()[0]
        if count == 1:  # the caller opened a new window: a good moment to drop the windows that have ended
            RateCounter.objects.filter(window_end__lte=now).delete()
        return count


class RedisCounters:
    """Counters in Redis, each expiring with its window; the count and the expiry go in one round trip."""

    def __init__(self, url: str):
        import redis  # only needed when REDIS_URL is set

        self.client = redis.Redis.from_url(url)

    def increment(self, key: str, *, window_end: int, now: float) -> int:
        pipeline = self.client.pipeline()
        pipeline.incr(f"rate:{key}")
        pipeline.expireat(f"rate:{key}", window_end + 1)
        return pipeline.execute()[0]


@functools.lru_cache(maxsize=4)
def _redis_counters(url: str) -> RedisCounters:
    return RedisCounters(url)


def _counters() -> Counters:
    return _redis_counters(settings.REDIS_URL) if settings.REDIS_URL else DatabaseCounters()
