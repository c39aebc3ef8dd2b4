"""A run's batches, as named steps: admit -> skip unchanged -> clean -> dedup -> extract
-> validate -> load -> account. A batch is extracted while the one before it is
validated and loaded; each batch is loaded in one transaction with the quarantine rows
of its inputs."""

import logging
import time
from dataclasses import dataclass, replace

import polars as pl

from expectations.runner import preload_in_background
from flows import stops, workers
from flows.duplicates import DuplicateCheck
from flows.executors import Pending
from flows.sources import AlreadyLoaded, RawRecord, Rejected
from flows.state import RunState
from flows.validation import add_batch
from transforms.admission import article_key, in_range, newer, raw_json, record_hash
from transforms.extract import Frames, article_frame
from transforms.pieces import useful_workers
from transforms.preparation import Prepared


@dataclass
class InFlight:
    """A batch whose extraction is under way: its prepared articles, the copies among
    them (not extracted), the quarantine rows that load with it, its extraction."""

    prepared: Prepared
    copies: list
    quarantine: list[dict]
    pending: Pending


class Batches:
    """The open batch (filled by `add`) and the one whose extraction is under way."""

    def __init__(self, state: RunState):
        self.state = state
        self.open: list[tuple[RawRecord, str, str]] = []  # (record, article_id, content_hash)
        self.open_since = 0.0  # time.monotonic() when the open batch got its first article
        self.seen_in_run: dict[str, str] = {}  # article_id -> content hash
        self.inflight: InFlight | None = None
        self.duplicates = DuplicateCheck(state)

    # ---- admit ----------------------------------------------------------------------
    def add(self, item: RawRecord | Rejected | AlreadyLoaded) -> None:
        """Admit one item a source read; close the open batch when it is full (or, for a
        source that streams, old enough)."""
        record = self._admit(item)
        if record is None:
            return
        s = self.state
        if not self.open:
            self.open_since = time.monotonic()
        self.open.append(record)
        if len(self.open) >= s.settings.batch_size or (
            s.streaming and time.monotonic() - self.open_since >= s.settings.batch_seconds
        ):
            self.flush()
        elif s.streaming and self.inflight is not None and self.inflight.pending.done():
            self.drain()  # its rows are in: load them now rather than when this batch closes

    def _admit(self, item) -> tuple[RawRecord, str, str] | None:
        """Count the item; the record with its id and hash when it goes to the batch (in
        the date window, readable, not the same id twice in this run)."""
        s, tally = self.state, self.state.tally
        if isinstance(item, RawRecord | AlreadyLoaded) and not in_range(
            item, s.settings.since, s.settings.until
        ):
            tally.counts.articles_out_of_range += 1
            s.progress(1)
            return None
        tally.count("seen")
        if isinstance(item, AlreadyLoaded):  # a feed entry loaded before: its page not fetched
            tally.count("skipped")
        elif isinstance(item, Rejected):
            s.reject(item.source_path, item.external_id, item.stage, item.reason, item.raw)
        else:
            aid, h = article_key(item), record_hash(item)
            earlier = self.seen_in_run.get(aid)
            if earlier is None:
                self.seen_in_run[aid] = h
                tally.origin[aid] = tally.current_source
                return item, aid, h
            self._same_id_again(item, earlier == h)
        s.progress(1)
        return None

    def _same_id_again(self, item: RawRecord, same: bool) -> None:
        if same:
            self.state.tally.count("skipped")  # the same record twice: nothing new
            return
        self.state.reject(
            item.source_path,
            item.external_id,
            "read",
            f"duplicate id {item.external_id!r} from source {item.source!r} in this run with "
            "different content; the first occurrence was kept",
            raw_json(item),
        )

    # ---- the pipeline of batches --------------------------------------------------------
    def flush(self) -> None:
        """Close the open batch: skip unchanged, clean, and start its extraction; then
        validate and load the batch before it while this one parses."""
        batch, self.open = self.open, []
        job = self._start(batch)
        self.drain()
        self.inflight = job

    def drain(self) -> None:
        """Finish the batch whose extraction is under way, if any."""
        job, self.inflight = self.inflight, None
        if job is not None:
            self._finish(job)

    def abandon(self) -> None:
        """The run is failing: stop waiting for the batch under way."""
        job, self.inflight = self.inflight, None
        if job is not None:
            job.pending.cancel()

    def _start(self, batch: list[tuple[RawRecord, str, str]]) -> InFlight | None:
        quarantine = self.state.take_quarantine()
        if batch:
            prepared = self._clean(self._skip_unchanged(batch))
            quarantine += self.state.take_quarantine()
            if prepared.articles:
                canonical, copies = self._dedup(prepared.articles)
                return InFlight(prepared, copies, quarantine, self._extract(canonical))
        if quarantine:
            with self.state.timed("load"):
                self.state.wh.add_quarantine(quarantine)
        return None

    # ---- skip unchanged -> clean -> dedup -> extract -------------------------------------
    def _skip_unchanged(self, batch: list[tuple[RawRecord, str, str]]) -> list[tuple[RawRecord, str, str]]:
        """The records that are new or change their stored article; the others are skipped."""
        s = self.state
        with s.timed("skip_check"):
            known = s.wh.existing_versions(aid for _, aid, _ in batch)
        todo = [(r, aid, h) for r, aid, h in batch if newer(r, h, known.get(aid))]
        done = {aid for _, aid, _ in todo}
        for _, aid, _ in batch:
            if aid not in done:
                s.tally.count("skipped", aid=aid)
        s.progress(len(batch) - len(todo))
        return todo

    def _clean(self, todo: list[tuple[RawRecord, str, str]]) -> Prepared:
        s = self.state
        with s.timed("clean"):
            prepared = s.executor.clean(todo, s.settings.max_article_chars)
        if prepared.articles and not s.settings.dask_address:
            # the workers load the model while this process de-duplicates the batch (a
            # run with nothing new never starts them)
            n = useful_workers(prepared.articles, s.settings.processes)
            workers.warm_workers(s.settings.nlp_spec, s.settings.processes, count=n)
        if prepared.articles:  # Great Expectations loads while the batch parses
            preload_in_background()
        for rec, reason in prepared.rejected:
            s.reject(rec.source_path, rec.external_id, "clean", reason, raw_json(rec), aid=article_key(rec))
        s.progress(len(prepared.rejected))
        return prepared

    def _dedup(self, articles: list) -> tuple[list, list]:
        s = self.state
        canonical, copies = articles, []
        if s.settings.dedup:
            with s.timed("dedup"):
                inflight = (self.inflight.prepared.articles, self.inflight.copies) if self.inflight else None
                canonical, copies = self.duplicates.split(articles, inflight)
        s.progress(len(copies))  # copies are not parsed: done once stored
        return canonical, copies

    def _extract(self, canonical: list) -> Pending:
        s = self.state
        sent = workers.for_extraction(canonical, s.settings.max_article_chars)
        return s.executor.submit_extract(sent, s.settings) if canonical else Pending([])

    # ---- validate -> load -> account ------------------------------------------------------
    def _finish(self, job: InFlight) -> None:
        checked = self._validate(self._frames(job))
        if checked.ok:
            self._load(job, checked)
        else:
            self._fail(job, checked)

    def _frames(self, job: InFlight) -> Frames:
        """The batch's frames: what extraction returned, plus the copies' article rows; an
        article with no row (the workers could not extract it) is quarantined with why."""
        s, articles = self.state, job.prepared.articles
        # time spent waiting for the workers (they parse the next batch while this one loads)
        with s.timed("parse_extract"):
            extracted = job.pending.result()
        extracted = workers.with_whole_bodies(extracted, articles)
        if s.settings.dask_address or not s.executor.reports_parsed:
            s.progress(len(articles) - len(job.copies))  # no per-piece progress came
        frames = extracted.frames
        if job.copies:  # stored, not extracted
            frames = replace(
                frames, articles=pl.concat([frames.articles, article_frame(job.copies)], rechunk=True)
            )
        returned = set(frames.articles["article_id"])
        for a in articles:  # nothing silently dropped, even by a broken extractor
            if a.article_id not in returned:
                # the workers could not extract it (it killed its worker twice), with why
                reason = extracted.failed.get(a.article_id, "extraction returned no row for this article")
                s.reject(
                    a.source_path,
                    a.external_id,
                    "extract",
                    reason,
                    None,
                    into=job.quarantine,
                    aid=a.article_id,
                )
        return frames

    def _validate(self, frames):
        s = self.state
        with s.timed("validate"):
            checked = s.executor.validate(frames, s.run_id, s.settings.quarantine_raw_chars)
        s.batch_no += 1
        if s.docs is not None:
            with s.timed("data_docs"):
                s.docs.add(s.batch_no, checked.results)
        add_batch(s.validation, checked.summary)
        if not checked.ok and stops.requested() is not None:  # validation was cut short, not failed
            raise KeyboardInterrupt(stops.requested())
        return checked

    def _fail(self, job: InFlight, checked) -> None:
        """A batch-level expectation failed: the batch is not loaded, its articles are
        quarantined, the run fails."""
        s, articles = self.state, job.prepared.articles
        msg = f"batch of {len(articles)} articles not loaded: " + "; ".join(checked.batch_failures)
        s.errors.append(msg)
        for a in articles:
            s.reject(
                a.source_path,
                a.external_id,
                "validate:batch",
                msg,
                None,
                into=job.quarantine,
                aid=a.article_id,
            )
        with s.timed("load"):
            s.wh.add_quarantine(job.quarantine)

    def _load(self, job: InFlight, checked) -> None:
        s, tally = self.state, self.state.tally
        for aid in checked.rejected_article_ids:
            tally.count("quarantined", aid=aid)
        tally.counts.rows_quarantined += len(checked.quarantine) - len(checked.rejected_article_ids)
        with s.timed("load"):
            s.executor.load(s.wh, s.run_id, checked, job.quarantine + checked.quarantine)
        self._account(checked.articles)
        tally.counts.batches += 1
        logging.getLogger("newsetl").info(
            "batch %d loaded: %d articles, %d rows quarantined",
            s.batch_no,
            checked.articles.height,
            len(checked.quarantine),
        )

    def _account(self, articles: pl.DataFrame) -> None:
        """Count the loaded articles (and the copies among them) for their sources."""
        tally = self.state.tally
        per_source = (
            articles.group_by(
                pl.col("article_id").replace_strict(tally.origin, default=tally.current_source).alias("src")
            )
            .agg(pl.len().alias("loaded"), pl.col("duplicate_of").is_not_null().sum().alias("duplicates"))
            .iter_rows()
        )
        for label, loaded, duplicates in per_source:
            tally.count("loaded", loaded, label=label)
            tally.count("duplicates", duplicates, label=label)
