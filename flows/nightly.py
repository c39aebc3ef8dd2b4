"""The `nightly` Prefect flow: read sources -> clean -> extract -> validate -> load.

`run_nightly` is the one way to run a night (the CLI, tests and benchmarks call it; a
deployment runs the flow `nightly` itself). A run first takes the warehouse's lock and
inserts its `pipeline_runs` row (`open_run`), then reads its sources in bounded batches
(flows.batch), and ends with the row updated, what it loaded published and a markdown
artifact; its status is `failed` when any batch failed as a whole.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows import executors
from flows.accounting import summary_markdown
from flows.config import SourceSpec, resolve_sources
from flows.run import execute
from flows.settings import Settings
from flows.versions import code_version, model_version
from warehouse.db import LakeWarehouse, Warehouse, open_warehouse

# what the CLI, deployments and tests use
__all__ = ["OpenRun", "flow_for", "make_settings", "nightly", "open_run", "run_nightly"]


@dataclass
class OpenRun:
    """A run that holds the warehouse's lock and has its `pipeline_runs` row (status
    'running'), not yet reading: what `newsetl run` sets up before anything slow, so that
    a second writer is refused at once and a run that cannot start still leaves a row."""

    run_id: str
    settings: Settings
    wh: Warehouse | LakeWarehouse
    specs: list[SourceSpec]

    def fail(self, reason: str) -> None:
        """The run ends before its flow started (no Prefect API, ...): record why."""
        _OPENED.pop(self.run_id, None)
        try:
            self.wh.update_run(
                self.run_id,
                status="failed",
                finished_at=datetime.now(UTC).replace(tzinfo=None),
                error=reason[:10_000],
            )
            self.wh.publish()
        finally:
            self.wh.close()


_OPENED: dict[str, OpenRun] = {}  # run_id -> run opened in this process, taken by the flow


def open_run(settings: Settings, *, lock=None, logger=None) -> OpenRun:
    """Take the lock (unless `lock` is the caller's), open the staging copy, mark dead
    runs and insert this run's row."""
    logger = logger or logging.getLogger("newsetl")
    srcs = [str(s) for s in settings.sources]
    specs = resolve_sources(srcs, settings.schedule)  # a broken sources.yaml fails here, clearly
    wh = open_warehouse(settings.target, lock=lock, in_place=settings.warehouse_write == "in_place")
    run_id = str(uuid.uuid4())
    try:
        if wh.resumed:
            logger.warning("resuming from the staging copy a killed run left (its whole batches are kept)")
        killed = wh.mark_dead_runs()
        if killed:
            logger.warning("marked %d earlier run(s) as killed", killed)
        wh.begin_run(
            run_id,
            sources=srcs,
            params=settings.model_dump(mode="json") | {"warehouse": str(settings.target)},
            model_version=model_version(settings.nlp_spec),
            code_version=code_version(),
            since=settings.since,
            until=settings.until,
        )
    except BaseException:
        wh.close()
        raise
    opened = OpenRun(run_id, settings, wh, specs)
    _OPENED[run_id] = opened
    return opened


def _open_here(settings: Settings, logger) -> OpenRun:
    """A run opened for this process's own use (not left for a flow to take)."""
    opened = open_run(settings, logger=logger)
    del _OPENED[opened.run_id]
    return opened


@flow(name="nightly", log_prints=False)
def nightly(
    sources: list[str] | None = None,
    warehouse: str | None = None,
    since: date | None = None,
    until: date | None = None,
    batch_size: int | None = None,
    n_process: int | None = None,
    progress: bool = False,
    dask_address: str | None = None,
    run_id: str | None = None,
) -> dict:
    """Ingest `sources` (files or folders) into the `warehouse` DuckDB file; with
    `since`/`until`, only articles published in that date range (a backfill). With
    `dask_address`, batches are parsed on Dask workers (call through `run_nightly`, which
    gives the flow its DaskTaskRunner). `run_id`: the run `newsetl run` opened in this
    process before the flow started (its lock and `pipeline_runs` row); None: the flow
    opens its own (scheduled and deployed runs)."""
    logger = get_run_logger()
    opened = _OPENED.pop(run_id, None) if run_id else None
    if opened is None:
        settings = make_settings(
            sources=sources,
            warehouse=warehouse,
            since=since,
            until=until,
            batch_size=batch_size,
            n_process=n_process,
            dask_address=dask_address,
        )
        opened = _open_here(settings, logger)
    result = execute(opened, executors.in_flow(opened.settings), logger, progress=progress)
    create_markdown_artifact(
        key="nightly-run-summary",
        markdown=summary_markdown(result),
        description=f"newsetl run {result.run_id}",
    )
    return result.to_dict()


def flow_for(settings: Settings, api_url: str | None = None):
    """The nightly flow with the task runner the settings ask for."""
    if settings.dask_address:
        runner = executors.dask_task_runner(settings.dask_address, settings.dask_workers, api_url)
        return nightly.with_options(task_runner=runner)
    return nightly


def run_nightly(
    api_url: str | None = None,
    *,
    executor: executors.Executor | None = None,
    run_id: str | None = None,
    progress: bool = False,
    **params: object,
) -> dict:
    """Run a night; its result as a dict (flows.accounting.RunResult). `params`: Settings
    fields (None: from the environment); `run_id`: a run `open_run` opened in this process
    (its settings are used). Without `executor`, the Prefect flow `nightly` runs it (the
    flow's parameters only), on Dask when `dask_address` (or NEWSETL_DASK_ADDRESS) is set.
    `api_url`: the Prefect API the caller set up (flows.prefect_api); without one, Dask
    runs start one and share it with the workers (Prefect would otherwise start a
    temporary server in every worker). With `executor` (executors.LOCAL, or a test's),
    the run is carried out in this process without Prefect."""
    opened = _OPENED.get(run_id or "")
    settings = opened.settings if opened else make_settings(**params)
    if executor is not None:
        logger = logging.getLogger("newsetl")
        opened = _OPENED.pop(opened.run_id) if opened else _open_here(settings, logger)
        return execute(opened, executor, logger, progress=progress).to_dict()
    params = {**params, "run_id": run_id, "progress": progress}
    if not settings.dask_address:
        return nightly(**params)
    params["dask_address"] = settings.dask_address
    if api_url:
        return flow_for(settings, api_url)(**params)
    from flows.prefect_api import api_settings, start_api

    api = start_api()
    try:
        url = api.wait(settings.prefect_startup_timeout)
        with api_settings(url):
            return flow_for(settings, url)(**params)
    finally:
        api.close()


def make_settings(**overrides: object) -> Settings:
    """Settings from the environment, overridden by the non-None arguments."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
