"""The `newsetl` command: the typer app, its commands in the order `--help` lists them, and
the console script.

- `run`: `newsetl run` (options, checks); `lifecycle`: the locked run to its exit code;
  `preload`: work done while the Prefect API starts; `runlog`: the run log;
- `reading`: the commands that read the warehouse (sql, runs, sources, report, shell, docs);
- `searching`: `newsetl search` (BM25 over article texts and action evidence);
- `serving`: the long-lived ones (serve, server);
- `output`: tables, JSON lines, the one-line error and the run's summary.
"""

from __future__ import annotations

import os

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")

import logging  # noqa: E402
import sys  # noqa: E402

import click  # noqa: E402
import typer  # noqa: E402

from flows.cli import reading, run, searching, serving  # noqa: E402
from flows.cli.output import err_console  # noqa: E402

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="News articles to validated DuckDB tables.",
    rich_markup_mode=None,  # plain help: options and their values, no <bool> boxes
    pretty_exceptions_enable=False,
)
for command in (
    run.run,
    reading.sql,
    searching.search,
    reading.runs,
    reading.sources,
    reading.report,
    reading.shell,
    reading.docs,
    serving.serve,
    serving.server,
):
    app.command()(command)


def main() -> None:
    """The `newsetl` console script. After a command has finished (its warehouse published
    and closed, its output flushed), the process ends at once: finalising the interpreter
    with Prefect, Great Expectations and polars loaded takes another second or more."""
    try:
        rv = app(standalone_mode=False)  # a command's typer.Exit comes back as its code
        code = rv if isinstance(rv, int) else 0
    except typer.Exit as exc:  # raised by our commands
        code = exc.exit_code
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except (typer.Abort, click.exceptions.Abort):
        err_console.print("aborted")
        code = 130
    except (typer.TyperException, click.ClickException) as exc:  # typer ships its own click
        exc.show()
        code = getattr(exc, "exit_code", 1)
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)
