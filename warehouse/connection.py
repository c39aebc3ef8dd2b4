"""Opening the warehouse (a DuckDB file or a DuckLake: warehouse/backend.py): a writable
connection (created and migrated), a read-only one, and the locked-down reader analysts'
queries run on. With warehouse/ this is where
DuckDB is opened (only warehouse/ opens it in production code). Every connection is
offline (no extension is installed or loaded automatically: warehouse/extensions.py; a
writable one loads fts from its package, for the search index), and
a file of a newer DuckDB storage version is refused with how to convert it
(warehouse/fileformat.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from warehouse.backend import Target, attach, data_path_of, ensure_writes_table, retrying, target
from warehouse.errors import WarehouseTooNew, WarehouseUnreadable
from warehouse.extensions import load, offline
from warehouse.fileformat import unreadable_reason
from warehouse.macros import temp_macros
from warehouse.migrations import lake_transaction, migrate


def check_storage(path: str | os.PathLike[str]) -> None:
    """WarehouseTooNew when the file's header holds a storage version this DuckDB cannot
    read; a missing file or one that is no DuckDB file passes (opening it says why)."""
    reason = unreadable_reason(path)
    if reason is not None:
        raise WarehouseTooNew(f"warehouse {reason}; it was not changed")


def connect(path: str | os.PathLike[str] | Target, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writable connection creates and migrates it, with the fts
    extension loaded (from its package) for the search index."""
    t = target(path)
    if t.is_lake:
        return _connect_lake(t, read_only=read_only)
    p = Path(t.location)
    if p.is_dir():
        raise WarehouseUnreadable(f"warehouse {p} is a folder, not a DuckDB file")
    if read_only:
        if not p.exists():
            raise FileNotFoundError(f"no warehouse at {p}: run `newsetl run` first")
        check_storage(p)
        try:
            con = duckdb.connect(str(p), read_only=True)
        except duckdb.Error as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise WarehouseUnreadable(f"warehouse {p} cannot be opened ({first})") from exc
        try:
            offline(con)
        except BaseException:
            con.close()
            raise
        return con
    check_storage(p)
    p.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(p))
    try:
        offline(con)
        load(con, "fts")  # stem(): migrations and loading keep the search index
        migrate(con)
    except BaseException:
        con.close()  # the file stays as it was: each migration is its own transaction
        raise
    return con


def _connect_lake(t: Target, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    """A lake's connection; a writable one creates the lake and migrates it (two writers
    starting at once: the one that loses a race runs its migration again, which then finds
    it applied)."""
    con = attach(t, read_only=read_only)
    if read_only:
        return con
    try:
        load(con, "fts")  # stem(): migrations and loading keep the search index
        ensure_writes_table(con)
        retrying(con, lambda: migrate(con, lake_transaction))
    except BaseException:
        con.close()
        raise
    return con


def reader(
    path: str | os.PathLike[str] | Target, extensions: tuple[str, ...] = ()
) -> duckdb.DuckDBPyConnection:
    """A read-only connection for analysts (`newsetl sql`, `newsetl shell`) that cannot
    touch any file but the warehouse: external access off (no COPY ... TO, ATTACH,
    EXPORT, INSTALL, read_csv of other files), no extension autoloading (`connect`), and
    the configuration locked so a statement cannot turn these back on. `extensions` are
    loaded from their packages first (e.g. fts for `stem()`: `newsetl search`, the shell)."""
    con = connect(path, read_only=True)
    try:
        loaded = {
            r[0]
            for r in con.execute("SELECT extension_name FROM duckdb_extensions() WHERE loaded").fetchall()
        }
        for name in extensions:
            if name not in loaded:  # a second reader of one file shares the first's instance
                load(con, name)
        if target(path).is_lake:
            temp_macros(con)  # a lake's catalog stores no macros (search_news, ...)
            # the lake's Parquet files are read through the file system: that folder only
            folder = data_path_of(con)
            if folder:
                con.execute("SET allowed_directories = ?", [[folder]])
        for name, value in (
            ("enable_external_access", False),
            ("allow_community_extensions", False),
            ("lock_configuration", True),
        ):
            # connections to one file in a process share its settings: a second reader
            # finds them set (and locked) by the first
            row = con.execute("SELECT current_setting(?)", [name]).fetchone()
            if row is None or row[0] != value:
                con.execute(f"SET {name} = {str(value).lower()}")  # names and values: the constants above
    except BaseException:
        con.close()
        raise
    return con


# statements an analyst's connection to a lake may run: its data folder is reachable
# (the lake reads its Parquet files there), so COPY ... TO, EXPORT or ATTACH, which could
# write into it, are refused before they run (a DuckDB file's reader reaches no file at all)
READER_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "PRAGMA", "TRANSACTION", "SET", "VARIABLE_SET"})


def check_reader_sql(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    """On a lake's reader: refuse statements other than queries (PermissionError)."""
    if not _is_lake_reader(con):
        return
    for stmt in con.extract_statements(sql):
        kind = str(stmt.type).rsplit(".", 1)[-1]
        if kind not in READER_STATEMENTS:
            raise duckdb.PermissionException(f"{kind} is not allowed on a read-only warehouse connection")


def _is_lake_reader(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT type, readonly FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchone()
    return bool(row and row[0] == "ducklake" and row[1])


def query(
    path: str | os.PathLike[str] | Target, sql: str, params: list[object] | None = None
) -> tuple[list[str], list[tuple[object, ...]]]:
    """Run one read-only query; returns column names and rows. The connection is
    read-only and cannot reach files (`reader`): no COPY ... TO, ATTACH, INSTALL,
    EXPORT or reading other files. Empty SQL is a ValueError."""
    if not sql or not sql.strip() or not sql.strip().strip(";").strip():
        raise ValueError('no SQL given: pass a query, e.g. newsetl sql "select count(*) from articles"')
    con = reader(path)
    try:
        check_reader_sql(con, sql)
        cur = con.execute(sql, params or [])
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, cur.fetchall()
    finally:
        con.close()
