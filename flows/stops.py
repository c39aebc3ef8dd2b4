"""The stop signals this process has received (SIGTERM, SIGINT), recorded by the handler
`newsetl run` installs. A signal can surface as another error: DuckDB turns the
KeyboardInterrupt raised inside a query into `RuntimeError: Query interrupted`. Code that
catches errors asks `requested()` first, so a stop is never recorded as a failure."""

from __future__ import annotations

SIGNALLED: list[str] = []


def requested() -> str | None:
    """The name of the last stop signal received, if any."""
    return SIGNALLED[-1] if SIGNALLED else None
