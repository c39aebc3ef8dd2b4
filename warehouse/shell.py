"""`newsetl shell`: an interactive, read-only SQL session on the warehouse.

Statements end with `;` and may span lines. Dot commands: `.tables` (tables and views with
their descriptions), `.schema NAME` (columns, types and meanings), `.reload` (reopen: see a
run published since the shell started), `.help`, `.quit`. The connection is read-only:
writes fail with DuckDB's error, and nothing reaches a file (no `COPY ... TO`,
`ATTACH`, `EXPORT`, `INSTALL`: `connection.reader`); the fts extension is loaded from its
package (`stem()`; the search_news macro answers without it); the nightly run is never blocked (it publishes a new
file; the shell keeps reading the one it opened until `.reload`). `newsetl shell --cli`
hands over to the DuckDB CLI instead (warehouse/duckdb_cli.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

import duckdb

from warehouse.backend import Target
from warehouse.connection import check_reader_sql, reader

Printer = Callable[[list[str], list[tuple[object, ...]]], None]

# loaded from their packages: fts for `stem()` (search_news(query, stems := ...), docs/queries.md)
SHELL_EXTENSIONS = ("fts",)

HELP = """Statements end with ';' (several lines are fine). Commands:
  .tables          tables and views, with what each holds
  .schema NAME     columns of a table or view, with their meaning
  .reload          reopen the warehouse (see runs published since the shell started)
  .help            this text
  .quit            leave (also Ctrl-D)"""


class Shell:
    """Read-eval-print over a read-only connection; input and output are injected so the
    loop is testable without a terminal."""

    def __init__(self, path: str | os.PathLike[str] | Target, printer: Printer, echo: Callable[[str], None]):
        self.path = path
        self.printer = printer
        self.echo = echo
        self.con = reader(path, extensions=SHELL_EXTENSIONS)

    def close(self) -> None:
        self.con.close()

    def execute(self, sql: str) -> None:
        try:
            check_reader_sql(self.con, sql)
            cur = self.con.execute(sql)
            if cur.description:
                self.printer([d[0] for d in cur.description], cur.fetchall())
            else:
                self.echo("ok")
        except duckdb.Error as exc:
            self.echo(f"error: {exc}")

    def command(self, line: str) -> bool:
        """Run a dot command; False means quit."""
        name, _, arg = line.strip().partition(" ")
        arg = arg.strip()
        if name in (".quit", ".exit", ".q"):
            return False
        if name == ".help":
            self.echo(HELP)
        elif name == ".tables":
            self._show(
                """SELECT table_name AS name, 'table' AS kind, comment FROM duckdb_tables()
                   WHERE schema_name = 'main'
                   UNION ALL
                   SELECT view_name, 'view', comment FROM duckdb_views()
                   WHERE schema_name = 'main' AND NOT internal
                   ORDER BY kind, name""",
                [],
            )
        elif name == ".schema" and arg:
            self._show(
                """SELECT column_name AS "column", data_type AS type, comment AS meaning
                   FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ?
                   ORDER BY column_index""",
                [arg],
            )
        elif name == ".reload":
            self.con.close()
            self.con = reader(self.path, extensions=SHELL_EXTENSIONS)
            self.echo(f"reopened {self.path}")
        else:
            self.echo(f"unknown command {line.strip()!r}; .help lists them")
        return True

    def _show(self, sql: str, params: list[object]) -> None:
        cur = self.con.execute(sql, params)
        rows = cur.fetchall()
        if rows:
            self.printer([d[0] for d in cur.description], rows)
        else:
            self.echo("nothing found")

    def run(self, lines: Iterable[str], prompt: Callable[[str], None] | None = None) -> None:
        """Read statements from `lines` (an iterator over input lines) until .quit or EOF."""
        buf: list[str] = []
        it = iter(lines)
        while True:
            if prompt:
                prompt("   ...> " if buf else "newsetl> ")
            try:
                line = next(it)
            except StopIteration:
                break
            if not buf and line.strip().startswith("."):
                if not self.command(line):
                    break
                continue
            if not buf and not line.strip():
                continue
            buf.append(line)
            if line.rstrip().endswith(";"):
                self.execute("\n".join(buf))
                buf = []
        if buf and "".join(buf).strip():
            self.execute("\n".join(buf))
