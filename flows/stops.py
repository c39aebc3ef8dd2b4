"""The stop signals this process has received (SIGTERM, SIGINT), recorded by the handler
`newsetl run` installs. A signal can surface as another error: DuckDB turns the
KeyboardInterrupt raised inside a query into `RuntimeError: Query interrupted`. Code that
catches errors asks `requested()` first, so a stop is never recorded as a failure."""

from __future__ import annotations

import signal
import threading

SIGNALLED: list[str] = []


def requested() -> str | None:
    """The name of the last stop signal received, if any."""
    return SIGNALLED[-1] if SIGNALLED else None


def keep_recording() -> None:
    """Inside a Prefect flow run, Prefect's SIGTERM bridge replaces the handler `newsetl run`
    installed: wrap it so that a SIGTERM is still recorded before Prefect raises its
    TerminationSignal (which DuckDB, mid-query, turns into "Query interrupted"). A no-op off
    the main thread or when the handler already records."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = signal.getsignal(signal.SIGTERM)
    if getattr(previous, "records_stops", False) or not callable(previous):
        return

    def record(signum, frame):
        SIGNALLED.append(signal.Signals(signum).name)
        return previous(signum, frame)

    record.records_stops = True  # type: ignore[attr-defined]
    signal.signal(signal.SIGTERM, record)
