"""The run log beside the warehouse: everything a run logs at INFO and above (Prefect, the
libraries, tracebacks), written so that a full disk is never a second traceback."""

from __future__ import annotations

import logging
from contextlib import suppress
from pathlib import Path


def run_log_path(warehouse: Path) -> Path:
    """The run log beside the warehouse: data/news.duckdb -> data/news.log."""
    return warehouse.with_name(warehouse.stem + ".log")


class RunLog(logging.FileHandler):
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


def log_to_file(log: Path, verbose: bool) -> RunLog:
    """Everything at INFO and above (Prefect, libraries, tracebacks) into the run log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    handler = RunLog(log, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    logging.getLogger("newsetl").setLevel(logging.INFO)
    if not verbose:  # a log line that cannot reach a dead API is not worth a console line
        logging.raiseExceptions = False
    return handler


def stop_logging_to_file(handler: RunLog | None) -> None:
    """Take the run log's handler off the root logger and close the file."""
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()
