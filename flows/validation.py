"""A run's validation summaries: each batch's added to the run's (`add_batch`), and the
run tables (quarantine, fetch_state, companies, article_bands, the search index's rows of
the run, pipeline_runs) checked once at its end (`check_run_tables`)."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import polars as pl

from expectations.runner import BATCH_TABLES, load_suite, suite_columns, validate_run_table
from flows.state import RunState
from transforms.registry.operational import FETCH_STATE


def add_batch(validation: dict[str, dict], summary: dict[str, dict]) -> None:
    """Add one batch's validation summary (per table) to the run's."""
    for table, s in summary.items():
        agg = validation.setdefault(
            table, {"rows": 0, "rows_rejected": 0, "failed": [], "batch_failures": []}
        )
        agg["rows"] += s["rows"]
        agg["rows_rejected"] += s["rows_rejected"]
        agg["failed"] = sorted(set(agg["failed"]) | set(s["failed"]))
        agg["batch_failures"] += s["batch_failures"]


def check_run_tables(state: RunState, status: str, error: str | None) -> list[str]:
    """Validate every suite that is not an extraction table's (`RUN_TABLES`), once, at
    the run's end: the quarantine rows it added, the fetch_state rows it is about to
    save, the companies table, the duplicate-index bands of the articles it loaded, then its
    own pipeline_runs row as it will be written (with the status the others leave). Their summaries go to `validation` (extraction
    tables without a batch get theirs, 0 rows), their GX results to `run_results` (for
    Data Docs). Nothing is dropped: returns one line per failed expectation (the run
    then fails). With Great Expectations loaded (a batch was validated) it checks them;
    else the built-in evaluator does, so a run with nothing to parse never imports it.
    Never raises: an error is a failure line."""
    for table in BATCH_TABLES:
        if table not in state.validation:
            state.validation[table] = {
                "rows": 0,
                "expectations": len(load_suite(table)["expectations"]),
                "failed": [],
                "rows_rejected": 0,
                "batch_failures": [],
            }
    failures: list[str] = []
    use_gx = state.batch_no > 0

    def check(table: str, frame: pl.DataFrame) -> None:
        checked = validate_run_table(table, frame, use_gx=use_gx)
        state.validation[table] = checked.summary()
        failures.extend(checked.failures)
        if checked.result.ge_result is not None:
            state.run_results[table] = checked.result.ge_result

    try:
        with state.timed("validate_run"):
            for table, frame in _run_table_frames(state, status):
                check(table, frame)
            row = _run_row(state, "failed" if failures and status == "succeeded" else status, error)
            if row is None:
                failures.append("pipeline_runs: the run's row is missing")
            else:
                check("pipeline_runs", row)
    except Exception as exc:  # noqa: BLE001  (a bug here must not cost the run's row)
        failures.append(f"run tables not validated: {type(exc).__name__}: {exc}")
    return failures


def _run_row(state: RunState, status: str, error: str | None) -> pl.DataFrame | None:
    """The run's pipeline_runs row as it will be written (None: it is missing)."""
    stored = state.wh.run_row(state.run_id)
    if stored is None:
        return None
    row = {**stored, **state.fields(status, error)}
    row["source_counts"] = json.dumps(row["source_counts"])
    cols = [*_stored_columns("pipeline_runs"), "articles_duplicate", "source_counts"]
    return pl.DataFrame([{c: row.get(c) for c in cols}])


_FETCH_STATE = {c.name: c.dtype for c in FETCH_STATE.columns}  # the registry's declaration
# search_terms rows a run validates, at most (validating a BBC night's 660,000 postings took
# 33 s; their sums reconcile with search_docs.length by construction: tests/warehouse/test_search.py)
SEARCH_TERMS_CHECKED = 10_000


def _run_table_frames(state: RunState, status: str) -> Iterator[tuple[str, pl.DataFrame]]:
    """(table, rows to validate) for the run tables other than pipeline_runs."""
    wh = state.wh
    yield (
        "quarantine",
        wh.validation_rows("quarantine", _stored_columns("quarantine"), run_id=state.run_id),
    )
    saved = state.web.fetched if status == "succeeded" and state.web is not None else {}
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "url": u,
            "etag": f.get("etag"),
            "last_modified": f.get("last_modified"),
            "status": f.get("status"),
            "fetched_at": now,
            "run_id": state.run_id,
        }
        for u, f in saved.items()
    ]
    yield "fetch_state", pl.DataFrame(rows, schema=_FETCH_STATE)
    yield "companies", wh.validation_rows("companies", _stored_columns("companies"))
    yield (
        "article_bands",
        wh.validation_rows("article_bands", _stored_columns("article_bands"), run_id=state.run_id),
    )
    for table in ("search_words", "search_docs"):  # what this run indexed
        yield table, wh.validation_rows(table, _stored_columns(table), run_id=state.run_id)
    # its postings are many (a BBC article's text and evidence: ~300): a bounded sample
    yield (
        "search_terms",
        wh.validation_rows(
            "search_terms", _stored_columns("search_terms"), run_id=state.run_id, limit=SEARCH_TERMS_CHECKED
        ),
    )


def _stored_columns(table: str) -> list[str]:
    """The stored columns a table's suite reads (not its helper columns)."""
    return [c for c in suite_columns(load_suite(table)) if not c.startswith("_")]
