"""The sidebar's list of annotations, a page at a time, in text order.

An article can carry thousands of annotations; the sidebar shows a page of them (each item is a template
partial, and more items cost more than the text). The page a browser shows is described by the text-order
keys of its first and last items, so a write's answer can add or remove just the items on that page
whatever was added or removed elsewhere in the meantime.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any, Protocol

LIST_WINDOW = 100  # items a page
LIST_LEAD = 40  # items shown before the selected one

Key = tuple[int, int, int]


class Placed(Protocol):
    pk: int
    start: int
    end: int


def text_key(annotation: Placed) -> Key:
    """The annotation's place in text order (start, longest first, then id), as the sidebar lists them."""
    return (annotation.start, -annotation.end, annotation.pk)


@dataclass(frozen=True)
class ListBounds:
    """The page a browser shows, as the keys of its first and last items (None: it runs to that end)."""

    low: Key | None = None
    high: Key | None = None

    def holds(self, key: Key) -> bool:
        return (self.low is None or key >= self.low) and (self.high is None or key <= self.high)

    def encode(self) -> str:
        return "|".join("*" if key is None else f"{key[0]}:{-key[1]}:{key[2]}" for key in (self.low, self.high))

    @classmethod
    def parse(cls, raw: str | None) -> ListBounds | None:
        """Read `encode()`'s form; anything else is None (the answer then sends the whole workspace)."""
        sides = (raw or "").split("|")
        if len(sides) != 2:
            return None
        keys: list[Key | None] = []
        for side in sides:
            numbers = side.split(":")
            if side == "*":
                keys.append(None)
            elif len(numbers) == 3 and all(n.isascii() and n.isdigit() and len(n) <= 10 for n in numbers):
                start, end, pk = map(int, numbers)
                keys.append((start, -end, pk))
            else:
                return None
        return cls(*keys)


def window_numbers(rows: list[Placed], bounds: ListBounds) -> dict[str, Any]:
    """Where the page `bounds` sits in the list (1-based first and last), and where the pages before
    and after it start, for the sidebar's "12–111 of 2,000" line and its Earlier / Later links."""
    keys = [text_key(row) for row in rows]
    start = 0 if bounds.low is None else bisect.bisect_left(keys, bounds.low)
    end = len(keys) if bounds.high is None else bisect.bisect_right(keys, bounds.high)
    return {
        "first": start + 1,
        "last": end,
        "earlier": max(0, start - LIST_WINDOW) if start > 0 else None,
        "later": end if end < len(keys) else None,
        "bounds": bounds.encode(),
    }


def list_window(rows: list[Placed], selected: int | None, start: int | None) -> dict[str, Any]:
    """Pick the page: from index `start` if asked, else around the selected row's index, else the top."""
    if start is None:
        start = max(0, selected - LIST_LEAD) if selected is not None else 0
    start = max(0, min(start, max(0, len(rows) - 1)))
    end = min(len(rows), start + LIST_WINDOW)
    bounds = ListBounds(
        low=text_key(rows[start]) if start > 0 else None,
        high=text_key(rows[end - 1]) if end < len(rows) else None,
    )
    return {**window_numbers(rows, bounds), "rows": rows[start:end]}
