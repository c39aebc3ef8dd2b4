"""What one entity rule changes across the corpora: the false positives to look for before
keeping a rule.

Parses articles of ../shared/corpora (BBC, Reuters-21578) with the pipeline twice, once
without the named rule of `newsetl_entity_rules` (transforms/entity_rules.py), and prints
every entity (name, label) that one run has and the other has not, per article, with
counts. `--kinds off` leaves out the entity-kind classifier in both runs, so that the rule's
own effect shows.

Usage: python benchmarks/entity_changes.py RULE [--corpus bbc|reuters] [--limit 300]
       [--offset 0] [--kinds on|off] [--ner newsetl|packaged|DIR]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import CORPORA  # noqa: E402


def entities(nlp, articles: list[tuple[str, str, tuple[str, ...]]], kinds) -> dict[str, set[tuple[str, str]]]:
    from transforms.entities import cluster_entities

    out = {}
    for (aid, _, tickers), doc in zip(
        articles, nlp.pipe([t for _, t, _ in articles], batch_size=32), strict=True
    ):
        out[aid] = {(c.name, c.label) for c in cluster_entities(doc, tickers, kinds=kinds)}
    return out


def main() -> int:
    from transforms import entity_rules
    from transforms.clean import clean_article
    from transforms.model import NlpSpec
    from transforms.nlp import load_nlp

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("rule", help="a rule function of the entity-rule passes, e.g. company_spans")
    ap.add_argument("--corpus", choices=sorted(CORPORA), default="reuters")
    ap.add_argument("--limit", type=int, default=300)
    ap.add_argument("--offset", type=int, default=0)
    ap.add_argument("--kinds", choices=["on", "off"], default="off")
    ap.add_argument("--ner", default="newsetl")
    args = ap.parse_args()
    passes = entity_rules._PASSES
    names = {f.__name__ for p in passes for f in p}
    if args.rule not in names:
        print(f"no rule {args.rule!r}; the rules: {', '.join(sorted(names))}", file=sys.stderr)
        return 2
    with CORPORA[args.corpus].open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in itertools.islice(fh, args.offset, args.offset + args.limit)]
    articles = []
    for r in records:
        clean = clean_article(r.get("title"), r.get("text"), source=r.get("source"))
        articles.append((r["id"], clean.parse_text, clean.tickers))
    kinds = "shipped" if args.kinds == "on" else None
    nlp = load_nlp(NlpSpec(ner=args.ner))
    with_rule = entities(nlp, articles, kinds)
    entity_rules._PASSES = tuple(tuple(f for f in p if f.__name__ != args.rule) for p in passes)
    without = entities(nlp, articles, kinds)
    entity_rules._PASSES = passes
    gained = lost = 0
    for aid, _, _ in articles:
        plus, minus = with_rule[aid] - without[aid], without[aid] - with_rule[aid]
        if plus or minus:
            print(f"{aid}: + {sorted(plus)}  - {sorted(minus)}")
        gained, lost = gained + len(plus), lost + len(minus)
    print(f"{args.rule} on {len(articles)} {args.corpus} articles: {gained} entities gained, {lost} lost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
