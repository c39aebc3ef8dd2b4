"""A run's batches with one step replaced (flows.executors.LOCAL, no Prefect): a file
that vanishes between listing and reading, a batch-level validation failure, the same
bad input read twice."""

import json
from dataclasses import replace

import pytest

from tests.conftest import SAMPLE, query

pytestmark = pytest.mark.slow  # each runs the whole pipeline (spaCy, Great Expectations, DuckDB)

q = query


def _local():
    """flows.executors.LOCAL and run_nightly, imported when a test runs: both bring in
    Prefect, which the fast loop's collection must not pay for."""
    from flows.executors import LOCAL
    from flows.nightly import run_nightly

    return LOCAL, run_nightly


def _articles(path, n: int):
    """n short synthetic articles built from the bundled sample's fictional news."""
    base = [
        json.loads(line) for line in (SAMPLE / "fictional.jsonl").read_text().splitlines() if line.strip()
    ]
    with path.open("w") as fh:
        for i in range(n):
            r = dict(base[i % len(base)])
            r["id"] = f"syn-{i:04d}"
            r["text"] = r["text"] + f" The company said filing {i} was made."
            r["published_at"] = "2024-05-01"
            fh.write(json.dumps(r) + "\n")
    return path


def test_file_that_disappears_mid_run(tmp_path):
    LOCAL, run_nightly = _local()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text(json.dumps({"id": "a", "text": "Acme Corp hired a chief."}) + "\n")
    (folder / "b.jsonl").write_text(json.dumps({"id": "b", "text": "Beta Inc cut jobs."}) + "\n")

    def list_then_vanish(source):
        refs = LOCAL.list_chunks(source)
        (folder / "b.jsonl").unlink()
        return refs

    res = run_nightly(
        executor=replace(LOCAL, list_chunks=list_then_vanish),
        sources=[str(folder)],
        warehouse=str(tmp_path / "w.duckdb"),
    )
    assert res["counts"]["articles_loaded"] == 1 and res["counts"]["articles_quarantined"] == 1
    (reason,) = q(tmp_path / "w.duckdb", "select reason from quarantine")[0]
    assert "disappeared" in reason


def test_batch_level_failure_stops_the_batch_and_fails_the_run(tmp_path):
    LOCAL, run_nightly = _local()
    src = _articles(tmp_path / "in.jsonl", 6)

    def failing_validate(frames, run_id, max_raw):
        checked = LOCAL.validate(frames, run_id, max_raw)
        if any(e == "syn-0003" for e in frames.articles["external_id"]):
            checked.batch_failures.append(
                "actions: expect_column_mean_to_be_between(_entity_other): injected"
            )
        return checked

    wh = tmp_path / "w.duckdb"
    res = run_nightly(
        executor=replace(LOCAL, validate=failing_validate),
        sources=[str(src)],
        warehouse=str(wh),
        batch_size=3,
    )
    c = res["counts"]
    assert res["status"] == "failed" and "injected" in res["errors"][0]
    assert (c["articles_loaded"], c["articles_quarantined"]) == (3, 3)
    assert c["articles_seen"] == c["articles_loaded"] + c["articles_skipped"] + c["articles_quarantined"]
    assert q(wh, "select status from pipeline_runs")[0][0] == "failed"
    stages = q(wh, "select distinct stage from quarantine")
    assert stages == [("validate:batch",)]


def test_rerunning_the_same_bad_input_adds_no_quarantine_rows(tmp_path):
    LOCAL, run_nightly = _local()
    src = tmp_path / "bad.jsonl"
    src.write_text(
        json.dumps({"id": "ok", "text": "Acme Corp hired a chief."})
        + "\n{not json\n"
        + json.dumps({"id": "empty", "text": ""})
        + "\n"
    )
    wh = tmp_path / "w.duckdb"

    def run():
        return run_nightly(
            executor=LOCAL, sources=[str(src)], warehouse=str(wh), report=False, data_docs=False
        )

    first = run()
    n = q(wh, "select count(*) from quarantine")[0][0]
    assert n >= 2 and first["counts"]["articles_quarantined"] >= 2
    second = run()
    assert (
        second["counts"]["articles_quarantined"] == first["counts"]["articles_quarantined"]
    )  # still counted
    assert q(wh, "select count(*) from quarantine")[0][0] == n
    assert q(wh, "select distinct run_id from quarantine") == [(first["run_id"],)]  # the first run's rows
    assert q(wh, "select count(distinct quarantine_key), count(quarantine_key) from quarantine") == [(n, n)]
    # a changed bad record is new
    src.write_text(src.read_text().replace("{not json", "{still not json"))
    run()
    assert q(wh, "select count(*) from quarantine")[0][0] == n + 1


def test_a_stop_while_the_run_checks_its_tables_interrupts_it_and_publishes_nothing(tmp_path, monkeypatch):
    """SIGTERM during the run-table checks surfaces as a failed check ("Query
    interrupted"): the run is interrupted (not failed), nothing is published, and the next
    run resumes from the staging copy."""
    from flows import run as run_module
    from flows import stops

    LOCAL, run_nightly = _local()
    src = _articles(tmp_path / "in.jsonl", 4)
    wh = tmp_path / "w.duckdb"

    def stopped_while_checking(state, status, error):
        stops.SIGNALLED.append("SIGTERM")
        return ["run tables not validated: RuntimeError: Query interrupted"]

    monkeypatch.setattr(run_module, "check_run_tables", stopped_while_checking)
    monkeypatch.setattr(stops, "SIGNALLED", [])
    with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
        run_nightly(executor=LOCAL, sources=[str(src)], warehouse=str(wh), report=False, data_docs=False)
    assert not wh.exists()  # not published
    staging = wh.with_name(wh.name + ".staging")
    [(status, error)] = q(staging, "select status, error from pipeline_runs")
    assert status == "interrupted" and "SIGTERM" in error
    monkeypatch.undo()
    res = run_nightly(executor=LOCAL, sources=[str(src)], warehouse=str(wh), report=False, data_docs=False)
    assert (
        res["status"] == "succeeded"
        and res["counts"]["articles_loaded"] + res["counts"]["articles_skipped"] == 4
    )
