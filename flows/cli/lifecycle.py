"""A `newsetl run` from the lock to the exit code: lock the warehouse, take over the stop
signals, start the Prefect API while the run opens its row, run the flow, and end every
way it can end with the run's row marked and one line on the console (exit 1, 2 or 3 for
a failure, 130 for SIGINT, 143 for SIGTERM)."""

from __future__ import annotations

import json
import logging
import signal
from contextlib import nullcontext
from typing import NoReturn

import typer
from rich.text import Text

from flows import stops
from flows.cli.output import console, err_console, fail
from flows.cli.preload import likely_new_work, preload
from flows.cli.runlog import log_to_file, run_log_path, stop_logging_to_file
from flows.settings import Settings

_log = logging.getLogger("newsetl")


def run_locked(settings: Settings, *, progress: bool, verbose: bool) -> dict:
    """Lock the warehouse first (a second writer is refused at once), start the Prefect API
    while the run opens its row, then run the flow. Every way this ends leaves the run's
    row (status failed and the reason) and one line on the console."""
    from warehouse.backend import BadWarehouseSetting
    from warehouse.db import WarehouseBusy, WarehouseUnreadable

    try:
        wh = settings.target
    except BadWarehouseSetting as exc:
        fail(str(exc), 2)
    if wh.catalog != "postgres" and wh.path.is_dir():
        fail(f"warehouse {wh} is a folder, not a {'SQLite catalog' if wh.is_lake else 'DuckDB file'}", 2)
    lock = _lock(wh)
    run = _LockedRun(settings, wh, lock, stop_on_signals())
    try:
        return run.execute(progress=progress, verbose=verbose)
    except typer.Exit:
        raise
    except WarehouseUnreadable as exc:  # nothing was written: the run has no row to mark
        run.unreadable(exc)
    except WarehouseBusy as exc:  # in place, another process has the file: nothing was written
        fail(str(exc), 3, run.log)
    except BaseException as exc:
        run.failed(exc)
    finally:
        run.close()


def _lock(wh):
    """The warehouse's writer lock (none for a PostgreSQL lake: several writers); another
    writer is exit 3, a folder that cannot be made or written exit 2 (the lock file is the
    run's first write)."""
    from warehouse.db import writer_lock
    from warehouse.lock import WarehouseBusy

    try:
        return writer_lock(wh)
    except WarehouseBusy as exc:
        fail(str(exc), 3)
    except OSError as exc:
        fail(f"warehouse {wh} cannot be written: {exc.strerror or exc}", 2)


def stop_on_signals() -> dict:
    """SIGTERM (systemd, `timeout`, kill) and SIGINT (Ctrl-C) stop the run: the batch under
    way is abandoned, the workers and the temporary server end, the row says 'interrupted'
    and the staging copy stays for the next run. A second signal ends the process at once.
    Returns the handlers replaced, for `restore_signals`."""

    def stop(signum, frame):
        name = signal.Signals(signum).name
        stops.SIGNALLED.append(name)
        signal.signal(signum, signal.SIG_DFL)
        raise KeyboardInterrupt(name)

    stop.records_stops = True  # type: ignore[attr-defined]  (flows.stops.keep_recording)

    return {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}


def restore_signals(previous: dict) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def _no_heartbeats():
    """No flow-run heartbeat thread for a run in this process: the CLI itself reports a
    crash (and pipeline_runs records it), and the thread's join costs up to 1 s at exit."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    return temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})


class _LockedRun:
    """One run under the warehouse's lock: its log file, its row, the Prefect API and the
    flow. `execute` is the way through; `unreadable` and `failed` the ways out; `close`
    gives back what the run took."""

    def __init__(self, settings: Settings, wh, lock, previous_signals: dict):
        from flows.prefect_api import start_api

        self.settings, self.wh, self.lock, self.previous_signals = settings, wh, lock, previous_signals
        self.log = run_log_path(wh.sidecar)
        self.api = start_api(log=self.log)
        self.opened = None
        self.handler = None

    def execute(self, *, progress: bool, verbose: bool) -> dict:
        """Open the run's row, preload while the API starts, then run the flow."""
        from flows import nightly
        from flows.prefect_api import api_settings

        self.handler = log_to_file(self.log, verbose)
        self.opened = nightly.open_run(self.settings, lock=self.lock)
        _log.info("run %s opened (lock held, row inserted)", self.opened.run_id)
        if likely_new_work(self.settings, self.opened.wh):
            preload(self.settings)
        url = self._wait_for_api()
        if self.api.kind != "configured":
            console.print(Text(f"Prefect API: {self.api.kind} server {url}", style="dim"))
        with api_settings(url) if self.api.kind != "configured" else nullcontext(), _no_heartbeats():
            return self._flow(nightly, url, progress)

    def _wait_for_api(self) -> str:
        """The API's URL once it answers; a server that does not start fails the run (exit 1)."""
        from flows.prefect_api import PrefectStartError

        try:
            url = self.api.wait(self.settings.prefect_startup_timeout)
        except PrefectStartError as exc:
            _log.error("run %s: %s", self.opened.run_id, exc)
            self.opened.fail(str(exc))
            fail(str(exc), 1, self.log)
        _log.info("Prefect API (%s) answers at %s", self.api.kind, url)
        return url

    def _flow(self, nightly, url: str, progress: bool) -> dict:
        """The flow's result; when the flow's own bookkeeping failed (e.g. the API stopped
        answering), the warehouse's row says whether the night itself got done."""
        from flows.prefect_api import flush_to_api

        try:
            return nightly.run_nightly(
                api_url=url,
                run_id=self.opened.run_id,
                sources=[str(s) for s in self.settings.sources],
                warehouse=str(self.wh),
                progress=progress,
            )
        except Exception as exc:
            done = finished_run(self.wh, self.opened.run_id)
            if done is None:
                raise
            _log.warning("Prefect failed after the run finished: %s: %s", type(exc).__name__, exc)
            err_console.print(
                Text("warning: ", style="yellow")
                + Text(f"Prefect's record of this run is incomplete ({type(exc).__name__}: {exc}); ")
                + Text(f"the warehouse has the whole run (log: {self.log})")
            )
            return done
        finally:
            if self.api.kind == "temporary":
                flush_to_api(timeout=3.0)
            _log.info("flow finished")

    def unreadable(self, exc: Exception) -> NoReturn:
        """The warehouse cannot be opened: nothing was written, exit 1."""
        _log.exception("run failed")
        fail(str(exc), 1, self.log)

    def failed(self, exc: BaseException) -> NoReturn:
        """A stop signal (however Prefect wrapped it: KeyboardInterrupt, TerminationSignal)
        is exit 130 or 143; any other error exit 1, with what a full disk left behind."""
        name = stops.requested()
        if name:
            _log.warning("run interrupted by %s", name)
            self._mark_unstarted(f"interrupted by {name} before the flow started")
            fail(f"interrupted by {name}; run again to resume", 143 if name == "SIGTERM" else 130, self.log)
        _log.exception("run failed")
        self._mark_unstarted(f"{type(exc).__name__}: {exc}")
        fail(f"{type(exc).__name__}: {exc}{disk_full_hint(exc, self.wh)}", 1, self.log)

    def _mark_unstarted(self, reason: str) -> None:
        """The row of a run whose flow never started says why (a started flow marks its own)."""
        if self.opened is None:
            return
        from flows import nightly

        if self.opened.run_id in nightly._OPENED:
            self.opened.fail(reason)

    def close(self) -> None:
        """Stop the API, release the lock, give the signals back, close the log."""
        self.api.close()
        if self.lock is not None:
            self.lock.release()
        _log.info("done")
        restore_signals(self.previous_signals)
        stop_logging_to_file(self.handler)


def disk_full_hint(exc: BaseException, wh) -> str:
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


def finished_run(wh, run_id: str) -> dict | None:
    """The run's result as its `pipeline_runs` row records it, once it has finished (else
    None): what `newsetl run` reports when the flow's own ending failed."""
    from dataclasses import fields

    from flows.accounting import RunCounts
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
