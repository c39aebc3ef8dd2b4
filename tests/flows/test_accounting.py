"""A run's accounting: its counts reconcile, for the run and each source, and the run
tables it writes are validated (a bad quarantine row or run row fails the run)."""

import json

from tests.conftest import query

q = query


def _plugin(name: str, items):
    from flows.sources import ChunkRef, register_source_kind

    class One:
        def __init__(self, location, **options):
            self.name = name

        def estimate(self):
            return len(items)

        def chunks(self):
            return [ChunkRef(path=f"{name}:x", root=name, kind=name)]

        def read(self, ref):
            return list(items), None

    register_source_kind(name, One)
    return f"{name}:x"


def test_a_quarantine_row_without_a_reason_fails_the_run_naming_the_expectation(run_flow, tmp_path):
    """The run tables are not extraction rows: a bad quarantine row is kept (not dropped)
    and the run fails, its error and log naming the table, the expectation and the row."""
    from flows.sources import RawRecord, Rejected

    good = RawRecord("t:x", "g1", "Acme buys Beta", "Acme Corp said it would buy Beta Inc.", None, "t", None)
    src = _plugin("noreason", [good, Rejected("t:x", "r1", "read", "")])
    wh = tmp_path / "w.duckdb"
    res = run_flow([src], wh)
    assert res["status"] == "failed"
    c = res["counts"]
    assert (c["articles_seen"], c["articles_loaded"], c["articles_quarantined"]) == (2, 1, 1)
    line = next(e for e in res["errors"] if e.startswith("quarantine: "))
    assert "expect_column_value_lengths_to_be_between(reason)" in line and "1 row(s)" in line
    status, error, validation = q(wh, "select status, error, validation from pipeline_runs")[0]
    assert status == "failed" and "expect_column_value_lengths_to_be_between(reason)" in error
    summary = json.loads(validation)["quarantine"]
    assert summary["rows"] == 1 and summary["rows_failing"] == 1 and summary["rows_rejected"] == 0
    assert summary["engine"] == "great_expectations"  # a batch was validated: GX is loaded
    assert q(wh, "select external_id, reason from quarantine") == [("r1", "")]  # kept, not dropped
    assert q(wh, "select count(*) from articles") == [(1,)]  # and what loaded is published


def test_a_run_row_that_does_not_reconcile_fails_the_run(run_flow, tmp_path, monkeypatch):
    """The pipeline_runs suite checks the row as it is written: a row whose counts do not
    reconcile (here one the run's own code check never saw) fails the run."""
    from flows.sources import Rejected
    from flows.state import RunState

    fields = RunState.fields

    def off_by_one(self, status, error):
        out = fields(self, status, error)
        return out | {"articles_seen": out["articles_seen"] + 1}

    monkeypatch.setattr(RunState, "fields", off_by_one)
    src = _plugin("offbyone", [Rejected("t:x", "r1", "read", "unreadable record")])
    wh = tmp_path / "w.duckdb"
    res = run_flow([src], wh)
    assert res["status"] == "failed"
    (line,) = [e for e in res["errors"] if e.startswith("pipeline_runs: ")]
    assert "_counts_reconcile" in line and "articles_seen = articles_loaded" in line and res["run_id"] in line
    row = q(wh, "select status, articles_seen, articles_quarantined, error, validation from pipeline_runs")[0]
    assert row[:3] == ("failed", 2, 1) and "_counts_reconcile" in row[3]
    assert json.loads(row[4])["pipeline_runs"]["engine"] == "builtin"  # nothing parsed: GX not needed


def test_a_run_that_does_not_reconcile_fails_loudly():
    """The run checks its own accounting (and each source's) before it records success."""
    from flows.accounting import Tally

    tally = Tally()
    assert tally.unreconciled() == []
    tally.start_source("feeds")
    tally.count("seen", 3)
    tally.count("loaded", 2)
    tally.count("quarantined", 1)
    assert tally.unreconciled() == []
    tally.count("seen", 1)  # an article that went nowhere
    errors = tally.unreconciled()
    assert len(errors) == 2
    assert "seen 4 != loaded 2 + skipped 0 + quarantined 1" in errors[0]
    assert errors[1].startswith("counts of source feeds do not reconcile")


def test_articles_count_for_the_source_they_came_from():
    """An article counts for its own source (`origin`) even while another is read; the
    totals are the sum of the sources'."""
    from flows.accounting import Tally

    tally = Tally()
    tally.start_source("a")
    tally.origin["art_1"] = "a"
    tally.count("seen")
    tally.start_source("b")
    tally.count("seen")
    tally.count("loaded", aid="art_1")
    tally.count("quarantined")
    tally.start_source("empty")
    assert tally.source_counts == {
        "a": {"seen": 1, "loaded": 1, "skipped": 0, "quarantined": 0, "duplicates": 0},
        "b": {"seen": 1, "loaded": 0, "skipped": 0, "quarantined": 1, "duplicates": 0},
        "empty": {"seen": 0, "loaded": 0, "skipped": 0, "quarantined": 0, "duplicates": 0},
    }
    assert (tally.counts.articles_seen, tally.counts.articles_loaded) == (2, 1)
    assert tally.unreconciled() == []


def test_run_counts_are_the_counter_columns_of_pipeline_runs():
    from dataclasses import fields

    from flows.accounting import RunCounts
    from warehouse.schema import run_counters

    assert [f.name for f in fields(RunCounts)] == list(run_counters())
    assert RunCounts().reconciles and not RunCounts(articles_seen=1).reconciles
