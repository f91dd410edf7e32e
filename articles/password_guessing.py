"""Password guessing: failed sign-ins are limited per (username, address) and per address.

django-axes records every failed sign-in in the database, so all workers and servers share the counts,
and refuses sign-ins while the failures within the cool-off reach a limit. Axes compares one count with
one limit (AXES_FAILURE_LIMIT); this handler gives each lockout parameter its own limit from
SIGN_IN_FAILURE_LIMITS, so an office address that a whole newsroom shares allows more failures than one
account from it. Usernames that exist and usernames that do not are counted alike.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit, get_lockout_parameters
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class SignInFailures(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """The failures that count towards a lockout, each parameter's scaled to AXES_FAILURE_LIMIT so that
        it reaches Axes' limit exactly when it reaches its own: floor(count * axes_limit / own_limit)."""
        axes_limit = get_failure_limit(request, credentials)
        parameters = get_lockout_parameters(request, credentials)
        attempts = self.get_user_attempts(request, credentials)  # one queryset per parameter, in the same order
        scaled = [0]
        for parameter, rows in zip(parameters, attempts, strict=True):
            names = (parameter,) if isinstance(parameter, str) else tuple(parameter)
            own_limit = settings.SIGN_IN_FAILURE_LIMITS[names]
            count = rows.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
            scaled.append(count * axes_limit // own_limit)
        return max(scaled)
