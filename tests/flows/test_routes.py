"""Every documented way to run a night, run for real in subprocesses as a user would:
`newsetl run` (temporary Prefect server, fresh Prefect home, busy machine), `newsetl serve`
(its own real server, a scheduled run that runs), `prefect deploy --all` + a process
worker (prefect.yaml), and what happens when the Prefect API cannot start or stops
answering. Each ends by finding the run's `succeeded` (or `failed`) row in pipeline_runs.

These are the slow tests of the suite (a Prefect server start each); the commands they run
are the ones README.md and docs/operations.md show.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SAMPLE

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


def newsetl(*args: str) -> list[str]:
    exe = BIN / "newsetl"
    return [str(exe), *args] if exe.exists() else [sys.executable, "-m", "flows.cli", *args]


def prefect(*args: str) -> list[str]:
    return [sys.executable, "-m", "prefect", *args]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh shell: no Prefect API configured, its own Prefect home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSETL_"))}
    env.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        NEWSETL_N_PROCESS="1",
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def runs(wh: Path) -> list[dict]:
    """pipeline_runs rows of a warehouse (none while it does not exist or is being replaced)."""
    if not wh.exists():
        return []
    try:
        con = duckdb.connect(str(wh), read_only=True)
    except duckdb.Error:
        return []
    try:
        cur = con.execute(
            "SELECT run_id, status, error, articles_loaded FROM pipeline_runs ORDER BY started_at"
        )
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()


def wait_for_run(wh: Path, status: str = "succeeded", timeout: float = 300, procs=()) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [r for r in runs(wh) if r["status"] == status]
        if done:
            return done[-1]
        for p in procs:
            assert p.poll() is None, f"{p.args} exited early with {p.returncode}"
        time.sleep(1)
    raise AssertionError(f"no {status} run in {wh} after {timeout} s: {runs(wh)}")


def wait_healthy(url: str, timeout: float = 180) -> None:
    from flows.prefect_api import healthy

    deadline = time.monotonic() + timeout
    while not healthy(url):
        assert time.monotonic() < deadline, f"no Prefect API at {url}"
        time.sleep(0.5)


@contextlib.contextmanager
def background(cmd: list[str], env: dict, log: Path, cwd: Path = ROOT):
    """A long-running command (server, serve, worker), stopped with SIGTERM at the end."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextlib.contextmanager
def newsetl_server(tmp_path: Path):
    """`newsetl server` on a free port with its own Prefect home: (process, env, API URL)."""
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = clean_env(tmp_path / "home", NEWSETL_PREFECT_PORT=str(port))
    with background(newsetl("server"), env, tmp_path / "server.log") as srv:
        wait_healthy(api)
        yield srv, env, api


def no_traceback(text: str) -> None:
    assert "Traceback" not in text, text[-3000:]


def test_run_with_a_fresh_prefect_home_on_a_busy_machine(tmp_path):
    """The first `make run` on a fresh clone: no Prefect database yet, two cores busy."""
    home, wh = tmp_path / "fresh-prefect-home", tmp_path / "news.duckdb"
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        res = subprocess.run(
            newsetl("run", "--source", str(SAMPLE), "--warehouse", str(wh)),
            env=clean_env(home),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        for b in burners:
            b.kill()
            b.wait()
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    no_traceback(res.stdout + res.stderr)
    assert "succeeded" in res.stdout
    [row] = runs(wh)
    assert row["status"] == "succeeded" and row["articles_loaded"] == 13
    assert (home / "prefect.db").exists()  # the project's Prefect home, not ~/.prefect
    # the console is for a person: no Prefect task lines, lines fit 80 columns
    assert "Task run" not in res.stdout + res.stderr
    assert max(len(line) for line in res.stdout.splitlines()) <= 80


def test_prefect_that_does_not_start_is_one_line_exit_1_and_a_failed_row(tmp_path):
    home, wh = tmp_path / "home", tmp_path / "news.duckdb"
    res = subprocess.run(
        newsetl("run", "--source", str(SAMPLE), "--warehouse", str(wh)),
        env=clean_env(home, NEWSETL_PREFECT_STARTUP_TIMEOUT="0.2"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 1, res.stdout + res.stderr
    no_traceback(res.stdout + res.stderr)
    [line] = [line for line in res.stderr.splitlines() if line.strip()]
    assert line.startswith("error: ") and "NEWSETL_PREFECT_STARTUP_TIMEOUT" in line, res.stderr
    assert f"(log: {tmp_path / 'news.log'})" in line
    [row] = runs(wh)
    assert row["status"] == "failed" and "NEWSETL_PREFECT_STARTUP_TIMEOUT" in row["error"]
    # the temporary server died with the run
    time.sleep(1)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(home) not in ps


def test_second_writer_is_refused_within_two_seconds(tmp_path):
    from warehouse.lock import WarehouseLock

    wh = tmp_path / "news.duckdb"
    lock = WarehouseLock(wh)
    try:
        t = time.monotonic()
        res = subprocess.run(
            newsetl("run", "--source", str(SAMPLE), "--warehouse", str(wh)),
            env=clean_env(tmp_path / "home"),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        took = time.monotonic() - t
    finally:
        lock.release()
    assert res.returncode == 3, res.stdout + res.stderr
    assert took < 2.0, f"refused after {took:.1f} s"
    assert res.stderr.strip().count("\n") == 0 and "another newsetl run is writing" in res.stderr
    assert not (tmp_path / "home").exists()  # refused before any Prefect start


def test_serve_runs_the_scheduled_night(tmp_path):
    """`newsetl serve` without PREFECT_API_URL starts a real local server (scheduler
    included) under the project's Prefect home; a run on the schedule happens and succeeds."""
    home, wh = tmp_path / "home", tmp_path / "served.duckdb"
    port = free_port()
    env = clean_env(
        home,
        NEWSETL_PREFECT_PORT=str(port),
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5",  # the test's only speed-up
    )
    cmd = newsetl("serve", "--cron", "* * * * *", "--source", str(SAMPLE), "--warehouse", str(wh))
    with background(cmd, env, tmp_path / "serve.log") as serve:
        wait_healthy(f"http://127.0.0.1:{port}/api")
        state_file = home / "newsetl-server.json"
        for _ in range(50):  # written right after the server first answers
            if state_file.exists():
                break
            time.sleep(0.2)
        state = json.loads(state_file.read_text())
        assert state["api_url"] == f"http://127.0.0.1:{port}/api"
        row = wait_for_run(wh, timeout=240, procs=[serve])
    assert row["articles_loaded"] == 13
    log = (tmp_path / "serve.log").read_text(errors="replace")
    assert "Cannot schedule flows on an ephemeral server" not in log
    assert "not fully defined" not in log
    # the server stopped with serve, and its record (if serve had no time to remove it) is
    # never taken for a running server
    from flows.prefect_api import healthy, recorded_server

    assert not healthy(f"http://127.0.0.1:{port}/api")
    assert recorded_server(home) is None


def test_prefect_deploy_and_a_process_worker_run_the_night(tmp_path):
    """prefect.yaml from the clone: `newsetl server`, a process work pool, `prefect deploy
    --all`, `prefect worker start`, then `prefect deployment run`."""
    wh = tmp_path / "deployed.duckdb"
    with newsetl_server(tmp_path) as (srv, env, api):
        client_env = {**env, "PREFECT_API_URL": api}

        def ok(cmd):
            res = subprocess.run(cmd, env=client_env, cwd=ROOT, capture_output=True, text=True, timeout=300)
            assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
            return res.stdout

        ok(prefect("work-pool", "create", "newsetl", "--type", "process"))
        ok(prefect("--no-prompt", "deploy", "--all"))
        worker_env = {**client_env, "NEWSETL_WAREHOUSE": str(wh)}
        with background(
            prefect("worker", "start", "--pool", "newsetl"), worker_env, tmp_path / "worker.log"
        ) as worker:
            ok(prefect("deployment", "run", "nightly/nightly"))
            row = wait_for_run(wh, timeout=300, procs=[srv, worker])
    assert row["articles_loaded"] == 13
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "'http' is not a package" not in log and "BrokenProcessPool" not in log


def test_an_api_that_stops_answering_mid_run_neither_hangs_nor_loses_a_batch(tmp_path):
    wh = tmp_path / "news.duckdb"
    with newsetl_server(tmp_path) as (srv, env, api):
        run = subprocess.Popen(
            newsetl("run", "--source", str(SAMPLE), "--warehouse", str(wh), "--batch-size", "3"),
            env={**env, "PREFECT_API_URL": api},
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        staging = wh.with_name(wh.name + ".staging")
        deadline = time.monotonic() + 120
        while not staging.exists() and run.poll() is None:  # the run is under way
            assert time.monotonic() < deadline
            time.sleep(0.2)
        os.killpg(srv.pid, signal.SIGKILL)
        t = time.monotonic()
        out, err = run.communicate(timeout=180)
        after = time.monotonic() - t
    assert after < 120, f"the run took {after:.0f} s after the API died"
    no_traceback(out + err)
    [row] = runs(wh)
    assert row["status"] in ("succeeded", "failed")
    if row["status"] == "succeeded":
        assert run.returncode == 0 and row["articles_loaded"] == 13  # no batch lost
    else:
        assert run.returncode == 1 and row["error"]


def test_the_flow_loads_from_its_entrypoint_and_validates_parameters():
    """What a served or deployed run does first (a `date` parameter once failed here)."""
    from prefect.flows import load_flow_from_entrypoint

    flow = load_flow_from_entrypoint(str(ROOT / "flows" / "nightly.py") + ":nightly")
    params = flow.validate_parameters({"since": "2024-01-01", "until": None, "sources": ["x"]})
    assert str(params["since"]) == "2024-01-01"


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs (root only: skipped where mounting is not allowed)."""
    where = tmp_path / "small"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    yield where
    subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_full_disk_is_one_line_and_the_next_run_resumes(tmp_path, small_disk):
    """The run fills the disk: one error line (exit 1) saying what is left, no traceback;
    with room again, the next run resumes from the staging copy and succeeds."""
    home, wh = tmp_path / "home", small_disk / "news.duckdb"
    cmd = newsetl("run", "--no-progress", "--source", str(SAMPLE), "--warehouse", str(wh))
    res = subprocess.run(cmd, env=clean_env(home), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stdout + res.stderr
    no_traceback(res.stdout + res.stderr)
    [line] = [line for line in res.stderr.splitlines() if line.strip()]
    assert line.startswith("error: ") and "the disk is full" in line and "resumes" in line, line
    assert (small_disk / "news.duckdb.staging").exists() and not wh.exists()
    subprocess.run(["mount", "-o", "remount,size=300m", str(small_disk)], check=True)
    res = subprocess.run(cmd, env=clean_env(home), cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert runs(wh)[-1]["status"] == "succeeded"
    con = duckdb.connect(str(wh), read_only=True)
    try:  # every article the night saw is there: committed before the disk filled, or now
        stored = con.execute("select count(*) from articles").fetchone()[0]
        seen, quarantined = con.execute(
            "select articles_seen, articles_quarantined from pipeline_runs order by started_at desc limit 1"
        ).fetchone()
    finally:
        con.close()
    assert stored == seen - quarantined > 0
