"""The warehouse a run writes: a staging copy of the published DuckDB file, written one
transaction per batch and published by an atomic rename.

`Warehouse` is the run's handle: staging and publishing here; the run log
(warehouse/runs.py), lookups (warehouse/lookups.py) and batch loading
(warehouse/loading.py) are its parts. Opening files: warehouse/connection.py; schema
migrations: warehouse/migrations.py.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import duckdb

from warehouse.backend import Target, target
from warehouse.connection import check_storage, connect, query, reader
from warehouse.errors import WarehouseTooNew, WarehouseUnreadable
from warehouse.lake import LakeWarehouse, lake_lock
from warehouse.loading import Loader
from warehouse.lock import WarehouseBusy, WarehouseLock
from warehouse.lookups import Lookups
from warehouse.migrations import migrate
from warehouse.runs import RunLog

__all__ = [
    "LakeWarehouse",
    "Warehouse",
    "WarehouseBusy",
    "WarehouseTooNew",
    "WarehouseUnreadable",
    "connect",
    "migrate",
    "open_warehouse",
    "query",
    "writer_lock",
]


def _identity(path: Path) -> str:
    """What the published file is: inode, size and mtime (or 'absent')."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return "absent"
    return f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


class Warehouse(RunLog, Lookups, Loader):
    """A writable warehouse for one pipeline run, built in a staging copy and published
    by an atomic rename (see docs/operations.md); or, `in_place`, written in the published
    file itself (`_open_in_place`).

    - One writer at a time: an exclusive lock on `<file>.lock` (released by the OS if the
      process dies, SIGKILL included). A second run fails fast with `WarehouseBusy`.
    - Readers are never blocked: the run never opens the published file for writing; it
      copies it to `<file>.staging`, writes there (one transaction per batch), then
      `os.replace`s it over the published file. Open read-only connections keep reading
      the old version; new connections see the new one.
    - Crash safety: a run killed at any moment leaves the published file as it was. Its
      staging copy holds whole committed batches; the next run resumes from it (when the
      published file is still the one it was copied from), marks the dead run `killed`
      and finishes the rest.
    """

    def __init__(
        self, path: str | os.PathLike[str], lock: WarehouseLock | None = None, *, in_place: bool = False
    ):
        """Open `path` for one run; `lock` is the run's lock when the caller took it first
        (the CLI does, before anything slow), else it is taken here. `in_place`: write the
        published file itself (no staging copy; see `_open_in_place`)."""
        self.path = Path(path).resolve()  # a symlink: publish to its target, keep the link
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.staging = self.path.with_name(self.path.name + ".staging")
        self._wal = self.path.with_name(self.path.name + ".wal")
        self._base_file = self.path.with_name(self.path.name + ".staging.base")
        self._lock = lock if lock is not None else WarehouseLock(self.path)
        self.in_place = in_place
        self.staging_seconds = 0.0  # what making (or finding) the staging copy took
        try:
            check_storage(self.path)  # another DuckDB's storage version: say so before copying it
            if in_place:
                self.resumed = False  # a killed run's batches are in the file already
                self.con = self._open_in_place()
            else:
                started = time.perf_counter()
                self.resumed = self._prepare_staging()
                self.staging_seconds = time.perf_counter() - started
                self.con = self._open_staging()
        except BaseException:
            self._lock.release()
            raise
        self.published = False

    def _open_staging(self) -> duckdb.DuckDBPyConnection:
        """Connect to the staging copy. A dead run's copy that does not open is dropped and
        made again from the published file; a copy of the published file that does not
        open means the published file is not a warehouse: one line naming it."""
        try:
            return connect(self.staging)
        except duckdb.Error as exc:
            self._drop_staging()
            if self.resumed:
                self.resumed = self._prepare_staging()
                return self._open_staging()
            if not self.path.exists():
                raise
            first = str(exc).splitlines()[0].replace(str(self.staging), str(self.path))
            raise WarehouseUnreadable(
                f"warehouse {self.path} cannot be opened ({first}); it was not changed: restore it "
                "from a backup, or move it away to start a new one"
            ) from exc

    def _open_in_place(self) -> duckdb.DuckDBPyConnection:
        """Connect read-write to the published file (`warehouse_write = in_place`): each
        batch is one DuckDB transaction, durable in its WAL when it commits, so a killed run
        leaves its whole batches in the file (the next run marks it killed and skips what
        it loaded). DuckDB's exclusive lock replaces the shared one (`<file>.lock` still
        keeps other runs out): a process that has the file open, a reader included, makes
        the run refuse here, before anything is written, and readers cannot open it until
        the run ends. A dead copy-mode run's staging copy is of no use now: dropped."""
        self._drop_staging()
        self._lock.release_file()
        try:
            return connect(self.path)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            raise WarehouseBusy(
                f"{self.path} is open in another process (a reader or a writer); writing in place "
                "needs it alone: nothing was written. Close it, or let runs write a staging copy "
                "(NEWSETL_WAREHOUSE_WRITE=copy, the default)"
            ) from exc

    def _drop_staging(self) -> None:
        for stale in (self.staging, self.staging.with_name(self.staging.name + ".wal"), self._base_file):
            stale.unlink(missing_ok=True)

    def _base(self) -> str:
        """What the published file and its WAL are (the staging copy derives from them)."""
        return f"{_identity(self.path)} wal={_identity(self._wal)}"

    def _prepare_staging(self) -> bool:
        """Reuse a dead run's staging copy if it derives from the current file, else copy.

        No other process may have the file open for writing (WarehouseBusy, before anything
        is written). A `<file>.wal` left by a writer that is gone (crashed, killed) is copied
        with the file, so the staging copy replays it and the published one never gets a WAL
        that does not belong to it."""
        self._lock.hold_file()
        base = self._base()
        self._base_now = base
        if self.staging.exists() and self._base_file.exists() and self._base_file.read_text() == base:
            return True
        staging_wal = self.staging.with_name(self.staging.name + ".wal")
        for stale in (self.staging, staging_wal, self._base_file):
            stale.unlink(missing_ok=True)
        if self._lock.guard is not None:
            tmp = self.staging.with_name(self.staging.name + ".tmp")
            # copy through the locked descriptor: closing another one of this file would drop
            # the shared lock that keeps other writers out
            self._lock.guard.seek(0)
            with open(tmp, "wb") as out:
                shutil.copyfileobj(self._lock.guard, out, 1 << 20)
            if self._wal.exists():
                shutil.copyfile(self._wal, staging_wal)
            os.replace(tmp, self.staging)
            base = self._base()  # the copy is of what is there now (a reader may have come)
            self._base_now = base
        self._base_file.write_text(base)
        return False

    def publish(self) -> None:
        """Checkpoint the staging copy and atomically put it in place of the published file.

        Refused (WarehouseBusy, nothing replaced) when another process has the file open for
        writing or the file or its WAL changed since the copy was made (another writer's
        work would be lost). The published file's WAL, if a dead writer left one, is already
        in the staging copy: it is removed first, so no reader ever finds the new file beside
        a WAL that is not its own. In place: a checkpoint, the batches are there already."""
        self.con.execute("CHECKPOINT")
        self.con.close()
        if self.in_place:
            self.published = True
            return
        self._lock.hold_file()
        if self._base() != self._base_now:
            raise WarehouseBusy(
                f"{self.path} changed while this run was writing (another writer); not published: "
                "run again (it starts from the current file)"
            )
        staging_wal = self.staging.with_name(self.staging.name + ".wal")
        if staging_wal.exists() and staging_wal.stat().st_size:
            raise RuntimeError(f"{staging_wal} still holds commits after CHECKPOINT; not published")
        staging_wal.unlink(missing_ok=True)
        self._wal.unlink(missing_ok=True)
        os.replace(self.staging, self.path)
        self.published = True
        self._lock.release_file()
        self._base_file.unlink(missing_ok=True)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def mark_unpublished(self, run_id: str, reason: str) -> None:
        """After a publish that failed before the rename: the run's row says `failed` and
        why, in the staging copy, which is kept; the next run resumes from it and publishes
        it (the published file is untouched)."""
        if self.published:
            return
        try:
            self.con.execute("SELECT 1")
        except duckdb.ConnectionException:  # publish had closed it
            self.con = connect(self.path if self.in_place else self.staging)
        self.update_run(run_id, status="failed", error=reason[:10_000])
        self.con.execute("CHECKPOINT")

    def close(self) -> None:
        if not self.published:
            self.con.close()  # staging kept: the next run resumes from it
        self._lock.release()

    # a read-only connection for analysts that cannot reach other files (connection.reader)
    reader = staticmethod(reader)

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def writer_lock(where: str | os.PathLike[str] | Target) -> WarehouseLock | None:
    """The lock a run takes before anything slow: a file's, a SQLite lake's catalog's;
    None for a PostgreSQL lake (several writers)."""
    t = target(where)
    return lake_lock(t) if t.is_lake else WarehouseLock(t.location)


def open_warehouse(
    where: str | os.PathLike[str] | Target, lock: WarehouseLock | None = None, *, in_place: bool = False
) -> Warehouse | LakeWarehouse:
    """The run's handle on the warehouse a setting names (warehouse/backend.py); `in_place`:
    a DuckDB file is written without a staging copy (a lake never has one)."""
    t = target(where)
    if t.is_lake:
        return LakeWarehouse(t, lock=lock)
    return Warehouse(t.location, lock=lock, in_place=in_place)
