"""A throwaway PostgreSQL server for the DuckLake tests (Debian's `postgresql` binaries in
/usr/lib/postgresql/<version>/bin): `initdb` into a temporary folder, listening on
127.0.0.1 only (no Unix socket), on a free port, stopped and removed at the end.

PostgreSQL refuses to run as root: as root the folder is given to the `postgres` user and
the binaries run as that user (`runuser`). Without the binaries the tests skip with the
reason, unless NEWSETL_REQUIRE_POSTGRES is set (CI: `.ci/run` installs them)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

REQUIRE = "NEWSETL_REQUIRE_POSTGRES"


def bin_dir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl."""
    found = sorted(
        (
            p
            for p in Path("/usr/lib/postgresql").glob("*/bin")
            if (p / "initdb").exists() and (p / "pg_ctl").exists()
        ),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    def __init__(self, bindir: Path, root: Path, port: int, as_user: str | None):
        self.bindir, self.root, self.port, self.as_user = bindir, root, port, as_user
        self.data = root / "data"
        self.user = as_user or os.environ.get("USER") or "postgres"

    def _run(self, *argv: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / argv[0]), *argv[1:]]
        if self.as_user:
            cmd = ["runuser", "-u", self.as_user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)

    def start(self) -> None:
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", self.user, "-E", "UTF8", "--no-sync")
        opts = f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories='' -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-o",
            opts,
            "-w",
            "-t",
            "60",
            "start",
        )

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={self.user} dbname={dbname}"

    def createdb(self, name: str) -> str:
        """A new database; its DSN."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name)
        return self.dsn(name)

    def stop(self) -> None:
        with suppress(subprocess.SubprocessError, OSError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", timeout=60)


@contextmanager
def postgres_server() -> Iterator[PgServer]:
    """A running throwaway server; skips (or fails under NEWSETL_REQUIRE_POSTGRES) without binaries."""
    bindir = bin_dir()
    if bindir is None:
        if os.environ.get(REQUIRE):
            pytest.fail(
                f"{REQUIRE} is set but no PostgreSQL server binaries are in /usr/lib/postgresql/*/bin"
            )
        pytest.skip("no PostgreSQL server binaries (Debian package postgresql) in /usr/lib/postgresql/*/bin")
    as_user = "postgres" if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="newsetl-pg-"))
    if as_user:
        shutil.chown(root, as_user, as_user)
    server = PgServer(bindir, root, _free_port(), as_user)
    try:
        for attempt in range(3):  # a port taken between choosing and binding: another one
            try:
                server.start()
                break
            except subprocess.CalledProcessError as exc:
                log = (root / "log").read_text() if (root / "log").exists() else ""
                if attempt == 2 or "could not bind" not in log + (exc.stderr or ""):
                    raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log[-2000:]}") from exc
                server.stop()
                shutil.rmtree(server.data, ignore_errors=True)
                server.port = _free_port()
                time.sleep(0.2)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
