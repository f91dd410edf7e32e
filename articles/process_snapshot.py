"""A small fact read from the database and kept by one process for a few seconds.

Hot write paths ask questions whose answer is almost always "no" (does anyone listen to this event? does
this project run suggesters?). A snapshot answers them without a query; a change made in this process
forgets it at once, and other processes (other app servers) see the change within `seconds`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class ProcessSnapshot(Generic[T]):
    def __init__(self, read: Callable[[], T], seconds: Callable[[], float]):
        self._read, self._seconds = read, seconds
        self._taken: tuple[float, T] | None = None

    def fresh(self) -> T | None:
        """The value if it was read less than `seconds` ago, else None (the caller decides whether to read)."""
        taken = self._taken
        if taken is None or time.monotonic() - taken[0] > self._seconds():
            return None
        return taken[1]

    def load(self) -> T:
        """Read the value now and keep it."""
        read_at = time.monotonic()  # before the query: a change made meanwhile is read again at the next load
        value = self._read()
        self._taken = (read_at, value)
        return value

    def forget(self) -> None:
        """Read from the database next time (after a change in this process, or in tests)."""
        self._taken = None
