"""One run from its open `pipeline_runs` row to its recorded end (`execute`): read every
source in batches, then, whatever ended it, check the run tables, record the row and
publish what it loaded (an interrupted run keeps its staging copy, which the next run
resumes from)."""

import signal
from contextlib import nullcontext

from prefect.exceptions import TerminationSignal

from flows import stops, workers
from flows.accounting import RunResult
from flows.batch import Batches
from flows.executors import Executor
from flows.progress import progress_bar
from flows.reading import read_source, web_state
from flows.state import RunState
from flows.validation import check_run_tables
from warehouse.report import write_report


def execute(opened, executor: Executor, logger, *, progress: bool = False) -> RunResult:
    """Run `opened` (flows.nightly.OpenRun: lock held, row inserted) with `executor`."""
    stops.keep_recording()
    state = RunState(opened.settings, opened.wh, opened.run_id, executor)
    state.stage_seconds["staging"] = opened.wh.staging_seconds  # the copy of the published file
    batches = Batches(state)
    status, error = "succeeded", None
    try:
        _read_all(batches, opened.specs, progress)
        state.errors += state.tally.unreconciled()
        if state.errors:
            status, error = "failed", "; ".join(state.errors)[:10_000]
    except (KeyboardInterrupt, TerminationSignal) as exc:  # SIGINT / SIGTERM (Prefect: TerminationSignal)
        status, error = "interrupted", _stopped_by(_signal_name(exc))
        batches.abandon()
        raise
    except BaseException as exc:  # recorded, then re-raised: the run must show as failed
        if (name := stops.requested()) is not None:  # a stop that surfaced as another error
            status, error = "interrupted", _stopped_by(name)
            batches.abandon()
            raise KeyboardInterrupt(name) from exc
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        batches.abandon()
        raise
    finally:
        status, error = _end(state, status, error, logger)
    if status == "interrupted":  # the stop came while the run was ending: nothing published
        raise KeyboardInterrupt(stops.requested() or "SIGINT")
    return _result(state, status, logger)


def _read_all(batches: Batches, specs: list, progress: bool) -> None:
    """Every source's items through the batches, then the last batches."""
    state = batches.state
    state.web = web_state(state.settings, state.wh)
    bar = progress_bar(specs, state.web) if progress else None
    if bar:
        state.progress = lambda n: bar[0].advance(bar[1], n)
        workers.on_parsed(state.progress)  # articles parsed, as each piece finishes
    with bar[0] if bar else nullcontext():
        for spec in specs:
            read_source(batches, spec)
        batches.flush()
        batches.drain()


def _stopped_by(name: str) -> str:
    return f"stopped by {name}; the next run resumes from its staging copy"


def _signal_name(exc: BaseException) -> str:
    """SIGINT or SIGTERM, from Ctrl-C's KeyboardInterrupt, newsetl run's KeyboardInterrupt
    ("SIGTERM") or Prefect's TerminationSignal."""
    if isinstance(exc, TerminationSignal):
        return signal.Signals(exc.signal).name
    return str(exc) if str(exc).startswith("SIG") else "SIGINT"


def _end(state: RunState, status: str, error: str | None, logger) -> tuple[str, str | None]:
    """Check the run tables, build Data Docs, save the fetch state, then record the run's
    row and publish, whatever fails on the way. Gives the final (status, error)."""
    try:
        status, error = _check(state, status, error, logger)
        status, error = _unless_stopped(status, error)
        if state.docs is not None and state.batch_no:
            with state.timed("data_docs"):
                state.docs.add("run", state.run_results)
                state.validation["data_docs"] = state.docs.build()
        if status == "succeeded" and state.web is not None:  # else the next run fetches again
            state.wh.save_fetch_state(state.run_id, state.web.fetched)
    except BaseException as late:
        status, error = _unless_stopped(status, error)
        if status == "succeeded":
            # Data Docs or the fetch state failed after loading (a full disk, ...): the
            # row says so, and what was loaded is still recorded and published
            status, error = "failed", f"after loading: {type(late).__name__}: {late}"[:10_000]
        raise
    finally:
        try:
            _record(state, status, error)
            if status != "interrupted":
                status, error = _publish(state, status, error, logger)
        finally:
            state.wh.close()
    return status, error


def _unless_stopped(status: str, error: str | None) -> tuple[str, str | None]:
    """A stop signal received while the run was checking its tables surfaces there as
    another error (DuckDB's "Query interrupted", a failed expectation on a row cut short):
    the run is interrupted, not failed, and resumes next time."""
    if status != "interrupted" and (name := stops.requested()) is not None:
        return "interrupted", _stopped_by(name)
    return status, error


def _check(state: RunState, status: str, error: str | None, logger) -> tuple[str, str | None]:
    """The run tables (its own row, its quarantine rows, the fetch state it saves,
    companies): a failing expectation fails the run, naming it."""
    failures = check_run_tables(state, status, error)
    if failures:
        for line in failures:
            logger.error("run %s: validation failed: %s", state.run_id, line)
        state.errors += failures
        status = "failed" if status == "succeeded" else status
        error = "; ".join(e for e in (error, *failures) if e)[:10_000]
    return status, error


def _record(state: RunState, status: str, error: str | None) -> None:
    """Close the HTTP client, write the run's row, stop the workers."""
    try:
        if state.web is not None:
            state.web.fetcher.close()
        state.wh.update_run(state.run_id, **state.fields(status, error))
        if status != "succeeded":
            _count_committed(state)
    finally:
        workers.shutdown_workers()
        workers.on_parsed(None)


def _count_committed(state: RunState) -> None:
    """After the row is written: it counts what the warehouse holds from the run (a stop
    between a batch's commit and its count). Never in the way of the row itself."""
    try:
        state.wh.count_committed(state.run_id)
    except Exception:  # noqa: BLE001  (an interrupted connection: the row keeps the tally's counts)
        return


def _publish(state: RunState, status: str, error: str | None, logger) -> tuple[str, str | None]:
    """Whole batches and the run record become visible together (a failed run publishes
    what it loaded, with status 'failed')."""
    wh = state.wh
    try:
        with state.timed("publish"):
            wh.publish()
    except Exception as exc:
        if wh.published:
            raise
        # not published: the run failed, and its row in the staging copy (kept, the next
        # run resumes from it and publishes it) says why
        note = f"not published ({type(exc).__name__}: {exc}); the next run publishes it"
        status, error = "failed", "; ".join(e for e in (error, note) if e)[:10_000]
        state.errors.append(note)
        logger.error("run %s %s", state.run_id, note)
        wh.mark_unpublished(state.run_id, error)
    return status, error


def _result(state: RunState, status: str, logger) -> RunResult:
    """The run's result, with the HTML report (a report not written is a warning)."""
    wh = state.settings.target
    c = state.tally.counts
    result = RunResult(state.run_id, status, str(wh), c, state.stage_seconds, state.validation, state.errors)
    if state.settings.report:
        try:
            with state.timed("report"):
                result.report = str(write_report(wh))
        except Exception as exc:  # the data is loaded and published; say so, don't fail the run
            logger.warning("report not written: %s: %s", type(exc).__name__, exc)
    logger.info(
        "run %s %s: seen %d, loaded %d, skipped %d, quarantined %d",
        state.run_id,
        status,
        c.articles_seen,
        c.articles_loaded,
        c.articles_skipped,
        c.articles_quarantined,
    )
    return result
