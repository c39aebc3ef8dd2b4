"""Lookups in sorted, non-overlapping character spans `(start, end, ...)` by bisection, so
that asking "is this offset inside a quote?" costs log(quotes), not a scan of every quote
(linear cost in an article's length)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from operator import itemgetter

_START = itemgetter(0)


def span_at(spans: Sequence[tuple], pos: int) -> tuple | None:
    """The span with start <= pos < end, or None. `spans` ascend by start and do not overlap
    (so their ends ascend too)."""
    i = bisect_right(spans, pos, key=_START) - 1
    return spans[i] if i >= 0 and pos < spans[i][1] else None


def overlaps(spans: Sequence[tuple], start: int, end: int) -> bool:
    """Does any span share a character with [start, end)? (`spans` as for `span_at`.)"""
    i = bisect_left(spans, end, key=_START)  # spans[:i] start before `end`
    return i > 0 and spans[i - 1][1] > start
