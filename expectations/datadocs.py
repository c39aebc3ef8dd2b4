"""Great Expectations Data Docs for each run, beside the warehouse.

Every batch's validation results are stored in a file-backed GX context at
`<warehouse>.gx/` (run name = the pipeline run id, one result per table and batch; the run
tables' results, validated once at the run's end, as batch `run`) and the static Data Docs
site is rebuilt at the end of the run:
`<warehouse>.gx/gx/uncommitted/data_docs/local_site/index.html`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from expectations.catalog import load_suite
from expectations.gx import gx_suite

log = logging.getLogger(__name__)


class DataDocs:
    def __init__(self, warehouse: str | Path, run_id: str):
        self.root = Path(str(warehouse) + ".gx")
        self.run_id = run_id
        self._ctx: Any = None  # created on first use: a run with nothing to validate never imports GX
        self._suites: set[str] = set()

    @property
    def ctx(self) -> Any:
        if self._ctx is None:
            import great_expectations as gx

            self._ctx = gx.get_context(mode="file", project_root_dir=str(self.root))
        return self._ctx

    def add(self, batch_no: int | str, results: dict[str, Any]) -> None:
        """Store one batch's validation results (table -> GX validation result); `batch_no`
        a batch's number, or a name (`run`: the run tables, validated once at its end)."""
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        run = RunIdentifier(run_name=self.run_id)
        for table, result in results.items():
            if result is None:
                continue
            name = load_suite(table)["name"]
            if name not in self._suites:
                self.ctx.suites.add_or_update(gx_suite(table))
                self._suites.add(name)
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=name),
                run_id=run,
                batch_identifier=batch_no if isinstance(batch_no, str) else f"batch-{batch_no:05d}",
            )
            self.ctx.validation_results_store.set(key, result)

    def build(self) -> str:
        """Rebuild the static site; returns the path of its index page."""
        sites = self.ctx.build_data_docs()
        url: str = next(iter(sites.values()))
        return url.removeprefix("file://")
