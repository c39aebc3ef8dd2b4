"""Writing the warehouse in place (NEWSETL_WAREHOUSE_WRITE=in_place): no staging copy, one
transaction per batch in the published file; a killed run leaves whole batches and the
next run finishes the rest; a reader holding the file makes the run refuse up front."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import ROOT, SAMPLE, query
from tests.flows.test_operations import NEWSETL, snapshot, start_night, write_articles

IN_PLACE = {"warehouse_write": "in_place"}


def _local(src, wh, **kw):
    """A run in this process without Prefect (flows.executors.LOCAL)."""
    from flows.executors import LOCAL
    from flows.nightly import run_nightly

    return run_nightly(
        executor=LOCAL, sources=[str(src)], warehouse=str(wh), report=False, data_docs=False, **IN_PLACE, **kw
    )


def test_an_in_place_run_writes_the_file_without_a_copy(tmp_path, monkeypatch):
    import shutil

    from warehouse.db import Warehouse

    wh = tmp_path / "news.duckdb"
    assert _local(write_articles(tmp_path / "a.jsonl", 5), wh)["status"] == "succeeded"
    inode = wh.stat().st_ino

    def no_copy(*a, **kw):
        raise AssertionError("in place: nothing is copied")

    monkeypatch.setattr(shutil, "copyfileobj", no_copy)
    monkeypatch.setattr(Warehouse, "_prepare_staging", no_copy)
    res = _local(write_articles(tmp_path / "b.jsonl", 5, start=5), wh)
    assert res["status"] == "succeeded" and res["counts"]["articles_loaded"] == 5
    assert wh.stat().st_ino == inode  # the same file, written, not replaced
    assert query(wh, "select count(*) from articles") == [(10,)]
    assert not list(tmp_path.glob("news.duckdb.staging*")) and not wh.with_name("news.duckdb.wal").exists()


def test_a_reader_holding_the_file_makes_an_in_place_run_refuse_before_writing(tmp_path):
    from warehouse.db import WarehouseBusy

    wh = tmp_path / "news.duckdb"
    _local(write_articles(tmp_path / "a.jsonl", 3), wh)
    before = snapshot(wh)
    holder = textwrap.dedent(
        f"""
        import duckdb, sys
        con = duckdb.connect({str(wh)!r}, read_only=True)
        print(con.execute("select count(*) from articles").fetchone()[0], flush=True)
        sys.stdin.readline()
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert int(proc.stdout.readline()) == 3
        with pytest.raises(WarehouseBusy, match="open in another process"):
            _local(write_articles(tmp_path / "b.jsonl", 3, start=3), wh)
    finally:
        proc.communicate("\n", timeout=30)
    assert snapshot(wh) == before
    assert (
        _local(write_articles(tmp_path / "b.jsonl", 3, start=3), wh)["status"] == "succeeded"
    )  # reader gone


def test_the_cli_refuses_an_in_place_run_with_exit_3_while_a_reader_holds_the_file(tmp_path):
    wh = tmp_path / "news.duckdb"
    _local(write_articles(tmp_path / "a.jsonl", 3), wh)
    holder = f"import duckdb, sys; con = duckdb.connect({str(wh)!r}, read_only=True); print('ready', flush=True); sys.stdin.readline()"
    proc = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        cmd = [
            *NEWSETL,
            "run",
            "--source",
            str(write_articles(tmp_path / "b.jsonl", 3, start=3)),
            "--warehouse",
            str(wh),
        ]
        env = dict(os.environ, NEWSETL_WAREHOUSE_WRITE="in_place")
        res = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    finally:
        proc.communicate("\n", timeout=30)
    assert res.returncode == 3, res.stderr
    assert "open in another process" in " ".join((res.stdout + res.stderr).split())
    assert query(wh, "select count(*) from articles") == [(3,)]


@pytest.mark.slow
def test_sigkill_in_place_leaves_whole_batches_and_the_next_run_finishes(
    prefect_harness, run_flow, tmp_path, monkeypatch
):
    monkeypatch.setenv("NEWSETL_WAREHOUSE_WRITE", "in_place")
    wh = tmp_path / "news.duckdb"
    run_flow([SAMPLE], wh)
    src = write_articles(tmp_path / "night.jsonl", 60)
    proc = start_night(src, wh, prefect_harness)  # NEWSETL_WAREHOUSE_WRITE=in_place with it
    log = wh.with_name("news.log")
    deadline = time.time() + 120
    while time.time() < deadline and not (
        log.exists() and "batch 2 loaded" in log.read_text(errors="replace")
    ):
        assert proc.poll() is None, "the run ended before two batches were committed"
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed; give it more input"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not list(tmp_path.glob("news.duckdb.staging*"))
    # the committed batches are in the file (DuckDB replays its WAL), whole: 4 articles each
    ((killed_id,),) = query(wh, "select run_id from pipeline_runs where status = 'running'")
    ((loaded, batches),) = query(
        wh, "select count(*), count(distinct loaded_at) from articles where run_id = ?", [killed_id]
    )
    assert batches >= 2 and loaded == 4 * batches
    res = run_flow([src], wh)
    assert res["status"] == "succeeded"
    runs = dict(query(wh, "select status, count(*) from pipeline_runs group by 1"))
    assert runs.get("killed") == 1 and runs.get("succeeded") == 2
    assert res["counts"]["articles_skipped"] >= loaded
    monkeypatch.setenv("NEWSETL_WAREHOUSE_WRITE", "copy")
    ref = tmp_path / "ref.duckdb"
    run_flow([SAMPLE], ref)
    run_flow([src], ref)
    assert snapshot(wh) == snapshot(ref)  # the same tables as one clean run
