"""Per-user and per-address rate limits that cost the same however busy the caller is (LOAD-1).

DRF's throttles keep every request time of the last window in the cache and read and rewrite that
whole list on each request: at the default 100,000 requests an hour, a busy script's every call
pickled a list of thousands of floats. These count requests in fixed windows instead: one small
counter per caller and window, incremented atomically (in Redis when REDIS_URL is set, so all app
servers share it). The price is the usual one of fixed windows: a burst at the edge of two windows
can reach twice the rate for a moment.
"""

from __future__ import annotations

from rest_framework import throttling


class FixedWindowMixin:
    """Replaces SimpleRateThrottle's request log with a counter per window; Retry-After names the
    seconds until the window ends."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        counter = f"{key}:{window}"
        self.cache.add(counter, 0, self.duration + 1)
        try:
            count = self.cache.incr(counter)
        except ValueError:  # the counter expired between add and incr: this is the first request again
            self.cache.set(counter, 1, self.duration + 1)
            count = 1
        return count <= self.num_requests

    def wait(self) -> float:
        return max(1.0, self.window_ends - self.now)


class UserRateThrottle(FixedWindowMixin, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(FixedWindowMixin, throttling.AnonRateThrottle):
    pass
