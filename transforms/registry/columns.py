"""A column and a table, declared once: the SQL type, the constraint, the meaning, and
what follows from them (the polars dtype, the nullability).

`dtype` reads the SQL type (DuckDB's spelling) so a column states its type once; the
batch frames (transforms/registry/frames.py), the DDL (warehouse/schema.py) and the
suites' checks (tests) all take it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

_SCALARS: dict[str, pl.DataType] = {
    "VARCHAR": pl.String(),
    "JSON": pl.String(),  # JSON text: the frames carry it as a string, DuckDB casts it
    "INTEGER": pl.Int32(),
    "BIGINT": pl.Int64(),
    "DOUBLE": pl.Float64(),
    "BOOLEAN": pl.Boolean(),
    "TIMESTAMP": pl.Datetime("us"),
    "DATE": pl.Date(),
    "BLOB": pl.Binary(),
}


def _split_fields(inner: str) -> list[str]:
    """`a T, b STRUCT(c U, d V)` -> ['a T', 'b STRUCT(c U, d V)']: commas at depth 0."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(inner[start:i].strip())
            start = i + 1
    out.append(inner[start:].strip())
    return out


def sql_dtype(sql_type: str) -> pl.DataType:
    """The polars dtype of a DuckDB type: scalars, `T[]` lists and `STRUCT(name T, ...)`."""
    t = sql_type.strip()
    if t.endswith("[]"):
        return pl.List(sql_dtype(t[:-2]))
    if t.startswith("STRUCT(") and t.endswith(")"):
        fields = [f.split(" ", 1) for f in _split_fields(t[len("STRUCT(") : -1])]
        return pl.Struct({name: sql_dtype(ftype) for name, ftype in fields})
    try:
        return _SCALARS[t]
    except KeyError:
        raise ValueError(f"no polars dtype for SQL type {sql_type!r}") from None


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB type, as in the DDL
    description: str
    constraint: str = ""  # e.g. "PRIMARY KEY", "NOT NULL"
    counter: bool = False  # a pipeline_runs count a run starts at 0 and adds to
    loaded: bool = False  # set by the warehouse when it loads the row, not in the batch frame

    @property
    def dtype(self) -> pl.DataType:
        return sql_dtype(self.type)

    @property
    def nullable(self) -> bool:
        return "NOT NULL" not in self.constraint and "PRIMARY KEY" not in self.constraint


@dataclass(frozen=True)
class Table:
    name: str
    grain: str
    description: str
    columns: tuple[Column, ...]
    # whether a DuckDB file enforces the declared primary key with an index. False for the
    # tables that grow with every article (its rows, the search index's texts): their rows
    # are replaced by article in the transaction that loads it (warehouse/loading.py), their
    # ids hash the article's id, and the suites check them unique per batch; an index would
    # be rewritten whole at every checkpoint, a cost that grows with the history (issue 18).
    key_index: bool = True

    @property
    def comment(self) -> str:
        return f"{self.description} Grain: {self.grain}"

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")
