"""Action types: a verb lexicon kept as data (patterns/verb_lexicon.jsonl) mapping lemmas,
verb + particle pairs and verb + object pairs to the taxonomy in patterns/action_types.json.

A row is (lemma, optional particle, optional object head, optional preposition) -> type.
Lookup order, most specific first: (lemma, object head), (lemma, preposition),
(lemma, particle), lemma; else OTHER. A light verb takes the type of its noun ("held
discussions with": MEET; "took a stake": INVEST; "made an offer": ACQUIRE), and a light
noun with its own clause the type of that clause ("made the decision to stop": HALT;
transforms/actions.py passes the clause's verb).
"""

from __future__ import annotations

from functools import lru_cache

from transforms.lexicons import load_json, load_jsonl

LEXICON_FILE = "verb_lexicon.jsonl"  # in transforms/patterns/
TAXONOMY_FILE = "action_types.json"


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, str]:
    """Type -> description."""
    return {k: v for k, v in load_json(TAXONOMY_FILE).items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def _lexicon() -> dict[tuple[str, str, str, str], str]:
    types = taxonomy()
    out: dict[tuple[str, str, str, str], str] = {}
    for n, row in enumerate(load_jsonl(LEXICON_FILE), 1):
        if row["type"] not in types:
            raise ValueError(f"{LEXICON_FILE} row {n}: unknown action type {row['type']!r}")
        key = (
            row["lemma"].lower(),
            row.get("particle", "").lower(),
            row.get("object", "").lower(),
            row.get("prep", "").lower(),
        )
        out.setdefault(key, row["type"])
    return out


def classify(
    lemma: str, particle: str | None = None, object_head: str | None = None, prep: str | None = None
) -> str:
    """The action type of a verb, its particle ("get out"), its object's head lemma and the
    first preposition it governs ("warned of": STATEMENT)."""
    lex = _lexicon()
    lemma = lemma.lower()
    if object_head:
        t = lex.get((lemma, "", object_head.lower(), ""))
        if t:
            return t
    if prep:
        t = lex.get((lemma, "", "", prep.lower()))
        if t:
            return t
    if particle:
        t = lex.get((lemma, particle.lower(), "", ""))
        if t:
            return t
    return lex.get((lemma, "", "", ""), "OTHER")
