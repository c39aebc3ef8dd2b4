"""The single-writer lock of a warehouse: `<file>.lock`, held with flock for the whole run.

Tiny on purpose (no DuckDB, no polars): the CLI takes it before anything slow, so a second
writer is refused at once. The OS releases it when the process dies, SIGKILL included.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another run is writing this warehouse."""


class WarehouseLock:
    """An exclusive, non-blocking lock on `<warehouse>.lock`."""

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path.with_name(self.path.name + ".lock"), "a+")  # noqa: SIM115
        try:
            fcntl.flock(self._fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            self._fh.close()
            raise WarehouseBusy(f"another newsetl run is writing {self.path} (lock held)") from exc
        self.held = True

    def release(self) -> None:
        if self.held:
            fcntl.flock(self._fh, fcntl.LOCK_UN)
            self._fh.close()
            self.held = False
