"""Draw the news articles that newsetl annotated (training/data/news_entities.jsonl).

Seeded random samples from ../shared/corpora, never a gold article, in two batches: BBC
business, tech and politics articles (not marked as a copy of another) and Reuters-21578
stories whose body is 600 to 3,500 characters (the first of identical bodies); the second
batch draws from what the first left. BBC is kept under a fifth of its business, tech and
politics articles, so that most of them stay unseen by anything learned. The
annotation file holds the ids and, per article, its entities (name, label, aliases) in the
gold files' format, written by annotators following ../shared/gold/GUIDELINES.md; the
texts stay in ../shared.

Usage: python training/draw_sample.py            print the ids, one per line
       python training/draw_sample.py --check    exit 1 unless the annotated ids are these
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from training import corpora  # noqa: E402

# (seed, BBC articles by category, Reuters stories)
BATCHES = (
    (16, (("business", 64), ("tech", 56), ("politics", 56)), 64),
    (17, (("business", 27), ("tech", 27), ("politics", 26)), 160),
)
REUTERS_CHARS = corpora.REUTERS_CHARS


def _pools() -> tuple[list[dict], list[dict]]:
    """The BBC articles and the Reuters stories a batch may draw from (no gold article)."""
    return corpora.draw_pools(corpora.gold_ids())


def draw(batches: int = len(BATCHES)) -> list[str]:
    """The ids of the first `batches` batches, in drawing order."""
    bbc, reuters = _pools()
    picked: list[str] = []
    for seed, categories, n_reuters in BATCHES[:batches]:
        rng = random.Random(seed)
        taken = set(picked)
        for category, n in categories:
            picked += [
                a["id"]
                for a in rng.sample(
                    [a for a in bbc if a.get("category") == category and a["id"] not in taken], n
                )
            ]
        picked += [a["id"] for a in rng.sample([a for a in reuters if a["id"] not in taken], n_reuters)]
    return picked


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    ids = draw()
    if not args.check:
        print("\n".join(ids))
        return 0
    annotated = {r["id"] for r in corpora.iter_jsonl(corpora.NEWS_ENTITIES)}
    if annotated != set(ids):
        print(f"annotated ids differ from the sample: {len(annotated ^ set(ids))} differ", file=sys.stderr)
        return 1
    print(f"the {len(ids)} annotated articles are the drawn sample")
    return 0


if __name__ == "__main__":
    sys.exit(main())
