"""Stop signals: SIGTERM (systemd, `timeout`, kill) and SIGINT (Ctrl-C) stop `newsetl run`
within 10 s, leave an `interrupted` row and the staging copy for the next run to resume,
and leave no process of the run alive; the next run finishes the night."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import duckdb
import pytest

from tests.conftest import ROOT
from tests.flows.test_operations import write_articles
from tests.flows.test_routes import clean_env, newsetl, runs

pytestmark = pytest.mark.slow


def group_alive(pgid: int) -> list[str]:
    """Processes of the run's process group that still run (zombies are dead: init reaps them)."""
    out = subprocess.run(
        ["ps", "-o", "stat=,pid=,args=", "-g", str(pgid)], capture_output=True, text=True
    ).stdout
    return [line for line in out.splitlines() if line.strip() and not line.lstrip().startswith("Z")]


def alive_after(pgid: int, seconds: float) -> list[str]:
    """The processes of the group still running `seconds` from now ([] as soon as none is)."""
    deadline = time.monotonic() + seconds
    while (alive := group_alive(pgid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return alive


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_run_and_the_next_run_resumes(tmp_path, sig, code):
    src = write_articles(tmp_path / "many.jsonl", 240)
    wh = tmp_path / "news.duckdb"
    staging = wh.with_name(wh.name + ".staging")
    env = clean_env(tmp_path / "home", NEWSETL_N_PROCESS="2")
    cmd = newsetl("run", "--no-progress", "--source", str(src), "--warehouse", str(wh), "--batch-size", "20")
    run = subprocess.Popen(
        cmd,
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while True:  # until a batch is committed in the staging copy
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "no batch loaded in time"
        if staging.exists() and "batch 1 loaded" in (wh.with_name("news.log").read_text(errors="replace")):
            break
        time.sleep(0.3)
    os.kill(run.pid, sig)
    t = time.monotonic()
    out, err = run.communicate(timeout=60)
    took = time.monotonic() - t
    assert took <= 10, f"stopped after {took:.1f} s"
    assert run.returncode == code, out + err
    assert "Traceback" not in out + err
    assert "interrupted" in err
    assert alive_after(run.pid, 1) == [], "processes of the run still alive"
    assert staging.exists()  # kept for resume
    con = duckdb.connect(str(staging), read_only=True)
    try:
        [(status, loaded, error)] = con.execute(
            "SELECT status, articles_loaded, error FROM pipeline_runs"
        ).fetchall()
    finally:
        con.close()
    assert status == "interrupted" and "SIG" in error
    assert loaded > 0
    # the next run resumes from the staging copy and finishes the night
    res = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    rows = runs(wh)
    assert [r["status"] for r in rows] == ["interrupted", "succeeded"]
    assert rows[0]["articles_loaded"] + rows[1]["articles_loaded"] == 240


def test_after_sigkill_no_process_of_the_run_is_alive_5_s_later(tmp_path):
    """SIGKILL runs no cleanup: the temporary Prefect server (parent-death signal) and the
    worker processes (they watch their parent) must still end by themselves."""
    src = write_articles(tmp_path / "many.jsonl", 120)
    wh = tmp_path / "news.duckdb"
    env = clean_env(tmp_path / "home", NEWSETL_N_PROCESS="2")
    cmd = newsetl("run", "--no-progress", "--source", str(src), "--warehouse", str(wh), "--batch-size", "10")
    run = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    log = wh.with_name("news.log")
    deadline = time.monotonic() + 240
    while not (log.exists() and "batch 1 loaded" in log.read_text(errors="replace")):
        assert run.poll() is None and time.monotonic() < deadline, "no batch loaded in time"
        time.sleep(0.3)
    assert len(group_alive(run.pid)) >= 3  # the run, its Prefect server, a worker at least
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert alive_after(run.pid, 5) == []


@pytest.mark.parametrize("where", ["load", "read"])
def test_a_stop_that_surfaces_as_a_query_error_is_an_interruption(
    prefect_harness, tmp_path, monkeypatch, where
):
    """SIGINT landing inside a DuckDB query comes back as `RuntimeError: Query interrupted`
    (DuckDB turns the KeyboardInterrupt into it). The run still stops as interrupted
    (exit 130, row 'interrupted', staging kept), never as a failed batch or source that
    the run goes on after."""
    from typer.testing import CliRunner

    from flows import stops
    from flows.cli import app
    from warehouse.db import Warehouse

    def interrupted(*args, **kwargs):
        stops.SIGNALLED.append("SIGINT")
        raise RuntimeError("Query interrupted")

    if where == "load":
        monkeypatch.setattr(Warehouse, "load_batch", interrupted)
    else:
        monkeypatch.setattr("flows.sources.FileSource.read", interrupted)
    src = write_articles(tmp_path / "a.jsonl", 6)
    wh = tmp_path / "news.duckdb"
    try:
        res = CliRunner().invoke(app, ["run", "--source", str(src), "--warehouse", str(wh), "--no-progress"])
    finally:
        stops.SIGNALLED.clear()
    assert res.exit_code == 130, res.output
    assert "interrupted by SIGINT" in res.output
    staging = wh.with_name(wh.name + ".staging")
    con = duckdb.connect(str(staging), read_only=True)
    try:
        ((status, error),) = con.execute("SELECT status, error FROM pipeline_runs").fetchall()
    finally:
        con.close()
    assert status == "interrupted" and "SIGINT" in error
