"""What the steps of one run share (`RunState`): its settings, warehouse and id, how it
carries out its steps, its counts, stage times, validation summaries, errors, and the
quarantine rows waiting for the next load."""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime

from expectations.datadocs import DataDocs
from expectations.runner import quarantine_row
from flows.accounting import Tally
from flows.executors import Executor
from flows.settings import Settings
from warehouse.db import Warehouse


class RunState:
    def __init__(
        self,
        settings: Settings,
        wh: Warehouse,
        run_id: str,
        executor: Executor,
        progress: Callable[[int], None] = lambda n: None,
    ):
        self.settings = settings
        self.wh = wh
        self.run_id = run_id
        self.executor = executor
        self.progress = progress  # articles done (the progress bar, when the run shows one)
        self.tally = Tally()
        self.stage_seconds: dict[str, float] = {}
        self.validation: dict[str, dict] = {}  # table -> summary of its validation
        self.errors: list[str] = []
        self.quarantine: list[dict] = []  # rows that go with the next load
        self.batch_no = 0  # batches validated
        self.docs = DataDocs(settings.target.sidecar, run_id) if settings.data_docs else None
        self.run_results: dict = {}  # run table -> GX validation result, for Data Docs
        self.web = None  # flows.sources.WebState, for web sources
        self.streaming = False  # the source being read hands items over as they arrive

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        t = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + time.perf_counter() - t

    def reject(
        self, source_path, external_id, stage, reason, raw, into: list | None = None, aid: str | None = None
    ) -> None:
        """Count an article as quarantined; its row goes with the next load (or `into`)."""
        self.tally.count("quarantined", aid=aid)
        (self.quarantine if into is None else into).append(
            quarantine_row(
                self.run_id,
                source_path=source_path,
                external_id=external_id,
                stage=stage,
                reason=reason,
                raw=raw,
                max_raw=self.settings.quarantine_raw_chars,
            )
        )

    def take_quarantine(self) -> list[dict]:
        """The quarantine rows waiting for a load (they are the caller's now)."""
        rows, self.quarantine = self.quarantine, []
        return rows

    def fields(self, status: str, error: str | None) -> dict:
        """The run's pipeline_runs fields as `update_run` writes them at its end."""
        return {
            "source_counts": self.tally.source_counts,
            "status": status,
            "finished_at": datetime.now(UTC).replace(tzinfo=None),
            "error": error,
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "validation": self.validation,
            **asdict(self.tally.counts),
        }
