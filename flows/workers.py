"""A batch's extraction: parse and extract in a pool of worker processes that live for
the whole run (each loads the model once); a worker that dies is replaced, and an article
that kills its worker twice is given up with the reason."""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

import polars as pl

from transforms.extract import Article, Frames, build_frames, concat_frames
from transforms.model import NlpSpec
from transforms.pieces import chunked, limited, useful_workers, weight

# A worker that dies with no article to blame (killed while idle, failing at start-up): the
# batch is retried on a fresh pool at most this many times before extraction fails.
BLIND_RETRIES = 3


@dataclass(frozen=True)
class Extracted:
    """A batch's (or a piece's) extraction: the frames of the articles extracted, and the
    articles that could not be (one killed its worker twice): article_id -> why."""

    frames: Frames
    failed: dict[str, str] = field(default_factory=dict)


def merged(parts: Iterable[Extracted]) -> Extracted:
    """Several pieces of a batch as one: each table's rows in the pieces' order."""
    parts = list(parts)
    return Extracted(
        concat_frames(p.frames for p in parts), {k: v for p in parts for k, v in p.failed.items()}
    )


def extract(
    articles: list[Article],
    *,
    model: str | NlpSpec,
    nlp_batch_size: int,
    n_process: int,
    max_segment_chars: int,
    max_article_chars: int = 1_000_000,
) -> Extracted:
    """Parse and extract the batch's frames; with n_process > 1, in a pool of worker
    processes that live for the whole run (each loads the model once): parse and
    extraction both run in the workers and only frames come back. A worker that dies is
    replaced (`_on_pool`); an article that kills its worker twice comes back in
    `failed` with the reason instead of rows."""
    args = (model, nlp_batch_size, max_segment_chars, max_article_chars)
    if n_process <= 1:
        return Extracted(_extract_frames(articles, *args))
    chunks = chunked(articles, useful_workers(articles, n_process), nlp_batch_size, max_article_chars)
    # the longest pieces first (merged back in batch order): no long piece starts last
    tasks = sorted(
        (((i,), c) for i, c in enumerate(chunks)),
        key=lambda t: -sum(weight(a, max_article_chars) for a in t[1]),
    )
    return _on_pool(tasks, model, n_process, args)


def _on_pool(
    tasks: list[tuple[tuple, list[Article]]], model: str | NlpSpec, n_process: int, args: tuple
) -> Extracted:
    """Run the pieces `(key, articles)` on the worker pool and merge their frames in key order.

    When a worker dies, the pool breaks: every piece not finished fails at once and the
    next round runs them on a fresh pool. A piece whose own worker died (its worker's
    mark file names its articles) is split: each of its articles is retried alone, so
    one bad article cannot take its neighbours down; an article whose worker dies a
    second time is given up, with how its workers died. The other pieces are retried as
    they were. Every round either finishes, or strikes at least one article (at most
    twice each), or is one of BLIND_RETRIES breaks nobody is blamed for: rounds are
    bounded."""
    done: dict[tuple, Frames] = {}
    deaths: dict[str, list[str]] = {}  # article_id -> how its workers died
    failed: dict[str, str] = {}
    blind = 0
    while tasks:
        pool = _worker_pool(model, n_process)
        unfinished, procs = _round(pool, tasks, args, done)
        if not unfinished:
            break
        died = _died_extracting(pool, procs.values())
        logging.getLogger("newsetl").warning(
            "a worker process died (%s); %d pieces of the batch retried on a fresh pool",
            "; ".join(sorted(set(died.values()))) or "while idle or ended by the pool",
            len(unfinished),
        )
        tasks, blamed = _retried(unfinished, died, deaths, failed)
        if not blamed:
            blind += 1
            if blind > BLIND_RETRIES:
                raise BrokenProcessPool(
                    f"worker processes kept dying ({blind} times, exit codes "
                    f"{sorted({p.exitcode for p in procs.values()}, key=str)}) with no article to blame; "
                    f"{sum(len(p) for _, p in tasks)} articles not extracted"
                )
    return Extracted(concat_frames(done[k] for k in sorted(done)), failed)


def _round(pool: _WorkerPool, tasks: list[tuple[tuple, list[Article]]], args: tuple, done: dict) -> tuple:
    """One round on `pool`: the pieces' frames go to `done` (by key); gives the pieces a
    broken pool did not finish, and the pool's worker processes (by pid)."""
    futures = {}
    try:
        for key, piece in tasks:
            fut = pool.submit(_extract_piece, piece, *args)
            fut.add_done_callback(functools.partial(_piece_done, len(piece)))
            futures[key] = fut
    except BrokenProcessPool:
        pass  # broke while submitting: the rest go to the next round
    procs = dict(pool._processes or {})  # the pool starts its workers on submit
    wait(futures.values())
    if pool.closed:  # shutdown_workers: the run is over, its extraction abandoned
        raise BrokenProcessPool("the worker pool was shut down while the batch was extracted")
    procs.update(pool._processes or {})
    unfinished = []
    for key, piece in tasks:
        fut = futures.get(key)
        exc = fut.exception() if fut is not None else BrokenProcessPool()
        if exc is None:
            done[key] = fut.result()
        elif isinstance(exc, BrokenProcessPool):
            unfinished.append((key, piece))
        else:
            raise exc
    return unfinished, procs


def _retried(
    unfinished: list, died: dict[str, str], deaths: dict[str, list[str]], failed: dict[str, str]
) -> tuple:
    """The pieces of the next round, and whether a dead worker's articles were among the
    unfinished: those are retried one by one, or given up (into `failed`) on their
    second death; the other pieces are retried as they were."""
    tasks = []
    blamed = False
    for key, piece in unfinished:
        if not any(a.article_id in died for a in piece):
            tasks.append((key, piece))  # its worker was ended by the pool, or never ran it
            continue
        blamed = True
        for j, a in enumerate(piece):
            how = deaths.setdefault(a.article_id, [])
            if a.article_id in died:
                how.append(died[a.article_id])
            if len(how) < 2:
                tasks.append((key + (j,) if len(piece) > 1 else key, [a]))
            else:
                failed[a.article_id] = _death_reason(how)
                _parsed(1)
    return tasks, blamed


def _died_extracting(pool: _WorkerPool, procs) -> dict[str, str]:
    """Articles that the pool's workers which died on their own were extracting, with how
    each died (the pool ends the other workers itself with SIGTERM)."""
    deadline = time.monotonic() + 5
    out = {}
    for p in procs:
        while p.exitcode is None and time.monotonic() < deadline:
            p.join(0.1)  # being ended by the pool
        code = p.exitcode
        if code is None or code == -signal.SIGTERM:
            continue
        try:
            ids = (Path(pool.marks) / str(p.pid)).read_text().split()
        except OSError:
            continue  # died between pieces
        for aid in ids:
            out[aid] = _exit_text(code)
    return out


def _exit_text(code: int) -> str:
    if code < 0:
        try:
            return f"exit code {code} / signal {signal.Signals(-code).name}"
        except ValueError:
            pass
    return f"exit code {code}"


def _death_reason(how: list[str]) -> str:
    what = how[0] if len(set(how)) == 1 else ", then ".join(how)
    return f"worker process died while extracting this article (twice): {what}"


_ON_PARSED: list = [None]  # the run's progress callback (articles parsed), if it shows one


def on_parsed(callback) -> None:
    """Report articles as their extraction finishes to `callback(n)` (None: stop)."""
    _ON_PARSED[0] = callback


def _piece_done(n: int, fut) -> None:
    if not fut.cancelled() and fut.exception() is None:
        _parsed(n)


def _parsed(n: int) -> None:
    cb = _ON_PARSED[0]
    if cb is not None and n:
        cb(n)


def _extract_frames(
    articles: list[Article],
    model: str | NlpSpec,
    nlp_batch_size: int,
    max_segment_chars: int,
    max_article_chars: int,
) -> Frames:
    """Parse with `nlp.pipe` (in this process) and extract every table's frame."""
    from transforms.nlp import load_nlp, parse_texts

    nlp = load_nlp(model)
    docs = parse_texts(
        nlp,
        (limited(a.clean.parse_text, a.clean.body_offset + max_article_chars) for a in articles),
        batch_size=nlp_batch_size,
        n_process=1,
        max_segment_chars=max_segment_chars,
    )
    return build_frames(
        zip(
            articles, (_with_source(d, a) for d, a in _counted(zip(docs, articles, strict=True))), strict=True
        )
    )


def _counted(pairs):
    """(doc, article) pairs, reporting each one parsed (in this process only: a worker's
    pieces are reported when they come back)."""
    import multiprocessing as mp

    report = mp.parent_process() is None
    for pair in pairs:
        yield pair
        if report:
            _parsed(1)


class _WorkerPool(ProcessPoolExecutor):
    """The run's worker processes ("spawn": no forked state). Each worker loads the model
    at start and, while it extracts a piece, names its articles in `marks/<pid>`: when a
    worker dies, that file says which articles it died on."""

    def __init__(self, model: str | NlpSpec, n_process: int):
        self.marks = tempfile.mkdtemp(prefix="newsetl-workers-")
        self.closed = False  # by shutdown_workers (a broken pool is replaced, not closed)
        _MARK_DIRS.append(self.marks)
        ctx = multiprocessing.get_context("spawn")
        super().__init__(n_process, mp_context=ctx, initializer=_start_worker, initargs=(model, self.marks))


_POOL: tuple[tuple[str | NlpSpec, int], _WorkerPool] | None = None
_POOL_LOCK = threading.RLock()  # the run's thread and the extraction thread both use the pool
_MARK_DIRS: list[str] = []  # of this run's pools (a broken pool's is read after it is replaced)
_WORKER_MARKS: list[str | None] = [None]  # in a worker: its pool's mark folder


def _worker_pool(model: str | NlpSpec, n_process: int) -> _WorkerPool:
    """One pool per (model, size) for the life of the process; a broken one (a worker
    died) is replaced by a fresh pool of the same size."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != (model, n_process):
            shutdown_workers()
            _POOL = ((model, n_process), _WorkerPool(model, n_process))
        elif getattr(_POOL[1], "_broken", False):
            # its own manager thread has ended and joined the workers; its marks are kept
            # for the extraction that reads who died
            _POOL = ((model, n_process), _WorkerPool(model, n_process))
        return _POOL[1]


def _start_worker(model: str | NlpSpec, marks: str) -> None:
    """Worker start: die with the run, then load the model once (transforms.nlp caches it)."""
    _WORKER_MARKS[0] = marks
    _exit_with_parent()
    _load_model(model)


def _exit_with_parent(interval: float = 1.0) -> None:
    """A worker whose run died (SIGKILL included: no cleanup ran) ends within `interval`
    seconds instead of living on with its model: a thread watches the parent process id
    (a parent-death signal would follow the thread that spawned the worker, not the run)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="newsetl-parent-watch", daemon=True).start()


def _load_model(model: str | NlpSpec) -> None:
    from transforms.nlp import load_nlp

    load_nlp(model)


def _extract_piece(articles: list[Article], *args) -> Frames:
    """`_extract_frames` in a worker, with the piece's articles named in the mark file."""
    mark = Path(_WORKER_MARKS[0] or tempfile.gettempdir()) / str(os.getpid())
    mark.write_text("\n".join(a.article_id for a in articles))
    try:
        return _extract_frames(articles, *args)
    finally:
        mark.unlink(missing_ok=True)


def warm_workers(model: str | NlpSpec, n_process: int, count: int | None = None) -> None:
    """Start `count` (default: all) of the pool's worker processes now, so that they load
    the model while the run prepares its first batch; the pool starts the others when work
    for them arrives."""
    if n_process <= 1:
        return
    fresh = _POOL is None or _POOL[0] != (model, n_process)
    pool = _worker_pool(model, n_process)
    started = len(getattr(pool, "_processes", None) or ())
    for _ in range(max(0, min(n_process, count or n_process) - (0 if fresh else started))):
        try:
            pool.submit(int)  # a no-op: makes the pool start a process
        except BrokenProcessPool:
            return  # a worker just died: the extraction under way replaces the pool


def shutdown_workers() -> None:
    """Stop the worker pool (at the end of a run). Workers are idle then, or still loading
    the model for a run that had nothing to parse: they are ended, not waited for."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is not None:
            pool = _POOL[1]
            _POOL = None
            pool.closed = True
            procs = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for p in procs:
                p.terminate()
            for p in procs:
                p.join(5)
        while _MARK_DIRS:
            shutil.rmtree(_MARK_DIRS.pop(), ignore_errors=True)


def for_extraction(articles: list[Article], max_article_chars: int) -> list[Article]:
    """The articles as extraction is sent them: a body longer than `max_article_chars` cut
    where parsing stops (at a paragraph break or space), so that a 200 MB body is not
    copied to a worker, nor made into its parse text there, to be parsed for 1 MB of it.
    (Its all-caps lines are then true-cased from the words of that part.) The articles frame
    that comes back gets the whole bodies again: `with_whole_bodies`."""
    return [
        a
        if len(a.clean.body) <= max_article_chars
        else replace(a, clean=replace(a.clean, body=limited(a.clean.body, max_article_chars)))
        for a in articles
    ]


def with_whole_bodies(extracted: Extracted, articles: list[Article]) -> Extracted:
    """The extraction with each cut article's whole body back in its articles row (see
    `for_extraction`)."""
    frame = extracted.frames.articles
    lengths = dict(frame.select("article_id", pl.col("body").str.len_chars().fill_null(0)).iter_rows())
    whole = {
        a.article_id: a.clean.body
        for a in articles
        if a.article_id in lengths and len(a.clean.body) > lengths[a.article_id]
    }
    if not whole:
        return extracted
    body = pl.col("article_id").replace_strict(
        whole, default=pl.col("body"), return_dtype=frame.schema["body"]
    )
    frames = replace(extracted.frames, articles=frame.with_columns(body.alias("body")))
    return replace(extracted, frames=frames)


def _with_source(doc, article: Article):
    """Tell extraction the stored text when the parser saw a case-restored headline (or a
    prefix of a very long body: the doc covers the first part of the stored text)."""
    text = doc.text  # rebuilt from the tokens on every access
    doc.user_data["newsetl_source_text"] = text if article.clean.text.startswith(text) else article.clean.text
    return doc
