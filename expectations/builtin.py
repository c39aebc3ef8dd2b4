"""A small evaluator of the column-map expectation types the run tables' suites use, giving
Great Expectations' results without importing it (4-8 s) for a run that had no batch to
validate (tests/expectations compares the two)."""

from __future__ import annotations

import math
import re
from typing import Any

import polars as pl

from expectations.gx import TableResult, can_validate, describe


def _is_null(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


# kwargs the built-in evaluator understands, by expectation type
_BUILTIN_KWARGS = {
    "expect_column_values_to_not_be_null": {"column", "mostly"},
    "expect_column_values_to_be_unique": {"column", "mostly"},
    "expect_column_values_to_be_in_set": {"column", "value_set", "mostly"},
    "expect_column_values_to_be_between": {
        "column",
        "min_value",
        "max_value",
        "strict_min",
        "strict_max",
        "mostly",
    },
    "expect_column_values_to_match_regex": {"column", "regex", "mostly"},
    "expect_column_value_lengths_to_be_between": {"column", "min_value", "max_value", "mostly"},
}


def builtin_supports(suite: dict[str, Any]) -> bool:
    return all(
        e["type"] in _BUILTIN_KWARGS
        and set(e["kwargs"]) <= _BUILTIN_KWARGS[e["type"]]
        and not any(isinstance(v, dict) for v in e["kwargs"].values())  # {"$PARAMETER": ...}
        for e in suite["expectations"]
    )


def _unexpected(etype: str, kw: dict[str, Any], values: list[Any]) -> list[int]:
    """Indices of the unexpected values, as Great Expectations' column map expectations
    count them: NULLs are unexpected only to `not_be_null`, and ignored by the others."""
    if etype == "expect_column_values_to_not_be_null":
        return [i for i, v in enumerate(values) if _is_null(v)]
    present = [(i, v) for i, v in enumerate(values) if not _is_null(v)]
    if etype == "expect_column_values_to_be_unique":
        seen: dict[object, int] = {}
        for _, v in present:
            seen[v] = seen.get(v, 0) + 1
        return [i for i, v in present if seen[v] > 1]
    if etype == "expect_column_values_to_be_in_set":
        allowed = kw["value_set"]
        return [i for i, v in present if v not in allowed]
    if etype == "expect_column_values_to_match_regex":
        rx = re.compile(kw["regex"])
        return [i for i, v in present if not rx.search(str(v))]
    if etype in ("expect_column_values_to_be_between", "expect_column_value_lengths_to_be_between"):
        lo, hi = kw.get("min_value"), kw.get("max_value")
        strict_lo, strict_hi = kw.get("strict_min", False), kw.get("strict_max", False)

        def inside(x: Any) -> bool:
            if lo is not None and (x <= lo if strict_lo else x < lo):
                return False
            return hi is None or not (x >= hi if strict_hi else x > hi)

        lengths = etype == "expect_column_value_lengths_to_be_between"
        return [i for i, v in present if not inside(len(str(v)) if lengths else v)]
    raise ValueError(f"not a built-in expectation type: {etype}")


def validate_builtin(table: str, frame: pl.DataFrame, suite: dict[str, Any]) -> TableResult:
    """`validate_table` without Great Expectations, for suites of the types in
    `_BUILTIN_KWARGS` (same results; tests/expectations compares the two)."""
    result = TableResult(table, frame.height, evaluated=len(suite["expectations"]))
    if not can_validate(result, frame, suite):
        return result
    for e in suite["expectations"]:
        etype, kw = e["type"], e["kwargs"]
        reason = describe(etype, kw, e.get("meta", {}))
        values = frame[kw["column"]].to_list()
        try:
            bad = _unexpected(etype, kw, values)
        except (TypeError, re.error) as exc:  # values that cannot be compared, a bad regex
            result.failed.append(reason)
            result.batch_failures.append(f"{reason} ({type(exc).__name__}: {exc})")
            continue
        counted = (
            len(values)
            if etype == "expect_column_values_to_not_be_null"
            else sum(not _is_null(v) for v in values)
        )
        if not bad or (counted and 1 - len(bad) / counted >= kw.get("mostly", 1.0)):
            continue
        result.failed.append(reason)
        for i in bad:
            result.row_reasons.setdefault(i, []).append(reason)
    return result
