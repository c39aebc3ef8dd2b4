"""The `nightly` Prefect flow: read sources -> clean -> extract -> validate -> load.

Articles stream through in bounded batches (`batch_size`), so memory does not grow with
the corpus. Each batch is loaded in one transaction together with the quarantine rows
of its inputs. Only reads are retried. The run ends with a `pipeline_runs` row and a
markdown artifact; its status is `failed` when any batch failed as a whole.
"""

import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import TerminationSignal

from expectations.datadocs import DataDocs
from expectations.runner import (
    BATCH_TABLES,
    load_suite,
    preload_in_background,
    quarantine_row,
    suite_columns,
    validate_frames,
    validate_run_table,
)
from flows import pipeline, stops, workers
from flows.config import SourceSpec, resolve_sources
from flows.display import md_code, md_text
from flows.settings import Settings
from flows.sources import ChunkRef, RawRecord, Rejected, Source, open_source, path_text
from flows.web import AlreadyLoaded
from transforms.dates import parse_date
from transforms.extract import article_row, frames_from_rows
from warehouse.db import Warehouse
from warehouse.report import write_report


@dataclass
class RunCounts:
    articles_seen: int = 0
    articles_loaded: int = 0
    articles_skipped: int = 0
    articles_quarantined: int = 0
    rows_quarantined: int = 0
    batches: int = 0
    articles_out_of_range: int = 0  # outside --since/--until: not counted as seen
    articles_duplicate: int = 0  # loaded as copies of an earlier story (duplicate_of), not extracted

    @property
    def reconciles(self) -> bool:
        return self.articles_seen == self.articles_loaded + self.articles_skipped + self.articles_quarantined


# count keys (also the keys of pipeline_runs.source_counts) -> RunCounts fields
_COUNT_FIELDS = {
    "seen": "articles_seen",
    "loaded": "articles_loaded",
    "skipped": "articles_skipped",
    "quarantined": "articles_quarantined",
    "duplicates": "articles_duplicate",
}


@dataclass
class RunResult:
    run_id: str
    status: str
    warehouse: str
    counts: RunCounts
    stage_seconds: dict[str, float]
    validation: dict[str, dict]
    errors: list[str] = field(default_factory=list)
    report: str | None = None  # the HTML report written at the end of the run

    def to_dict(self) -> dict:
        d = asdict(self)
        d["counts"] = asdict(self.counts)
        return d


# ---- tasks --------------------------------------------------------------------------
# Tasks take frames and other large values: NO_CACHE keeps Prefect from hashing them.


@task(retries=2, retry_delay_seconds=[1, 4], cache_policy=NO_CACHE)
def list_chunks(source: Source) -> list[ChunkRef]:
    """Where to read (files of a folder): I/O, so retried."""
    return source.chunks()


@task(retries=2, retry_delay_seconds=[1, 4], cache_policy=NO_CACHE)
def read_chunk(source: Source, ref: ChunkRef) -> tuple[list, ChunkRef | None]:
    """Read one chunk of a source: I/O, so retried."""
    return source.read(ref)


@task(cache_policy=NO_CACHE)
def clean_batch(
    records: list[tuple[RawRecord, str, str]], max_article_chars: int = 1_000_000
) -> pipeline.Prepared:
    return pipeline.prepare(records, max_article_chars)


@task(cache_policy=NO_CACHE)
def extract_batch(articles: list, settings: Settings, n_process: int | None = None) -> dict[str, list[dict]]:
    """Parse and extract a batch (or a piece of one, on a Dask worker): its rows per table."""
    return workers.extract_rows(
        articles,
        model=settings.model,
        nlp_batch_size=settings.nlp_batch_size,
        n_process=settings.processes if n_process is None else n_process,
        max_segment_chars=settings.max_segment_chars,
        max_article_chars=settings.max_article_chars,
    )


@task(cache_policy=NO_CACHE)
def validate_batch(frames, run_id: str, max_raw: int):
    return validate_frames(frames, run_id, max_raw=max_raw)


@task(cache_policy=NO_CACHE)
def load_batch(wh: Warehouse, run_id: str, checked, quarantine: list[dict]) -> None:
    wh.load_batch(
        run_id,
        checked.articles,
        checked.entities,
        checked.entity_mentions,
        checked.actions,
        checked.quotes,
        quarantine,
    )


class Pending:
    """Extraction of one batch under way: `result()` waits and gives its rows (the pieces'
    rows in order when the batch was split over Dask workers)."""

    def __init__(self, futures: list):
        self.futures = futures

    def result(self) -> dict[str, list[dict]]:
        return workers.merge_rows(f.result() for f in self.futures)

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


def _submit_tasks(articles: list, settings: Settings) -> Pending:
    """Submit the extraction to the flow's task runner, so the run goes on to validate and
    load the previous batch meanwhile: one task using the local worker processes, or, on
    Dask, one task per piece so that the cluster's workers share the batch."""
    if settings.dask_address:
        return Pending(
            [
                extract_batch.submit(c, settings, 1)
                for c in workers.chunked(articles, 1, settings.nlp_batch_size)
            ]
        )
    return Pending([extract_batch.submit(articles, settings)])


_THREAD: ThreadPoolExecutor | None = None


def _submit_thread(articles: list, settings: Settings) -> Pending:
    """`run_local`'s counterpart: one background thread waits on the worker processes."""
    global _THREAD
    if _THREAD is None:
        _THREAD = ThreadPoolExecutor(1, thread_name_prefix="newsetl-extract")
    return Pending([_THREAD.submit(extract_batch.fn, articles, settings)])


@dataclass(frozen=True)
class Steps:
    """The callables a run uses for each stage: Prefect tasks in the flow, plain
    functions for `run_local` (benchmarks, quality measurement)."""

    list_chunks: Callable
    read_chunk: Callable
    clean: Callable
    submit_extract: Callable[[list, Settings], Pending]
    validate: Callable
    load: Callable


TASK_STEPS = Steps(list_chunks, read_chunk, clean_batch, _submit_tasks, validate_batch, load_batch)
PLAIN_STEPS = Steps(
    list_chunks.fn, read_chunk.fn, clean_batch.fn, _submit_thread, validate_batch.fn, load_batch.fn
)


# ---- the flow -----------------------------------------------------------------------


def _newer(rec: RawRecord, content_hash: str, stored: tuple[str, datetime | None] | None) -> bool:
    """Load `rec` unless the stored version is the same, or is a later publication of the
    article (by published_at): nights may then run in any order. A changed article with the
    same (or no) date replaces the stored one: a correction."""
    if stored is None:
        return True
    if stored[0] == content_hash:
        return False
    new_pub = parse_date(rec.published_at)[0]
    return stored[1] is None or new_pub is None or new_pub >= stored[1]


class _Run:
    """State of one run: counts, timings, pending quarantine rows, the open batch."""

    def __init__(
        self, settings: Settings, wh: Warehouse, run_id: str, progress: Callable[[int], None], steps: Steps
    ):
        self.steps = steps
        self.settings = settings
        self.wh = wh
        self.run_id = run_id
        self.counts = RunCounts()
        self.stage_seconds: dict[str, float] = {}
        self.validation: dict[str, dict] = {}
        self.errors: list[str] = []
        self.pending: list[tuple[RawRecord, str, str]] = []
        self.pending_since = 0.0  # time.monotonic() when the open batch got its first article
        self.quarantine: list[dict] = []
        self.seen_in_run: dict[str, str] = {}
        self.progress = progress
        self.batch_no = 0
        self.docs = DataDocs(settings.warehouse, run_id) if settings.data_docs else None
        self.inflight: tuple[pipeline.Prepared, list, list[dict], Pending] | None = None
        self.web = None  # flows.web.WebState, set by execute
        self.current_source = ""  # label of the source being read
        self.streaming = False  # the source hands items over as they arrive (flows.web)
        self.origin: dict[str, str] = {}  # article_id -> source label
        self.source_counts: dict[str, dict[str, int]] = {}
        self.dedup_index = None  # transforms.dedup.DuplicateIndex, built on first use
        self.run_results: dict = {}  # run table -> GX validation result, for Data Docs

    @contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        t = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[stage] = self.stage_seconds.get(stage, 0.0) + time.perf_counter() - t

    def count(self, key: str, n: int = 1, *, aid: str | None = None, label: str | None = None) -> None:
        """Count articles: the run's totals (RunCounts) and its source's (`label`, else the
        source the article `aid` came from, else the one being read) together."""
        if not n:
            return
        field_name = _COUNT_FIELDS[key]
        setattr(self.counts, field_name, getattr(self.counts, field_name) + n)
        if label is None:
            label = self.origin.get(aid, self.current_source) if aid else self.current_source
        per_source = self.source_counts.setdefault(label, dict.fromkeys(_COUNT_FIELDS, 0))
        per_source[key] += n

    def reject(
        self, source_path, external_id, stage, reason, raw, into: list | None = None, aid: str | None = None
    ) -> None:
        """Count an article as quarantined; its row goes with the next load (or `into`)."""
        self.count("quarantined", aid=aid)
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

    def unreconciled(self) -> list[str]:
        """The accounting check every run makes for itself: seen = loaded + skipped +
        quarantined, for the run and for each source. Errors (the run fails) when not."""
        out = []
        c = self.counts
        if not c.reconciles:
            out.append(
                f"counts do not reconcile: seen {c.articles_seen} != loaded {c.articles_loaded} + skipped "
                f"{c.articles_skipped} + quarantined {c.articles_quarantined}"
            )
        for label, n in self.source_counts.items():
            if n["seen"] != n["loaded"] + n["skipped"] + n["quarantined"]:
                out.append(
                    f"counts of source {label} do not reconcile: seen {n['seen']} != loaded {n['loaded']} "
                    f"+ skipped {n['skipped']} + quarantined {n['quarantined']}"
                )
        return out

    def fields(self, status: str, error: str | None) -> dict:
        """The run's pipeline_runs fields as `update_run` writes them at its end."""
        return {
            "source_counts": self.source_counts,
            "status": status,
            "finished_at": datetime.now(UTC).replace(tzinfo=None),
            "error": error,
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
            "validation": self.validation,
            **asdict(self.counts),
        }

    def check_run_tables(self, status: str, error: str | None) -> list[str]:
        """Validate every suite that is not an extraction table's (`RUN_TABLES`), once, at
        the run's end: the quarantine rows it added, the fetch_state rows it is about to
        save, the companies table, then its own pipeline_runs row as it will be written
        (with the status the others leave). Their summaries go to `validation` (extraction
        tables without a batch get theirs, 0 rows), their GX results to `run_results` (for
        Data Docs). Nothing is dropped: returns one line per failed expectation (the run
        then fails). With Great Expectations loaded (a batch was validated) it checks them;
        else the built-in evaluator does, so a run with nothing to parse never imports it.
        Never raises: an error is a failure line."""
        for table in BATCH_TABLES:
            if table not in self.validation:
                self.validation[table] = {
                    "rows": 0,
                    "expectations": len(load_suite(table)["expectations"]),
                    "failed": [],
                    "rows_rejected": 0,
                    "batch_failures": [],
                }
        failures: list[str] = []
        use_gx = self.batch_no > 0

        def check(table: str, frame: pl.DataFrame) -> None:
            checked = validate_run_table(table, frame, use_gx=use_gx)
            self.validation[table] = checked.summary()
            failures.extend(checked.failures)
            if checked.result.ge_result is not None:
                self.run_results[table] = checked.result.ge_result

        try:
            with self.timed("validate_run"):
                for table, frame in self._run_table_frames(status):
                    check(table, frame)
                stored = self.wh.run_row(self.run_id)
                if stored is None:
                    failures.append("pipeline_runs: the run's row is missing")
                else:
                    final = "failed" if failures and status == "succeeded" else status
                    row = {**stored, **self.fields(final, error)}
                    row["source_counts"] = json.dumps(row["source_counts"])
                    cols = [*_stored_columns("pipeline_runs"), "articles_duplicate", "source_counts"]
                    check("pipeline_runs", pl.DataFrame([{c: row.get(c) for c in cols}]))
        except Exception as exc:  # noqa: BLE001  (a bug here must not cost the run's row)
            failures.append(f"run tables not validated: {type(exc).__name__}: {exc}")
        return failures

    def _run_table_frames(self, status: str) -> Iterator[tuple[str, pl.DataFrame]]:
        """(table, rows to validate) for the run tables other than pipeline_runs."""
        wh = self.wh
        yield (
            "quarantine",
            wh.validation_rows("quarantine", _stored_columns("quarantine"), run_id=self.run_id),
        )
        saved = self.web.fetched if status == "succeeded" and self.web is not None else {}
        now = datetime.now(UTC).replace(tzinfo=None)
        rows = [
            {
                "url": u,
                "etag": f.get("etag"),
                "last_modified": f.get("last_modified"),
                "status": f.get("status"),
                "fetched_at": now,
                "run_id": self.run_id,
            }
            for u, f in saved.items()
        ]
        schema = {
            "url": pl.String,
            "etag": pl.String,
            "last_modified": pl.String,
            "status": pl.Int64,
            "fetched_at": pl.Datetime("us"),
            "run_id": pl.String,
        }
        yield "fetch_state", pl.DataFrame(rows, schema=schema)
        yield "companies", wh.validation_rows("companies", _stored_columns("companies"))

    def source_failed(self, where: str, exc: BaseException) -> None:
        if stops.requested() is not None:  # not the source's fault: the run is stopping
            raise KeyboardInterrupt(stops.requested()) from exc
        where = path_text(where)
        msg = path_text(f"source {where} could not be read: {type(exc).__name__}: {exc}")
        self.errors.append(msg)
        self.add(Rejected(source_path=where, external_id=None, stage="read", reason=msg))

    def in_range(self, item: RawRecord | AlreadyLoaded) -> bool:
        """Inside the run's --since/--until window (by published_at); no window: always."""
        since, until = self.settings.since, self.settings.until
        if since is None and until is None:
            return True
        published, _ = parse_date(item.published_at)
        if published is None:
            return False
        day = published.date()
        return (since is None or day >= since) and (until is None or day <= until)

    def add(self, item) -> None:
        if isinstance(item, RawRecord | AlreadyLoaded) and not self.in_range(item):
            self.counts.articles_out_of_range += 1
            self.progress(1)
            return
        self.count("seen")
        if isinstance(item, AlreadyLoaded):  # a feed entry loaded before: its page not fetched
            self.count("skipped")
            self.progress(1)
            return
        if isinstance(item, Rejected):
            self.reject(item.source_path, item.external_id, item.stage, item.reason, item.raw)
            self.progress(1)
            return
        aid, h = pipeline.article_key(item), pipeline.record_hash(item)
        earlier = self.seen_in_run.get(aid)
        if earlier is not None:
            if earlier == h:
                self.count("skipped")  # the same record twice: nothing new
            else:
                self.reject(
                    item.source_path,
                    item.external_id,
                    "read",
                    f"duplicate id {item.external_id!r} from source {item.source!r} in this run with "
                    "different content; the first occurrence was kept",
                    pipeline.raw_json(item),
                )
            self.progress(1)
            return
        self.seen_in_run[aid] = h
        self.origin[aid] = self.current_source
        if not self.pending:
            self.pending_since = time.monotonic()
        self.pending.append((item, aid, h))
        if len(self.pending) >= self.settings.batch_size or (
            self.streaming and time.monotonic() - self.pending_since >= self.settings.batch_seconds
        ):
            self.flush()
        elif self.streaming and self.inflight is not None and self.inflight[3].done():
            self.drain()  # its rows are in: load them now rather than when this batch closes

    def flush(self) -> None:
        """Close the open batch: skip unchanged, clean, and start its extraction; then
        validate and load the batch before it while this one parses."""
        batch, self.pending = self.pending, []
        job = self._start(batch)
        self.drain()
        self.inflight = job

    def drain(self) -> None:
        """Finish the batch whose extraction is under way, if any."""
        job, self.inflight = self.inflight, None
        if job is not None:
            self._finish(*job)

    def abandon(self) -> None:
        """The run is failing: stop waiting for the batch under way."""
        job, self.inflight = self.inflight, None
        if job is not None:
            job[3].cancel()

    def _start(self, batch: list[tuple[RawRecord, str, str]]):
        quarantine, self.quarantine = self.quarantine, []
        if not batch:
            if quarantine:
                with self.timed("load"):
                    self.wh.add_quarantine(quarantine)
            return None
        with self.timed("skip_check"):
            known = self.wh.existing_versions(aid for _, aid, _ in batch)
        todo = [(r, aid, h) for r, aid, h in batch if _newer(r, h, known.get(aid))]
        done = {aid for _, aid, _ in todo}
        for _, aid, _ in batch:
            if aid not in done:
                self.count("skipped", aid=aid)
        self.progress(len(batch) - len(todo))
        with self.timed("clean"):
            prepared = self.steps.clean(todo, self.settings.max_article_chars)
        if prepared.articles and not self.settings.dask_address:
            # the workers load the model while this process de-duplicates the batch (a
            # run with nothing new never starts them)
            n = workers.useful_workers(prepared.articles, self.settings.processes)
            workers.warm_workers(self.settings.model, self.settings.processes, count=n)
        if prepared.articles:  # Great Expectations loads while the batch parses
            preload_in_background()
        for rec, reason in prepared.rejected:
            self.reject(
                rec.source_path,
                rec.external_id,
                "clean",
                reason,
                pipeline.raw_json(rec),
                aid=pipeline.article_key(rec),
            )
        self.progress(len(prepared.rejected))
        quarantine, self.quarantine = quarantine + self.quarantine, []
        if not prepared.articles:
            if quarantine:
                with self.timed("load"):
                    self.wh.add_quarantine(quarantine)
            return None
        canonical, copies = prepared.articles, []
        if self.settings.dedup:
            with self.timed("dedup"):
                canonical, copies = self._dedup(prepared.articles)
        self.progress(len(copies))  # copies are not parsed: done once stored
        sent = workers.for_extraction(canonical, self.settings.max_article_chars)
        pending = self.steps.submit_extract(sent, self.settings) if canonical else Pending([])
        return prepared, copies, quarantine, pending

    def _dedup(self, articles: list) -> tuple[list, list]:
        """Split the batch into canonical articles and copies of earlier stories (in the
        warehouse or earlier in this run, in read order).

        A new version of an article replaces the old one in the index, and the copies of
        the old one (stored, loaded earlier in this run, or earlier in this batch) are
        decided again: one that is no longer a copy becomes canonical and is extracted, one
        that now copies another article (or the new version at another similarity) gets its
        new `duplicate_of`. Copies re-checked from outside this batch are appended to
        `articles` (the batch) and counted as seen, so the batch loads and accounts for them."""
        from dataclasses import replace

        from transforms.dedup import DuplicateIndex, read

        idx = self.dedup_index
        if idx is None:
            idx = self.dedup_index = DuplicateIndex(
                self.settings.dedup_threshold,
                loader=self.wh.article_bodies,
                keep=max(4000, 4 * self.settings.batch_size),
            )
            for aid, h, sig in self.wh.canonical_signatures():
                if h is not None:
                    idx.add(aid, h, sig)
        batch = list(articles)
        texts = {a.article_id: read(a.clean.body, a.source) for a in batch}
        # copies of this batch's articles loaded before: stored, or in the batch under way
        earlier = [*self.inflight[0].articles, *self.inflight[1]] if self.inflight else []
        pending_ids = {a.article_id for a in earlier} | set(texts)
        stored: dict[str, list] = {}
        for row in self.wh.copies_of(texts):
            if row["article_id"] not in pending_ids:
                stored.setdefault(row["duplicate_of"], []).append(_stored_article(row))
        inflight_copies: dict[str, dict[str, object]] = {}
        if self.inflight:
            for c in self.inflight[1]:
                inflight_copies.setdefault(c.duplicate_of, {})[c.article_id] = c
        sources = {a.source for a in batch} | {c.source for cs in stored.values() for c in cs}
        for src in sorted(sources - idx.seeded):  # before any of its articles is decided here
            idx.seed(src, self.wh.recent_bodies(src, idx.paragraphs.read_back))
        for t in texts.values():  # the whole batch's paragraphs, before any is decided
            idx.observe(t)
        decided: dict[str, object] = {}  # article_id -> the article as decided in this batch

        def decide(a, t):
            fp = idx.fingerprint(t)
            a = replace(a, body_hash=fp.body_hash, minhash=fp.signature)
            match = idx.find(a.article_id, fp, text=t)
            if match is None:
                idx.add(a.article_id, fp.body_hash, fp.signature, t)
                return replace(a, duplicate_of=None, duplicate_kind=None, duplicate_similarity=None)
            return replace(
                a, duplicate_of=match.of, duplicate_kind=match.kind, duplicate_similarity=match.similarity
            )

        for a in batch:
            aid = a.article_id
            idx.remove(aid)  # its earlier version, if any: this one replaces it
            decided[aid] = decide(a, texts[aid])
            # its copies, decided against the version this one replaces
            in_batch = [c for c in decided.values() if c.duplicate_of == aid and c.article_id != aid]
            for c in in_batch:
                decided[c.article_id] = decide(c, texts[c.article_id])
            outside = [*inflight_copies.get(aid, {}).values(), *stored.get(aid, [])]
            for c in outside:
                if c.article_id in decided:
                    continue
                again = decide(c, read(c.clean.body, c.source))
                if _same_decision(again, c):
                    continue
                decided[c.article_id] = again
                articles.append(again)  # loaded with this batch, which accounts for it
                self.origin.setdefault(c.article_id, self.origin.get(aid, self.current_source))
                self.count("seen", aid=c.article_id)
        idx.close_batch()
        canonical = [a for a in decided.values() if a.duplicate_of is None]
        copies = [a for a in decided.values() if a.duplicate_of is not None]
        return canonical, copies

    def _finish(
        self, prepared: pipeline.Prepared, copies: list, quarantine: list[dict], pending: Pending
    ) -> None:
        # time spent waiting for the workers (they parse the next batch while this one loads)
        with self.timed("parse_extract"):
            rows = pending.result()
        workers.with_whole_bodies(rows, prepared.articles)
        if self.settings.dask_address or self.steps is not TASK_STEPS and self.steps is not PLAIN_STEPS:
            # parsed elsewhere (Dask workers, a test's extractor): no per-piece progress came
            self.progress(len(prepared.articles) - len(copies))
        # articles the workers could not extract (one killed its worker twice), with why
        failed = {f["article_id"]: f["reason"] for f in rows.pop(workers.FAILED, [])}
        rows["articles"].extend(article_row(a) for a in copies)
        returned = {r["article_id"] for r in rows["articles"]}
        for a in prepared.articles:  # nothing silently dropped, even by a broken extractor
            if a.article_id not in returned:
                self.reject(
                    a.source_path,
                    a.external_id,
                    "extract",
                    failed.get(a.article_id, "extraction returned no row for this article"),
                    None,
                    into=quarantine,
                    aid=a.article_id,
                )
        with self.timed("frames"):
            frames = frames_from_rows(rows)
        with self.timed("validate"):
            checked = self.steps.validate(frames, self.run_id, self.settings.quarantine_raw_chars)
        self.batch_no += 1
        if self.docs is not None:
            with self.timed("data_docs"):
                self.docs.add(self.batch_no, checked.results)
        for table, s in checked.summary.items():
            agg = self.validation.setdefault(
                table, {"rows": 0, "rows_rejected": 0, "failed": [], "batch_failures": []}
            )
            agg["rows"] += s["rows"]
            agg["rows_rejected"] += s["rows_rejected"]
            agg["failed"] = sorted(set(agg["failed"]) | set(s["failed"]))
            agg["batch_failures"] += s["batch_failures"]
        if not checked.ok and stops.requested() is not None:  # validation was cut short, not failed
            raise KeyboardInterrupt(stops.requested())
        if not checked.ok:
            msg = f"batch of {len(prepared.articles)} articles not loaded: " + "; ".join(
                checked.batch_failures
            )
            self.errors.append(msg)
            for a in prepared.articles:
                self.reject(
                    a.source_path,
                    a.external_id,
                    "validate:batch",
                    msg,
                    None,
                    into=quarantine,
                    aid=a.article_id,
                )
            with self.timed("load"):
                self.wh.add_quarantine(quarantine)
            return
        n_rejected = len(checked.rejected_article_ids)
        for aid in checked.rejected_article_ids:
            self.count("quarantined", aid=aid)
        self.counts.rows_quarantined += len(checked.quarantine) - n_rejected
        with self.timed("load"):
            self.steps.load(self.wh, self.run_id, checked, quarantine + checked.quarantine)
        per_source = (
            checked.articles.group_by(
                pl.col("article_id").replace_strict(self.origin, default=self.current_source).alias("src")
            )
            .agg(pl.len().alias("loaded"), pl.col("duplicate_of").is_not_null().sum().alias("duplicates"))
            .iter_rows()
        )
        for label, loaded, duplicates in per_source:
            self.count("loaded", loaded, label=label)
            self.count("duplicates", duplicates, label=label)
        self.counts.batches += 1
        logging.getLogger("newsetl").info(
            "batch %d loaded: %d articles, %d rows quarantined",
            self.batch_no,
            checked.articles.height,
            len(checked.quarantine),
        )


def _stored_columns(table: str) -> list[str]:
    """The stored columns a table's suite reads (not its helper columns)."""
    return [c for c in suite_columns(load_suite(table)) if not c.startswith("_")]


def _same_decision(a, b) -> bool:
    return (a.duplicate_of, a.duplicate_kind, a.duplicate_similarity) == (
        b.duplicate_of,
        b.duplicate_kind,
        b.duplicate_similarity,
    )


def _stored_article(row: dict):
    """A stored article (a row of `articles`) as the Article it was loaded from, to decide
    and extract it again."""
    import json

    from transforms import clean as _clean
    from transforms.extract import Article

    extra = {}
    removal = getattr(_clean, "Removal", None)
    if removal is not None and row.get("cleaning_removed"):
        extra["removed"] = tuple(removal(**d) for d in json.loads(row["cleaning_removed"]))
    clean = _clean.CleanArticle(
        title=row["title"] or "", body=row["body"], tickers=tuple(row["tickers"] or ()), **extra
    )
    return Article(
        article_id=row["article_id"],
        external_id=row["external_id"],
        source=row["source"],
        source_path=row["source_path"],
        url=row["url"],
        published_at=row["published_at"],
        content_hash=row["content_hash"],
        metadata=row["metadata"],
        clean=clean,
        warnings=tuple(row["warnings"] or ()),
        body_hash=row["body_hash"],
        minhash=row["minhash"],
        duplicate_of=row["duplicate_of"],
        duplicate_kind=row["duplicate_kind"],
        duplicate_similarity=row["duplicate_similarity"],
    )


def _summary_markdown(result: RunResult) -> str:
    c = result.counts
    lines = [
        f"# newsetl run {md_code(result.run_id)}: {md_text(result.status)}",
        "",
        f"Warehouse: {md_code(result.warehouse)}",
        "",
        "| seen | loaded | skipped (unchanged) | quarantined | rows quarantined | batches |",
        "|---:|---:|---:|---:|---:|---:|",
        f"| {c.articles_seen} | {c.articles_loaded} | {c.articles_skipped} | {c.articles_quarantined} | {c.rows_quarantined} | {c.batches} |",
        "",
        "| stage | seconds |",
        "|---|---:|",
        *[f"| {k} | {v:.2f} |" for k, v in result.stage_seconds.items()],
        "",
        "| table | rows validated | rows rejected | failed expectations |",
        "|---|---:|---:|---|",
        *[
            f"| {md_text(t)} | {v['rows']} | {v['rows_rejected']} | {md_text(', '.join(v['failed']) or '-')} |"
            for t, v in result.validation.items()
            if isinstance(v, dict)
        ],
        "",
        f"Great Expectations Data Docs: {md_code(result.validation.get('data_docs', 'not built'))}",
        "",
        f"Report: {md_code(result.report or 'not written')}",
    ]
    if result.errors:
        lines += ["", "## Errors", *[f"- {md_text(e)}" for e in result.errors]]
    return "\n".join(lines)


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
    opened = _OPENED.pop(run_id, None) if run_id else None
    settings = (
        opened.settings
        if opened
        else make_settings(
            sources=sources,
            warehouse=warehouse,
            since=since,
            until=until,
            batch_size=batch_size,
            n_process=n_process,
            dask_address=dask_address,
        )
    )
    result = execute(settings, TASK_STEPS, get_run_logger(), progress=progress, opened=opened)
    create_markdown_artifact(
        key="nightly-run-summary",
        markdown=_summary_markdown(result),
        description=f"newsetl run {result.run_id}",
    )
    return result.to_dict()


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


def flow_for(settings: Settings, api_url: str | None = None):
    """The nightly flow with the task runner the settings ask for."""
    if settings.dask_address:
        return nightly.with_options(
            task_runner=dask_task_runner(settings.dask_address, settings.dask_workers, api_url)
        )
    return nightly


def run_nightly(api_url: str | None = None, **params: object) -> dict:
    """Run the flow with these parameters (None: from the environment), on Dask when
    `dask_address` (or NEWSETL_DASK_ADDRESS) is set. `api_url`: the Prefect API the caller
    set up (flows.prefect_api); without one, Dask runs start one and share it with the
    workers (Prefect would otherwise start a temporary server in every worker)."""
    opened = _OPENED.get(str(params.get("run_id") or ""))
    settings = opened.settings if opened else make_settings(**_settings_params(params))
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


def _settings_params(params: dict) -> dict:
    return {k: v for k, v in params.items() if k not in ("progress", "run_id")}


def nightly_deployment_args(
    *, cron: str, timezone: str = "UTC", sources: list[str] | None = None, warehouse: str | None = None
) -> dict:
    """Schedule and parameters of the nightly deployment (`newsetl serve`, prefect.yaml)."""
    from prefect.schedules import Cron

    params: dict = {}
    if sources:
        params["sources"] = sources
    if warehouse:
        params["warehouse"] = warehouse
    return {
        "schedules": [Cron(cron, timezone=timezone)],
        "parameters": params,
        "description": "newsetl nightly ingest: read sources, extract, validate, load the warehouse.",
        "tags": ["newsetl"],
    }


def make_settings(**overrides: object) -> Settings:
    """Settings from the environment, overridden by the non-None arguments."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})


def run_local(settings: Settings, *, progress: bool = False) -> RunResult:
    """The same pipeline without Prefect orchestration (used by benchmarks)."""
    return execute(settings, PLAIN_STEPS, logging.getLogger("newsetl"), progress=progress)


@dataclass
class OpenRun:
    """A run that holds the warehouse's lock and has its `pipeline_runs` row (status
    'running'), not yet reading: what `newsetl run` sets up before anything slow, so that
    a second writer is refused at once and a run that cannot start still leaves a row."""

    run_id: str
    settings: Settings
    wh: Warehouse
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
    wh = Warehouse(Path(settings.warehouse), lock=lock)
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
            params=settings.model_dump(mode="json"),
            model_version=workers.model_version(settings.model),
            code_version=pipeline.code_version(),
            since=settings.since,
            until=settings.until,
        )
    except BaseException:
        wh.close()
        raise
    opened = OpenRun(run_id, settings, wh, specs)
    _OPENED[run_id] = opened
    return opened


def execute(
    settings: Settings, steps: Steps, logger, *, progress: bool = False, opened: OpenRun | None = None
) -> RunResult:
    """One run: read every source, process it in batches, record the run. Whatever ends
    it, its row is updated and what it loaded is published."""
    opened = opened or open_run(settings, logger=logger)
    _OPENED.pop(opened.run_id, None)
    run_id, specs, wh = opened.run_id, opened.specs, opened.wh
    wh_path = Path(settings.warehouse)
    run = _Run(settings, wh, run_id, lambda n: None, steps)
    status, error = "succeeded", None
    try:
        run.web = _web_state(settings, wh)
        bar = _progress_bar(specs, run.web) if progress else None
        if bar:
            run.progress = lambda n: bar[0].advance(bar[1], n)
            workers.on_parsed(run.progress)  # articles parsed, as each piece finishes
        with bar[0] if bar else nullcontext():
            for spec in specs:
                _read_source(run, steps, spec)
            run.flush()
            run.drain()
        run.errors += run.unreconciled()
        if run.errors:
            status = "failed"
            error = "; ".join(run.errors)[:10_000]
    except (KeyboardInterrupt, TerminationSignal) as exc:  # SIGINT / SIGTERM (Prefect: TerminationSignal)
        status, error = (
            "interrupted",
            f"stopped by {_signal_name(exc)}; the next run resumes from its staging copy",
        )
        run.abandon()
        raise
    except BaseException as exc:  # recorded, then re-raised: the run must show as failed
        if (name := stops.requested()) is not None:  # a stop that surfaced as another error
            status, error = "interrupted", f"stopped by {name}; the next run resumes from its staging copy"
            run.abandon()
            raise KeyboardInterrupt(name) from exc
        status, error = "failed", f"{type(exc).__name__}: {exc}"
        run.abandon()
        raise
    finally:
        try:
            # the run tables (its own row, its quarantine rows, the fetch state it saves,
            # companies): a failing expectation fails the run, naming it
            failures = run.check_run_tables(status, error)
            if failures:
                for line in failures:
                    logger.error("run %s: validation failed: %s", run_id, line)
                run.errors += failures
                status = "failed" if status == "succeeded" else status
                error = "; ".join(e for e in (error, *failures) if e)[:10_000]
            if run.docs is not None and run.batch_no:
                with run.timed("data_docs"):
                    run.docs.add("run", run.run_results)
                    run.validation["data_docs"] = run.docs.build()
            if status == "succeeded" and run.web is not None:  # else the next run fetches again
                wh.save_fetch_state(run_id, run.web.fetched)
        finally:
            import sys

            late = sys.exc_info()[1]
            if late is not None and status == "succeeded":
                # Data Docs or the fetch state failed after loading (a full disk, ...): the
                # row says so, and what was loaded is still recorded and published
                status, error = "failed", f"after loading: {type(late).__name__}: {late}"[:10_000]
            try:
                try:
                    if run.web is not None:
                        run.web.fetcher.close()
                    wh.update_run(run_id, **run.fields(status, error))
                finally:
                    workers.shutdown_workers()
                    workers.on_parsed(None)
                # whole batches and the run record become visible together (a failed run
                # publishes what it loaded, with status 'failed'); an interrupted one keeps its
                # staging copy, which the next run resumes from
                if status != "interrupted":
                    try:
                        with run.timed("publish"):
                            wh.publish()
                    except Exception as exc:
                        if wh.published:
                            raise
                        # not published: the run failed, and its row in the staging copy
                        # (kept, the next run resumes from it and publishes it) says why
                        note = f"not published ({type(exc).__name__}: {exc}); the next run publishes it"
                        status, error = "failed", "; ".join(e for e in (error, note) if e)[:10_000]
                        run.errors.append(note)
                        logger.error("run %s %s", run_id, note)
                        wh.mark_unpublished(run_id, error)
            finally:
                wh.close()
    result = RunResult(
        run_id, status, str(wh_path), run.counts, run.stage_seconds, run.validation, run.errors
    )
    if settings.report:
        try:
            with run.timed("report"):
                result.report = str(write_report(wh_path))
        except Exception as exc:  # the data is loaded and published; say so, don't fail the run
            logger.warning("report not written: %s: %s", type(exc).__name__, exc)
    c = run.counts
    logger.info(
        "run %s %s: seen %d, loaded %d, skipped %d, quarantined %d",
        run_id,
        status,
        c.articles_seen,
        c.articles_loaded,
        c.articles_skipped,
        c.articles_quarantined,
    )
    return result


def _signal_name(exc: BaseException) -> str:
    """SIGINT or SIGTERM, from Ctrl-C's KeyboardInterrupt, newsetl run's KeyboardInterrupt
    ("SIGTERM") or Prefect's TerminationSignal."""
    import signal

    if isinstance(exc, TerminationSignal):
        return signal.Signals(exc.signal).name
    return str(exc) if str(exc).startswith("SIG") else "SIGINT"


def _web_state(settings: Settings, wh: Warehouse):
    """HTTP client and what the warehouse knows (validators, loaded ids) for web sources."""
    from flows.fetching import Fetcher, HttpOptions
    from flows.web import WebState

    return WebState(
        Fetcher(HttpOptions.from_settings(settings)),
        validators=wh.fetch_validators(),
        known=wh.loaded_entries,
    )


def _read_source(run: _Run, steps: Steps, spec: SourceSpec) -> None:
    """Feed one source's items to the run. A source that cannot be opened or read (after
    the read tasks' retries) becomes a quarantine row and a run error; the other sources
    still land."""
    loc = spec.location
    run.current_source = path_text(spec.label)  # per-source counts are JSON: valid UTF-8
    # a source read with nothing in it (a feed answered 304 Not Modified, an empty folder)
    # is in the per-source counts too, with zeros
    run.source_counts.setdefault(run.current_source, dict.fromkeys(_COUNT_FIELDS, 0))
    try:
        source = open_source(
            loc,
            chunk_records=run.settings.read_chunk_records,
            kind=spec.kind,
            options=spec.options,
            name=spec.name,
            web=run.web,
        )
        run.streaming = bool(getattr(source, "streams", False))
        with run.timed("read"):
            refs = steps.list_chunks(source)
    except Exception as exc:  # noqa: BLE001  (recorded as quarantine + run error)
        run.source_failed(loc, exc)
        return
    for ref in refs:
        nxt: ChunkRef | None = ref
        while nxt is not None:
            try:
                with run.timed("read"):
                    items, nxt = steps.read_chunk(source, nxt)
            except Exception as exc:  # noqa: BLE001
                run.source_failed(f"{loc} ({ref.path})", exc)
                break
            for item in items:
                run.add(item)


def _progress_bar(specs: list[SourceSpec], web):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    total = 0
    for s in specs:
        try:
            total += open_source(s.location, kind=s.kind, options=s.options, name=s.name, web=web).estimate()
        except Exception:  # noqa: BLE001  (a broken source is reported when it is read)
            total += 1

    class Rate(TextColumn):
        def render(self, task):  # articles per second
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f} articles/s" if speed else "")

    prog = Progress(
        TextColumn("[bold]articles"),
        BarColumn(),
        MofNCompleteColumn(),
        Rate(""),
        TimeElapsedColumn(),
        transient=False,
    )
    task_id = prog.add_task("articles", total=total or None)
    return prog, task_id
