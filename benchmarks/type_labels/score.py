"""Score `actions.action_type` against labelled rows (benchmarks/type_labels/README.md).

The labelled rows are entity-actor action verbs of 60 corpus articles (articles.json) that
no rule, lexicon review, gold or training used; each says the type a blind annotator gave
the verb in its sentence ("also": types as right). This runs the pipeline on those
articles (benchmarks/quality.py's run_newsetl, the nightly flow's code) into a temporary
warehouse, joins its entity actions to the labels by (article, field, verb offset) and
prints the share typed right per fold, beside the type the verb alone gets from the
lexicon (no object, particle, preposition or clause: what a lemma-only lookup gives).

Usage: python benchmarks/type_labels/score.py [--keep DIR] [--errors]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

HERE = Path(__file__).resolve().parent
LABELS = HERE / "labels.jsonl"
ARTICLES = HERE / "articles.json"

ACTIONS_SQL = """
select ar.external_id, a.field, a.start_char, a.verb, a.action_type
from actions a join articles ar using (article_id)
where a.actor_entity_id is not null
"""

Key = tuple[str, str, int]


def read_labels(path: Path = LABELS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def label_key(row: dict) -> Key:
    return (row["article"], row["field"], int(row["start_char"]))


def is_right(label: dict, predicted: str) -> bool:
    return predicted == label["type"] or predicted in label.get("also", [])


def score(labels: Iterable[dict], predicted: dict[Key, tuple[str, str]], lemma_only) -> dict[str, dict]:
    """Per fold (and "all"): labelled rows, rows the extraction no longer has, right in
    context, right by the lemma alone. `predicted`: key -> (verb lemma, action type)."""
    out: dict[str, dict] = {}
    for label in labels:
        for fold in (label["fold"], "all"):
            s = out.setdefault(
                fold, {"labelled": 0, "missing": 0, "right": 0, "lemma_right": 0, "errors": []}
            )
            s["labelled"] += 1
            got = predicted.get(label_key(label))
            if got is None:
                s["missing"] += 1
                continue
            verb, action_type = got
            if is_right(label, action_type):
                s["right"] += 1
            elif fold != "all":
                s["errors"].append((label, action_type))
            s["lemma_right"] += is_right(label, lemma_only(verb))
    return out


def report_lines(scores: dict[str, dict]) -> list[str]:
    from benchmarks.audit.score import wilson

    lines = [
        f"{'fold':8s} {'rows':>5s} {'missing':>8s} {'in context':>11s} {'95% CI':>13s} {'lemma only':>11s}"
    ]
    for fold in sorted(scores, key=lambda f: (f == "all", f)):
        s = scores[fold]
        n = s["labelled"] - s["missing"]
        ci = wilson(s["right"], n)
        share = s["right"] / n if n else 0.0
        lemma = s["lemma_right"] / n if n else 0.0
        interval = f"{ci[0]:.3f}-{ci[1]:.3f}" if ci else "-"
        lines.append(
            f"{fold:8s} {s['labelled']:5d} {s['missing']:8d} {share:11.3f} {interval:>13s} {lemma:11.3f}"
        )
    return lines


def extract(workdir: Path) -> dict[Key, tuple[str, str]]:
    import duckdb

    from benchmarks.quality import run_newsetl
    from training import corpora

    ids = json.loads(ARTICLES.read_text(encoding="utf-8"))["articles"]
    records = corpora.records_by_id(set(ids))
    articles = workdir / "type_articles.jsonl"
    with articles.open("w", encoding="utf-8") as fh:
        for i in ids:
            fh.write(json.dumps(records[i], ensure_ascii=False) + "\n")
    warehouse = workdir / "types.duckdb"
    run_newsetl(articles, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(ACTIONS_SQL).fetchall()
    finally:
        con.close()
    return {(ext, field, start): (verb, action_type) for ext, field, start, verb, action_type in rows}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=Path, default=None, help="keep the articles file and warehouse in DIR")
    ap.add_argument("--errors", action="store_true", help="list the rows typed wrong, per fold")
    args = ap.parse_args()
    from benchmarks.audit.evidence import available
    from transforms.action_types import classify

    if not available():
        print("../shared/corpora not found: nothing to score", file=sys.stderr)
        return 1
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="newsetl-types-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        predicted = extract(workdir)
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    scores = score(read_labels(), predicted, classify)
    print("action_type of labelled entity-actor verbs (the verb 'say' left out of the sample)")
    print("\n".join(report_lines(scores)))
    if args.errors:
        for fold, s in sorted(scores.items()):
            for label, got in s["errors"]:
                print(
                    f"  {fold}: {label['lemma']:12s} {got:>14s} -> {label['type']:14s} {label['note'][:70]}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
