"""`newsetl run`: its options, the checks made before any run starts (each a one-line
error, exit 2), then the locked run and its summary."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import typer

from flows.cli.lifecycle import run_locked
from flows.cli.output import console, fail, print_result
from flows.settings import Settings


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
    warehouse: str = typer.Option(
        None,
        "--warehouse",
        "-w",
        metavar="WAREHOUSE",
        help="DuckDB file, or ducklake:sqlite:PATH / ducklake:postgres:DSN, to write. Default: NEWSETL_WAREHOUSE or data/news.duckdb.",
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
        fail("give --dask or --dask-address, not both", 2)
    from flows.prefect_api import use_project_home

    use_project_home()
    if not verbose:  # Prefect's and the libraries' lines go to the log, not the console
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL", "CRITICAL")
    _check_sources_exist(source or [])
    overrides = {
        "sources": [str(s) for s in source] if source else None,
        "warehouse": str(warehouse) if warehouse else None,
        "since": since.date() if since else None,
        "until": until.date() if until else None,
        "batch_size": batch_size,
        "n_process": n_process,
        "dask_address": "local" if dask else dask_address,
    }
    settings = _settings({k: v for k, v in overrides.items() if v is not None})
    result = run_locked(settings, progress=progress and console.is_terminal, verbose=verbose)
    print_result(result)


def _check_sources_exist(sources: list[str]) -> None:
    """A source given as a path (not KIND:LOCATION, not a URL) must exist."""
    from flows.sources import is_url, source_kinds, split_kind

    kinds = source_kinds()
    for s in sources:
        kind, _ = split_kind(s, kinds)
        if kind is None and not is_url(s) and not Path(s).exists():
            fail(f"source {s} does not exist", 2)


def _settings(overrides: dict) -> Settings:
    """The run's settings: the environment's with the options over them; a bad value or a
    broken sources.yaml is one line, before any run starts."""
    from pydantic import ValidationError

    from flows.config import resolve_sources

    try:
        settings = Settings(**overrides)
        resolve_sources([str(s) for s in settings.sources], settings.schedule)
    except ValidationError as exc:
        err = exc.errors()[0]
        fail(f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}", 2)
    except ValueError as exc:
        fail(str(exc), 2)
    return settings
