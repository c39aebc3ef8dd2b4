"""Action types: a verb lexicon kept as data (patterns/verb_lexicon.jsonl) mapping lemmas,
verb + particle pairs and verb + object pairs to the taxonomy in patterns/action_types.json.

Lookup order, most specific first: (lemma, object head), (lemma, particle), lemma; else OTHER.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

PATTERNS = Path(__file__).parent / "patterns"
LEXICON_PATH = PATTERNS / "verb_lexicon.jsonl"
TAXONOMY_PATH = PATTERNS / "action_types.json"


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, str]:
    """Type -> description."""
    data = json.loads(TAXONOMY_PATH.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def _lexicon() -> dict[tuple[str, str, str], str]:
    types = taxonomy()
    out: dict[tuple[str, str, str], str] = {}
    for n, line in enumerate(LEXICON_PATH.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["type"] not in types:
            raise ValueError(f"{LEXICON_PATH.name} line {n}: unknown action type {row['type']!r}")
        key = (row["lemma"].lower(), row.get("particle", "").lower(), row.get("object", "").lower())
        out.setdefault(key, row["type"])
    return out


def classify(lemma: str, particle: str | None = None, object_head: str | None = None) -> str:
    """The action type of a verb, its particle ("get out") and its object's head lemma."""
    lex = _lexicon()
    lemma = lemma.lower()
    if object_head:
        t = lex.get((lemma, "", object_head.lower()))
        if t:
            return t
    if particle:
        t = lex.get((lemma, particle.lower(), ""))
        if t:
            return t
    return lex.get((lemma, "", ""), "OTHER")
