"""Validation's entry points: a batch's frames before loading (`validate_frames`), and the
run tables once per run (`validate_run_table`).

The Great Expectations suites (one per table) are kept as JSON data in `suites/`
(expectations/catalog.py). Cross-row checks are computed as helper columns (`_name`)
first (expectations/helpers.py), then asserted by ordinary expectations, so every rule
lives in a suite file. A failed expectation that names rows rejects those rows (the rest
of the batch loads); one that names no rows (a table-level expectation) fails the whole
batch. The run tables (pipeline_runs, quarantine, fetch_state, companies) are validated at
the run's end, by Great Expectations or, when it is not loaded yet, by the built-in
evaluator of the same expectation types (expectations/builtin.py); docs/validation.md.

The modules: catalog (the suites as data), gx (Great Expectations and `validate_table`),
helpers (helper columns), builtin, run_tables, quarantine (a quarantine row), and this
one, which the flows import them through (`__all__`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import polars as pl

from expectations.catalog import BATCH_TABLES, RUN_TABLES, SUITES_DIR, load_suite, suite_columns, suite_names
from expectations.gx import TableResult, preload_in_background, validate_table
from expectations.helpers import (
    prepare_actions,
    prepare_amounts,
    prepare_articles,
    prepare_entities,
    prepare_main_events,
    prepare_mentions,
    prepare_quotes,
)
from expectations.quarantine import quarantine_row
from expectations.run_tables import validate_run_table

if TYPE_CHECKING:
    from transforms.extract import Frames

__all__ = [
    "BATCH_TABLES",
    "RUN_TABLES",
    "SUITES_DIR",
    "BatchValidation",
    "load_suite",
    "preload_in_background",
    "quarantine_row",
    "suite_columns",
    "suite_names",
    "validate_frames",
    "validate_run_table",
    "validate_table",
]


@dataclass
class BatchValidation:
    """Frames that passed, what was rejected, and the per-table summary."""

    articles: pl.DataFrame
    entities: pl.DataFrame
    entity_mentions: pl.DataFrame
    actions: pl.DataFrame
    quotes: pl.DataFrame
    action_amounts: pl.DataFrame
    main_events: pl.DataFrame
    rejected_article_ids: set[str]
    quarantine: list[dict[str, Any]]
    summary: dict[str, dict[str, Any]]
    batch_failures: list[str]
    results: dict[str, Any] = field(default_factory=dict)  # table -> GX validation result

    @property
    def ok(self) -> bool:
        return not self.batch_failures


def _row_json(frame: pl.DataFrame, i: int) -> str:
    row = frame.row(i, named=True)
    return json.dumps(
        {k: v for k, v in row.items() if not k.startswith("_")}, default=str, ensure_ascii=False
    )


@dataclass
class _Findings:
    """What validating a batch found so far: summaries, GX results, failures, rejections."""

    run_id: str
    max_raw: int
    origin: dict[str, tuple[str | None, str | None]]  # article_id -> (source_path, external_id)
    summary: dict[str, dict[str, Any]] = field(default_factory=dict)
    results: dict[str, Any] = field(default_factory=dict)
    batch_failures: list[str] = field(default_factory=list)
    quarantine: list[dict[str, Any]] = field(default_factory=list)

    def record(self, res: TableResult) -> None:
        self.summary[res.table] = res.summary()
        self.results[res.table] = res.ge_result
        self.batch_failures += [f"{res.table}: {b}" for b in res.batch_failures]

    def reject(self, table: str, prepared: pl.DataFrame, i: int, reasons: list[str]) -> None:
        """Quarantine row `i` of `prepared` (its article's source path and id)."""
        src, ext = self.origin.get(prepared["article_id"][i], (None, None))
        self.quarantine.append(
            quarantine_row(
                self.run_id,
                source_path=src,
                external_id=ext,
                stage=f"validate:{table}",
                reason="; ".join(reasons),
                raw=_row_json(prepared, i),
                max_raw=self.max_raw,
            )
        )


def _check_articles(articles: pl.DataFrame, found: _Findings) -> set[str]:
    """Validate the articles; quarantine the failing ones, whose ids are returned."""
    res = validate_table("articles", prepare_articles(articles))
    found.record(res)
    for i, reasons in res.row_reasons.items():
        found.reject("articles", articles, i, reasons)
    return {articles["article_id"][i] for i in res.row_reasons}


def _check_rows(
    table: str, frame: pl.DataFrame, prepare: Callable[[pl.DataFrame], pl.DataFrame], found: _Findings
) -> pl.DataFrame:
    """Validate a table's rows (with their helper columns); quarantine and drop those that fail."""
    prepared = prepare(frame)
    res = validate_table(table, prepared)
    found.record(res)
    bad = sorted(res.row_reasons)
    for i in bad:
        found.reject(table, prepared, i, res.row_reasons[i])
    if not bad:
        return frame
    return frame.with_row_index("_row").filter(~pl.col("_row").is_in(bad)).drop("_row")


def validate_frames(frames: Frames, run_id: str, *, max_raw: int = 20_000) -> BatchValidation:
    """Validate a batch's `Frames` table by table; drop and quarantine failing rows.

    Articles go first: a rejected article takes its extracted rows with it (one
    quarantine row for the article). Then entities, mentions, actions and quotes are
    checked against the surviving articles, and amounts against the surviving actions;
    their failing rows are quarantined one by one.
    """
    articles = frames.articles.with_row_index("_row")
    origin = {
        r["article_id"]: (r["source_path"], r["external_id"])
        for r in articles.select("article_id", "source_path", "external_id").to_dicts()
    }
    found = _Findings(run_id, max_raw, origin)
    rejected = _check_articles(articles, found)
    kept = articles.filter(~pl.col("article_id").is_in(list(rejected))).drop("_row")

    def of_kept(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(~pl.col("article_id").is_in(list(rejected))) if rejected else frame

    entities = of_kept(frames.entities)
    prepare: dict[str, Callable[[pl.DataFrame], pl.DataFrame]] = {
        "entities": lambda f: prepare_entities(f, kept),
        "entity_mentions": lambda f: prepare_mentions(f, kept, entities),
        "actions": lambda f: prepare_actions(f, kept, entities),
        "quotes": lambda f: prepare_quotes(f, kept, entities),
    }
    out = {
        table: _check_rows(table, of_kept(getattr(frames, table)), p, found) for table, p in prepare.items()
    }
    # an amount's action must have passed the actions suite
    out["action_amounts"] = _check_rows(
        "action_amounts",
        of_kept(frames.action_amounts),
        lambda f: prepare_amounts(f, kept, out["actions"]),
        found,
    )
    out["main_events"] = _check_rows(
        "main_events",
        of_kept(frames.main_events),
        lambda f: prepare_main_events(f, kept, out["actions"]),
        found,
    )
    return BatchValidation(
        articles=kept,
        entities=out["entities"],
        entity_mentions=out["entity_mentions"],
        actions=out["actions"],
        quotes=out["quotes"],
        action_amounts=out["action_amounts"],
        main_events=out["main_events"],
        rejected_article_ids=rejected,
        quarantine=found.quarantine,
        summary=found.summary,
        batch_failures=found.batch_failures,
        results=found.results,
    )
