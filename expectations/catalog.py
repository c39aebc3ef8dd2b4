"""The suites as data: one JSON file per table in `suites/`, which tables are validated per
batch and which once per run, the parameters suites refer to, and the columns a suite reads."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

SUITES_DIR = Path(__file__).parent / "suites"
# validated per batch, in this order (an amount's action must have passed first)
BATCH_TABLES = (
    "articles",
    "entities",
    "entity_mentions",
    "actions",
    "quotes",
    "action_amounts",
    "main_events",
)
# validated once per run (the search index and the duplicate bands: the rows of the run's articles)
RUN_TABLES = (
    "pipeline_runs",
    "quarantine",
    "fetch_state",
    "companies",
    "search_words",
    "search_docs",
    "search_terms",
    "article_bands",
)
# the column that names a row of each run table in a failure message
RUN_TABLE_KEYS = {
    "pipeline_runs": "run_id",
    "quarantine": "quarantine_id",
    "fetch_state": "url",
    "companies": "ticker",
    "search_words": "word",
    "search_docs": "doc_id",
    "search_terms": "term",
    "article_bands": "article_id",
}


def suite_path(table: str) -> Path:
    return SUITES_DIR / f"{table}.json"


def suite_names() -> list[str]:
    """Every suite that exists (the tables of `suites/*.json`): a run validates them all."""
    return sorted(p.stem for p in SUITES_DIR.glob("*.json"))


@cache
def load_suite(table: str) -> dict[str, Any]:
    """The suite for `table` as data (raises FileNotFoundError if the table has none)."""
    suite: dict[str, Any] = json.loads(suite_path(table).read_text(encoding="utf-8"))
    return suite


def suite_parameters() -> dict[str, Any]:
    """Values suites refer to as {"$PARAMETER": name}: kept where they are defined."""
    from transforms.action_types import taxonomy

    return {"action_types": sorted(taxonomy())}


def suite_columns(suite: dict[str, Any]) -> list[str]:
    cols: list[str] = []
    for e in suite["expectations"]:
        kw = e["kwargs"]
        for k in ("column", "column_A", "column_B"):
            if k in kw:
                cols.append(kw[k])
        cols.extend(kw.get("column_list", []))
    return list(dict.fromkeys(cols))
