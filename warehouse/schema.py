"""The warehouse schema, rendered from the column registry (transforms/registry).

Every table is declared once there with its grain and a meaning for every column; the
DDL and the `COMMENT ON` statements are rendered here from those declarations, and a test
fails if any table or column lacks a description or an expectation suite.
"""

from __future__ import annotations

from transforms.registry.columns import Table
from transforms.registry.operational import PIPELINE_RUNS

# pipeline_runs columns a run sets when it ends, besides its counters (Warehouse.update_run)
RUN_OUTCOME = ("status", "finished_at", "error", "stage_seconds", "validation", "source_counts")


def run_counters() -> tuple[str, ...]:
    """pipeline_runs' counter columns (declared `counter=True`), in declaration order: a run
    starts them at 0 and its counts (flows' RunCounts) have one field each."""
    return tuple(c.name for c in PIPELINE_RUNS.columns if c.counter)


def run_updatable() -> frozenset[str]:
    """The pipeline_runs columns `Warehouse.update_run` may set: the counters and the outcome."""
    return frozenset((*run_counters(), *RUN_OUTCOME))


def column_constraint(constraint: str, *, keys: bool = True) -> str:
    """A declared constraint as the backend takes it. A DuckLake has no keys or indexes
    (`keys=False`): PRIMARY KEY becomes NOT NULL and UNIQUE is dropped; what the keys
    guarantee on a DuckDB file, the lake's writers guarantee by replacing rows by key in
    the transaction that writes them (warehouse/loading.py) and by never committing two
    overlapping write transactions (warehouse/backend.py)."""
    if keys:
        return constraint
    out = constraint.replace("PRIMARY KEY", "NOT NULL").replace("UNIQUE", "")
    return " ".join(dict.fromkeys(out.split()))  # "NOT NULL" once


def create_table_sql(t: Table, *, keys: bool = True, name: str | None = None) -> str:
    """The table's CREATE statement (`keys=False`: for a DuckLake, `column_constraint`; a
    table declared `key_index=False` gets none on a file either); `name`: create it under
    another name (a migration that rebuilds it)."""
    keyed = keys and t.key_index
    cols = ",\n  ".join(
        f"{c.name} {c.type} {column_constraint(c.constraint, keys=keyed)}".rstrip() for c in t.columns
    )
    return f"CREATE TABLE IF NOT EXISTS {name or t.name} (\n  {cols}\n)"


def comment_sql(kind: str, relation: str, column: str | None, text: str) -> str:
    """One COMMENT ON statement (`kind` TABLE or VIEW; a column's when `column` is given);
    the comment is a literal, so its quotes are escaped here."""
    literal = "'" + text.replace("'", "''") + "'"
    if column is None:
        return f"COMMENT ON {kind} {relation} IS {literal}"
    return f"COMMENT ON COLUMN {relation}.{column} IS {literal}"
