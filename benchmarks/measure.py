"""What the benchmark scripts share: where the corpora are, a free local port, a Prefect
server for timed runs, the `newsetl run` command, and the memory of a process tree.

One place for these so that every benchmark measures the same way (the same server
start-up, the same RSS sampling, the same command line).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPORA = {
    "bbc": SHARED / "corpora" / "bbc" / "bbc_articles.jsonl",
    "reuters": SHARED / "corpora" / "reuters21578" / "reuters_articles.jsonl",
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_env(work: Path, **settings: str) -> dict[str, str]:
    """This process's environment for benchmark children: Prefect offline (no telemetry),
    its home in `work`, and `settings` (NEWSETL_... variables) on top."""
    env = dict(os.environ)
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1", PREFECT_HOME=str(work / "prefect"))
    env.update(settings)
    return env


def start_prefect_server(env: dict[str, str], wait_s: float = 180.0) -> subprocess.Popen[bytes]:
    """A Prefect server on 127.0.0.1 (a free port), as `newsetl serve` or a deployment would
    have one, so that timed runs do not each pay for a temporary server. Sets
    `PREFECT_API_URL` in `env` and returns once the server answers (or `wait_s` passed)."""
    port = free_port()
    env["PREFECT_API_URL"] = f"http://127.0.0.1:{port}/api"
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    return server


def newsetl_run(source: Path | str, warehouse: Path | str) -> list[str]:
    """The command line of one `newsetl run` of `source` into `warehouse`, as a child."""
    return [
        sys.executable,
        "-m",
        "flows.cli",
        "run",
        "--source",
        str(source),
        "--warehouse",
        str(warehouse),
        "--no-progress",
    ]


def tree_rss(proc: psutil.Process) -> int:
    """Resident bytes of a process and all its children now (those that exit meanwhile
    count as nothing)."""
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total
