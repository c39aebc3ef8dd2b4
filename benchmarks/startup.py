"""Fixed cost of a small night: `newsetl run` on the bundled sample, as a user runs it.

Prints wall times (median and min of --repeat runs) and where they go, read from the run
log the CLI writes beside the warehouse:

    start -> run opened      imports, lock, staging copy, pipeline_runs row
    -> Prefect API answers   temporary server start (overlapped with the above)
    -> flow begins           Prefect creates the flow run
    -> flow finished         the night itself (stages from pipeline_runs.stage_seconds)
    -> process exit

Cases: a fresh warehouse (the first night), an unchanged re-run, both again with a
long-lived `newsetl server` running (reused), and a second writer refused. With
--fresh-clone, also `git clone` + `make install` + `make run` timed separately.

    .venv/bin/python benchmarks/startup.py [--repeat 3] [--fresh-clone]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import free_port  # noqa: E402

SAMPLE = ROOT / "data" / "sample"
NEWSETL = [str(Path(sys.executable).parent / "newsetl")]
MARKS = {
    "opened": re.compile(r"newsetl: run \S+ opened"),
    "api": re.compile(r"newsetl: Prefect API \(\w+\) answers"),
    "flow_begins": re.compile(r"Beginning flow run"),
    "flow_finished": re.compile(r"newsetl: flow finished"),
}


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "NEWSETL_"))}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1", **extra)
    return env


def timed_run(wh: Path, env: dict) -> dict:
    log = wh.with_name(wh.stem + ".log")
    log.unlink(missing_ok=True)
    t0 = time.time()
    res = subprocess.run(
        [*NEWSETL, "run", "--no-progress", "--source", str(SAMPLE), "--warehouse", str(wh)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    t1 = time.time()
    if res.returncode != 0:
        raise SystemExit(f"run failed ({res.returncode}): {res.stderr[-2000:]}")
    marks = {}
    for line in log.read_text().splitlines():
        for name, rx in MARKS.items():
            if name not in marks and rx.search(line):
                stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
                marks[name] = stamp - t0
    marks["exit"] = t1 - t0
    out = subprocess.run(
        [
            *NEWSETL,
            "sql",
            "select stage_seconds from pipeline_runs order by started_at desc limit 1",
            "--json",
            "--warehouse",
            str(wh),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    stages = json.loads(json.loads(out)["stage_seconds"] or "{}")
    return {"wall": t1 - t0, "marks": marks, "stages": stages}


def summary(name: str, runs: list[dict]) -> None:
    walls = [r["wall"] for r in runs]
    print(
        f"\n{name}: median {statistics.median(walls):.2f} s, min {min(walls):.2f} s "
        f"({', '.join(f'{w:.2f}' for w in walls)})"
    )
    best = min(runs, key=lambda r: r["wall"])
    prev = 0.0
    for mark in ("opened", "api", "flow_begins", "flow_finished", "exit"):
        if mark in best["marks"]:
            at = best["marks"][mark]
            print(f"  {mark:<14} at {at:6.2f} s  (+{at - prev:5.2f})")
            prev = max(prev, at)
    if best["stages"]:
        print("  stages: " + ", ".join(f"{k} {v:.2f}" for k, v in best["stages"].items()))


def fresh_clone() -> None:
    work = Path(tempfile.mkdtemp(prefix="newsetl-clone-"))
    try:
        subprocess.run(["git", "clone", "-q", str(ROOT), str(work / "c")], check=True)
        env = {
            k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "NEWSETL_", "VIRTUAL_ENV"))
        }
        t = time.time()
        subprocess.run(["make", "install"], cwd=work / "c", env=env, check=True, capture_output=True)
        t_install = time.time() - t
        t = time.time()
        subprocess.run(["make", "run"], cwd=work / "c", env=env, check=True, capture_output=True)
        t_run = time.time() - t
        print(
            f"\nfresh clone: make install {t_install:.1f} s (venv, Prefect database), then make run {t_run:.1f} s"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--fresh-clone", action="store_true", help="also time clone + make install + make run")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="newsetl-startup-") as d:
        tmp = Path(d)
        home = tmp / "prefect-home"
        subprocess.run(
            [sys.executable, "-m", "flows.prefect_api", "init-db"],
            env=env_for(home),
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        env = env_for(home)
        timed_run(tmp / "warmup.duckdb", env)  # OS caches, bytecode
        first = [timed_run(tmp / f"first{i}.duckdb", env) for i in range(args.repeat)]
        rerun = [timed_run(tmp / "first0.duckdb", env) for _ in range(args.repeat)]
        summary("sample, fresh warehouse (temporary Prefect server)", first)
        summary("sample, unchanged re-run (temporary Prefect server)", rerun)

        port = free_port()
        srv = subprocess.Popen(
            [*NEWSETL, "server", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            sys.path.insert(0, str(ROOT))
            from flows.prefect_api import healthy

            while not healthy(f"http://127.0.0.1:{port}/api"):
                time.sleep(0.3)
            time.sleep(1)
            first = [timed_run(tmp / f"reused{i}.duckdb", env) for i in range(args.repeat)]
            rerun = [timed_run(tmp / "reused0.duckdb", env) for _ in range(args.repeat)]
        finally:
            srv.terminate()
            srv.wait(30)
        summary("sample, fresh warehouse (running `newsetl server` reused)", first)
        summary("sample, unchanged re-run (running `newsetl server` reused)", rerun)

        from warehouse.lock import WarehouseLock

        lock = WarehouseLock(tmp / "busy.duckdb")
        t = time.time()
        res = subprocess.run(
            [*NEWSETL, "run", "--warehouse", str(tmp / "busy.duckdb")],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        took = time.time() - t
        lock.release()
        print(f"\nsecond writer: exit {res.returncode} after {took:.2f} s: {res.stderr.strip()}")
    if args.fresh_clone:
        fresh_clone()


if __name__ == "__main__":
    main()
