"""The API's rate limits (LOAD-1): DRF throttle classes over articles.rate_limits.

The counting lives in articles.rate_limits (fixed windows, shared by every worker through the database
or Redis); these classes only tell DRF who the caller is and what the rate is, and answer Retry-After
with the seconds until the window ends. A limit's key is its scope and the caller, so a page counting
the same scope (URL imports) shares the count with the API.
"""

from __future__ import annotations

from rest_framework import throttling

from articles import rate_limits


class FixedWindowThrottle(throttling.SimpleRateThrottle):
    """Counts with articles.rate_limits; subclasses say who the caller is (None: not limited here)."""

    def caller(self, request) -> object | None:
        raise NotImplementedError

    def allow_request(self, request, view) -> bool:
        if self.rate is None or (ident := self.caller(request)) is None:
            return True
        rate = rate_limits.Rate(self.num_requests, self.duration)
        self.verdict = rate_limits.count_request(self.scope, ident, rate, now=self.timer())
        return self.verdict.allowed

    def wait(self) -> float:
        return self.verdict.retry_after

    def get_ident(self, request) -> str:
        return rate_limits.client_address(request) or "unknown"


class UserRateThrottle(FixedWindowThrottle):
    """Per user; callers who are not signed in, per address."""

    scope = "user"

    def caller(self, request) -> object | None:
        user = request.user
        return user.pk if user and user.is_authenticated else self.get_ident(request)


class AnonRateThrottle(FixedWindowThrottle):
    """Per address, for callers who are not signed in."""

    scope = "anon"

    def caller(self, request) -> object | None:
        return None if request.user and request.user.is_authenticated else self.get_ident(request)
