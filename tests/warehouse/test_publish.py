"""Publishing the staging copy: other DuckDB writers (an analyst's read-write connection, a
WAL a dead writer left), symlinked warehouse paths, publish failures."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from tests.conftest import query as q


def _source(path: Path, ids: list[str]) -> Path:
    path.write_text(
        "".join(json.dumps({"id": i, "text": f"Acme Corp said {i} would hire a chief."}) + "\n" for i in ids)
    )
    return path


def _execute(src: Path, wh: Path) -> dict:
    """A run in this process without Prefect (flows.executors.LOCAL); its result."""
    from flows.executors import LOCAL
    from flows.nightly import run_nightly

    return run_nightly(executor=LOCAL, sources=[str(src)], warehouse=str(wh), report=False, data_docs=False)


def _analyst(wh: Path, *, exit_without_closing: bool = False) -> subprocess.Popen:
    """Another process with a read-write connection that has created a table (its WAL holds it)."""
    end = "os._exit(0)" if exit_without_closing else "sys.stdin.readline(); con.close()"
    code = textwrap.dedent(
        f"""
        import duckdb, os, sys
        con = duckdb.connect({str(wh)!r})
        con.execute("create table analyst_notes as select 42 as x")
        print("ready", flush=True)
        {end}
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_run_refuses_before_writing_while_an_analyst_holds_a_read_write_connection(prefect_harness, tmp_path):
    from warehouse.db import WarehouseBusy

    wh = tmp_path / "w.duckdb"
    assert _execute(_source(tmp_path / "a.jsonl", ["a1", "a2"]), wh)["status"] == "succeeded"
    analyst = _analyst(wh)
    try:
        assert wh.with_name(wh.name + ".wal").exists()
        with pytest.raises(WarehouseBusy, match=rf"process {analyst.pid} has .* open for writing"):
            _execute(_source(tmp_path / "b.jsonl", ["b1"]), wh)
        assert not wh.with_name(wh.name + ".staging").exists()  # nothing written
    finally:
        analyst.communicate("\n", timeout=30)
    assert analyst.returncode == 0
    # the analyst's table and the earlier run are there; the file opens for everyone
    assert q(wh, "select x from analyst_notes") == [(42,)]
    assert q(wh, "select count(*) from pipeline_runs") == [(1,)]
    # and once the analyst is gone the next run publishes normally
    assert _execute(tmp_path / "b.jsonl", wh)["status"] == "succeeded"
    assert {r[0] for r in q(wh, "select external_id from articles")} == {"a1", "a2", "b1"}
    assert q(wh, "select x from analyst_notes") == [(42,)]


def test_cli_refuses_with_exit_3_while_an_analyst_holds_a_read_write_connection(tmp_path):
    from tests.conftest import ROOT

    wh = tmp_path / "w.duckdb"
    duckdb.connect(str(wh)).close()
    analyst = _analyst(wh)
    try:
        cmd = [sys.executable, "-m", "flows.cli", "run", "--source", str(tmp_path), "--warehouse", str(wh)]
        res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        analyst.communicate("\n", timeout=30)
    assert res.returncode == 3
    assert f"process {analyst.pid}" in " ".join((res.stdout + res.stderr).split())
    assert q(wh, "select x from analyst_notes") == [(42,)]


def test_a_read_write_connection_opened_during_a_run_is_refused_and_publish_is_clean(tmp_path):
    from warehouse.db import Warehouse

    wh = tmp_path / "w.duckdb"
    with Warehouse(wh) as w:
        w.begin_run("r1", sources=[], params={}, model_version="m", code_version="c")
        w.publish()
    with Warehouse(wh) as w:
        w.begin_run("r2", sources=[], params={}, model_version="m", code_version="c")
        try_write = f"import duckdb; duckdb.connect({str(wh)!r}).execute('create table t (x int)')"
        res = subprocess.run([sys.executable, "-c", try_write], capture_output=True, text=True, timeout=60)
        assert res.returncode != 0 and "lock" in res.stderr.lower()
        assert q(wh, "select run_id from pipeline_runs") == [("r1",)]  # readers still read
        w.publish()
    assert not wh.with_name(wh.name + ".wal").exists()
    assert sorted(q(wh, "select run_id from pipeline_runs")) == [("r1",), ("r2",)]


def test_a_wal_left_by_a_dead_writer_is_published_with_its_file(prefect_harness, tmp_path):
    wh = tmp_path / "w.duckdb"
    assert _execute(_source(tmp_path / "a.jsonl", ["a1"]), wh)["status"] == "succeeded"
    analyst = _analyst(wh, exit_without_closing=True)
    analyst.wait(timeout=30)
    wal = wh.with_name(wh.name + ".wal")
    assert wal.exists() and wal.stat().st_size > 0  # a commit only the WAL holds
    assert _execute(_source(tmp_path / "b.jsonl", ["b1"]), wh)["status"] == "succeeded"
    assert not wal.exists()
    con = duckdb.connect(str(wh), read_only=True)
    try:
        assert con.execute("select x from analyst_notes").fetchall() == [(42,)]
        assert {r[0] for r in con.execute("select external_id from articles").fetchall()} == {"a1", "b1"}
        assert con.execute("select count(*) from pipeline_runs where status = 'succeeded'").fetchone() == (2,)
    finally:
        con.close()


def test_a_symlinked_warehouse_is_published_to_its_target_and_stays_a_link(tmp_path):
    from warehouse.db import Warehouse, WarehouseBusy

    target = tmp_path / "store" / "real.duckdb"
    target.parent.mkdir()
    link = tmp_path / "news.duckdb"
    link.symlink_to(target)
    for rid in ("r1", "r2"):
        with Warehouse(link) as w:
            w.begin_run(rid, sources=[], params={}, model_version="m", code_version="c")
            w.publish()
    assert link.is_symlink() and link.resolve() == target.resolve()
    assert sorted(q(target, "select run_id from pipeline_runs")) == [("r1",), ("r2",)]
    assert not list(tmp_path.glob("news.duckdb.*"))  # lock and staging live beside the target
    # the link and its target are one warehouse: one writer at a time
    with Warehouse(target), pytest.raises(WarehouseBusy, match="another newsetl run"):
        Warehouse(link)


def test_a_failed_publish_marks_the_run_failed_and_the_next_run_publishes_it(
    prefect_harness, tmp_path, monkeypatch
):
    import os

    wh = tmp_path / "w.duckdb"
    assert _execute(_source(tmp_path / "a.jsonl", ["a1"]), wh)["status"] == "succeeded"
    real_replace = os.replace

    def refuse(src, dst, *a, **kw):
        if Path(dst) == wh.resolve():
            raise OSError(1, "Operation not permitted", str(dst))
        return real_replace(src, dst, *a, **kw)

    monkeypatch.setattr(os, "replace", refuse)
    res = _execute(_source(tmp_path / "b.jsonl", ["b1"]), wh)
    monkeypatch.setattr(os, "replace", real_replace)
    assert res["status"] == "failed" and any("not published" in e for e in res["errors"])
    # the published file is as it was; the staging copy holds the run, marked failed
    assert {r[0] for r in q(wh, "select external_id from articles")} == {"a1"}
    staging = wh.with_name(wh.name + ".staging")
    assert q(staging, "select status, error from pipeline_runs where run_id = ?", [res["run_id"]]) == [
        (
            "failed",
            "not published (PermissionError: [Errno 1] Operation not permitted: "
            f"'{wh.resolve()}'); the next run publishes it",
        )
    ]
    # the next run resumes from it and publishes both
    assert _execute(tmp_path / "b.jsonl", wh)["status"] == "succeeded"
    assert {r[0] for r in q(wh, "select external_id from articles")} == {"a1", "b1"}
    assert q(wh, "select status from pipeline_runs where run_id = ?", [res["run_id"]]) == [("failed",)]
    assert not staging.exists()


def test_a_full_disk_in_data_docs_still_records_and_publishes_the_run(prefect_harness, tmp_path, monkeypatch):
    import errno

    from expectations.datadocs import DataDocs
    from flows.executors import LOCAL
    from flows.nightly import run_nightly

    def full(self):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(DataDocs, "build", full)
    wh = tmp_path / "w.duckdb"
    src = _source(tmp_path / "a.jsonl", ["a1", "a2"])
    with pytest.raises(OSError, match="No space left"):
        run_nightly(executor=LOCAL, sources=[str(src)], warehouse=str(wh), report=False, data_docs=True)
    ((status, error, loaded),) = q(wh, "select status, error, articles_loaded from pipeline_runs")
    assert status == "failed" and "No space left on device" in error and loaded == 2
    assert q(wh, "select count(*) from articles") == [(2,)]
    assert not wh.with_name(wh.name + ".staging").exists()


def test_a_corrupt_warehouse_is_named_and_left_as_it_was(tmp_path):
    from warehouse.db import Warehouse, WarehouseUnreadable

    wh = tmp_path / "w.duckdb"
    junk = bytes(range(256)) * 400
    wh.write_bytes(junk)
    for _ in range(2):  # the second time too (no corrupt staging copy left to resume)
        with pytest.raises(WarehouseUnreadable) as err:
            Warehouse(wh)
        assert str(wh) in str(err.value) and ".staging" not in str(err.value)
        assert wh.read_bytes() == junk
        assert not (tmp_path / "w.duckdb.staging").exists()


def test_a_corrupt_staging_copy_of_a_dead_run_is_made_again(tmp_path):
    from warehouse.db import Warehouse

    wh = tmp_path / "w.duckdb"
    w = Warehouse(wh)
    w.publish()
    w.close()
    w = Warehouse(wh)  # a run that dies here leaves its staging copy ...
    w.con.close()
    w._lock.release()
    (tmp_path / "w.duckdb.staging").write_bytes(b"\0" * 5000)  # ... and the copy is damaged
    again = Warehouse(wh)
    try:
        assert not again.resumed
        assert again.con.execute("select count(*) from articles").fetchone() == (0,)
    finally:
        again.close()
