"""The data dictionary, written from the warehouse's own comments (COMMENT ON)."""

from __future__ import annotations

import os

from transforms.registry.tables import TABLES
from warehouse.backend import Target, is_lake
from warehouse.connection import connect
from warehouse.views import VIEWS


def _declared_keys() -> set[tuple[str, str]]:
    """The registry's primary keys: a DuckLake stores none, a file none on the tables declared
    `key_index=False` (warehouse.schema.column_constraint, create_table_sql); the loading
    keeps them unique there."""
    keys = {(t.name, c.name) for t in TABLES for c in t.columns if "PRIMARY KEY" in c.constraint}
    return keys | {("schema_migrations", "version")}


def _view_column_comments() -> dict[tuple[str, str], str]:
    """The registry's view column meanings: a DuckLake keeps no comments on view columns."""
    return {(v.name, c.name): c.description for v in VIEWS for c in v.columns}


def schema_markdown(path: str | os.PathLike[str] | Target) -> str:
    """Markdown for every table and view: its comment (grain included), then its columns
    with types, keys and comments, as the warehouse itself records them."""
    con = connect(path, read_only=True)
    try:
        tables = con.execute(
            """SELECT table_name, 'table' AS kind, comment FROM duckdb_tables()
               WHERE schema_name = 'main' AND NOT internal
               UNION ALL
               SELECT view_name, 'view', comment FROM duckdb_views()
               WHERE schema_name = 'main' AND NOT internal
               ORDER BY kind, table_name"""
        ).fetchall()
        keys = {
            (t, c)
            for t, cols in con.execute(
                "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'"
            ).fetchall()
            for c in cols
        }
        keys |= _declared_keys()
        lake = is_lake(con)
        view_comments = _view_column_comments() if lake else {}
        out = [
            "# Warehouse schema",
            "",
            "Written by `newsetl docs` from the warehouse's own `COMMENT ON` texts; do not edit by hand.",
            "",
        ]
        for name, kind, comment in tables:
            out += [
                f"## {name} ({kind})",
                "",
                comment or "(no comment)",
                "",
                "| column | type | key | meaning |",
                "|---|---|---|---|",
            ]
            cols = con.execute(
                """SELECT column_name, data_type, comment FROM duckdb_columns()
                   WHERE table_name = ? AND schema_name = 'main' ORDER BY column_index""",
                [name],
            ).fetchall()
            for col, typ, ccomment in cols:
                ccomment = ccomment or view_comments.get((name, col))
                key = "PK" if (name, col) in keys else ""
                out.append(f"| {col} | {typ} | {key} | {(ccomment or '(no comment)').replace('|', '/')} |")
            out.append("")
        return "\n".join(out)
    finally:
        con.close()
