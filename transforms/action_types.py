"""Action types: a verb lexicon kept as data (patterns/verb_lexicon.jsonl) mapping lemmas,
verb + particle pairs and verb + object pairs to the taxonomy in patterns/action_types.json.

A lexicon row is (lemma, optional particle, optional object head, optional preposition) ->
type; any of them may be a list (every combination gets the type: the verbs that attain
a goal with the goal nouns), the object "-" means no object, or only a number ("the
index dropped 2%": CHANGE; "dropped the plan": HALT), and "+future" a clause about the
future ("warned that profits may fall": FORECAST; "warned of weak demand": STATEMENT). A row with "noun" instead of "lemma"
types an event noun ("trip": MOVE), for the light verbs below.

Lookup order, most specific first: (lemma, object head); a light verb (patterns/clauses.json
"light_verbs": make, take, give, hold, ...) takes the type of its object noun ("made a
trip": MOVE, "took a hit": SUFFER, "gave his support": ADVOCATE), the noun typed by its own
row, else by the verb it derives from ("announcement" -> announce, "investigation" ->
investigate, "approval" -> approve, "closure" -> close, "filing" -> file) when that verb has
a type; then (lemma, preposition), (lemma, particle), lemma; else OTHER. A light noun with
its own clause takes the type of that clause ("made the decision to stop": HALT;
transforms/actions.py passes the clause's verb).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product
from typing import Any

from transforms.lexicons import load_json, load_jsonl, words

LEXICON_FILE = "verb_lexicon.jsonl"  # in transforms/patterns/
TAXONOMY_FILE = "action_types.json"
NO_OBJECT = "-"
FUTURE_CLAUSE = "+future"
LIGHT_VERBS = words("clauses.json", "light_verbs")

# Event-noun suffixes and the verb endings they replace, tried in order: "investigation"
# -> "investigate", "acquisition" -> "acquire", "decision" -> "decide", "approval" -> "approve".
_DERIVATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ication", ("y",)),
    ("ition", ("ire", "e")),
    ("ation", ("ate", "", "e")),
    ("uction", ("uce",)),
    ("ssion", ("ss", "t")),
    ("sion", ("de", "d")),
    ("ion", ("", "e")),
    ("ment", ("",)),
    ("iance", ("y",)),
    ("ance", ("", "e")),
    ("ence", ("", "e")),
    ("ial", ("y",)),
    ("al", ("", "e")),
    ("ure", ("e", "")),
    ("ery", ("er",)),
    ("ing", ("", "e")),
)


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, str]:
    """Type -> description."""
    return {k: v for k, v in load_json(TAXONOMY_FILE).items() if not k.startswith("_")}


def _as_list(value: Any) -> list[str]:
    if value is None:
        return [""]
    return [str(v).lower() for v in value] if isinstance(value, list) else [str(value).lower()]


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[tuple[str, str, str, str], str], dict[str, str]]:
    """(verb rows keyed (lemma, particle, object, prep), event noun -> type)."""
    types = taxonomy()
    verbs: dict[tuple[str, str, str, str], str] = {}
    nouns: dict[str, str] = {}
    for n, row in enumerate(load_jsonl(LEXICON_FILE, required=("type",)), 1):
        if "lemma" not in row and "noun" not in row:
            raise ValueError(f"{LEXICON_FILE} row {n}: neither 'lemma' nor 'noun' in {row}")
        if row["type"] not in types:
            raise ValueError(f"{LEXICON_FILE} row {n}: unknown action type {row['type']!r}")
        if "noun" in row:
            for noun in _as_list(row["noun"]):
                nouns.setdefault(noun, row["type"])
            continue
        fields = (_as_list(row.get(k)) for k in ("lemma", "particle", "object", "prep"))
        for lemma, particle, obj, prep in product(*fields):
            verbs.setdefault((lemma, particle, obj, prep), row["type"])
    return verbs, nouns


def _lexicon() -> dict[tuple[str, str, str, str], str]:
    return _tables()[0]


def types_object(lemma: str, object_head: str) -> bool:
    """Whether the lexicon has a row for the verb with this object ("sell", "equity")."""
    return (lemma.lower(), "", object_head.lower(), "") in _lexicon()


def derived_verb(noun: str) -> str | None:
    """The typed verb an event noun derives from ("announcement" -> "announce"), if any."""
    verbs = _lexicon()
    for suffix, endings in _DERIVATIONS:
        if noun.endswith(suffix) and len(noun) > len(suffix) + 2:
            stem = noun[: -len(suffix)]
            for ending in endings:
                verb = stem + ending
                if verbs.get((verb, "", "", ""), "OTHER") != "OTHER":
                    return verb
            return None
    return None


def noun_type(noun: str) -> str | None:
    """The type of an event noun: its own row, else its verb's ("approval": REGULATE)."""
    noun = noun.lower()
    own = _tables()[1].get(noun)
    if own is not None:
        return own
    verb = derived_verb(noun)
    return _lexicon()[(verb, "", "", "")] if verb else None


def classify(
    lemma: str, particle: str | None = None, object_head: str | None = None, prep: str | None = None
) -> str:
    """The action type of a verb, its particle ("get out"), its object's head lemma ("-": no
    object, or a number; not with a particle: "closed down") and the first preposition it
    governs ("warned of": STATEMENT)."""
    lex = _lexicon()
    lemma = lemma.lower()
    if object_head:
        obj = object_head.lower()
        t = lex.get((lemma, "", obj, "")) if obj != NO_OBJECT or not particle else None
        if t:
            return t
        if lemma in LIGHT_VERBS and obj not in (NO_OBJECT, FUTURE_CLAUSE):
            t = noun_type(obj)
            if t and t != "OTHER":
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
