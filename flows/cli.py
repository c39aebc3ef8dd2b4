"""The `newsetl` command."""

from __future__ import annotations

import json
import logging
import os
from contextlib import contextmanager, nullcontext, suppress
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

import click  # noqa: E402
import typer  # noqa: E402
from rich import box  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from rich.text import Text  # noqa: E402

from flows import stops
from flows.display import escape_controls  # noqa: E402
from flows.settings import Settings  # noqa: E402

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="News articles to validated DuckDB tables.",
    rich_markup_mode=None,  # plain help: options and their values, no <bool> boxes
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def _warehouse(path: Path | None) -> Path:
    """The warehouse a command works on (the setting when not given); a folder is refused."""
    wh = Path(path) if path is not None else Path(Settings().warehouse)
    if wh.is_dir():
        _fail(f"warehouse {wh} is a folder, not a DuckDB file", 2)
    return wh


@contextmanager
def _reading():
    """A command that reads the warehouse: a missing one is exit 2, one that cannot be
    opened (not DuckDB, another DuckDB version, held by a writer) exit 1, in one line."""
    from warehouse.db import WarehouseUnreadable

    try:
        yield
    except FileNotFoundError as exc:
        _fail(str(exc), 2)
    except WarehouseUnreadable as exc:
        _fail(str(exc), 1)


def _cell(value: object) -> Text:
    """A value as shown: literal text (no Rich markup read), control characters escaped."""
    if value is None:
        return Text("NULL", style="dim")
    return Text(escape_controls(str(value)))


def _print_rows(
    cols: list[str], rows: list[tuple], title: str | None = None, max_width: int = 60, compact: bool = False
) -> None:
    table = Table(
        title=title, show_lines=False, box=None if compact else box.HEAVY_HEAD, pad_edge=not compact
    )
    for c in cols:
        table.add_column(c, overflow="fold", max_width=max_width)
    for r in rows:
        table.add_row(*[_cell(v) for v in r])
    console.print(table)


@app.command()
def run(
    source: list[str] = typer.Option(
        None,
        "--source",
        "-s",
        metavar="SOURCE",
        help=(
            "Input file or folder (read recursively), or KIND:LOCATION for a registered source kind "
            "(`newsetl sources --kinds`); repeatable. Default: NEWSETL_SOURCES or the bundled sample."
        ),
    ),
    warehouse: Path = typer.Option(
        None,
        "--warehouse",
        "-w",
        metavar="FILE",
        help="DuckDB file to write. Default: NEWSETL_WAREHOUSE or data/news.duckdb.",
    ),
    since: datetime = typer.Option(
        None,
        "--since",
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        help="Backfill: only articles published on or after this day.",
    ),
    until: datetime = typer.Option(
        None,
        "--until",
        formats=["%Y-%m-%d"],
        metavar="YYYY-MM-DD",
        help="Backfill: only articles published on or before this day.",
    ),
    batch_size: int = typer.Option(None, "--batch-size", help="Articles per batch.", metavar="N"),
    n_process: int = typer.Option(
        None, "--n-process", help="Worker processes that parse (0: one per core).", metavar="N"
    ),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="Show a progress bar."),
    dask_address: str = typer.Option(
        None,
        "--dask-address",
        help="Parse on a Dask cluster: scheduler address (tcp://host:8786); see --dask.",
        metavar="URL",
    ),
    dask: bool = typer.Option(
        False, "--dask", help="Parse on a Dask LocalCluster on this machine (127.0.0.1)."
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show Prefect's and the libraries' log lines too (always in the log)."
    ),
) -> None:
    """Run the nightly flow: read, clean, extract, validate, load."""
    if dask and dask_address:
        _fail("give --dask or --dask-address, not both", 2)
    from pydantic import ValidationError

    from flows.config import resolve_sources
    from flows.prefect_api import use_project_home
    from flows.sources import is_url, source_kinds, split_kind

    use_project_home()
    if not verbose:  # Prefect's and the libraries' lines go to the log, not the console
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL", "CRITICAL")
    kinds = source_kinds()
    for s in source or []:
        kind, loc = split_kind(s, kinds)
        if kind is None and not is_url(s) and not Path(s).exists():
            _fail(f"source {s} does not exist", 2)
    overrides = {
        "sources": [str(s) for s in source] if source else None,
        "warehouse": str(warehouse) if warehouse else None,
        "since": since.date() if since else None,
        "until": until.date() if until else None,
        "batch_size": batch_size,
        "n_process": n_process,
        "dask_address": "local" if dask else dask_address,
    }
    try:
        settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
        # a broken sources.yaml is reported here, before any run starts
        resolve_sources([str(s) for s in settings.sources], settings.schedule)
    except ValidationError as exc:
        err = exc.errors()[0]
        _fail(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}", 2)
    except ValueError as exc:
        _fail(str(exc), 2)
    result = _run_nightly(settings, progress=progress and console.is_terminal, verbose=verbose)
    _report(result)


def _fail(message: str, code: int, log: Path | None = None) -> None:
    """One line on stderr (no markup is read from `message`), then exit with `code`."""
    err_console.print(
        Text("error: ", style="red") + Text(message) + Text(f" (log: {log})" if log else "", style="dim"),
        soft_wrap=True,  # one line, however long: for a person and for grep
    )
    raise typer.Exit(code)


def _disk_full_hint(exc: BaseException, wh: Path) -> str:
    """What a full disk left behind, for the error line (empty for other errors)."""
    import errno

    full = any(
        getattr(e, "errno", None) == errno.ENOSPC or "No space left on device" in str(e)
        for e in (exc, exc.__cause__, exc.__context__)
        if e is not None
    )
    if not full:
        return ""
    return (
        f"; the disk is full: {wh} is as the last successful run left it and the staging copy is "
        "kept, so the next run resumes once there is room"
    )


def run_log_path(warehouse: Path) -> Path:
    """The run log beside the warehouse: data/news.duckdb -> data/news.log."""
    return warehouse.with_name(warehouse.stem + ".log")


def _run_nightly(settings: Settings, *, progress: bool, verbose: bool) -> dict:
    """Lock the warehouse first (a second writer is refused at once), start the Prefect API
    while the run opens its row, then run the flow. Every way this ends leaves the run's
    row (status failed and the reason) and one line on the console."""
    import logging

    from flows.prefect_api import PrefectStartError, api_settings, flush_to_api, start_api
    from warehouse.db import WarehouseUnreadable
    from warehouse.lock import WarehouseBusy, WarehouseLock

    wh = Path(settings.warehouse)
    if wh.is_dir():
        _fail(f"warehouse {wh} is a folder, not a DuckDB file", 2)
    try:
        lock = WarehouseLock(wh)
    except WarehouseBusy as exc:
        _fail(str(exc), 3)
    except OSError as exc:  # its folder cannot be made or written (the lock file is the first write)
        _fail(f"warehouse {wh} cannot be written: {exc.strerror or exc}", 2)
    previous_handlers = _stop_on_sigterm()
    log = run_log_path(wh)
    api = start_api(log=log)
    opened = handler = None
    try:
        from flows import nightly

        handler = _log_to_file(log, verbose)
        logger = logging.getLogger("newsetl")
        opened = nightly.open_run(settings, lock=lock)
        logger.info("run %s opened (lock held, row inserted)", opened.run_id)
        if _likely_new_work(settings, opened.wh):
            _preload(settings)
        try:
            url = api.wait(settings.prefect_startup_timeout)
            logger.info("Prefect API (%s) answers at %s", api.kind, url)
        except PrefectStartError as exc:
            logging.getLogger("newsetl").error("run %s: %s", opened.run_id, exc)
            opened.fail(str(exc))
            _fail(str(exc), 1, log)
        if api.kind != "configured":
            console.print(Text(f"Prefect API: {api.kind} server {url}", style="dim"))
        with api_settings(url) if api.kind != "configured" else nullcontext(), _no_heartbeats():
            try:
                return nightly.run_nightly(
                    api_url=url,
                    run_id=opened.run_id,
                    sources=[str(s) for s in settings.sources],
                    warehouse=str(wh),
                    progress=progress,
                )
            except Exception as exc:
                # the flow's own bookkeeping failed (e.g. the API stopped answering); the
                # warehouse's row says whether the night itself got done
                done = _finished_run(wh, opened.run_id)
                if done is None:
                    raise
                logger.warning("Prefect failed after the run finished: %s: %s", type(exc).__name__, exc)
                err_console.print(
                    Text("warning: ", style="yellow")
                    + Text(f"Prefect's record of this run is incomplete ({type(exc).__name__}: {exc}); ")
                    + Text(f"the warehouse has the whole run (log: {log})")
                )
                return done
            finally:
                if api.kind == "temporary":
                    flush_to_api(timeout=3.0)
                logger.info("flow finished")
    except typer.Exit:
        raise
    except WarehouseUnreadable as exc:  # nothing was written: the run has no row to mark
        logging.getLogger("newsetl").exception("run failed")
        _fail(str(exc), 1, log)
    except BaseException as exc:
        if _SIGNALLED:  # however Prefect wrapped it (KeyboardInterrupt, TerminationSignal)
            name = _SIGNALLED[-1]
            logging.getLogger("newsetl").warning("run interrupted by %s", name)
            if opened is not None and opened.run_id in nightly._OPENED:  # the flow never started
                opened.fail(f"interrupted by {name} before the flow started")
            _fail(f"interrupted by {name}; run again to resume", 143 if name == "SIGTERM" else 130, log)
        logging.getLogger("newsetl").exception("run failed")
        if opened is not None and opened.run_id in nightly._OPENED:  # the flow never started
            opened.fail(f"{type(exc).__name__}: {exc}")
        _fail(f"{type(exc).__name__}: {exc}{_disk_full_hint(exc, wh)}", 1, log)
    finally:
        api.close()
        lock.release()
        logging.getLogger("newsetl").info("done")
        import signal

        for sig, previous in previous_handlers.items():
            signal.signal(sig, previous)
        if handler is not None:
            logging.getLogger().removeHandler(handler)
            handler.close()


_SIGNALLED = stops.SIGNALLED  # the stop signals this process received


def _no_heartbeats():
    """No flow-run heartbeat thread for a run in this process: the CLI itself reports a
    crash (and pipeline_runs records it), and the thread's join costs up to 1 s at exit."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


def _stop_on_sigterm() -> dict:
    """SIGTERM (systemd, `timeout`, kill) and SIGINT (Ctrl-C) stop the run: the batch under
    way is abandoned, the workers and the temporary server end, the row says 'interrupted'
    and the staging copy stays for the next run. A second signal ends the process at once."""
    import signal

    def stop(signum, frame):
        name = signal.Signals(signum).name
        _SIGNALLED.append(name)
        signal.signal(signum, signal.SIG_DFL)
        raise KeyboardInterrupt(name)

    return {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}


def _finished_run(wh: Path, run_id: str) -> dict | None:
    """The run's result as its `pipeline_runs` row records it, once it has finished (else
    None): what `newsetl run` reports when the flow's own ending failed."""
    from warehouse.db import query

    try:
        cols, rows = query(
            wh, "SELECT * FROM pipeline_runs WHERE run_id = ? AND finished_at IS NOT NULL", [run_id]
        )
    except Exception:  # noqa: BLE001  (no readable row: the caller reports the original error)
        return None
    if not rows:
        return None
    row = dict(zip(cols, rows[0], strict=True))
    from dataclasses import fields

    from flows.nightly import RunCounts

    counts = {f.name: row.get(f.name) or 0 for f in fields(RunCounts)}
    stages = row.get("stage_seconds")
    return {
        "run_id": run_id,
        "status": row["status"],
        "warehouse": str(wh),
        "counts": counts,
        "stage_seconds": json.loads(stages) if isinstance(stages, str) else (stages or {}),
        "errors": [row["error"]] if row.get("error") else [],
        "report": None,
    }


class _RunLog(logging.FileHandler):
    """The run log: a full disk (or a folder gone) while it is written, flushed or closed
    is not a traceback after the run's own one-line error."""

    def flush(self) -> None:
        with suppress(OSError):
            super().flush()

    def close(self) -> None:
        with suppress(OSError):
            super().close()

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802  (logging's name)
        pass


def _log_to_file(log: Path, verbose: bool):
    """Everything at INFO and above (Prefect, libraries, tracebacks) into the run log."""
    import logging

    log.parent.mkdir(parents=True, exist_ok=True)
    handler = _RunLog(log, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    logging.getLogger("newsetl").setLevel(logging.INFO)
    if not verbose:  # a log line that cannot reach a dead API is not worth a console line
        logging.raiseExceptions = False
    return handler


def _likely_new_work(settings: Settings, wh) -> bool:
    """Whether this night probably has articles to parse: not when every source is a local
    file or folder and nothing in them changed since the last successful run started. Only
    decides whether to preload the model and Great Expectations; the run itself checks
    every article's content hash."""
    from flows.sources import is_url

    last = wh.last_success_started()
    if last is None:
        return True
    since = last.replace(tzinfo=UTC).timestamp()
    budget = 20_000  # files looked at before assuming there is work
    for src in settings.sources:
        p = Path(str(src))
        if is_url(str(src)) or not p.exists() or p.suffix in (".yaml", ".yml"):
            return True
        try:
            for f in [p] if p.is_file() else p.rglob("*"):
                budget -= 1
                if budget < 0 or _mtime(f) >= since:
                    return True
        except OSError:  # a folder that cannot be listed: the run reports it
            return True
    return False


def _mtime(f: Path) -> float:
    """A file's (or its link target's) modification time; a broken link's own."""
    try:
        return f.stat().st_mtime
    except OSError:
        return f.lstat().st_mtime


def _preload(settings: Settings) -> None:
    """While a temporary Prefect API starts (seconds in which this process would only
    wait): one worker process loads the model, and a thread imports Great Expectations
    (4-8 s) and builds the suites. With a running server the run does this itself, once a
    batch has something to parse."""
    import importlib
    import threading

    from expectations.runner import preload_in_background

    if settings.dedup:  # the duplicate index's MinHash library (numpy, scipy) imports meanwhile
        threading.Thread(target=importlib.import_module, args=("datasketch",), daemon=True).start()
    if not settings.dask_address:
        from flows import pipeline

        pipeline.warm_workers(settings.model, settings.processes, count=1)
    preload_in_background()


def _report(result: dict) -> None:
    c = result["counts"]
    color = "green" if result["status"] == "succeeded" else "red"
    stages = result.get("stage_seconds") or {}
    for name, secs in stages.items():
        console.print(Text(f"  {name:<14}{secs:7.2f} s", style="dim"))
    console.print(
        Text(result["status"], style=color)
        + Text(
            f" run {result['run_id'][:8]} -> {result['warehouse']}: seen {c['articles_seen']}, "
            f"loaded {c['articles_loaded']}, skipped {c['articles_skipped']}, "
            f"quarantined {c['articles_quarantined']} (+{c['rows_quarantined']} rows)"
            + (
                f", outside --since/--until {c['articles_out_of_range']}"
                if c["articles_out_of_range"]
                else ""
            )
        )
    )
    if result.get("report"):
        console.print(Text(f"report: {result['report']}"))
    log = run_log_path(Path(result["warehouse"]))
    for e in result["errors"]:
        err_console.print(Text("error: ", style="red") + Text(e[:300] + ("..." if len(e) > 300 else "")))
    if result["status"] != "succeeded":
        err_console.print(Text(f"details: newsetl runs -w {result['warehouse']}; log: {log}", style="dim"))
        raise typer.Exit(1)


@app.command()
def sql(
    query: str = typer.Argument(..., help="SQL to run (read-only).", metavar="SQL"),
    warehouse: Path = typer.Option(
        None,
        "--warehouse",
        "-w",
        metavar="FILE",
        help="DuckDB file. Default: NEWSETL_WAREHOUSE or data/news.duckdb.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print rows as JSON lines instead of a table."),
) -> None:
    """Run a SQL query against the warehouse (read-only) and print the result."""
    import duckdb

    from warehouse.db import query as run_query

    wh = _warehouse(warehouse)
    try:
        with _reading():
            cols, rows = run_query(wh, query)
    except ValueError as exc:  # no SQL given
        _fail(str(exc), 2)
    except duckdb.Error as exc:
        _fail(f"SQL error: {exc}", 1)
    if as_json:
        for r in rows:
            typer.echo(json.dumps(dict(zip(cols, r, strict=True)), default=str))
    else:
        _print_rows(cols, rows)


@app.command()
def runs(
    warehouse: Path = typer.Option(None, "--warehouse", "-w", metavar="FILE", help="DuckDB file."),
    limit: int = typer.Option(10, "--limit", "-n", metavar="N", help="How many recent runs."),
    as_json: bool = typer.Option(False, "--json", help="Print runs as JSON lines."),
) -> None:
    """List recent pipeline runs with their status and counts."""
    from warehouse.db import query as run_query

    wh = _warehouse(warehouse)
    with _reading():
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
        for r in rows:
            typer.echo(json.dumps(dict(zip(cols, r, strict=True)), default=str))
        return
    # fits 80 columns: short id, minutes, short headers
    shown = [(r[0][:8], r[1], f"{r[2]:%Y-%m-%d %H:%M}" if r[2] else None, *r[3:-1]) for r in rows]
    heads = ["run", "status", "started (UTC)", "secs", "seen", "loaded", "skipped", "quar."]
    _print_rows(heads, shown, title="recent runs", compact=True)
    for r in rows:
        if r[-1]:
            console.print(
                Text(r[0][:8], style="red") + Text(f" {r[1]}: ") + _cell(r[-1][:500]), soft_wrap=True
            )


@app.command()
def sources(
    config: list[str] = typer.Option(
        None,
        "--config",
        "-c",
        metavar="SOURCE",
        help="sources.yaml (or other entries) to list. Default: NEWSETL_SOURCES.",
    ),
    warehouse: Path = typer.Option(
        None, "--warehouse", "-w", metavar="FILE", help="Warehouse whose last run's counts to show."
    ),
    kinds: bool = typer.Option(
        False, "--kinds", help="List the source kinds instead (built-in and plugins)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per source."),
) -> None:
    """List the configured sources with the last run's counts per source."""
    from flows.config import resolve_sources
    from flows.sources import BUILTIN_KINDS, source_kinds

    if kinds:
        _print_rows(
            ["kind", "from"],
            [(k, "built-in" if k in BUILTIN_KINDS else "plugin") for k in sorted(source_kinds())],
        )
        return
    settings = Settings()
    try:
        specs = resolve_sources(config or [str(s) for s in settings.sources])
    except ValueError as exc:
        _fail(str(exc), 2)
    counts: dict = {}
    last = None
    wh = _warehouse(warehouse)
    if wh.exists():
        from warehouse.db import query as run_query

        with _reading():
            _, rows = run_query(
                wh,
                "SELECT run_id, started_at, source_counts FROM pipeline_runs "
                "WHERE source_counts IS NOT NULL ORDER BY started_at DESC LIMIT 1",
            )
        if rows:
            last = rows[0]
            counts = json.loads(rows[0][2]) if isinstance(rows[0][2], str) else (rows[0][2] or {})
    out = []
    for s in specs:
        c = counts.get(s.label, {})
        out.append(
            (
                s.label,
                s.kind or "auto",
                s.location,
                s.schedule or "",
                *(c.get(k, "") for k in ("seen", "loaded", "skipped", "quarantined", "duplicates")),
            )
        )
    cols = ["name", "kind", "location", "schedule", "seen", "loaded", "skipped", "quarantined", "duplicates"]
    if as_json:
        for r in out:
            typer.echo(json.dumps(dict(zip(cols, r, strict=True)) | {"run_id": last[0] if last else None}))
        return
    title = f"sources (counts of run {last[0][:8]}, {last[1]:%Y-%m-%d %H:%M})" if last else "sources"
    # fits 80 columns: the label (its location below it when they differ), short headers
    shown = [
        (
            r[0] if r[0] == r[2] else f"{r[0]}\n  {r[2]}",
            r[1],
            *r[4:],
            *((r[3],) if any(x[3] for x in out) else ()),
        )
        for r in out
    ]
    heads = ["source", "kind", "seen", "loaded", "skipped", "quar.", "dups"]
    if any(x[3] for x in out):
        heads.append("schedule")
    _print_rows(heads, shown, title=title, compact=True, max_width=40)


@app.command()
def report(
    warehouse: Path = typer.Option(
        None, "--warehouse", "-w", metavar="FILE", help="DuckDB file to report on."
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

    wh = _warehouse(warehouse)
    with _reading():
        written = write_report(wh, out)
    console.print(Text(f"wrote {written}"))


@app.command()
def shell(
    warehouse: Path = typer.Option(
        None, "--warehouse", "-w", metavar="FILE", help="DuckDB file to open (read-only)."
    ),
) -> None:
    """Interactive read-only SQL session on the warehouse (statements end with ';', .help)."""
    import sys

    from warehouse.db import Warehouse
    from warehouse.shell import Shell

    wh = _warehouse(warehouse)
    with _reading():
        Warehouse.reader(wh).close()  # missing or unreadable: one line, before any prompt
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
    sh = Shell(wh, lambda cols, rows: _print_rows(cols, rows, max_width=80), console.print)
    try:
        sh.run(typed() if interactive else piped)
    finally:
        sh.close()


@app.command()
def docs(
    warehouse: Path = typer.Option(
        None, "--warehouse", "-w", metavar="FILE", help="DuckDB file to describe."
    ),
    out: Path = typer.Option(
        Path("docs/schema.md"), "--out", "-o", metavar="FILE", help="Markdown file to write."
    ),
) -> None:
    """Write the data dictionary (every table, view and column) from the warehouse's comments."""
    from warehouse.docs import schema_markdown

    wh = _warehouse(warehouse)
    with _reading():
        text = schema_markdown(wh)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    console.print(f"wrote {out}")


@app.command()
def serve(
    cron: str = typer.Option(
        None, "--cron", help="Cron schedule. Default: NEWSETL_SCHEDULE_CRON or '0 2 * * *'.", metavar="CRON"
    ),
    source: list[Path] = typer.Option(
        None, "--source", "-s", metavar="SOURCE", help="Sources the scheduled runs read (repeatable)."
    ),
    warehouse: Path = typer.Option(
        None, "--warehouse", "-w", metavar="FILE", help="Warehouse the scheduled runs write."
    ),
    name: str = typer.Option("nightly", "--name", help="Deployment name.", metavar="NAME"),
) -> None:
    """Serve the nightly flow on its cron schedule until stopped (Prefect `serve`).

    Scheduling needs a real Prefect server: PREFECT_API_URL when set, else a running
    `newsetl server`, else one started here (127.0.0.1:NEWSETL_PREFECT_PORT, database in
    the project's Prefect home) for as long as this command runs."""
    from flows.prefect_api import use_project_home

    use_project_home()
    settings = Settings()  # NEWSETL_DASK_ADDRESS: the scheduled runs parse on Dask
    with _long_lived_api(settings) as url:
        from flows.nightly import flow_for, nightly_deployment_args
        from flows.prefect_api import api_settings

        kwargs = nightly_deployment_args(
            cron=cron or settings.schedule_cron,
            timezone=settings.timezone,
            sources=[str(s) for s in source] if source else None,
            warehouse=str(warehouse) if warehouse else None,
        )
        console.print(
            Text(
                f"serving deployment nightly/{name} on cron {cron or settings.schedule_cron!r} "
                f"({settings.timezone}); Prefect API {url}"
            )
        )
        with api_settings(url):
            flow_for(settings, url).serve(name=name, **kwargs)


@app.command()
def server(
    port: int = typer.Option(
        None, "--port", help="Port on 127.0.0.1. Default: NEWSETL_PREFECT_PORT (4200).", metavar="PORT"
    ),
) -> None:
    """Run a long-lived local Prefect server until stopped.

    It binds 127.0.0.1 and keeps its database in the project's Prefect home; `newsetl run`
    and `newsetl serve` use it, and `prefect deploy` / `prefect worker` reach it with
    PREFECT_API_URL=http://127.0.0.1:PORT/api."""
    from flows.prefect_api import LocalServer, PrefectStartError, prefect_home, use_project_home

    use_project_home()
    settings = Settings()
    srv = LocalServer(temporary=False, port=port or settings.prefect_port, log=prefect_home() / "server.log")
    try:
        srv.start().wait(settings.prefect_startup_timeout)
    except PrefectStartError as exc:
        _fail(f"{exc} (port {srv.port}: NEWSETL_PREFECT_PORT)", 1, srv.log)
    srv.record()
    console.print(Text(f"Prefect server at {srv.api_url} (home {prefect_home()}); stop with Ctrl-C"))
    console.print(Text(f"export PREFECT_API_URL={srv.api_url}", style="bold"))
    try:
        srv.proc.wait()
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
        srv.unrecord()
    if srv.proc.returncode not in (0, -15, None):
        _fail(f"the Prefect server exited with code {srv.proc.returncode}", 1, srv.log)


@contextmanager
def _long_lived_api(settings: Settings):
    """PREFECT_API_URL, a running `newsetl server`, or a server with every service (the
    scheduler included) started for the block."""
    from flows.prefect_api import (
        LocalServer,
        PrefectStartError,
        configured_api_url,
        prefect_home,
        recorded_server,
    )

    url = os.environ.get("PREFECT_API_URL") or configured_api_url() or recorded_server()
    if url:
        yield url
        return
    srv = LocalServer(temporary=False, port=settings.prefect_port, log=prefect_home() / "server.log")
    try:
        url = srv.start().wait(settings.prefect_startup_timeout)
    except PrefectStartError as exc:
        _fail(f"{exc} (port {srv.port}: NEWSETL_PREFECT_PORT)", 1, srv.log)
    srv.record()
    try:
        yield url
    finally:
        srv.stop()
        srv.unrecord()


def main() -> None:
    """The `newsetl` console script. After a command has finished (its warehouse published
    and closed, its output flushed), the process ends at once: finalising the interpreter
    with Prefect, Great Expectations and polars loaded takes another second or more."""
    import logging
    import sys

    try:
        rv = app(standalone_mode=False)  # a command's typer.Exit comes back as its code
        code = rv if isinstance(rv, int) else 0
    except typer.Exit as exc:  # raised by our commands
        code = exc.exit_code
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except click.exceptions.Abort:
        err_console.print("aborted")
        code = 130
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    main()
