"""The run tables' suites (pipeline_runs, quarantine, fetch_state, companies, article_bands):
checked once per run; a failure names the table, the expectation and the rows, and drops nothing. The
built-in evaluator (used when Great Expectations is not loaded) gives Great Expectations'
results."""

from datetime import datetime

import polars as pl
import pytest

from expectations.builtin import builtin_supports
from expectations.catalog import BATCH_TABLES, RUN_TABLES, load_suite, suite_names
from expectations.run_tables import validate_run_table

NOW = datetime(2026, 12, 3, 2, 0, 0)
KEY = "ab" * 32


def run_row(**over) -> dict:
    row = {
        "run_id": "run-1",
        "started_at": NOW,
        "finished_at": NOW,
        "status": "succeeded",
        "articles_seen": 5,
        "articles_loaded": 3,
        "articles_skipped": 1,
        "articles_quarantined": 1,
        "rows_quarantined": 0,
        "batches": 1,
        "articles_duplicate": 1,
        "source_counts": '{"feeds": {"seen": 5, "loaded": 3, "skipped": 1, "quarantined": 1, "duplicates": 1}}',
    }
    return row | over


def quarantine_row(**over) -> dict:
    row = {
        "quarantine_id": "q-1",
        "run_id": "run-1",
        "stage": "fetch",
        "reason": "HTTP 404",
        "created_at": NOW,
        "quarantine_key": KEY,
    }
    return row | over


def fetch_row(**over) -> dict:
    row = {"url": "https://example.com/rss.xml", "status": 200, "fetched_at": NOW, "run_id": "run-1"}
    return row | over


def band_row(**over) -> dict:
    row = {"article_id": "art_1", "band": 3, "band_hash": -42, "rows_per_band": 4}
    return row | over


def company_row(**over) -> dict:
    row = {"ticker": "ACME", "name": "Acme", "entity_id": "ent_" + "0" * 16, "exchange": "NYSE"}
    return row | over


def word_row(**over) -> dict:
    return {"word": "recognised", "term": "recognis", "run_id": "run-1"} | over


def doc_row(**over) -> dict:
    row = {"doc_id": 1, "kind": "article", "article_id": "art_1", "action_id": None, "length": 120}
    return row | {"run_id": "run-1"} | over


def term_row(**over) -> dict:
    return {"term": "recognis", "doc_id": 1, "tf": 2, "run_id": "run-1"} | over


# good rows, and rows each breaking one expectation (or several) of the table's suite
CASES = {
    "pipeline_runs": (
        [run_row()],
        [
            run_row(run_id="bad-counts", articles_seen=6),  # seen 6 != 3 + 1 + 1
            run_row(
                run_id="bad-source",
                source_counts='{"feeds": {"seen": 9, "loaded": 3, "skipped": 1, "quarantined": 1, "duplicates": 0}}',
            ),
            run_row(run_id="still-running", status="running", finished_at=None),
            run_row(run_id="negative", articles_skipped=-1, articles_seen=3),
            run_row(run_id="too-many-copies", articles_duplicate=4),
        ],
    ),
    "quarantine": (
        [
            quarantine_row(),
            quarantine_row(quarantine_id="q-2", stage="validate:actions", reason="bad offsets"),
        ],
        [
            quarantine_row(quarantine_id="empty-reason", reason=""),
            quarantine_row(quarantine_id="null-reason", reason=None),
            quarantine_row(quarantine_id="odd-stage", stage="somewhere"),
            quarantine_row(quarantine_id="no-key", quarantine_key="x"),
            quarantine_row(quarantine_id="q-1"),  # the same id twice
        ],
    ),
    "fetch_state": (
        [fetch_row(), fetch_row(url="https://example.com/p.html", status=304)],
        [
            fetch_row(url="https://example.com/a", status=42),
            fetch_row(url="ftp://example.com/b"),
            fetch_row(url="https://example.com/c", status=None),
            fetch_row(url="https://example.com/d", run_id=None),
        ],
    ),
    "companies": (
        [company_row(), company_row(ticker="BETA", exchange=None)],
        [company_row(ticker="BAD", entity_id="nope"), company_row(ticker="ODD", exchange="LSE")],
    ),
    "search_words": (
        [word_row(), word_row(word="recognition", term="recognit")],
        [
            word_row(),
            word_row(word="two words"),
            word_row(word="polic", term=None),
            word_row(word="x", run_id=None),
        ],
    ),
    "search_docs": (
        [doc_row(), doc_row(doc_id=2, kind="action", action_id="act_1", length=9)],
        [
            doc_row(),
            doc_row(doc_id=3, kind="quote"),
            doc_row(doc_id=4, length=-1),
            doc_row(doc_id=5, article_id=None),
        ],
    ),
    "search_terms": (
        [term_row(), term_row(term="facial", tf=1)],
        [term_row(tf=0), term_row(term="a b"), term_row(doc_id=None), term_row(run_id=None)],
    ),
    "article_bands": (
        [band_row(), band_row(band=0, band_hash=2**63 - 1)],
        [band_row(band=128), band_row(band_hash=None), band_row(rows_per_band=0)],
    ),
}


def test_every_suite_is_a_batch_table_or_a_run_table():
    assert set(suite_names()) == set(BATCH_TABLES) | set(RUN_TABLES)
    assert not set(BATCH_TABLES) & set(RUN_TABLES)


@pytest.mark.parametrize("table", RUN_TABLES)
def test_run_table_suites_pass_good_rows_and_name_bad_ones(table):
    good, bad = CASES[table]
    checked = validate_run_table(table, pl.DataFrame(good), use_gx=False)
    assert checked.failures == [] and checked.summary()["rows"] == len(good)
    checked = validate_run_table(table, pl.DataFrame(good + bad), use_gx=False)
    s = checked.summary()
    assert s["rows_rejected"] == 0 and s["rows_failing"] >= len(bad) - 1 and s["engine"] == "builtin"
    assert all(line.startswith(f"{table}: ") for line in checked.failures)
    assert len(checked.failures) == len(s["failed"])


@pytest.mark.slow
@pytest.mark.parametrize("table", RUN_TABLES)
def test_the_builtin_evaluator_agrees_with_great_expectations(table):
    assert builtin_supports(load_suite(table))
    good, bad = CASES[table]
    for rows in (good, good + bad):
        frame = pl.DataFrame(rows)
        ours = validate_run_table(table, frame, use_gx=False)
        gx = validate_run_table(table, frame, use_gx=True)
        assert (ours.engine, gx.engine) == ("builtin", "great_expectations")
        assert ours.result.failed == gx.result.failed
        assert ours.result.row_reasons == gx.result.row_reasons
        assert ours.failures == gx.failures
        assert gx.result.ge_result is not None  # for Data Docs


def test_a_run_row_that_does_not_reconcile_is_named():
    checked = validate_run_table("pipeline_runs", pl.DataFrame([run_row(articles_seen=6)]), use_gx=False)
    (line,) = checked.failures
    assert "_counts_reconcile" in line and "articles_seen = articles_loaded" in line and "'run-1'" in line


def test_a_quarantine_row_without_a_reason_is_named():
    frame = pl.DataFrame([quarantine_row(), quarantine_row(quarantine_id="q-empty", reason="")])
    (line,) = validate_run_table("quarantine", frame, use_gx=False).failures
    assert line.startswith("quarantine: expect_column_value_lengths_to_be_between(reason)")
    assert "1 row(s): quarantine_id 'q-empty'" in line


def test_missing_columns_fail_the_table():
    checked = validate_run_table("fetch_state", pl.DataFrame([{"url": "https://x.example/"}]), use_gx=False)
    assert checked.result.failed == ["schema"] and "columns missing" in checked.failures[0]


@pytest.mark.slow  # Great Expectations (4-8 s to import)
def test_an_expectation_the_builtin_evaluator_does_not_know_goes_to_great_expectations():
    suite = {"expectations": [{"type": "expect_column_mean_to_be_between", "kwargs": {"column": "x"}}]}
    assert not builtin_supports(suite)
    param = {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": "x", "value_set": {"$PARAMETER": "p"}},
    }
    assert not builtin_supports({"expectations": [param]})


def test_the_companies_seed_passes_its_suite(tmp_path):
    from expectations.catalog import suite_columns
    from warehouse.db import Warehouse

    wh = Warehouse(tmp_path / "w.duckdb")
    try:
        cols = [c for c in suite_columns(load_suite("companies")) if not c.startswith("_")]
        frame = wh.validation_rows("companies", cols)
    finally:
        wh.close()
    assert frame.height > 400
    assert validate_run_table("companies", frame, use_gx=False).failures == []
