"""The run tables: the run log, what was rejected, reference data and fetch state. Each
column is declared once here, with its meaning (transforms/registry/columns.py).

`counter=True` marks pipeline_runs' counts: a run starts them at 0, and its counts
(flows) have one field each (warehouse.schema.run_counters).
"""

from __future__ import annotations

from transforms.registry.columns import Column as C
from transforms.registry.columns import Table

PIPELINE_RUNS = Table(
    "pipeline_runs",
    "one row per pipeline run.",
    "The run log: what each run read, loaded, skipped and quarantined, and how it ended. "
    "articles_seen = articles_loaded + articles_skipped + articles_quarantined.",
    (
        C("run_id", "VARCHAR", "Run id (UUID).", "PRIMARY KEY"),
        C("started_at", "TIMESTAMP", "Start time (UTC).", "NOT NULL"),
        C("finished_at", "TIMESTAMP", "End time (UTC); NULL while running or when the process died."),
        C(
            "status",
            "VARCHAR",
            "running, succeeded, failed, interrupted (SIGINT or SIGTERM; its staging copy is resumed), "
            "or killed (a run found dead by a later run).",
            "NOT NULL",
        ),
        C("articles_seen", "INTEGER", "Input records and unreadable inputs seen.", "NOT NULL", counter=True),
        C("articles_loaded", "INTEGER", "Articles new or changed and loaded.", "NOT NULL", counter=True),
        C(
            "articles_skipped",
            "INTEGER",
            "Articles unchanged since they were loaded (same content hash): not re-processed.",
            "NOT NULL",
            counter=True,
        ),
        C(
            "articles_quarantined",
            "INTEGER",
            "Inputs rejected whole (see quarantine).",
            "NOT NULL",
            counter=True,
        ),
        C(
            "rows_quarantined",
            "INTEGER",
            "Extracted rows (mentions, actions, ...) rejected by validation while their article loaded.",
            "NOT NULL",
            counter=True,
        ),
        C("batches", "INTEGER", "Batches loaded.", "NOT NULL", counter=True),
        C(
            "articles_out_of_range",
            "INTEGER",
            "Records outside the run's --since/--until window (not counted in articles_seen).",
            counter=True,
        ),
        C("since", "DATE", "Start of the run's backfill window (published_at), if any."),
        C("until", "DATE", "End of the run's backfill window (published_at), if any."),
        C("sources", "VARCHAR[]", "Sources the run read."),
        C("params", "JSON", "The run's settings."),
        C("stage_seconds", "JSON", "Wall time per stage: read, clean, parse, extract, validate, load."),
        C(
            "validation",
            "JSON",
            "Validation summary per table: expectations evaluated and failed, rows rejected.",
        ),
        C(
            "model_version",
            "VARCHAR",
            "spaCy model package and version; `+ ner <sha256 prefix>` when the recogniser has newsetl's "
            "weights (transforms/model/ner); `+ kinds <sha256 prefix>` for the entity-kind classifier "
            "(transforms/model/entity_kinds); `+ extractors ...` for installed extractors.",
        ),
        C("code_version", "VARCHAR", "newsetl version (and git commit when available)."),
        C("pid", "INTEGER", "Process id of the run, to detect runs that died."),
        C("error", "VARCHAR", "Why the run failed, when it did."),
        C(
            "articles_duplicate",
            "INTEGER",
            "Of the loaded articles, how many copy an earlier story (stored with duplicate_of, not extracted).",
            counter=True,
        ),
        C(
            "source_counts",
            "JSON",
            "Per source (name or location): {seen, loaded, skipped, quarantined, duplicates} articles.",
        ),
    ),
)

QUARANTINE = Table(
    "quarantine",
    "one row per rejected input or rejected extracted row.",
    "Everything that could not be loaded, with the stage and a readable reason.",
    (
        C("quarantine_id", "VARCHAR", "Id of this quarantine row.", "PRIMARY KEY"),
        C("run_id", "VARCHAR", "Run that rejected it.", "NOT NULL"),
        C("source_path", "VARCHAR", "File (or source) the input came from."),
        C("external_id", "VARCHAR", "The input record's id, when known."),
        C(
            "stage",
            "VARCHAR",
            "Where it was rejected: read, fetch, parse, clean, extract, validate:<table>, load.",
            "NOT NULL",
        ),
        C("reason", "VARCHAR", "Why, in words (for validation: the failed expectation).", "NOT NULL"),
        C("raw", "VARCHAR", "The rejected input or row (truncated for very large inputs)."),
        C("created_at", "TIMESTAMP", "When it was rejected (UTC).", "NOT NULL"),
        C(
            "quarantine_key",
            "VARCHAR",
            "What was rejected, across runs: sha256 of source_path, external_id, stage and the "
            "sha256 of raw. A re-run over the same input adds no row with a key an earlier run stored "
            "(run_id and created_at are the first run's).",
        ),
    ),
)

COMPANIES = Table(
    "companies",
    "one row per listed company in the reference list.",
    "Company reference data (seed: transforms/data/companies.csv, from the public-domain S&P 500 "
    "list) that entities are linked to by ticker, name and alias.",
    (
        C("ticker", "VARCHAR", "Ticker symbol.", "PRIMARY KEY"),
        C("name", "VARCHAR", "Short company name used as the entity name.", "NOT NULL"),
        C("exchange", "VARCHAR", "Listing exchange, where known."),
        C("sector", "VARCHAR", "GICS sector."),
        C("sub_industry", "VARCHAR", "GICS sub-industry."),
        C("headquarters", "VARCHAR", "Headquarters location."),
        C(
            "aliases",
            "VARCHAR[]",
            "Other names the company goes by (full legal name, former names, short forms).",
        ),
        C("entity_id", "VARCHAR", "The entities.entity_id this company gets when mentioned."),
    ),
)

FETCH_STATE = Table(
    "fetch_state",
    "one row per fetched feed or page URL.",
    "What newsetl knows about each URL it fetches: the validators for conditional GET "
    "(an unchanged feed costs one request answered 304) and how the last fetch went.",
    (
        C("url", "VARCHAR", "The URL as configured (a feed or page).", "PRIMARY KEY"),
        C("etag", "VARCHAR", "ETag of the last successful response (sent back as If-None-Match)."),
        C(
            "last_modified",
            "VARCHAR",
            "Last-Modified of the last successful response (sent back as If-Modified-Since).",
        ),
        C("status", "INTEGER", "HTTP status of the last fetch (304: unchanged)."),
        C("fetched_at", "TIMESTAMP", "When it was last fetched (UTC).", "NOT NULL"),
        C("run_id", "VARCHAR", "Run that fetched it last.", "NOT NULL"),
    ),
)
