"""What the commands print: values as literal text, tables and JSON lines of rows, the
one-line error every failure ends with, and the summary of a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from flows.cli.runlog import run_log_path
from flows.display import escape_controls

console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int, log: Path | None = None) -> NoReturn:
    """One line on stderr (no markup is read from `message`; a message of several lines,
    such as DuckDB's "... invalidated\nOriginal error: ...", is joined), then exit with `code`."""
    message = " ".join(line.strip() for line in message.splitlines() if line.strip())
    err_console.print(
        Text("error: ", style="red") + Text(message) + Text(f" (log: {log})" if log else "", style="dim"),
        soft_wrap=True,  # one line, however long: for a person and for grep
    )
    raise typer.Exit(code)


def cell(value: object) -> Text:
    """A value as shown: literal text (no Rich markup read), control characters escaped."""
    if value is None:
        return Text("NULL", style="dim")
    return Text(escape_controls(str(value)))


def print_rows(
    cols: list[str], rows: list[tuple], title: str | None = None, max_width: int = 60, compact: bool = False
) -> None:
    """Rows as a table on the console (`compact`: no box, no padding at the edges)."""
    table = Table(
        title=title, show_lines=False, box=None if compact else box.HEAVY_HEAD, pad_edge=not compact
    )
    for c in cols:
        table.add_column(c, overflow="fold", max_width=max_width)
    for r in rows:
        table.add_row(*[cell(v) for v in r])
    console.print(table)


def print_json_rows(cols: list[str], rows: list[tuple]) -> None:
    """One JSON object per row (values JSON does not know as their text)."""
    for r in rows:
        typer.echo(json.dumps(dict(zip(cols, r, strict=True)), default=str))


def print_result(result: dict) -> None:
    """A run's stage times, its one-line summary and its errors; exit 1 unless it succeeded."""
    for name, secs in (result.get("stage_seconds") or {}).items():
        console.print(Text(f"  {name:<14}{secs:7.2f} s", style="dim"))
    color = "green" if result["status"] == "succeeded" else "red"
    console.print(Text(result["status"], style=color) + Text(_summary(result)))
    if result.get("report"):
        console.print(Text(f"report: {result['report']}"))
    log = run_log_path(_sidecar(result["warehouse"]))
    for e in result["errors"]:
        err_console.print(Text("error: ", style="red") + Text(e[:300] + ("..." if len(e) > 300 else "")))
    if result["status"] != "succeeded":
        err_console.print(Text(f"details: newsetl runs -w {result['warehouse']}; log: {log}", style="dim"))
        raise typer.Exit(1)


def _summary(result: dict) -> str:
    """The run's counts, after its status: ' run 1a2b3c4d -> data/news.duckdb: seen 12, ...'."""
    c = result["counts"]
    return (
        f" run {result['run_id'][:8]} -> {result['warehouse']}: seen {c['articles_seen']}, "
        f"loaded {c['articles_loaded']}, skipped {c['articles_skipped']}, "
        f"quarantined {c['articles_quarantined']} (+{c['rows_quarantined']} rows)"
        + (f", outside --since/--until {c['articles_out_of_range']}" if c["articles_out_of_range"] else "")
    )


def _sidecar(warehouse: str) -> Path:
    """What the run log is named from (a lake's: warehouse.backend.Target.sidecar)."""
    from flows.settings import Settings

    if not warehouse.startswith("ducklake:"):
        return Path(warehouse)
    settings = Settings()
    from warehouse.backend import target

    return target(warehouse, data_path=settings.lake_data_path, home=settings.lake_home).sidecar
