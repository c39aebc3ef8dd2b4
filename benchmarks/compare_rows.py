"""Row-for-row comparison of two builds of newsetl on the same input (behaviour unchanged?).

    python benchmarks/compare_rows.py dump OUT [--bbc 500]    # run the CLI, dump every table
    python benchmarks/compare_rows.py compare BEFORE AFTER     # exit 1 when a table differs

`dump` writes the 34 dev gold articles, the first N BBC articles not among them and a file of
hostile records (bad JSON, no text, one id twice with different content, an unknown file)
into a temporary input folder (read from ../shared, never copied into the repository), runs
`newsetl run` on it into a fresh warehouse, then a second night on the same folder with one
gold article changed and five more BBC articles (skip unchanged, reload changed, quarantine
once), and writes every table and view of the warehouse to OUT/<table>.parquet, sorted,
without the columns that differ between any two runs (run ids, wall-clock times, process
ids, timings, versions) and with the temporary folder's path written `<input>`. Run it once on the old code (e.g. a
`git worktree` of the base commit, with `PYTHONPATH` pointing at it) and once on the new one,
then `compare`. It prints one line per table and, for a table that differs, the first rows
found only on either side.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
GOLD = SHARED / "gold" / "dev_articles.jsonl"
BBC = SHARED / "corpora" / "bbc" / "bbc_articles.jsonl"
CORPORA = {"bbc": BBC, "reuters": SHARED / "corpora" / "reuters21578" / "reuters_articles.jsonl"}

# columns whose values belong to the run, not to the data
VOLATILE = {
    "run_id",
    "first_run_id",
    "last_run_id",
    "loaded_at",
    "started_at",
    "finished_at",
    "quarantined_at",
    "checked_at",
    "fetched_at",
    "pid",
    "stage_seconds",
    "params",
    "code_version",
    "model_version",
    "sources",
    "validation",
    "quarantine_id",  # a UUID per row
    "created_at",
    "applied_at",
    "first_seen",  # from the load time when an article has no date
    "last_seen",
    "first_reported",
    "last_reported",
    "quarantine_key",  # hashes the temporary input folder's path
}


HOSTILE = [
    "this line is not JSON",
    json.dumps({"id": "h1", "title": "A headline and no text"}),
    json.dumps({"id": "h2", "source": "hostile", "text": "Acme Corp said it bought Beta Inc. on Monday."}),
    json.dumps({"id": "h2", "source": "hostile", "text": "Acme Corp said it sold Beta Inc. on Monday."}),
    json.dumps({"id": "h3", "source": "hostile", "text": ""}),
    json.dumps(["a", "list", "not", "a", "record"]),
]


def _write(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _input(folder: Path, n_bbc: int, corpus: Path = BBC) -> tuple[list[dict], list[dict]]:
    """The first night's input; returns the gold records and five BBC articles for night two."""
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    keys = {(r.get("source"), r["id"]) for r in gold}
    bbc = []
    with corpus.open(encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if (rec.get("source"), rec["id"]) not in keys:
                bbc.append(rec)
            if len(bbc) >= n_bbc + 5:
                break
    _write(folder / "gold.jsonl", gold)
    _write(folder / "bbc.jsonl", bbc[:n_bbc])
    (folder / "hostile.jsonl").write_text("\n".join(HOSTILE) + "\n", encoding="utf-8")
    (folder / "notes.bin").write_bytes(bytes(range(256)))
    return gold, bbc[n_bbc:]


def _second_night(folder: Path, gold: list[dict], more: list[dict]) -> None:
    changed = [dict(r) for r in gold]
    changed[0]["title"] = changed[0].get("title", "") + " (updated)"
    _write(folder / "gold.jsonl", changed)
    _write(folder / "more.jsonl", more)


def _run(folder: Path, warehouse: Path) -> None:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "NEWSETL_REPORT": "false"}
    cmd = [sys.executable, "-m", "flows.cli", "run", "-s", str(folder), "-w", str(warehouse), "--no-progress"]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"newsetl run failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1"
    ).fetchall()
    return [r[0] for r in rows if r[0] != "schema_version"]


def _frame(con: duckdb.DuckDBPyConnection, table: str, folder: str) -> pl.DataFrame:
    cols = [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' "
            "AND table_name = ? ORDER BY ordinal_position",
            [table],
        ).fetchall()
        if r[0] not in VOLATILE
    ]
    select = ", ".join(f'"{c}"::VARCHAR AS "{c}"' for c in cols)  # identifiers from the catalog
    frame = pl.from_arrow(con.sql(f'SELECT {select} FROM "{table}"').to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    frame = frame.with_columns(pl.all().str.replace_all(folder, "<input>", literal=True))
    return frame.sort(frame.columns, nulls_last=True) if frame.width else frame


def dump(out: Path, n_bbc: int, corpus: Path = BBC) -> None:
    out.mkdir(parents=True, exist_ok=True)
    warehouse = out / "news.duckdb"  # kept beside the dump, to look into a difference
    for stale in out.glob("news.duckdb*"):
        stale.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "input"
        folder.mkdir()
        gold, more = _input(folder, n_bbc, corpus)
        _run(folder, warehouse)
        _second_night(folder, gold, more)
        _run(folder, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for table in _tables(con):
            frame = _frame(con, table, str(folder))
            frame.write_parquet(out / f"{table}.parquet")
            print(f"{table:28} {frame.height:8} rows")
    finally:
        con.close()


def _stable(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame without run columns (also for dumps made before a column joined VOLATILE)."""
    frame = frame.drop([c for c in frame.columns if c in VOLATILE])
    return frame.sort(frame.columns, nulls_last=True) if frame.width else frame


def compare(before: Path, after: Path) -> int:
    names = sorted({p.stem for p in before.glob("*.parquet")} | {p.stem for p in after.glob("*.parquet")})
    differ = 0
    for name in names:
        a, b = before / f"{name}.parquet", after / f"{name}.parquet"
        if not a.exists() or not b.exists():
            print(f"{name:28} only {'after' if not a.exists() else 'before'}")
            differ += 1
            continue
        fa, fb = (_stable(pl.read_parquet(p)) for p in (a, b))
        if fa.columns != fb.columns:
            print(f"{name:28} columns differ: {sorted(set(fa.columns) ^ set(fb.columns))}")
            differ += 1
            continue
        if fa.equals(fb):
            print(f"{name:28} {fa.height:8} rows, identical")
            continue
        differ += 1
        gone, new = (
            fa.join(fb, on=fa.columns, how="anti", nulls_equal=True),
            fb.join(fa, on=fa.columns, how="anti", nulls_equal=True),
        )
        print(
            f"{name:28} DIFFERS: {fa.height} -> {fb.height} rows; {gone.height} only before, {new.height} after"
        )
        for label, frame in (("before", gone), ("after", new)):
            for row in frame.head(3).iter_rows(named=True):
                print(f"    only {label}: {row}")
    print("identical" if not differ else f"{differ} table(s) differ")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--bbc", type=int, default=500, help="articles of the corpus")
    d.add_argument("--corpus", choices=sorted(CORPORA), default="bbc")
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = parser.parse_args()
    if not GOLD.exists() or not BBC.exists():
        sys.exit(f"needs the gold and the BBC corpus under {SHARED}")
    if args.command == "dump":
        dump(args.out, args.bbc, CORPORA[args.corpus])
    else:
        sys.exit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
