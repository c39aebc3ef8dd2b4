"""Great Expectations: its ephemeral context and the suites built once per process (a
preload thread may build them while the run starts), and `validate_table`, which runs a
table's suite on a frame and says which rows fail which expectation."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

import polars as pl

from expectations.catalog import BATCH_TABLES, RUN_TABLES, load_suite, suite_columns, suite_parameters

log = logging.getLogger(__name__)
T = TypeVar("T")


_GX_LOCK = threading.RLock()  # GX objects are built once, by whichever thread asks first


def preload() -> None:
    """Import Great Expectations and build its context and every suite now (4-8 s), e.g. in
    a background thread while the run starts, so the first batch does not wait for it."""
    for table in (*BATCH_TABLES, *RUN_TABLES):
        gx_suite(table)
        batch_definition(table)


_PRELOADING: list[threading.Thread] = []
_PRELOAD_LOCK = threading.Lock()


def preload_in_background() -> None:
    """`preload` in a daemon thread, once per process (later calls do nothing)."""
    with _PRELOAD_LOCK:  # not _GX_LOCK: the preload holds that while it builds
        if _PRELOADING:
            return
        t = threading.Thread(target=_preload_quietly, name="newsetl-gx-preload", daemon=True)
        _PRELOADING.append(t)
    t.start()


def _preload_quietly() -> None:
    try:
        preload()
    except Exception:  # noqa: BLE001  (validation itself will raise it, with its context)
        log.debug("Great Expectations preload failed", exc_info=True)


def _locked(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache `fn` and build each value once, even when a preload thread and the run ask
    together."""
    cached = cache(fn)

    def get(*args: Hashable) -> T:
        with _GX_LOCK:
            return cached(*args)

    return get


@_locked
def _gx() -> tuple[Any, Any, Any]:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = ctx.data_sources.add_pandas("newsetl")
    return gx, ctx, source


@_locked
def batch_definition(table: str) -> Any:
    _, _, source = _gx()
    return source.add_dataframe_asset(table).add_batch_definition_whole_dataframe(f"{table}_batch")


@_locked
def gx_suite(table: str) -> Any:
    gx, _, _ = _gx()
    s = load_suite(table)
    return gx.ExpectationSuite(
        name=s["name"],
        expectations=[
            {"type": e["type"], "kwargs": e["kwargs"], "meta": e.get("meta", {})} for e in s["expectations"]
        ],
    )


def describe(cfg_type: str, kwargs: dict[str, Any], meta: dict[str, Any]) -> str:
    cols = (
        kwargs.get("column") or kwargs.get("column_list") or [kwargs.get("column_A"), kwargs.get("column_B")]
    )
    args = ", ".join(cols) if isinstance(cols, list) else cols
    note = meta.get("notes") if meta else None
    return f"{cfg_type}({args})" + (f": {note}" if note else "")


@dataclass
class TableResult:
    table: str
    rows: int
    evaluated: int = 0
    failed: list[str] = field(default_factory=list)
    row_reasons: dict[int, list[str]] = field(default_factory=dict)
    batch_failures: list[str] = field(default_factory=list)
    ge_result: object | None = None  # the GX validation result, for Data Docs

    def summary(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "expectations": self.evaluated,
            "failed": self.failed,
            "rows_rejected": len(self.row_reasons),
            "batch_failures": self.batch_failures,
        }


def can_validate(result: TableResult, frame: pl.DataFrame, suite: dict[str, Any]) -> bool:
    """Is there anything to validate? No rows: nothing to do; a column the suite reads
    missing: the whole batch fails (recorded in `result`)."""
    if frame.height == 0:
        return False
    missing = [c for c in suite_columns(suite) if c not in frame.columns]
    if missing:
        result.batch_failures.append(f"columns missing for suite {result.table}: {missing}")
        result.failed.append("schema")
        return False
    return True


def validate_table(table: str, frame: pl.DataFrame) -> TableResult:
    """Validate one frame (with its helper columns) against the table's suite."""
    suite = load_suite(table)
    result = TableResult(table, frame.height, evaluated=len(suite["expectations"]))
    if not can_validate(result, frame, suite):
        return result
    pdf = frame.select(suite_columns(suite)).to_pandas()
    batch = batch_definition(table).get_batch(batch_parameters={"dataframe": pdf})
    res = batch.validate(
        gx_suite(table),
        result_format={"result_format": "COMPLETE"},
        expectation_parameters=suite_parameters(),
    )
    result.ge_result = res
    for r in res.results:
        if r.success:
            continue
        cfg = r.expectation_config
        reason = describe(cfg.type, dict(cfg.kwargs), dict(cfg.meta or {}))
        result.failed.append(reason)
        exc = (r.exception_info or {}).get("exception_message") if r.exception_info else None
        idx = (r.result or {}).get("unexpected_index_list")
        if idx:
            for i in idx:
                result.row_reasons.setdefault(int(i), []).append(reason)
        else:
            result.batch_failures.append(reason + (f" ({exc})" if exc else ""))
    return result
