"""The data dictionary, written from the warehouse's own comments (COMMENT ON)."""

from __future__ import annotations

import os

from warehouse.connection import connect


def schema_markdown(path: str | os.PathLike[str]) -> str:
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
                key = "PK" if (name, col) in keys else ""
                out.append(f"| {col} | {typ} | {key} | {(ccomment or '(no comment)').replace('|', '/')} |")
            out.append("")
        return "\n".join(out)
    finally:
        con.close()
