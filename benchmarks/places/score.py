"""Score place codes against the places gold (benchmarks/places/README.md).

For each of the 34 gold articles, its gold GPE names are coded together (the article's
context: transforms/geocode.geocode_all, as the pipeline codes an article's GPE
entities) and compared with the gold's ISO 3166-1 country (regions and non-places: no
code) and, for a first-level subdivision, its ISO 3166-2 code.

Usage: python benchmarks/places/score.py [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

GOLD = Path(__file__).resolve().parent / "gold.jsonl"


def read_gold(path: Path = GOLD) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def is_right(gold: dict, country: str | None, subdivision: str | None) -> bool:
    """The country agrees (no code for a region or a non-place); a subdivision's code too."""
    if country != gold["country"]:
        return False
    return gold["kind"] != "subdivision" or subdivision == gold["subdivision"]


def score(gold: list[dict], code_article) -> tuple[int, int, list[tuple[dict, tuple]]]:
    """(right, total, errors); `code_article(names) -> {name: (country, subdivision)}`."""
    by_article: dict[str, list[dict]] = defaultdict(list)
    for g in gold:
        by_article[g["article"]].append(g)
    right, errors = 0, []
    for rows in by_article.values():
        coded = code_article([g["name"] for g in rows])
        for g in rows:
            got = coded.get(g["name"], (None, None))
            if is_right(g, *got):
                right += 1
            else:
                errors.append((g, got))
    return right, len(gold), errors


def newsetl_codes(names: list[str]) -> dict[str, tuple[str | None, str | None]]:
    from transforms.geocode import geocode_all

    return {n: (p.country, p.subdivision) for n, p in geocode_all(names).items()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", action="store_true")
    args = ap.parse_args()
    right, total, errors = score(read_gold(), newsetl_codes)
    print(f"place codes right: {right}/{total} = {right / total:.3f}")
    if args.errors:
        for g, got in errors:
            print(f"  {g['article']}: {g['name']!r} {g['kind']} {g['country']} {g['subdivision']} -> {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
