"""Score `action_amounts` against the amounts gold (benchmarks/amounts/README.md).

Runs the pipeline (benchmarks/quality.py's run_newsetl, the nightly flow's code) on the 34
gold articles of ../shared/gold/dev_articles.jsonl into a temporary warehouse and matches
its amounts to the gold's by overlapping offsets in the same field. Prints precision,
recall and F1 of the span, of value + unit, and of value + unit + role, per fold ("tuned":
the articles the rules were written against; "heldout": the others), beside quantulum3's
(the maintained parser on PyPI, when it is installed) on the same texts.

Usage: python benchmarks/amounts/score.py [--keep DIR] [--errors]
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
GOLD = HERE / "gold.jsonl"
ARTICLES = ROOT.parent / "shared" / "gold" / "dev_articles.jsonl"

AMOUNTS_SQL = """
select ar.external_id, m.field, m.start_char, m.end_char, m.text, m.value, m.unit, m.role
from action_amounts m join articles ar using (article_id)
"""


def read_gold(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def same_value(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def prf(right: int, predicted: int, gold: int) -> dict[str, float]:
    p = right / predicted if predicted else 0.0
    r = right / gold if gold else 0.0
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
    }


def score(predicted: Iterable[dict], gold: Iterable[dict]) -> dict[str, dict[str, float]]:
    """Each prediction matches the first unmatched gold amount it overlaps (same article
    and field); a match counts for the span, for value + unit when both agree, and for
    value + unit + role when the role agrees too."""
    golds, preds = list(gold), list(predicted)
    used: set[int] = set()
    span = value_unit = role = 0
    for p in preds:
        for i, g in enumerate(golds):
            if i in used or (g["article"], g["field"]) != (p["article"], p["field"]):
                continue
            if p["start_char"] < g["end_char"] and g["start_char"] < p["end_char"]:
                used.add(i)
                span += 1
                if same_value(p["value"], g["value"]) and p["unit"] == g["unit"]:
                    value_unit += 1
                    role += p.get("role") == g["role"]
                break
    n_p, n_g = len(preds), len(golds)
    return {
        "span": prf(span, n_p, n_g),
        "value+unit": prf(value_unit, n_p, n_g),
        "value+unit+role": prf(role, n_p, n_g),
        "counts": {"predicted": n_p, "gold": n_g},
    }


def extract(workdir: Path) -> list[dict]:
    import duckdb

    from benchmarks.quality import run_newsetl

    warehouse = workdir / "amounts.duckdb"
    run_newsetl(ARTICLES, warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute(AMOUNTS_SQL).fetchall()
    finally:
        con.close()
    keys = ("article", "field", "start_char", "end_char", "text", "value", "unit", "role")
    return [dict(zip(keys, r, strict=True)) for r in rows]


# quantulum3's unit names -> the gold's units (its other units count as wrong)
_QUANTULUM_UNITS = {
    "dollar": "USD",
    "pound sterling": "GBP",
    "euro": "EUR",
    "yen": "JPY",
    "percentage": "percent",
}


def quantulum(texts: dict[tuple[str, str], str]) -> list[dict] | None:
    """quantulum3's amounts on the same fields (None when it is not installed)."""
    try:
        from quantulum3 import classifier, parser
    except ImportError:
        return None
    # its shipped disambiguation model is a pickle of another scikit-learn: without it,
    # quantulum3 uses its rules only (as when scikit-learn is not installed)
    classifier.USE_CLF = False
    out = []
    for (article, field), text in texts.items():
        for q in parser.parse(text):
            name = q.unit.name
            unit = next((u for k, u in _QUANTULUM_UNITS.items() if name.startswith(k)), name)
            value = q.value / 100 if name.startswith("cent") else q.value
            unit = "USD" if name.startswith("cent") else unit
            out.append({"article": article, "field": field, "start_char": q.span[0], "end_char": q.span[1],
                        "value": value, "unit": unit, "role": None})  # fmt: skip
    return out


def field_texts(ids: set[str]) -> dict[tuple[str, str], str]:
    from transforms.clean import clean_article

    out = {}
    for line in ARTICLES.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        if r["id"] in ids:
            c = clean_article(r.get("title"), r.get("text"), source=r.get("source"), url=r.get("url"))
            out[(r["id"], "title")], out[(r["id"], "body")] = c.title, c.body
    return out


def report(name: str, predicted: list[dict], gold: list[dict]) -> list[str]:
    lines = []
    for fold in ("tuned", "heldout", "all"):
        g = [x for x in gold if fold == "all" or x["fold"] == fold]
        arts = {x["article"] for x in g} if fold != "all" else None
        p = [x for x in predicted if arts is None or x["article"] in arts]
        s = score(p, g)
        lines.append(
            f"{name:10s} {fold:8s} gold {len(g):4d} predicted {len(p):4d}  span F1 {s['span']['f1']:.3f}  "
            f"value+unit P {s['value+unit']['precision']:.3f} R {s['value+unit']['recall']:.3f} "
            f"F1 {s['value+unit']['f1']:.3f}  +role F1 {s['value+unit+role']['f1']:.3f}"
        )
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--keep", type=Path, default=None, help="keep the warehouse in DIR")
    ap.add_argument("--errors", action="store_true", help="list gold amounts missed or read wrong")
    args = ap.parse_args()
    if not ARTICLES.exists():
        print(f"{ARTICLES} not found: nothing to score", file=sys.stderr)
        return 1
    gold = read_gold()
    articles = json.loads((HERE / "articles.json").read_text(encoding="utf-8"))
    folds = {a: f for f, ids in articles["folds"].items() for a in ids}
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="newsetl-amounts-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        ours = [x for x in extract(workdir) if x["article"] in folds]
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\n".join(report("newsetl", ours, gold)))
    theirs = quantulum(field_texts(set(folds)))
    if theirs is None:
        print("quantulum3 not installed: pip install quantulum3 to print its figures beside")
    else:
        print("\n".join(report("quantulum3", theirs, gold)))
    if args.errors:
        for g in gold:
            hits = [p for p in ours if (p["article"], p["field"]) == (g["article"], g["field"])
                    and p["start_char"] < g["end_char"] and g["start_char"] < p["end_char"]]  # fmt: skip
            if not hits:
                print(f"  missed {g['article']}: {g['text']!r} {g['value']} {g['unit']} {g['role']}")
            elif not (same_value(hits[0]["value"], g["value"]) and hits[0]["unit"] == g["unit"]):
                print(
                    f"  read   {g['article']}: {g['text']!r} {g['value']} {g['unit']} as {hits[0]['value']} {hits[0]['unit']}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
