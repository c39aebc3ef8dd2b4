"""The run tables (`RUN_TABLES`): validated once per run, at its end; a failure fails the
run, naming the table, the expectation and the rows, and drops nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from expectations.builtin import builtin_supports, validate_builtin
from expectations.catalog import RUN_TABLE_KEYS, load_suite
from expectations.gx import TableResult, validate_table
from expectations.helpers import PREPARE_RUN_TABLE


@dataclass
class RunTableResult:
    """One run table's validation: the result, its summary and what failed, in words."""

    table: str
    result: TableResult
    engine: str  # "great_expectations" or "builtin"
    failures: list[str]  # one line per failed expectation, naming the table and the rows

    def summary(self) -> dict[str, Any]:
        s = self.result.summary()
        s["rows_rejected"] = 0  # nothing is dropped: the run fails instead
        s["rows_failing"] = len(self.result.row_reasons)
        s["engine"] = self.engine
        return s


def validate_run_table(table: str, frame: pl.DataFrame, *, use_gx: bool) -> RunTableResult:
    """Validate rows of a run table (`RUN_TABLES`): the run's own pipeline_runs row, the
    quarantine rows it added, the fetch_state rows it saves, the companies table. With
    `use_gx` false the built-in evaluator is used when the suite allows it (Great
    Expectations not imported); else Great Expectations."""
    suite = load_suite(table)
    prepared = PREPARE_RUN_TABLE.get(table, lambda f: f)(frame)
    if not use_gx and builtin_supports(suite):
        res, engine = validate_builtin(table, prepared, suite), "builtin"
    else:
        res, engine = validate_table(table, prepared), "great_expectations"
    return RunTableResult(table, res, engine, _failure_lines(table, prepared, res))


def _failure_lines(table: str, frame: pl.DataFrame, res: TableResult) -> list[str]:
    key = RUN_TABLE_KEYS.get(table)
    rows_by_reason: dict[str, list[int]] = {}
    for i, reasons in sorted(res.row_reasons.items()):
        for r in reasons:
            rows_by_reason.setdefault(r, []).append(i)
    lines = []
    for reason in dict.fromkeys(res.failed):
        idx = rows_by_reason.get(reason)
        if not idx:
            continue
        if key and key in frame.columns:
            names = [repr(frame[key][i]) for i in idx[:3]]
        else:
            names = [f"row {i}" for i in idx[:3]]
        more = f" and {len(idx) - 3} more" if len(idx) > 3 else ""
        lines.append(
            f"{table}: {reason} fails for {len(idx)} row(s): {key or 'rows'} {', '.join(names)}{more}"
        )
    lines += [f"{table}: {b}" for b in res.batch_failures]
    return lines
