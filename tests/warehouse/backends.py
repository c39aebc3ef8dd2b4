"""The warehouse backends the tests run on: a DuckDB file and a DuckLake with a SQLite
catalog (a PostgreSQL catalog: tests/warehouse/test_lake_postgres.py), and ways to read
and compare any of them."""

from __future__ import annotations

from pathlib import Path

from transforms.registry.tables import TABLES
from warehouse.connection import connect

BACKENDS = ("file", "lake")

# what differs between two runs that loaded the same articles: run ids, load and run times
# (and what is computed from load times)
RUN_COLUMNS = frozenset(
    {
        "run_id",
        "loaded_at",
        "created_at",
        "fetched_at",
        "started_at",
        "finished_at",
        "first_seen",
        "last_seen",
    }
)
# the tables of loaded data (pipeline_runs and schema_migrations differ by run); the search
# index's doc_id is a surrogate numbered in load order, compared as the text it names
DATA_TABLES = tuple(t for t in TABLES if t.name not in ("pipeline_runs",))


def warehouse_at(kind: str, folder: Path, name: str = "w") -> str:
    """A warehouse setting of `kind` in `folder` (not created yet)."""
    if kind == "file":
        return str(folder / f"{name}.duckdb")
    return f"ducklake:sqlite:{folder / (name + '.sqlite')}"


def rows(wh: str, sql: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    """A read-only query's rows on any backend."""
    con = connect(wh, read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def table_snapshot(wh: str) -> dict[str, list[tuple[object, ...]]]:
    """Every data table's rows, sorted, without the columns that differ by run."""
    con = connect(wh, read_only=True)
    try:
        out = {}
        for t in DATA_TABLES:
            cols = ", ".join(f'"{c.name}"' for c in t.columns if c.name not in RUN_COLUMNS | {"doc_id"})
            if t.name == "search_terms":  # doc_id numbers texts in load order: the text it names
                sql = f"""SELECT {cols}, d.kind, d.article_id, d.action_id
                          FROM search_terms JOIN search_docs d USING (doc_id)"""
            else:
                sql = f"SELECT {cols} FROM {t.name}"
            out[t.name] = sorted(con.execute(sql).fetchall(), key=repr)
        return out
    finally:
        con.close()
