"""The Prefect API a run reports to, and the local Prefect servers newsetl starts.

Which API (first that applies):
1. `PREFECT_API_URL` (environment or Prefect profile): a long-lived server; used as is.
2. A long-lived local server that `newsetl server` or `newsetl serve` started under this
   project's Prefect home (recorded in `<PREFECT_HOME>/newsetl-server.json`) and that
   answers: reused, so a run while the nightly deployment is served costs no start-up.
3. Otherwise a temporary server for this run (as Prefect would start by itself, but with
   newsetl's start-up timeout, NEWSETL_PREFECT_STARTUP_TIMEOUT, and stopped with the run).

Every server binds 127.0.0.1 and keeps its database under the project's Prefect home
(`<project>/.prefect` unless PREFECT_HOME is set), whichever way newsetl was started.
The servers are started without importing Prefect's server code in this process, and die
with the process that started them (parent-death signal), SIGKILL included.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.metadata
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STATE_FILE = "newsetl-server.json"
DB_STAMP = "newsetl-db-version"
ENV_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # telemetry fails offline
    "DO_NOT_TRACK": "1",
    # bounded waits on an API that stops answering: 2 retries (2 + 4 s of back-off, not
    # Prefect's 5 = 62 s) of requests that time out after 20 s (not 60 s)
    "PREFECT_CLIENT_MAX_RETRIES": "2",
    "PREFECT_API_REQUEST_TIMEOUT": "20",
}


class PrefectStartError(RuntimeError):
    """The Prefect API server did not start (or answer) in time."""


def prefect_home() -> Path:
    """The project's Prefect home: PREFECT_HOME, else `<project>/.prefect`."""
    return Path(os.environ.get("PREFECT_HOME") or PROJECT_ROOT / ".prefect").expanduser()


def use_project_home() -> Path:
    """Point this process (and its children) at the project's Prefect home and switch
    Prefect's telemetry off; call before Prefect is imported."""
    home = prefect_home()
    os.environ["PREFECT_HOME"] = str(home)
    for k, v in ENV_DEFAULTS.items():
        os.environ.setdefault(k, v)
    return home


def _prefect_version() -> str:
    return importlib.metadata.version("prefect")


def database_ready(home: Path | None = None) -> bool:
    """Whether the Prefect database under `home` was created and migrated for the
    installed Prefect (by `init_database` or by a server that started on it)."""
    stamp = (home or prefect_home()) / DB_STAMP
    try:
        return stamp.read_text().strip() == _prefect_version()
    except OSError:
        return False


def _stamp_database(home: Path) -> None:
    with contextlib.suppress(OSError):
        (home / DB_STAMP).write_text(_prefect_version() + "\n")


def init_database() -> Path:
    """Create and migrate Prefect's database under the project's Prefect home (at install:
    `make install`), so that no run pays for it. Idempotent."""
    home = use_project_home()
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
        check=True,
        stdout=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    _stamp_database(home)
    return home


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    """Whether the API at `api_url` answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as r:
            return r.status == 200
    except (OSError, ValueError):
        return False


class LocalServer:
    """A Prefect API server process on 127.0.0.1 with the project's database.

    `temporary=True` is the kind Prefect starts by itself (no background services: it can
    record runs, not schedule them); `temporary=False` runs every service, the scheduler
    included (what `newsetl serve` and prefect.yaml deployments need).
    """

    def __init__(self, *, temporary: bool, port: int | None = None, log: Path | None = None):
        self.temporary = temporary
        self.port = port
        self.home = prefect_home()
        self.log = log
        self.proc: subprocess.Popen | None = None
        self._started = 0.0

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def start(self) -> LocalServer:
        """Start the process and return at once; `wait` waits until it answers."""
        self.home.mkdir(parents=True, exist_ok=True)
        if self.port is None:
            self.port = _free_port()
        env = {
            **os.environ,
            **ENV_DEFAULTS,
            "PREFECT_HOME": str(self.home),
            "PREFECT_UI_ENABLED": "0",
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT__SERVER_FINAL": "1",
        }
        env.pop("PREFECT_API_URL", None)
        if self.temporary:
            env["PREFECT__SERVER_EPHEMERAL"] = "1"
        if database_ready(self.home):  # created at install: skip the migration check
            env["PREFECT_API_DATABASE_MIGRATE_ON_START"] = "false"
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115
        self._started = time.monotonic()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "prefect.server.api.server:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "error",
                "--lifespan",
                "on",
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if self.log else subprocess.PIPE,
            preexec_fn=_die_with_parent,
        )
        if out is not subprocess.DEVNULL:
            out.close()
        return self

    def wait(self, timeout: float) -> str:
        """Wait (wall clock) until the server answers; its API URL. Raises PrefectStartError
        naming the setting when it does not answer in time or exits."""
        assert self.proc is not None
        deadline = self._started + timeout
        while True:
            code = self.proc.poll()
            if code is not None:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                last = (err.strip().splitlines() or [f"see {self.log}" if self.log else ""])[-1]
                raise PrefectStartError(f"the Prefect API server exited with code {code} at start-up: {last}")
            if healthy(self.api_url, timeout=1.0):
                _stamp_database(self.home)  # it migrated the database if it had to
                return self.api_url
            if time.monotonic() >= deadline:
                self.stop()
                raise PrefectStartError(
                    f"the Prefect API server did not answer within {timeout:g} s: raise "
                    "NEWSETL_PREFECT_STARTUP_TIMEOUT on a busy machine, or set PREFECT_API_URL to a "
                    "running server (`newsetl server`)"
                )
            time.sleep(0.1)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    # ---- long-lived servers: recorded so that runs reuse them -----------------------
    def record(self) -> None:
        (self.home / STATE_FILE).write_text(
            json.dumps({"api_url": self.api_url, "pid": self.proc.pid if self.proc else None})
        )

    def unrecord(self) -> None:
        path = self.home / STATE_FILE
        with contextlib.suppress(OSError, ValueError):
            if json.loads(path.read_text()).get("pid") == (self.proc.pid if self.proc else None):
                path.unlink()


def recorded_server(home: Path | None = None) -> str | None:
    """The API URL of a long-lived local server started by newsetl that still answers. A
    record whose process is gone (its owner was killed before it could remove it) is
    removed."""
    path = (home or prefect_home()) / STATE_FILE
    try:
        state = json.loads(path.read_text())
        pid, url = int(state["pid"]), str(state["api_url"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        with contextlib.suppress(OSError):
            path.unlink()
        return None
    except OSError:
        return None
    return url if healthy(url, timeout=1.0) else None


def configured_api_url() -> str | None:
    """PREFECT_API_URL from the environment or the active Prefect profile."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value() or None


class ApiHandle:
    """The API a run uses: `url` once known, and the temporary server behind it when this
    process started one."""

    def __init__(self, url: str | None = None, server: LocalServer | None = None, kind: str = "configured"):
        self.url = url
        self.server = server
        self.kind = kind  # configured | reused | temporary

    def wait(self, timeout: float) -> str:
        """The API's URL, once the temporary server answers (PrefectStartError if not in
        `timeout` s). A PREFECT_API_URL from a Prefect profile wins over the server."""
        if self.url is None:
            configured = configured_api_url()
            if configured:
                self.close()
                self.url, self.server, self.kind = configured, None, "configured"
            else:
                assert self.server is not None
                self.url = self.server.wait(timeout)
        return self.url

    def alive(self) -> bool:
        return self.server.alive() if self.server is not None else healthy(self.url or "", timeout=2.0)

    def close(self) -> None:
        if self.server is not None and self.kind == "temporary":
            self.server.stop()


def start_api(*, log: Path | None = None) -> ApiHandle:
    """Find the API this run reports to, starting a temporary server when there is none,
    without waiting for it (the run prepares meanwhile); `ApiHandle.wait` gives its URL."""
    url = os.environ.get("PREFECT_API_URL") or (configured_api_url() if "prefect" in sys.modules else None)
    if url:
        return ApiHandle(url, kind="configured")
    url = recorded_server()
    if url:
        return ApiHandle(url, kind="reused")
    return ApiHandle(server=LocalServer(temporary=True, log=log).start(), kind="temporary")


@contextlib.contextmanager
def api_settings(url: str) -> Iterator[None]:
    """This process's Prefect settings (and its children's environment) pointed at `url`
    for the block."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    before = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url  # worker processes and Dask report there too
    try:
        with temporary_settings({PREFECT_API_URL: url}):
            yield
    finally:
        if before is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = before


def flush_to_api(timeout: float = 5.0) -> None:
    """Send this process's last logs and events while the server still listens (bounded:
    an API that stopped answering costs at most `timeout`)."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogHandler
    from prefect.settings import PREFECT_API_URL

    url = PREFECT_API_URL.value()
    if url and not healthy(url, timeout=1.0):  # nothing would arrive: don't wait for it
        return
    with contextlib.suppress(Exception):
        APILogHandler().flush()
    with contextlib.suppress(Exception):
        EventsWorker.drain_all(timeout=timeout)


if __name__ == "__main__":  # `python -m flows.prefect_api init-db` (make install)
    if sys.argv[1:] != ["init-db"]:
        sys.exit("usage: python -m flows.prefect_api init-db")
    print(f"Prefect database ready in {init_database()}")
