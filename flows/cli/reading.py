"""The commands that read the warehouse (read-only): `sql`, `runs`, `sources`, `report`,
`shell` and `docs`. A warehouse that is a folder, missing or cannot be opened is one line
(exit 2, 2 and 1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import typer
from rich.text import Text

from flows.accounting import COUNT_FIELDS
from flows.cli.output import cell, console, fail, print_json_rows, print_rows
from flows.settings import Settings


def warehouse_path(path: str | Path | None):
    """The warehouse a command works on (the setting when not given; backend.Target); a
    folder is refused, a setting that names no backend too."""
    from warehouse.backend import BadWarehouseSetting, target

    settings = Settings()
    try:
        wh = target(
            str(path) if path is not None else settings.warehouse,
            data_path=settings.lake_data_path,
            home=settings.lake_home,
        )
    except BadWarehouseSetting as exc:
        fail(str(exc), 2)
    if wh.catalog != "postgres" and wh.path.is_dir():
        fail(f"warehouse {wh} is a folder, not a {'SQLite catalog' if wh.is_lake else 'DuckDB file'}", 2)
    return wh


@contextmanager
def reading() -> Iterator[None]:
    """A command that reads the warehouse: a missing one is exit 2, one that cannot be
    opened (not DuckDB, another DuckDB version, held by a writer) exit 1, in one line."""
    from warehouse.db import WarehouseUnreadable

    try:
        yield
    except FileNotFoundError as exc:
        fail(str(exc), 2)
    except WarehouseUnreadable as exc:
        fail(str(exc), 1)


def sql(
    query: str = typer.Argument(..., help="SQL to run (read-only).", metavar="SQL"),
    warehouse: str = typer.Option(
        None,
        "--warehouse",
        "-w",
        metavar="WAREHOUSE",
        help="DuckDB file or ducklake:sqlite:PATH / ducklake:postgres:DSN. Default: NEWSETL_WAREHOUSE or data/news.duckdb.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print rows as JSON lines instead of a table."),
) -> None:
    """Run a SQL query against the warehouse (read-only) and print the result."""
    import duckdb

    from warehouse.db import query as run_query

    wh = warehouse_path(warehouse)
    try:
        with reading():
            cols, rows = run_query(wh, query)
    except ValueError as exc:  # no SQL given
        fail(str(exc), 2)
    except duckdb.Error as exc:
        fail(f"SQL error: {exc}", 1)
    if as_json:
        print_json_rows(cols, rows)
    else:
        print_rows(cols, rows)


def runs(
    warehouse: str = typer.Option(None, "--warehouse", "-w", metavar="WAREHOUSE", help="DuckDB file."),
    limit: int = typer.Option(10, "--limit", "-n", metavar="N", help="How many recent runs."),
    as_json: bool = typer.Option(False, "--json", help="Print runs as JSON lines."),
) -> None:
    """List recent pipeline runs with their status and counts."""
    from warehouse.db import query as run_query

    wh = warehouse_path(warehouse)
    with reading():
        cols, rows = run_query(
            wh,
            """SELECT run_id, status, started_at::TIMESTAMP(0) AS started,
                      round(epoch(finished_at - started_at), 1) AS seconds,
                      articles_seen AS seen, articles_loaded AS loaded, articles_skipped AS skipped,
                      articles_quarantined AS quarantined, error
               FROM pipeline_runs ORDER BY started_at DESC LIMIT ?""",
            [limit],
        )
    if as_json:
        print_json_rows(cols, rows)
        return
    # fits 80 columns: short id, minutes, short headers
    shown = [(r[0][:8], r[1], f"{r[2]:%Y-%m-%d %H:%M}" if r[2] else None, *r[3:-1]) for r in rows]
    heads = ["run", "status", "started (UTC)", "secs", "seen", "loaded", "skipped", "quar."]
    print_rows(heads, shown, title="recent runs", compact=True)
    for r in rows:
        if r[-1]:
            console.print(
                Text(r[0][:8], style="red") + Text(f" {r[1]}: ") + cell(r[-1][:500]), soft_wrap=True
            )


def sources(
    config: list[str] = typer.Option(
        None,
        "--config",
        "-c",
        metavar="SOURCE",
        help="sources.yaml (or other entries) to list. Default: NEWSETL_SOURCES.",
    ),
    warehouse: str = typer.Option(
        None, "--warehouse", "-w", metavar="WAREHOUSE", help="Warehouse whose last run's counts to show."
    ),
    kinds: bool = typer.Option(
        False, "--kinds", help="List the source kinds instead (built-in and plugins)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per source."),
) -> None:
    """List the configured sources with the last run's counts per source."""
    from flows.config import resolve_sources

    if kinds:
        _print_kinds()
        return
    settings = Settings()
    try:
        specs = resolve_sources(config or [str(s) for s in settings.sources])
    except ValueError as exc:
        fail(str(exc), 2)
    last, counts = _last_source_counts(warehouse_path(warehouse))
    out = [
        (
            s.label,
            s.kind or "auto",
            s.location,
            s.schedule or "",
            *(counts.get(s.label, {}).get(k, "") for k in _SOURCE_COUNTS),
        )
        for s in specs
    ]
    if as_json:
        cols = ["name", "kind", "location", "schedule", *_SOURCE_COUNTS]
        for r in out:
            typer.echo(json.dumps(dict(zip(cols, r, strict=True)) | {"run_id": last[0] if last else None}))
        return
    _print_sources(out, last)


_SOURCE_COUNTS = tuple(COUNT_FIELDS)  # the keys of pipeline_runs.source_counts


def _print_kinds() -> None:
    from flows.sources import BUILTIN_KINDS, source_kinds

    print_rows(
        ["kind", "from"],
        [(k, "built-in" if k in BUILTIN_KINDS else "plugin") for k in sorted(source_kinds())],
    )


def _last_source_counts(wh) -> tuple[tuple | None, dict]:
    """The last run that counted per source (run_id, started_at, ...) and its counts by
    source label; (None, {}) without a warehouse or such a run."""
    if wh.catalog != "postgres" and not wh.path.exists():
        return None, {}
    from warehouse.db import query as run_query

    with reading():
        _, rows = run_query(
            wh,
            "SELECT run_id, started_at, source_counts FROM pipeline_runs "
            "WHERE source_counts IS NOT NULL ORDER BY started_at DESC LIMIT 1",
        )
    if not rows:
        return None, {}
    return rows[0], json.loads(rows[0][2]) if isinstance(rows[0][2], str) else (rows[0][2] or {})


def _print_sources(out: list[tuple], last: tuple | None) -> None:
    """The sources table; it fits 80 columns: the label (its location below it when they
    differ), short headers, the schedule only when a source has one."""
    title = f"sources (counts of run {last[0][:8]}, {last[1]:%Y-%m-%d %H:%M})" if last else "sources"
    scheduled = any(x[3] for x in out)
    shown = [
        (r[0] if r[0] == r[2] else f"{r[0]}\n  {r[2]}", r[1], *r[4:], *((r[3],) if scheduled else ()))
        for r in out
    ]
    heads = ["source", "kind", "seen", "loaded", "skipped", "quar.", "dups"]
    if scheduled:
        heads.append("schedule")
    print_rows(heads, shown, title=title, compact=True, max_width=40)


def report(
    warehouse: str = typer.Option(
        None, "--warehouse", "-w", metavar="WAREHOUSE", help="DuckDB file to report on."
    ),
    out: Path = typer.Option(
        None,
        "--out",
        "-o",
        metavar="FILE",
        help="HTML file to write. Default: beside the warehouse, <name>.report.html.",
    ),
) -> None:
    """Write the nightly report: a static HTML page (charts embedded, works offline)."""
    from warehouse.report import write_report

    wh = warehouse_path(warehouse)
    with reading():
        written = write_report(wh, out)
    console.print(Text(f"wrote {written}"))


def shell(
    warehouse: str = typer.Option(
        None, "--warehouse", "-w", metavar="WAREHOUSE", help="DuckDB file to open (read-only)."
    ),
    cli: bool = typer.Option(
        False,
        "--cli",
        help="Hand over to the DuckDB CLI of the pinned duckdb-cli package (duckdb -readonly -safe FILE).",
    ),
) -> None:
    """Interactive read-only SQL session on the warehouse (statements end with ';', .help)."""
    import sys

    from warehouse.db import Warehouse
    from warehouse.shell import Shell

    wh = warehouse_path(warehouse)
    with reading():
        Warehouse.reader(wh).close()  # missing or unreadable: one line, before any prompt
    if cli:
        _hand_over_to_duckdb_cli(wh)
    interactive = sys.stdin.isatty()
    if interactive:
        import readline  # noqa: F401  (line editing and history for input())

        console.print(f"newsetl shell on {wh} (read-only). End statements with ';'. .help, .quit")

    def typed():
        while True:
            try:
                yield input("newsetl> ")
            except EOFError:
                return

    piped = (line.rstrip("\n") for line in iter(sys.stdin.readline, ""))
    sh = Shell(wh, lambda cols, rows: print_rows(cols, rows, max_width=80), console.print)
    try:
        sh.run(typed() if interactive else piped)
    finally:
        sh.close()


def _hand_over_to_duckdb_cli(wh) -> NoReturn:
    """Replace this process by the DuckDB CLI on the warehouse, read-only and in safe mode
    (warehouse/duckdb_cli.py); a missing CLI is one line (exit 1)."""
    import os
    import sys

    from warehouse.duckdb_cli import CliUnavailable, binary, readonly_argv

    if wh.is_lake:
        fail(
            "--cli opens DuckDB files only; on a lake use `newsetl shell` (or DuckDB's own "
            "ATTACH 'ducklake:...' (READ_ONLY) with the extensions of the duckdb-extension-* packages)",
            2,
        )
    try:
        exe = binary()
    except CliUnavailable as exc:
        fail(str(exc), 1)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(exe, readonly_argv(exe, wh.location))


def docs(
    warehouse: str = typer.Option(
        None, "--warehouse", "-w", metavar="WAREHOUSE", help="DuckDB file to describe."
    ),
    out: Path = typer.Option(
        Path("docs/schema.md"), "--out", "-o", metavar="FILE", help="Markdown file to write."
    ),
) -> None:
    """Write the data dictionary (every table, view and column) from the warehouse's comments."""
    from warehouse.docs import schema_markdown

    wh = warehouse_path(warehouse)
    with reading():
        text = schema_markdown(wh)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    console.print(f"wrote {out}")
