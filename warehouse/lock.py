"""The single-writer lock of a warehouse: `<file>.lock`, held with flock for the whole run,
and a shared lock on the warehouse file itself that keeps other writers out.

Tiny on purpose (no DuckDB, no polars): the CLI takes it before anything slow, so a second
writer is refused at once. The OS releases it when the process dies, SIGKILL included.

DuckDB locks its database file with fcntl: an exclusive lock for a read-write connection,
a shared one for read-only. The run holds a shared fcntl lock on the published file from
start to publish, so an analyst's read-write connection that is already open makes the
run refuse at once (`WarehouseBusy`, naming its pid), and one opened later is refused by
DuckDB itself while readers keep working. (POSIX drops a process's fcntl locks on a file
when it closes any descriptor of it, so `hold_file` is called again before copying and
before publishing.)
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
from pathlib import Path
from typing import IO

_FLOCK = "hhqqi4x"  # struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid


class WarehouseBusy(RuntimeError):
    """Another run (or another DuckDB writer) is writing this warehouse."""


def _writer_pid(fh: IO[bytes]) -> int | None:
    """The pid of a process holding a write lock on fh's file, if the OS says."""
    try:
        got = fcntl.fcntl(
            fh.fileno(), fcntl.F_GETLK, struct.pack(_FLOCK, fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0)
        )
        l_type, _, _, _, pid = struct.unpack(_FLOCK, got)
    except (OSError, struct.error):
        return None
    return pid if l_type != fcntl.F_UNLCK and pid > 0 else None


class WarehouseLock:
    """An exclusive, non-blocking lock on `<warehouse>.lock` (the warehouse path resolved:
    a symlinked warehouse is locked, copied and published at its target)."""

    def __init__(self, path: str | os.PathLike[str], *, hold_file: bool = True):
        """`hold_file=False` (a DuckLake's SQLite catalog): only `<file>.lock`; SQLite locks
        its own file, and a second lock on it from this process would disturb SQLite's."""
        self.path = Path(path).resolve()
        self._holds = hold_file
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.guard: IO[bytes] | None = None  # the published file, open, with our shared fcntl lock on it
        self._fh = open(self.path.with_name(self.path.name + ".lock"), "a+")  # noqa: SIM115
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._fh.close()
            raise WarehouseBusy(f"another newsetl run is writing {self.path} (lock held)") from exc
        self.held = True
        try:
            self.hold_file()
        except BaseException:
            self.release()
            raise

    def hold_file(self) -> None:
        """Take (again) the shared lock on the warehouse file; WarehouseBusy when another
        process has it open for writing (a read-write DuckDB connection). No file yet: nothing
        to hold."""
        if not self._holds:
            return
        if self.guard is None:
            try:
                self.guard = open(self.path, "rb")  # noqa: SIM115
            except FileNotFoundError:
                return
        try:
            fcntl.lockf(self.guard, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            guard, self.guard = self.guard, None
            pid = _writer_pid(guard)
            guard.close()
            who = f"process {pid}" if pid else "another process"
            raise WarehouseBusy(
                f"{who} has {self.path} open for writing (a read-write DuckDB connection); "
                "nothing was written: close that connection (analysts: duckdb.connect(..., "
                "read_only=True) or `newsetl sql`) and run again"
            ) from exc

    def release_file(self) -> None:
        if self.guard is not None:
            self.guard.close()
            self.guard = None

    def release(self) -> None:
        self.release_file()
        if self.held:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self.held = False
