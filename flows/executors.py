"""How a run carries out its steps, behind one interface (`Executor`): as plain
functions in this process (`LOCAL`: tests, benchmarks), as Prefect tasks on the flow's
task runner (`PREFECT`), or with extraction split over Dask workers (`DASK`, with
`dask_task_runner`). Extraction is submitted (`Pending`), so a run validates and loads
one batch while the next one parses."""

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from flows import tasks, workers
from flows.settings import Settings


class Pending:
    """Extraction of one batch under way: `result()` waits and gives its frames (the pieces'
    merged in order when the batch was split over Dask workers)."""

    def __init__(self, futures: list):
        self.futures = futures

    def result(self) -> workers.Extracted:
        return workers.merged(f.result() for f in self.futures)

    def done(self) -> bool:
        """Has every piece finished (so `result()` will not wait)?"""
        return all(getattr(f, "wrapped_future", f).done() for f in self.futures)

    def cancel(self) -> None:
        """Cancel what has not started: a thread's future, or the one a Prefect future
        wraps (Prefect's futures have no `cancel`)."""
        for f in self.futures:
            cancel = getattr(getattr(f, "wrapped_future", f), "cancel", None)
            if cancel is not None:
                cancel()


@dataclass(frozen=True)
class Executor:
    """The callables a run uses for each step. `reports_parsed`: the extraction reports
    articles as their pieces finish (flows.workers.on_parsed); else a batch's articles
    count as parsed when its frames come back (Dask workers, a test's extractor)."""

    list_chunks: Callable
    read_chunk: Callable
    clean: Callable
    submit_extract: Callable[[list, Settings], Pending]
    validate: Callable
    load: Callable
    reports_parsed: bool = True


_THREAD: ThreadPoolExecutor | None = None


def _submit_thread(articles: list, settings: Settings) -> Pending:
    """One background thread waits on the worker processes (flows.workers)."""
    global _THREAD
    if _THREAD is None:
        _THREAD = ThreadPoolExecutor(1, thread_name_prefix="newsetl-extract")
    return Pending([_THREAD.submit(tasks.extract_batch.fn, articles, settings)])


def _submit_task(articles: list, settings: Settings) -> Pending:
    """One task on the flow's task runner, using the local worker processes."""
    return Pending([tasks.extract_batch.submit(articles, settings)])


def _submit_pieces(articles: list, settings: Settings) -> Pending:
    """One task per piece, so that the Dask cluster's workers share the batch."""
    return Pending(
        [
            tasks.extract_batch.submit(c, settings, 1)
            for c in workers.chunked(articles, 1, settings.nlp_batch_size)
        ]
    )


LOCAL = Executor(
    tasks.list_chunks.fn,
    tasks.read_chunk.fn,
    tasks.clean_batch.fn,
    _submit_thread,
    tasks.validate_batch.fn,
    tasks.load_batch.fn,
)
PREFECT = Executor(
    tasks.list_chunks,
    tasks.read_chunk,
    tasks.clean_batch,
    _submit_task,
    tasks.validate_batch,
    tasks.load_batch,
)
DASK = Executor(
    tasks.list_chunks,
    tasks.read_chunk,
    tasks.clean_batch,
    _submit_pieces,
    tasks.validate_batch,
    tasks.load_batch,
    reports_parsed=False,
)


def in_flow(settings: Settings) -> Executor:
    """The executor of the nightly flow: Prefect tasks, extraction on Dask when asked."""
    return DASK if settings.dask_address else PREFECT


def dask_task_runner(address: str, workers: int = 0, api_url: str | None = None):
    """Prefect's DaskTaskRunner for an existing scheduler (`tcp://host:8786`) or, for
    'local', a LocalCluster of worker processes bound to 127.0.0.1 (no dashboard) that
    report task states to `api_url` (the run's Prefect API)."""
    from prefect_dask import DaskTaskRunner

    if address == "local":
        n = workers or max(1, len(os.sched_getaffinity(0)))
        env = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        if api_url:
            env["PREFECT_API_URL"] = api_url
        return DaskTaskRunner(
            cluster_class="distributed.LocalCluster",
            cluster_kwargs={
                "n_workers": n,
                "threads_per_worker": 1,
                "processes": True,
                "host": "127.0.0.1",
                "dashboard_address": None,
                "env": env,
            },
        )
    return DaskTaskRunner(address=address)
