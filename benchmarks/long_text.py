"""Cost of long articles and giant sentences: newsetl's extraction beside spaCy alone.

    python benchmarks/long_text.py                 # 0.1, 1, 5 MB articles and a 50,000-token sentence
    python benchmarks/long_text.py --sizes 0.1 1   # only these article sizes (MB)
    python benchmarks/long_text.py --bad-run       # 24 bad records through `newsetl run`
    python benchmarks/long_text.py --huge 200      # one 200 MB article through `newsetl run`

Each measurement runs in a fresh process, so its peak RSS (`ru_maxrss`, this process and no
other: extraction runs with n_process=1 here) is its own. The texts are built from BBC News
paragraphs (`../shared/corpora/bbc`): real sentences, repeated until the size is reached; the
giant sentence is BBC text with its sentence punctuation and line breaks removed.

newsetl's figures are one article through `transforms.preparation.prepare` and `flows.workers._extract_frames` (clean,
parse in segments, entities, actions, quotes, dates: every row of every table) with
`max_article_chars` raised so the whole text is extracted (`--default-cap` keeps the setting's
default, 1,000,000 characters, as a nightly run does). spaCy alone is the packaged model on
the same text: `nlp(text)` (one Doc, `nlp.max_length` raised) and `nlp.pipe` over the same
100,000-character segments newsetl parses (the cheaper of the two is the cost floor).
`--bad-run` times a whole `newsetl run` (Prefect, validation, loading) over 24 bad records,
among them a 1.3 MB article of 30,000 short sentences and a 120,000-token sentence.
`--huge MB` runs one article of that size (one JSONL line, beside a short one) through
`newsetl run` and prints the process tree's peak RSS, which process held it, and the stages.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "corpora" / "bbc" / "bbc_articles.jsonl"
SEGMENT = 100_000
DOC_LIMIT = 2_000_000  # spaCy's nlp(text) needs ~3 GB per MB: not tried on longer texts


def _bbc_texts() -> list[str]:
    if not BBC.exists():
        sys.exit(f"needs the BBC corpus at {BBC}")
    with BBC.open(encoding="utf-8") as fh:
        return [json.loads(line)["text"] for line in fh]


def article_text(n_chars: int) -> str:
    """BBC paragraphs in corpus order, repeated, until `n_chars` characters."""
    out: list[str] = []
    size = 0
    texts = _bbc_texts()
    i = 0
    while size < n_chars:
        for para in texts[i % len(texts)].split("\n\n"):
            out.append(para)
            size += len(para) + 2
            if size >= n_chars:
                break
        i += 1
    return "\n\n".join(out)


def sentence_text(n_tokens: int) -> str:
    """BBC words with no sentence punctuation or line break: one sentence of ~`n_tokens`
    tokens (about 0.85 words per token: commas, quotes, 's are tokens too)."""
    words: list[str] = []
    for text in _bbc_texts():
        words.extend(re.sub(r"[.!?;:]", "", text).split())
        if len(words) >= n_tokens * 0.85:
            break
    return " ".join(words[: int(n_tokens * 0.85)])


def short_sentences(n: int) -> str:
    """`n` short sentences in paragraphs of ten (the 1.3 MB article of issue 13)."""
    firms = ["Acme", "Beta Corp", "Gamma Inc", "Delta Air Lines", "Epsilon Bank", "Zeta Motors"]
    sents = [f"{firms[i % 6]} said sales rose {i % 97} pct last year." for i in range(n)]
    return "\n\n".join(" ".join(sents[i : i + 10]) for i in range(0, n, 10))


# ---- one measurement, in a child process -------------------------------------------------


def _measure(mode: str, path: str, cap: int | None) -> dict:
    text = Path(path).read_text(encoding="utf-8")
    t0 = time.perf_counter()
    out: dict = {}
    if mode.startswith("spacy"):
        import spacy

        from transforms.nlp import MODEL_NAME, _segments

        nlp = spacy.load(MODEL_NAME)
        nlp.max_length = len(text) + 1
        t1 = time.perf_counter()
        if mode == "spacy-doc":
            out["tokens"] = len(nlp(text))
        else:
            out["tokens"] = sum(len(d) for d in nlp.pipe(_segments(text, SEGMENT), batch_size=1))
    else:
        from flows.sources import RawRecord
        from flows.workers import _extract_frames
        from transforms.nlp import MODEL_NAME, load_nlp
        from transforms.preparation import prepare

        load_nlp(MODEL_NAME)
        t1 = time.perf_counter()
        rec = RawRecord("bench", "long", "A long story", text, "2005-01-01", "bench", None)
        cap = cap or len(text) + 1
        prepared = prepare([(rec, "a1", "h1")], max_article_chars=cap)
        frames = _extract_frames(prepared.articles, MODEL_NAME, 32, SEGMENT, cap)
        out.update({k: n for k, n in frames.row_counts.items() if k != "articles"})
        out["warnings"] = frames.articles["warnings"][0].to_list()
    out["seconds"] = time.perf_counter() - t1
    out["load_seconds"] = t1 - t0
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure(mode: str, path: Path, cap: int | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, str(path)] + (["--cap", str(cap)] if cap else [])
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _row(name: str, chars: int, m: dict, floor: float | None = None) -> str:
    if "error" in m:
        return f"| {name} | {chars:,} | failed: {m['error']} | | |"
    ratio = f"{m['seconds'] / floor:.2f}x" if floor else ""
    return f"| {name} | {chars:,} | {m['seconds']:.1f} s | {m['peak_mb']:,.0f} MB | {ratio} |"


def texts_table(sizes: list[float], sentence_tokens: int, skip_doc: bool, default_cap: bool) -> None:
    cases = [(f"article {s:g} MB", article_text(int(s * 1_000_000))) for s in sizes]
    if sentence_tokens:
        cases.append((f"one {sentence_tokens:,}-token sentence", sentence_text(sentence_tokens)))
    print("| text | characters | time | peak RSS | vs spaCy |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in cases:
            path = Path(tmp) / "text.txt"
            path.write_text(text, encoding="utf-8")
            floors = []
            segs = measure("spacy-pipe", path)
            print(_row(f"{name}: spaCy nlp.pipe(segments)", len(text), segs), flush=True)
            floors.append(segs.get("seconds"))
            if not skip_doc and len(text) <= DOC_LIMIT:
                doc = measure("spacy-doc", path)
                print(_row(f"{name}: spaCy nlp(text)", len(text), doc), flush=True)
                floors.append(doc.get("seconds"))
            floor = min((f for f in floors if f), default=None)
            ours = measure("newsetl", path, 1_000_000 if default_cap else None)
            print(_row(f"{name}: newsetl", len(text), ours, floor), flush=True)
            if "error" not in ours:
                rows = ", ".join(f"{ours[k]:,} {k}" for k in ("entities", "actions", "quotes"))
                note = f"; warnings: {ours['warnings']}" if ours["warnings"] else ""
                print(f"|   ({rows}{note}) | | | | |", flush=True)


# ---- 24 bad records through the whole run --------------------------------------------------


def bad_records(folder: Path) -> int:
    """24 records that each stress one thing; returns how many records were written."""
    big = {
        "big-article": short_sentences(30_000),
        "giant-sentence": sentence_text(120_000),
    }
    # 20 more, each 10-100 times an ordinary article's length where size is the attack
    small = {
        "no-spaces": "x" * 100_000,
        "ticker-storm": " ".join(f"Firm{i} Inc (F{i % 9999:04d}) rose." for i in range(2_000)),
        "quote-storm": " ".join(f'"Sales rose {i} pct," said Mr Smith{i}.' for i in range(1_000)),
        "open-quotes": '"' * 20_000 + " Acme said sales rose.",
        "name-list": ", ".join(f"Company{i} Holdings" for i in range(3_000)) + " all said sales rose.",
        "numbers-table": "\n".join(" ".join(str(i * j) for j in range(12)) for i in range(1_500)),
        "parentheses": "(" * 10_000 + "Acme said sales rose." + ")" * 10_000,
        "pronouns": "Acme said sales rose. " + "It said it would grow. " * 3_000,
        "dates": " ".join(f"On March {i % 28 + 1}, 2004, Acme said sales rose." for i in range(2_000)),
        "one-line-html": "<p>" + "<b>Acme</b> said sales rose. " * 3_000 + "</p>",
        "control-chars": "\x00\x01\x02\x1b[31m Acme said sales rose. \x7f" * 1_000,
        "emoji": "📈 Acme said sales rose 🚀. " * 3_000,
        "mixed-scripts": "Газпром заявил. 三菱商事は発表した. Acme said sales rose. " * 1_000,
        "long-word-lines": "\n".join("y" * 5_000 for _ in range(20)),
        "only-punctuation": ".,;:!?-" * 10_000,
        "whitespace": " \t\n" * 30_000,
        "empty": "",
        "markup-only": "<script>x()</script><style>p{}</style>",
        "surrogate": "Acme said \ud800 sales rose.",
        "repeated-paragraph": "\n\n".join(["Acme said sales rose 5 pct in the quarter."] * 2_000),
    }
    lines = [
        json.dumps({"id": k, "title": k.replace("-", " "), "text": v, "published_at": "2004-05-06"})
        for k, v in {**big, **small}.items()
    ]
    lines += [
        json.dumps({"id": "bad-date", "text": "Acme said sales rose.", "published_at": "0001-01-01"}),
        '{"id": "huge-number", "text": "Acme said.", "n": ' + "9" * 5_001 + "}",
    ]
    (folder / "bad.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    return len(lines)


def _newsetl_run(folder: Path, wh: Path) -> tuple[int, float, _TreePeak, str]:
    """`newsetl run` over the folder in a fresh process: exit code, seconds, the process
    tree's peak RSS, output."""
    env = {**os.environ, "NEWSETL_PREFECT_STARTUP_TIMEOUT": "300"}
    cmd = [
        str(Path(sys.executable).parent / "newsetl"),
        "run",
        "--no-progress",
        "-s",
        str(folder),
        "-w",
        str(wh),
    ]
    peak_sampler = _TreePeak()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak_sampler.watch(proc)
    out = proc.stdout.read() if proc.stdout else ""
    code = proc.wait()
    return code, time.perf_counter() - t0, peak_sampler, out


def bad_run() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        n = bad_records(folder)
        size = (folder / "bad.jsonl").stat().st_size
        wh = Path(tmp) / "w.duckdb"
        code, took, peak_sampler, out = _newsetl_run(folder, wh)
        print(
            f"{n} bad records ({size / 1e6:.1f} MB in one JSONL file): `newsetl run` exit {code} in {took:.1f} s"
        )
        print(f"peak RSS of the run's process tree: {peak_sampler.peak_mb:,.0f} MB")
        print("\n".join(out.strip().splitlines()[-8:]))
        if code == 0:
            import duckdb

            con = duckdb.connect(str(wh), read_only=True)
            print(
                con.execute(
                    "select status, articles_seen, articles_loaded, articles_quarantined from pipeline_runs"
                ).fetchall()
            )
            print(
                con.execute(
                    "select external_id, stage, left(reason, 90) from quarantine order by 1"
                ).fetchall()
            )


def huge_run(mb: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        with (folder / "huge.jsonl").open("w", encoding="utf-8") as fh:
            text = article_text(int(mb * 1e6))
            fh.write(json.dumps({"id": "huge", "title": "A very long story", "text": text}) + "\n")
            del text
            fh.write(json.dumps({"id": "short", "text": "Acme Corp said it would buy Beta Inc."}) + "\n")
        size = (folder / "huge.jsonl").stat().st_size
        wh = Path(tmp) / "w.duckdb"
        code, took, peak_sampler, out = _newsetl_run(folder, wh)
        print(f"one {size / 1e6:.0f} MB JSONL line: `newsetl run` exit {code} in {took:.1f} s")
        print(
            f"peak RSS of the run's process tree: {peak_sampler.peak_mb:,.0f} MB at {peak_sampler.peak_at:.0f} s"
        )
        for name, rss in sorted(peak_sampler.peak_by.items(), key=lambda kv: -kv[1]):
            print(f"  at the peak: {rss:,.0f} MB  {name}")
        print("\n".join(out.strip().splitlines()[-14:]))


class _TreePeak:
    """The largest total RSS of a process and its descendants, sampled every 0.2 s (and
    what each process held at that moment)."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self.peak_at = 0.0
        self.peak_by: dict[str, float] = {}

    def watch(self, proc: subprocess.Popen) -> None:
        import threading

        import psutil

        def sample() -> None:
            root = psutil.Process(proc.pid)
            t0 = time.monotonic()
            while proc.poll() is None:
                try:
                    procs = [root, *root.children(recursive=True)]
                    by = {
                        f"{p.pid} {' '.join(p.cmdline()[1:3])[:70]}": p.memory_info().rss / 2**20
                        for p in procs
                    }
                except psutil.Error:
                    by = {}
                total = sum(by.values())
                if total > self.peak_mb:
                    self.peak_mb, self.peak_at, self.peak_by = total, time.monotonic() - t0, by
                time.sleep(0.2)

        threading.Thread(target=sample, daemon=True).start()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=float, nargs="*", default=[0.1, 1, 5], help="article sizes in MB")
    ap.add_argument("--sentence-tokens", type=int, default=50_000, help="giant sentence length (0: none)")
    ap.add_argument("--skip-doc", action="store_true", help="no spaCy nlp(text) row (it needs ~3 GB per MB)")
    ap.add_argument("--default-cap", action="store_true", help="keep max_article_chars at its default")
    ap.add_argument("--bad-run", action="store_true", help="24 bad records through `newsetl run`")
    ap.add_argument("--huge", type=float, metavar="MB", help="one article this large through `newsetl run`")
    ap.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--cap", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(_measure(args.child[0], args.child[1], args.cap)))
    elif args.bad_run:
        bad_run()
    elif args.huge:
        huge_run(args.huge)
    else:
        texts_table(args.sizes, args.sentence_tokens, args.skip_doc, args.default_cap)


if __name__ == "__main__":
    main()
