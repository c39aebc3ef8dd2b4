"""A run's handle on a DuckLake warehouse (`ducklake:sqlite:PATH`, `ducklake:postgres:DSN`):
the same run log, lookups and loading as the DuckDB file's `Warehouse`, written straight
into the lake.

- No staging copy and nothing to publish: every write transaction is one DuckLake snapshot
  (a batch with its articles, rows, entities and rejections; the run's row), which readers
  see whole or not at all. A reader's open transaction keeps reading its snapshot.
- Several writers (a PostgreSQL catalog): each write transaction first bumps a one-row
  table, so two that overlap conflict at commit; the loser is rolled back and run again on
  the newer snapshot (warehouse/backend.py `retrying`). What the file's primary keys
  guarantee (an article, entity, run or URL once) holds because a batch replaces its rows by
  key in a transaction no other write overlaps.
- One writer at a time on a SQLite catalog (SQLite has one writer): `<catalog>.lock`, as
  for a file, so a second run is refused at once instead of waiting on SQLite's lock.
- Crash safety: a run killed at any moment leaves the lake at its last committed snapshot
  (whole batches). The next run marks it killed (same machine: its pid) and loads again
  only what changed, as after any run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

import duckdb

from warehouse.backend import Target, retrying, target
from warehouse.connection import connect, reader
from warehouse.loading import Loader
from warehouse.lock import WarehouseLock
from warehouse.lookups import Lookups
from warehouse.migrations import lake_transaction
from warehouse.runs import RunLog

T = TypeVar("T")


def lake_lock(t: Target) -> WarehouseLock | None:
    """The single-writer lock of a SQLite-catalogued lake (None for PostgreSQL: many writers)."""
    if t.catalog != "sqlite":
        return None
    return WarehouseLock(t.path, hold_file=False)


class LakeWarehouse(RunLog, Lookups, Loader):
    """A writable DuckLake for one run (see the module's docstring)."""

    keys = False

    staging_seconds = 0.0  # no staging copy: each batch is a snapshot

    def __init__(self, where: str | os.PathLike[str] | Target, lock: WarehouseLock | None = None):
        self.target = target(where)
        self.path = self.target.sidecar  # the report, log and Data Docs are named from it
        self._lock = lock if lock is not None else lake_lock(self.target)
        self.local_writers = self.target.catalog == "sqlite"
        self.resumed = False  # nothing to resume: committed batches are in the lake
        self.published = False
        try:
            self.con = connect(self.target)
        except BaseException:
            self._release()
            raise

    def write(self, fn: Callable[[], T]) -> T:
        """`fn` in one write transaction, run again after a conflict with another writer."""

        def once() -> T:
            with lake_transaction(self.con):
                return fn()

        return retrying(self.con, once)

    def publish(self) -> None:
        """Nothing to publish: each batch was visible from its commit."""
        self.published = True

    def mark_unpublished(self, run_id: str, reason: str) -> None:
        """Never needed: a lake has nothing unpublished."""

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            self._release()

    reader = staticmethod(reader)

    def __enter__(self) -> LakeWarehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def snapshot_id(con: duckdb.DuckDBPyConnection) -> int:
    """The lake's current snapshot (what a new reader would see)."""
    row = con.execute("SELECT id FROM wh.current_snapshot()").fetchone()
    return int(row[0]) if row else -1
