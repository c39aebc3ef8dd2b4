"""What search costs: keeping the index per batch, building it at once, and answering.

On articles from ../shared/corpora/ (read, never copied), cleaned as the pipeline cleans
them and loaded batch by batch through `Warehouse.load_batch` (the run's loading), each
body sentence standing in for an action (its evidence): extraction is not what is measured
here, and one action per sentence is more than a run finds, so the index is larger than a
run's. Prints:

  1. per-batch maintenance: the index's share of each batch's load (warehouse/search_index.py
     `reindex`), for the first batches and the last (the history 10x larger), and the same
     last full batch loaded again (its articles changed: their old texts removed first), and
     a probe batch (the same articles on each warehouse, under new ids): what history adds
  2. build at once: migration 11's backfill of every stored article and action, and DuckDB's
     `PRAGMA create_fts_index` over the same texts (what a rebuild per run would cost)
  3. query latency for `newsetl search` (open the warehouse read-only, stem, rank: median,
     max) on each warehouse, the `search_news` macro alone on an open connection, and the
     `newsetl search` process end to end beside `newsetl sql "select 1"`

Usage: python benchmarks/search.py [--corpus bbc reuters] [--query-corpus bbc] [--batch 200]
       [--limit N] [--workdir DIR] [--warehouse FILE (query an existing warehouse only)]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.clean import clean_article  # noqa: E402
from transforms.registry.frames import BATCH_FRAMES  # noqa: E402
from warehouse import loading  # noqa: E402
from warehouse.connection import connect  # noqa: E402
from warehouse.db import Warehouse  # noqa: E402
from warehouse.extensions import load as load_extension  # noqa: E402
from warehouse.search import search  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import CORPORA  # noqa: E402

QUERIES = [
    "facial recognition",
    "interest rates",
    "oil prices",
    "mobile phone",
    "election campaign",
    "football club manager",
    "film award",
    "takeover bid shares",
    "broadband internet",
    "trade deficit dollar",
]
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def batches(paths: list[Path], size: int, limit: int | None) -> Iterator[tuple[list[dict], list[dict]]]:
    """(articles, actions) rows of the batch frames, `size` articles at a time."""
    arts: list[dict] = []
    acts: list[dict] = []
    n = 0
    for path in paths:
        for line in path.open(encoding="utf-8"):
            if not line.strip():
                continue
            if limit is not None and n >= limit:
                break
            rec = json.loads(line)
            c = clean_article(rec.get("title"), rec.get("text"))
            if not c.body.strip():
                continue
            aid = "art_" + hashlib.sha1(rec["id"].encode()).hexdigest()[:16]
            arts.append(
                dict.fromkeys(BATCH_FRAMES["articles"].names)
                | {
                    "article_id": aid,
                    "external_id": rec["id"],
                    "source": rec.get("source") or path.parent.name,
                    "title": c.title,
                    "body": c.body,
                    "published_at": datetime(2005, 1, 1),
                    "content_hash": hashlib.sha256(line.encode()).hexdigest(),
                }
            )
            for i, sentence in enumerate(_SENTENCE.split(c.body)):
                if len(sentence.split()) >= 4:
                    acts.append(
                        dict.fromkeys(BATCH_FRAMES["actions"].names)
                        | {
                            "action_id": f"{aid}-{i}",
                            "article_id": aid,
                            "sentence_index": i + 1,
                            "actor_text": "x",
                            "actor_resolution": "direct",
                            "verb": "say",
                            "verb_text": "say",
                            "negated": False,
                            "evidence": sentence[:1000],
                            "field": "body",
                            "start_char": 0,
                            "end_char": 1,
                        }
                    )
            n += 1
            if len(arts) == size:
                yield arts, acts
                arts, acts = [], []
    if arts:
        yield arts, acts


def load(wh: Warehouse, run_id: str, arts: list[dict], acts: list[dict]) -> None:
    empty = {t: pl.DataFrame(schema=BATCH_FRAMES[t].schema) for t in BATCH_FRAMES}
    wh.load_batch(
        run_id,
        pl.DataFrame(arts, schema=BATCH_FRAMES["articles"].schema),
        empty["entities"],
        empty["entity_mentions"],
        pl.DataFrame(acts, schema=BATCH_FRAMES["actions"].schema),
        empty["quotes"],
        empty["action_amounts"],
        empty["main_events"],
        [],
    )


class IndexClock:
    """Times loading's calls of the index maintenance (warehouse.loading.reindex)."""

    def __init__(self) -> None:
        self.seconds: list[float] = []
        self._reindex = loading.reindex

    def __enter__(self) -> IndexClock:
        def timed(*args: object) -> None:
            t = time.perf_counter()
            self._reindex(*args)  # type: ignore[arg-type]
            self.seconds.append(time.perf_counter() - t)

        loading.reindex = timed  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        loading.reindex = self._reindex


def build(wh_path: Path, paths: list[Path], size: int, limit: int | None) -> dict:
    """Load the corpus batch by batch; the index's and the whole load's seconds per batch."""
    loads: list[float] = []
    full: list[int] = []  # the batches of `size` articles (the last one may be shorter)
    last: tuple[list[dict], list[dict]] | None = None
    with Warehouse(wh_path) as wh, IndexClock() as clock:
        for i, (arts, acts) in enumerate(batches(paths, size, limit)):
            t = time.perf_counter()
            load(wh, f"run-{i}", arts, acts)
            loads.append(time.perf_counter() - t)
            if len(arts) == size:
                full.append(i)
                last = (arts, acts)
        assert last is not None
        t = time.perf_counter()  # the last full batch again: every article changed
        changed = [a | {"content_hash": "changed"} for a in last[0]]
        load(wh, "run-again", changed, last[1])
        reload = (time.perf_counter() - t, clock.seconds[-1])
        wh.publish()
    k = max(1, min(5, len(full) // 2))
    first, final = full[:k], full[-k:]
    return {
        "batches": len(loads),
        "index_first": statistics.median(clock.seconds[i] for i in first),
        "index_last": statistics.median(clock.seconds[i] for i in final),
        "load_first": statistics.median(loads[i] for i in first),
        "load_last": statistics.median(loads[i] for i in final),
        "reload": reload,
    }


def probe(wh_path: Path, paths: list[Path], size: int, times: int = 3) -> tuple[float, float]:
    """The same batch (the first `size` articles of `paths`, under new ids each time) loaded
    into a copy of the warehouse: median seconds of the whole load and of the index's part.
    Compared across warehouses, what the history adds to a night's batch."""
    arts, acts = next(batches(paths, size, size))
    copy = wh_path.with_name("probe.duckdb")
    copy.write_bytes(wh_path.read_bytes())
    loads = []
    with Warehouse(copy) as wh, IndexClock() as clock:
        for n in range(times):
            ids = {a["article_id"]: f"{a['article_id']}-p{n}" for a in arts}
            t = time.perf_counter()
            load(
                wh,
                f"probe-{n}",
                [a | {"article_id": ids[a["article_id"]]} for a in arts],
                [
                    x | {"article_id": ids[x["article_id"]], "action_id": f"{x['action_id']}-p{n}"}
                    for x in acts
                ],
            )
            loads.append(time.perf_counter() - t)
    for stale in copy.parent.glob(copy.name + "*"):
        stale.unlink()
    return statistics.median(loads), statistics.median(clock.seconds)


def sizes(wh_path: Path) -> dict:
    con = connect(wh_path, read_only=True)
    try:
        row = con.execute(
            """SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM actions),
                      (SELECT count(*) FROM search_docs), (SELECT count(*) FROM search_terms),
                      (SELECT count(*) FROM search_words)"""
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    return dict(zip(("articles", "actions", "docs", "postings", "words"), row, strict=True))


def backfill(wh_path: Path) -> float:
    """Migration 11 on a copy without the index: seconds to index everything stored."""
    copy = wh_path.with_name("backfill.duckdb")
    copy.write_bytes(wh_path.read_bytes())
    con = connect(copy)
    for table in ("search_terms", "search_docs", "search_words"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP MACRO TABLE search_news")
    con.execute("DROP MACRO search_tokens")
    con.execute("DELETE FROM schema_migrations WHERE version = 11")
    con.close()
    t = time.perf_counter()
    connect(copy).close()
    seconds = time.perf_counter() - t
    copy.unlink()
    return seconds


def pragma_build(wh_path: Path) -> float:
    """DuckDB's own index over the same texts (articles and evidence), built at once."""
    copy = wh_path.with_name("pragma.duckdb")
    copy.write_bytes(wh_path.read_bytes())
    con = connect(copy)
    load_extension(con, "fts")
    con.execute(
        """CREATE TABLE texts AS
           SELECT article_id AS id, concat_ws(' ', title, body) AS text FROM articles
           UNION ALL SELECT action_id, evidence FROM actions"""
    )
    t = time.perf_counter()
    con.execute("PRAGMA create_fts_index('texts', 'id', 'text')")
    seconds = time.perf_counter() - t
    con.close()
    copy.unlink()
    return seconds


def latency(wh_path: Path) -> dict:
    """`newsetl search`'s work per query (a fresh read-only connection each), and the macro
    alone on one open connection."""
    search(wh_path, QUERIES[0])  # the file in the page cache
    per_query = []
    for q in QUERIES:
        t = time.perf_counter()
        hits = search(wh_path, q, limit=10)
        per_query.append(time.perf_counter() - t)
        assert hits.articles, f"no article for {q!r}"
    con = connect(wh_path, read_only=True)
    macro = []
    try:
        for q in QUERIES:
            t = time.perf_counter()
            con.execute("SELECT * FROM search_news(?) ORDER BY score DESC LIMIT 10", [q]).fetchall()
            macro.append(time.perf_counter() - t)
    finally:
        con.close()
    return {
        "median": statistics.median(per_query),
        "max": max(per_query),
        "macro_median": statistics.median(macro),
        "macro_max": max(macro),
    }


def command_seconds(wh_path: Path, n: int = 3) -> tuple[float, float]:
    """The `newsetl search` process end to end (interpreter, imports, query) and, beside it,
    `newsetl sql "select 1"`'s (what any reading command costs to start): medians of n."""
    exe = Path(sys.executable).with_name("newsetl")

    def timed(args: list[str]) -> float:
        t = time.perf_counter()
        subprocess.run([str(exe), *args, "-w", str(wh_path)], check=True, capture_output=True)
        return time.perf_counter() - t

    found = [timed(["search", q, "--json"]) for q in QUERIES[:n]]
    baseline = [timed(["sql", "select 1"]) for _ in range(n)]
    return statistics.median(found), statistics.median(baseline)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", nargs="+", default=["bbc", "reuters"], choices=sorted(CORPORA))
    ap.add_argument("--query-corpus", nargs="+", default=["bbc"], choices=sorted(CORPORA))
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--limit", type=int, default=None, help="at most N articles per warehouse")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--warehouse", type=Path, default=None, help="only query this warehouse")
    args = ap.parse_args()
    if args.warehouse is not None:
        print(
            f"queries on {args.warehouse}: {latency(args.warehouse)}; processes: {command_seconds(args.warehouse)}"
        )
        return 0
    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsetl-search-"))
    work.mkdir(parents=True, exist_ok=True)
    for names in (args.query_corpus, args.corpus):
        wh = work / ("+".join(names) + ".duckdb")
        for stale in work.glob(wh.name + "*"):
            stale.unlink()
        t = time.perf_counter()
        b = build(wh, [CORPORA[n] for n in names], args.batch, args.limit)
        print(f"== {'+'.join(names)}: {sizes(wh)}, loaded in {time.perf_counter() - t:.1f} s")
        print(
            f"  per batch of {args.batch}: index {b['index_first']:.3f} s of a {b['load_first']:.3f} s load "
            f"(first batches), {b['index_last']:.3f} s of {b['load_last']:.3f} s (last, {b['batches']} batches); "
            f"the last full batch changed and loaded again: {b['reload'][0]:.3f} s, index {b['reload'][1]:.3f} s"
        )
        whole, part = probe(wh, [CORPORA[args.query_corpus[0]]], args.batch)
        print(
            f"  a probe batch ({args.batch} {args.query_corpus[0]} articles, new ids): load {whole:.3f} s, index {part:.3f} s"
        )
        print(
            f"  build at once: backfill (migration 11) {backfill(wh):.2f} s; "
            f"PRAGMA create_fts_index {pragma_build(wh):.2f} s"
        )
        lat = latency(wh)
        print(
            f"  newsetl search, {len(QUERIES)} queries: median {lat['median']:.3f} s, max {lat['max']:.3f} s; "
            f"search_news macro alone: median {lat['macro_median']:.3f} s, max {lat['macro_max']:.3f} s"
        )
        found, baseline = command_seconds(wh)
        print(
            f"  the newsetl search process: median {found:.2f} s (newsetl sql 'select 1': {baseline:.2f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
