"""Lookups in sorted, non-overlapping character spans `(start, end, ...)` by bisection, so
that asking "is this offset inside a quote?" costs log(quotes), not a scan of every quote
(linear cost in an article's length)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any, TypeVar

S = TypeVar("S", bound=tuple[Any, ...])  # (start, end, ...)


def _start(span: tuple[Any, ...]) -> int:
    start: int = span[0]
    return start


def span_at(spans: Sequence[S], pos: int) -> S | None:
    """The span with start <= pos < end, or None. `spans` ascend by start and do not overlap
    (so their ends ascend too)."""
    i = bisect_right(spans, pos, key=_start) - 1
    return spans[i] if i >= 0 and pos < spans[i][1] else None


def overlaps(spans: Sequence[tuple[Any, ...]], start: int, end: int) -> bool:
    """Does any span share a character with [start, end)? (`spans` as for `span_at`.)"""
    i = bisect_left(spans, end, key=_start)  # spans[:i] start before `end`
    return i > 0 and spans[i - 1][1] > start
