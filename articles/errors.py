"""Domain errors, shared by the web pages and the API (which maps them to 400, 409 and 412)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: something the user asked for cannot be done as asked."""


class InvalidInput(DomainError):
    """Input that does not fit: `errors` maps each field to its messages (as DRF does)."""

    def __init__(self, errors: dict[str, Any], **extra: Any):
        super().__init__(errors)
        self.errors = errors
        self.extra = extra

    @classmethod
    def single(cls, field: str, message: str, **extra: Any) -> InvalidInput:
        return cls({field: [message]}, **extra)


class StaleVersion(DomainError):
    """The object changed since the client read it; `current` is its present state."""

    def __init__(self, current: Any):
        super().__init__("This was changed by someone else since you loaded it.")
        self.current = current


# `expected_version` meaning "whatever is stored" (If-Match: *): the write cannot be stale.
ANY_VERSION = -1


def version_guard(read_version: int, expected_version: int | None) -> dict[str, int]:
    """The filter a guarded write adds: the version the caller vouches for (None: the one it read), or
    none at all for ANY_VERSION, so `*` overwrites atomically whatever a concurrent write left."""
    if expected_version == ANY_VERSION:
        return {}
    return {"version": read_version if expected_version is None else expected_version}


class AlreadyExists(DomainError):
    """The same object already exists (a double submit); `existing` is the one stored."""

    def __init__(self, existing: Any, message: str):
        super().__init__(message)
        self.existing = existing
