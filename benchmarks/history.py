"""What a night of new articles costs on a warehouse with a long history (issue 18).

1. A base warehouse: `newsetl run` over the first articles of ../shared/corpora (Reuters
   and BBC; `--base-articles`), unless `--base` names one already built (a DuckDB file).
2. History warehouses of each `--sizes` (default 20,000 and 200,000 articles) on each
   `--backend` (file: a DuckDB file; lake: a DuckLake with a SQLite catalog): the base's
   rows copied several times under fresh ids (`INSERT ... SELECT` with every article,
   mention, action, quote and amount id rewritten; entity ids kept: the same companies
   and places recur over a year). Each copy is a different story to the duplicate index:
   its body hash is rewritten and its MinHash values permuted (a bijection of the 32-bit
   values, one per copy), so it has its own bands; copy k is dated k weeks back. Its texts
   are in the search index (search_docs and search_terms copied in a doc_id range of their
   own, the vocabulary shared), as loading would have put them. Then `article_bands` is
   rebuilt from the signatures (what migration 12 does), timed.
3. `newsetl run` of the same held-out articles (the last `--new` of each corpus, never in
   the base) on a fresh copy of each history warehouse, `--repeat` times, with a Prefect
   server started once (as `newsetl serve` or a deployment has one). Reported: wall time,
   the run's stages (as `newsetl run` prints them), the peak RSS of the process tree, and
   the peak size of the warehouse's files during the run (the file and what sits beside
   it: the staging copy, WALs; a lake: its catalog, the catalog's WAL and its data folder)
   against the warehouse's size before the run; for a file, for each `--write` mode (the
   warehouse_write setting: copy, in_place); a lake has no staging copy (one mode).

`--warehouse` and `--lake` name where the history warehouses go, as the warehouse setting
does (`{n}` is replaced by the size, `{work}` by the work folder); the runs go to
`<file>.run` copies, and to lakes whose catalog is `<catalog>.run` (the catalog file and
its data folder copied, the copy's catalog pointed at its own folder).

Prints the numbers; nothing is asserted. The corpora stay where they are (their texts
are read, never written into this repository).

Usage: python benchmarks/history.py [--backend file,lake] [--sizes 20000,200000]
       [--base FILE] [--repeat 2] [--workdir DIR] [--warehouse TEMPLATE] [--lake TEMPLATE]
       [--n-process 2] [--keep] [--write copy,in_place]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from warehouse.backend import Target  # noqa: E402
from warehouse.backend import target as backend_target  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import CORPORA as _CORPORA  # noqa: E402
from measure import SHARED, newsetl_run, run_env, start_prefect_server, tree_rss  # noqa: E402

CORPORA = {name: _CORPORA[name] for name in ("reuters", "bbc")}  # Reuters first, as built
# tables whose rows belong to an article: their own id columns, rewritten per copy
ROW_IDS = {
    "entity_mentions": ("mention_id",),
    "actions": ("action_id",),
    "quotes": ("quote_id",),
    "action_amounts": ("amount_id", "action_id"),
    "main_events": ("action_id",),
}
STAGE_LINE = re.compile(r"^\s+([a-z_]+)\s+([0-9.]+) s$")
# where the history warehouses go by default ({work}: the work folder, {n}: the size)
DEFAULTS = {"file": "{work}/history-{n}.duckdb", "lake": "ducklake:sqlite:{work}/history-{n}.sqlite"}


def _lines(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [line for line in fh if line.strip()]


def inputs(work: Path, base_articles: int, new: int) -> tuple[Path, Path]:
    """The base input (the first articles of each corpus, Reuters first) and the new
    articles (the last `new` of each): files in the work folder, outside the repository."""
    base, held = work / "base.jsonl", work / "new.jsonl"
    lines = {name: _lines(p) for name, p in CORPORA.items()}
    share = {"reuters": base_articles - min(base_articles // 2, 2000)}
    share["bbc"] = base_articles - share["reuters"]
    with base.open("w", encoding="utf-8") as b, held.open("w", encoding="utf-8") as h:
        for name, ls in lines.items():
            b.writelines(ls[: min(share[name], len(ls) - new)])
            h.writelines(ls[-new:])
    return base, held


def _rid(column: str) -> str:
    """SQL: a fresh id of the same form for copy `?` (prefix kept, the hex part rehashed)."""
    return (
        f"CASE WHEN {column} IS NULL THEN NULL ELSE split_part({column}, '_', 1) || '_' || "
        f"substr(sha256({column} || ':' || CAST($k AS VARCHAR)), 1, length({column}) - length(split_part({column}, '_', 1)) - 1) END"
    )


def _permuted(sigs: list[bytes | None], k: int) -> list[bytes | None]:
    """The signatures with their 32-bit values permuted for copy k (an odd multiplier and
    an offset mod 2^32: a bijection), so copies share no bands with each other."""
    rng = np.random.default_rng(k)
    a = np.uint64(int(rng.integers(1, 2**31)) * 2 + 1)
    c = np.uint64(int(rng.integers(0, 2**32)))
    out: list[bytes | None] = []
    for s in sigs:
        if s is None:
            out.append(None)
            continue
        v = np.frombuffer(s, dtype=np.uint64)
        out.append(((v * a + c) & np.uint64(0xFFFFFFFF)).astype(np.uint64).tobytes())
    return out


def build(base: Path, target: str, n: int) -> dict[str, float]:
    """A warehouse of about `n` articles at `target` from the base's rows (see the module's
    docstring); returns its article count and the seconds the bands' rebuild took."""
    import polars as pl

    from transforms.dedup import banding
    from warehouse.bands import rebuild
    from warehouse.connection import connect
    from warehouse.migrations import lake_transaction

    remove(target)
    lake = is_lake_setting(target)
    con = connect(target)  # created and migrated (a lake: its catalog and data folder)
    con.execute("SET enable_progress_bar = false")
    literal = "'" + str(base).replace("'", "''") + "'"  # ATTACH takes no bound parameters
    con.execute(f"ATTACH {literal} AS base (READ_ONLY)")
    per = con.execute("SELECT count(*) FROM base.articles").fetchone()[0]
    copies = max(1, -(-n // per))
    for t in ("entities", "pipeline_runs", "quarantine", "fetch_state"):
        con.execute(f"INSERT INTO {t} BY NAME SELECT * FROM base.{t}")
    # the search index's vocabulary (the fresh warehouse holds the stopwords already)
    con.execute(
        """INSERT INTO search_words BY NAME SELECT * FROM base.search_words
           WHERE word NOT IN (SELECT word FROM search_words)"""
    )
    docs = int(con.execute("SELECT coalesce(max(doc_id), 0) FROM base.search_docs").fetchone()[0])
    base_sigs = con.execute("SELECT article_id, minhash FROM base.articles").fetchall()

    def transaction() -> contextlib.AbstractContextManager[None]:
        # a lake's write transactions bump its writers' table (one writer here: no conflict)
        return lake_transaction(con) if lake else _file_transaction(con)

    t0 = time.perf_counter()
    for k in range(copies):
        if k == 0:
            with transaction():
                con.execute("INSERT INTO articles BY NAME SELECT * FROM base.articles")
                for t in (*ROW_IDS, "search_docs", "search_terms"):
                    con.execute(f"INSERT INTO {t} BY NAME SELECT * FROM base.{t}")
            continue
        sigs = pl.DataFrame(
            {"article_id": [a for a, _ in base_sigs], "minhash": _permuted([s for _, s in base_sigs], k)},
            schema={"article_id": pl.String, "minhash": pl.Binary},
        )
        con.register("_sigs", sigs.to_arrow())
        with transaction():
            con.execute(
                f"""INSERT INTO articles BY NAME
                    SELECT a.* REPLACE (
                      {_rid("a.article_id")} AS article_id,
                      a.external_id || '#' || CAST($k AS VARCHAR) AS external_id,
                      substr(sha256(a.content_hash || ':' || CAST($k AS VARCHAR)), 1, 64) AS content_hash,
                      substr(sha256(a.body_hash || ':' || CAST($k AS VARCHAR)), 1, 40) AS body_hash,
                      s.minhash AS minhash,
                      {_rid("a.duplicate_of")} AS duplicate_of,
                      a.published_at - to_days(CAST(7 * $k AS INTEGER)) AS published_at,
                      a.loaded_at - to_days(CAST(7 * $k AS INTEGER)) AS loaded_at)
                    FROM base.articles a JOIN _sigs s USING (article_id)""",
                {"k": k},
            )
            for t, ids in ROW_IDS.items():
                repl = ", ".join(f"{_rid(c)} AS {c}" for c in ("article_id", *ids))
                con.execute(f"INSERT INTO {t} BY NAME SELECT * REPLACE ({repl}) FROM base.{t}", {"k": k})
            # the copy's texts in the search index: its own range of doc_id, its ids rewritten
            con.execute(
                f"""INSERT INTO search_docs BY NAME
                    SELECT * REPLACE (doc_id + $off AS doc_id, {_rid("article_id")} AS article_id,
                                      {_rid("action_id")} AS action_id)
                    FROM base.search_docs""",
                {"k": k, "off": k * docs},
            )
            con.execute(
                "INSERT INTO search_terms BY NAME SELECT * REPLACE (doc_id + $off AS doc_id) FROM base.search_terms",
                {"off": k * docs},
            )
        con.unregister("_sigs")
    copied = time.perf_counter() - t0
    with transaction():
        con.execute(
            """UPDATE entities SET mention_count = s.n, article_count = s.na
               FROM (SELECT entity_id, count(*) AS n, count(DISTINCT article_id) AS na
                     FROM entity_mentions WHERE entity_id IS NOT NULL GROUP BY entity_id) s
               WHERE entities.entity_id = s.entity_id"""
        )
    t0 = time.perf_counter()
    with transaction():
        canonical = rebuild(con, *banding())
    bands = time.perf_counter() - t0
    con.execute("DETACH base")
    if not lake:
        # (a lake's CHECKPOINT is DuckLake's maintenance: not what a nightly lake gets)
        con.execute("CHECKPOINT")
    articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    indexed = con.execute("SELECT count(*) FROM search_docs").fetchone()[0]
    con.close()
    if lake:
        _sqlite_checkpoint(lake_target(target).path)
    return {
        "articles": articles,
        "canonical": canonical,
        "indexed": indexed,
        "copy_s": copied,
        "bands_s": bands,
    }


@contextlib.contextmanager
def _file_transaction(con: Any) -> Iterator[None]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def is_lake_setting(setting: str) -> bool:
    return setting.startswith("ducklake:")


def lake_target(setting: str) -> Target:
    """The SQLite-catalogued lake a setting names (PostgreSQL catalogs are not measured here)."""
    t = backend_target(setting)
    if t.catalog != "sqlite":
        raise SystemExit(f"{setting}: only ducklake:sqlite:PATH lakes are measured")
    return t


def local_path(setting: str) -> Path:
    """The file whose name the warehouse's files start with: the DuckDB file, or a lake's
    SQLite catalog (its data folder `<catalog>.files/`, WAL and lock sit beside it)."""
    return lake_target(setting).path if is_lake_setting(setting) else Path(setting)


def remove(setting: str) -> None:
    """The warehouse's files and what sits beside it under its name (a lake: the catalog,
    its WAL and its data folder)."""
    path = local_path(setting)
    for p in path.parent.glob(path.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()


def run_setting(setting: str) -> str:
    """Where a run's copy of warehouse `setting` goes: `<file>.run`, or a lake whose catalog
    is `<catalog>.run` (its data folder `<catalog>.run.files/`)."""
    if is_lake_setting(setting):
        return f"ducklake:sqlite:{lake_target(setting).path}.run"
    return setting + ".run"


def _sqlite_checkpoint(catalog: Path) -> None:
    """Fold a SQLite catalog's WAL into the file, so copying the file copies the catalog."""
    con = sqlite3.connect(catalog)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def copy_warehouse(src: str, dst: str) -> None:
    """A copy of warehouse `src` at `dst` (what sat at `dst` removed first). A lake: its
    catalog file and its data folder, and the copy's catalog pointed at its own folder
    (DuckLake stores the data files' paths relative to the folder the catalog records)."""
    remove(dst)
    if not is_lake_setting(src):
        shutil.copyfile(src, dst)
        return
    s, d = lake_target(src), lake_target(dst)
    assert s.data_path is not None and d.data_path is not None
    _sqlite_checkpoint(s.path)
    shutil.copyfile(s.path, d.path)
    shutil.copytree(s.data_path, d.data_path)
    con = sqlite3.connect(d.path)
    try:
        con.execute("UPDATE ducklake_metadata SET value = ? WHERE key = 'data_path'", [d.data_path])
        con.commit()
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def warehouse_bytes(path: Path) -> int:
    """The warehouse file and what sits beside it under its name (staging copy, WALs,
    lock; a lake's catalog with its WAL and its data folder `<catalog>.files/`), Data Docs
    and the report left out."""
    total = 0
    for p in path.parent.glob(path.name + "*"):
        if p.is_file() and not p.name.endswith((".html", ".log", ".jsonl")):
            with contextlib.suppress(FileNotFoundError):  # renamed or removed while we looked
                total += p.stat().st_size
        elif p.name == path.name + ".files" and p.is_dir():  # a lake's data folder
            for q in p.rglob("*"):
                with contextlib.suppress(FileNotFoundError):
                    total += q.stat().st_size if q.is_file() else 0
    return total


def timed_run(src: Path, setting: str, env: dict[str, str]) -> dict[str, object]:
    """`newsetl run` of `src` into the warehouse `setting` names as a child: wall time,
    stages, peak RSS of its process tree and peak bytes of the warehouse's files, sampled
    every 0.05 s."""
    cmd = newsetl_run(src, setting)
    wh = local_path(setting)
    before = warehouse_bytes(wh)
    peak = {"rss": 0, "disk": before}
    done = threading.Event()
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def sample() -> None:
        ps = psutil.Process(proc.pid)
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak["rss"] = max(peak["rss"], tree_rss(ps))
            peak["disk"] = max(peak["disk"], warehouse_bytes(wh))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed ({proc.returncode}):\n{out[-2000:]}\n{err[-3000:]}")
    stages = {m[1]: float(m[2]) for line in out.splitlines() if (m := STAGE_LINE.match(line))}
    return {
        "wall_s": wall,
        "stages": stages,
        "peak_rss_mb": peak["rss"] / 2**20,
        "before_mb": before / 2**20,
        "peak_disk_mb": peak["disk"] / 2**20,
        "after_mb": warehouse_bytes(wh) / 2**20,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="20000,200000", help="history sizes, in articles")
    ap.add_argument("--base", type=Path, default=None, help="a warehouse already built from --base-articles")
    ap.add_argument("--base-articles", type=int, default=5000)
    ap.add_argument("--new", type=int, default=100, help="held-out articles per corpus (Reuters, BBC)")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--n-process", type=int, default=2)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--backend", default="file", help="backends to measure: file, lake (comma-separated)")
    ap.add_argument(
        "--warehouse",
        default=None,
        help=f"where the file backend's history warehouses go ({{n}}: the size; default {DEFAULTS['file']})",
    )
    ap.add_argument(
        "--lake",
        default=None,
        help=f"the lake backend's history warehouses (ducklake:sqlite:PATH; default {DEFAULTS['lake']})",
    )
    ap.add_argument("--keep", action="store_true", help="keep the history warehouses (reused when present)")
    ap.add_argument(
        "--write", default="copy,in_place", help="warehouse_write modes to measure (NEWSETL_WAREHOUSE_WRITE)"
    )
    args = ap.parse_args()
    if not all(p.exists() for p in CORPORA.values()):
        print(f"{SHARED} not found: nothing to measure")
        return 0
    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsetl-history-"))
    work.mkdir(parents=True, exist_ok=True)
    base_in, new_in = inputs(work, args.base_articles, args.new)
    env = run_env(work, NEWSETL_N_PROCESS=str(args.n_process))
    server = start_prefect_server(env)
    results: dict[tuple[str, int, str], dict[str, object]] = {}
    try:
        base = args.base
        if base is None:
            base = work / "base.duckdb"
            if not base.exists():
                print(f"building the base warehouse from {base_in} ...", flush=True)
                timed_run(base_in, str(base), env)
        for backend in args.backend.split(","):
            template = {"file": args.warehouse, "lake": args.lake}[backend] or DEFAULTS[backend]
            # a lake has no staging copy: the warehouse_write setting does not apply
            modes = args.write.split(",") if backend == "file" else ["snapshots"]
            for n in (int(x) for x in args.sizes.split(",")):
                target = template.format(n=n, work=work)
                if is_lake_setting(target) != (backend == "lake"):
                    raise SystemExit(f"{target}: not a {backend} warehouse setting")
                built: dict[str, float] = {}
                if not (args.keep and local_path(target).exists()):
                    print(f"building {target} ({n:,} articles) ...", flush=True)
                    built = build(base, target, n)
                    print(f"  built: {json.dumps(built)}", flush=True)
                for mode in modes:
                    runs = []
                    for _ in range(args.repeat):
                        run_wh = run_setting(target)
                        copy_warehouse(target, run_wh)
                        extra = {"NEWSETL_WAREHOUSE_WRITE": mode} if backend == "file" else {}
                        runs.append(timed_run(new_in, run_wh, env | extra))
                        print(f"  {backend} {n:,} {mode}: {json.dumps(runs[-1])}", flush=True)
                    results[(backend, n, mode)] = {"built": built, "runs": runs}
                    built = {}
                remove(run_setting(target))
                if not args.keep:
                    remove(target)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(results, 2 * args.new)
    print(f"workdir {work}", file=sys.stderr)
    return 0


def report(results: dict[tuple[str, int, str], dict[str, object]], new: int) -> None:
    """A table of the fastest repeat per backend, size and mode, and the largest / smallest
    size's ratios."""
    best = {k: min(r["runs"], key=lambda x: x["wall_s"]) for k, r in results.items()}  # type: ignore[arg-type,index]
    stages = sorted({s for b in best.values() for s in b["stages"]})  # type: ignore[attr-defined]
    print(f"\n{new} new articles; the fastest of the repeats per backend, size and mode\n")
    print(
        "| backend | history (articles) | write | warehouse MB | wall s | wall s without parse | "
        + " | ".join(stages)
        + " | peak RSS MB | peak disk MB | disk / warehouse |"
    )
    print("|---|---:|---|---:|---:|---:|" + "---:|" * len(stages) + "---:|---:|---:|")
    for (backend, n, mode), b in best.items():
        st = b["stages"]
        print(
            f"| {backend} | {n:,} | {mode} | {b['before_mb']:,.0f} | {b['wall_s']:.1f} | {_own(b):.1f} | "
            + " | ".join(f"{st.get(s, 0):.2f}" for s in stages)  # type: ignore[attr-defined]
            + f" | {b['peak_rss_mb']:,.0f} | {b['peak_disk_mb']:,.0f} | {b['peak_disk_mb'] / b['before_mb']:.2f}x |"  # type: ignore[operator]
        )
    for backend, mode in dict.fromkeys((b, m) for b, _, m in best):
        sizes = sorted(n for b, n, m in best if (b, m) == (backend, mode))
        if len(sizes) > 1:
            lo, hi = best[(backend, sizes[0], mode)], best[(backend, sizes[-1], mode)]
            print(
                f"{backend} {mode}: {sizes[-1]:,} / {sizes[0]:,} wall time {hi['wall_s'] / lo['wall_s']:.2f}"  # type: ignore[operator]
                f" (without the wait for the parse, which does not depend on the history: {_own(hi) / _own(lo):.2f})"
            )
    for (backend, n, _), r in results.items():
        if r["built"]:
            print(f"built {backend} {n:,}: {json.dumps(r['built'])}")


def _own(run: dict[str, object]) -> float:
    """Wall time less the wait for the workers' parse (the same 200 articles every time:
    what varies there is the machine's load, not the history)."""
    return float(run["wall_s"]) - float(run["stages"].get("parse_extract", 0.0))  # type: ignore[arg-type,attr-defined]


if __name__ == "__main__":
    sys.exit(main())
