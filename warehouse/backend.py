"""Which warehouse a setting names, and how to open a DuckLake one.

The `warehouse` setting is one string:

- a file path (`data/news.duckdb`): the embedded DuckDB file (warehouse/db.py: one writer,
  a staging copy published by an atomic rename);
- `ducklake:sqlite:PATH`: a DuckLake whose catalog is the SQLite file PATH (one machine:
  the nightly writer and any number of readers at the same time);
- `ducklake:postgres:DSN`: a DuckLake whose catalog is a PostgreSQL database (`dbname=newsetl
  host=db.internal user=etl`: several writers, readers anywhere).

A lake's table data are Parquet files under its data path: `<PATH>.files/` beside a SQLite
catalog unless the `lake_data_path` setting says otherwise; for a PostgreSQL catalog the
setting is needed when the lake is created (the catalog remembers it after). What a run
writes beside a file warehouse (the report, the run log, the Data Docs `<warehouse>.gx/`)
goes beside a SQLite catalog, and into the `lake_home` folder for a PostgreSQL one
(`Target.sidecar`).

`attach` opens a lake on an in-memory DuckDB: the `ducklake` extension and the catalog's
(`sqlite` or `postgres`) are loaded from their PyPI packages (warehouse/extensions.py),
the lake is attached as `wh` and made the default database, so the warehouse's SQL runs
unchanged. Every DuckDB transaction on it is one DuckLake snapshot.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import duckdb

from warehouse.errors import WarehouseUnreadable
from warehouse.extensions import load, offline

LAKE_PREFIX = "ducklake:"
CATALOGS = ("sqlite", "postgres")
ALIAS = "wh"  # the attached lake's name in every connection

T = TypeVar("T")
log = logging.getLogger("newsetl")


class BadWarehouseSetting(ValueError):
    """The warehouse setting names no backend this version knows."""


@dataclass(frozen=True)
class Target:
    """A warehouse as the setting names it."""

    url: str  # the setting as given
    catalog: str | None  # None: a DuckDB file; "sqlite" or "postgres": a DuckLake's catalog
    location: str  # the file, the SQLite catalog file or the PostgreSQL DSN
    data_path: str | None  # a lake's Parquet folder (None: the one its catalog remembers)
    sidecar: Path  # named like a warehouse file: the report, log and Data Docs go beside it

    @property
    def is_lake(self) -> bool:
        return self.catalog is not None

    @property
    def path(self) -> Path:
        """The DuckDB file (file backend) or the SQLite catalog file."""
        if self.catalog == "postgres":
            raise ValueError(f"{self.url} has no local file: its catalog is a PostgreSQL database")
        return Path(self.location)

    def __str__(self) -> str:
        return redacted(self.url)


def redacted(url: str) -> str:
    """The setting as it may be shown or stored: a DSN's password hidden (keep passwords in
    ~/.pgpass or PGPASSWORD rather than in the setting)."""
    url = re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", r"\1***", url, flags=re.I)
    return re.sub(r"(postgres(?:ql)?://[^:/@\s]+):[^@\s]*@", r"\1:***@", url)


def _dbname(dsn: str) -> str:
    """The database a libpq DSN names (key=value form or a postgresql:// URI)."""
    m = re.search(r"(?:^|\s)dbname\s*=\s*'?([^'\s]+)", dsn)
    if m:
        return m.group(1)
    m = re.match(r"postgres(?:ql)?://[^/]*/([^?]+)", dsn)
    return m.group(1) if m else "lake"


def target(
    value: str | os.PathLike[str] | Target,
    *,
    data_path: str | os.PathLike[str] | None = None,
    home: str | os.PathLike[str] | None = None,
) -> Target:
    """The warehouse a setting names. `data_path`: a lake's Parquet folder (default: beside
    a SQLite catalog, `<PATH>.files/`); `home`: where a PostgreSQL lake's report, log and
    Data Docs go (default `data/`)."""
    if isinstance(value, Target):
        return value
    text = os.fspath(value)
    if not text.startswith(LAKE_PREFIX):
        return Target(text, None, text, None, Path(text))
    catalog, sep, location = text[len(LAKE_PREFIX) :].partition(":")
    if catalog not in CATALOGS or not sep or not location.strip():
        raise BadWarehouseSetting(
            f"warehouse {text!r}: a lake is ducklake:sqlite:PATH or ducklake:postgres:DSN"
        )
    if catalog == "sqlite":
        catalog_file = Path(location).expanduser().absolute()
        folder = Path(data_path) if data_path else catalog_file.with_name(catalog_file.name + ".files")
        return Target(text, catalog, str(catalog_file), str(folder.absolute()) + os.sep, catalog_file)
    folder_text = str(Path(data_path).absolute()) + os.sep if data_path else None
    side = Path(home or "data").absolute() / f"{_dbname(location)}.ducklake"
    return Target(text, catalog, location, folder_text, side)


def _literal(text: str) -> str:
    """A SQL string literal (ATTACH takes no bound parameters)."""
    return "'" + text.replace("'", "''") + "'"


def _sqlite_catalog(path: Path) -> None:
    """Create the SQLite catalog file in WAL mode: readers then never block the writer's
    commit, nor it them (SQLite's default journal lets one open read transaction refuse
    every commit with 'database is locked'). WAL mode stays with the file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()


def attach(t: Target, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the lake attached as `wh` and in use. Read-only: the
    catalog must exist (FileNotFoundError for a missing SQLite one)."""
    if t.catalog == "sqlite":
        if read_only and not t.path.exists():
            raise FileNotFoundError(f"no warehouse at {t.path}: run `newsetl run` first")
        if not read_only:
            if t.path.is_dir():
                raise WarehouseUnreadable(f"warehouse {t.path} is a folder, not a SQLite catalog")
            if not t.path.exists() or t.path.stat().st_size == 0:
                _sqlite_catalog(t.path)
    con = duckdb.connect()
    try:
        offline(con)
        load(con, "ducklake")
        load(con, t.catalog or "sqlite")
        options = ["READ_ONLY"] if read_only else []
        if t.data_path and not read_only:
            Path(t.data_path).mkdir(parents=True, exist_ok=True)
            options.append(f"DATA_PATH {_literal(t.data_path)}")
        opts = f" ({', '.join(options)})" if options else ""
        url = _literal(LAKE_PREFIX + str(t.catalog) + ":" + t.location)
        retrying(con, lambda: con.execute(f"ATTACH {url} AS {ALIAS}{opts}"), attempts=20)
        con.execute(f"USE {ALIAS}")
    except duckdb.Error as exc:
        con.close()
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WarehouseUnreadable(f"warehouse {t} cannot be opened ({first})") from exc
    except BaseException:
        con.close()
        raise
    return con


def data_path_of(con: duckdb.DuckDBPyConnection) -> str | None:
    """The data path of the lake attached as `wh` (as its catalog records it)."""
    row = con.execute(f"SELECT value FROM {ALIAS}.options() WHERE option_name = 'data_path'").fetchone()
    return str(row[0]) if row and row[0] else None


def is_lake(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the connection's default database is a DuckLake."""
    row = con.execute(
        "SELECT type FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return bool(row and row[0] == "ducklake")


# ---- several writers: DuckLake's optimistic concurrency ---------------------------------

# Every write transaction on a lake first bumps this one-row table (an UPDATE is a delete
# and an insert in DuckLake), so two write transactions that overlap in time always
# conflict at commit: the later one is rolled back and run again on the newer snapshot.
# Appends alone never conflict in DuckLake, and the lake has no primary keys: without it,
# two writers could insert the same entity or article twice.
WRITES_SCHEMA = "newsetl_internal"
WRITES_TABLE = f"{WRITES_SCHEMA}.writes"
BUMP_SQL = f"UPDATE {WRITES_TABLE} SET n = n + 1"

_TRANSIENT = (
    "transaction conflict",
    "conflict",
    "database is locked",
    "could not serialize",
    "deadlock detected",
    "duplicate key value violates unique constraint",  # two commits of one snapshot id (catalog)
    "already exists",  # two writers creating the same new lake's catalog tables
)


def is_conflict(exc: BaseException) -> bool:
    """A write that lost a race with another writer (run it again), not a real error."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.Error) and any(t in text for t in _TRANSIENT)


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back whatever transaction is open (a failed COMMIT leaves none)."""
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


def retrying(
    con: duckdb.DuckDBPyConnection,
    fn: Callable[[], T],
    *,
    attempts: int = 60,
    first_wait: float = 0.05,
    max_wait: float = 2.0,
) -> T:
    """`fn()` (which runs its own transactions), run again after a conflict with another
    writer: the open transaction rolled back, a random wait that grows each time."""
    wait = first_wait
    for attempt in range(attempts):
        try:
            return fn()
        except duckdb.Error as exc:
            rollback(con)
            if not is_conflict(exc) or attempt == attempts - 1:
                raise
            log.info("write conflict with another writer (%s); run again", str(exc).splitlines()[-1][:200])
            time.sleep(wait * (0.5 + random.random()))
            wait = min(max_wait, wait * 1.6)
    raise AssertionError("unreachable")


def ensure_writes_table(con: duckdb.DuckDBPyConnection) -> None:
    """The one-row table every write transaction bumps (two writers at once: retried)."""

    def make() -> None:
        con.execute("BEGIN TRANSACTION")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {WRITES_SCHEMA}")
        con.execute(f"CREATE TABLE IF NOT EXISTS {WRITES_TABLE} (n BIGINT NOT NULL)")
        if con.execute(f"SELECT count(*) FROM {WRITES_TABLE}").fetchone() == (0,):
            con.execute(f"INSERT INTO {WRITES_TABLE} VALUES (0)")
        con.execute("COMMIT")

    if con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = 'writes'",
        [WRITES_SCHEMA],
    ).fetchone() == (1,):
        return
    retrying(con, make)
