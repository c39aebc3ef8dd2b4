"""Names as keys: display forms, canonical keys, acronyms and stable entity ids.

Pure string functions (no spaCy), shared by entity clustering (transforms.entities) and
the company reference (transforms.reference).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container
from functools import lru_cache

from transforms.lexicons import ordered_words

# spaCy labels of the names clustering reads (dates and amounts are not names); of these,
# only the ENTITY_KINDS are entities, a place of any kind (PLACE_LABELS) being a GPE.
ENTITY_LABELS = frozenset(
    {"ORG", "PERSON", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART", "NORP", "LANGUAGE"}
)
ENTITY_KINDS = ("ORG", "PERSON", "GPE", "PRODUCT")
# names that are no entities of the guidelines, kept as mentions without an entity (CoNLL's MISC)
OTHER_NAME_LABELS = frozenset({"NORP", "EVENT", "LAW", "WORK_OF_ART", "LANGUAGE"})
CANDIDATE = "NNP"  # the label of a proper-noun run no entity covers (transforms.entities)
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Labels an actor of an action may have.
ACTOR_LABELS = frozenset({"ORG", "PERSON", "GPE"})


def legal_forms() -> list[tuple[str, ...]]:
    """Company legal forms ('inc', 'corp', 'n v', 'gmbh & co kg': lower-case words without
    punctuation) from the maintained list of the `cleanco` package, less the terms
    patterns/names.json says are no legal form at the end of a news name ('AOL UK')."""
    from cleanco import prepare_default_terms

    skip = set(ordered_words("names.json", "not_legal_forms"))
    forms = {
        tuple(words) for _, words in prepare_default_terms() if not (len(words) == 1 and words[0] in skip)
    }
    return sorted(forms, key=lambda f: (-len(f), f))


def _word_pattern(word: str) -> str:
    """A legal-form word as written: any case, an abbreviation with or without its full
    stops ('nv' matches 'NV', 'N.V.', 'N.V')."""
    if len(word) <= 4 and word.isalpha():
        return r"\.?".join(re.escape(c) for c in word) + r"\.?"
    return re.escape(word) + r"\.?"


# one or more legal forms ending a name, with what joins them to it ("Morgan Stanley and Co",
# "Samuel Montagu and Co Ltd", "Sedio N.V.", "Krupp Stahl AG")
_SUFFIX_RE = re.compile(
    r"(?:(?:[\s,]+|\s*&\s*|\s+and\s+)(?:"
    + "|".join(r"\s*".join(_word_pattern(w) for w in form) for form in legal_forms())
    + r"))+\.?$",
    re.I,
)
HONORIFICS = ordered_words("names.json", "honorifics") + ordered_words("names.json", "titles")
_HONORIFIC_RE = re.compile(r"^(?:(?:" + "|".join(HONORIFICS) + r")\.?\s+)+", re.I)
_STOP = frozenset(
    ["of", "and", "for", "the", "&", "de", "la", "du", "des", "der", "von", "van", "in", "on", "at", "to"]
)


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).replace("’", "'")


@lru_cache(maxsize=65536)
def display_name(text: str, label: str) -> str:
    """A mention's text as a name: no leading 'the', no possessive, no honorific."""
    name = " ".join(text.split())
    name = re.sub(r"^(?:the)\s+", "", name, flags=re.I)
    name = re.sub(r"['’]s?$", "", name).strip()
    if label == "PERSON":
        name = _HONORIFIC_RE.sub("", name).strip() or name
    return name


@lru_cache(maxsize=65536)
def name_key(text: str, label: str) -> str:
    """Canonical key: case, spacing, punctuation, corporate suffixes and honorifics ignored."""
    name = _fold(display_name(text, label))
    if label == "ORG":
        stripped = _SUFFIX_RE.sub("", name).strip()
        name = stripped or name
    return re.sub(r"[^0-9a-z]+", "", name.lower())


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[^0-9A-Za-z&]+", _fold(text)) if w)


def acronym(text: str) -> str:
    """Initials of the significant words: 'Securities and Exchange Commission' -> 'SEC'."""
    return "".join(w[0].upper() for w in _words(text) if w.lower() not in _STOP)


def acronyms(text: str) -> set[str]:
    """The acronyms a name may go by: its initials, and its initials with an abbreviation it
    contains kept whole ('UK Independence Party' -> 'UIP', 'UKIP')."""
    words = [w for w in _words(text) if w.lower() not in _STOP]
    kept = "".join(w if w.isupper() and len(w) <= 4 else w[0].upper() for w in words)
    return {acronym(text), kept}


def abbreviates(short: str, long: str, words: Container[str] = ()) -> bool:
    """Is the word `short` an abbreviation of `long`: its start ('Lib' for 'Liberal', 'Dems'
    for 'Democrats'), or its letters in order from the same first letter ('Utd' for
    'United')? `words` are ordinary words (lower case): a start that leaves one of them is a
    word of a compound ('Post' of 'Postbank'), and one of them is no scattering of letters
    ('Bank' of 'Bundesbank')."""
    s, full = short.lower(), long.lower()
    if s == full:
        return True
    if len(s) < 2 or s[0] != full[0] or len(s) >= len(full):
        return False
    stem = s[:-1] if s.endswith("s") and full.endswith("s") and not full.startswith(s) else s
    if full.startswith(stem):
        return full[len(stem) :] not in words
    rest = iter(full[1:])
    return s not in words and all(ch in rest for ch in s[1:])


def entity_id(label: str, key: str) -> str:
    """Stable id of a canonical entity, the same in every run and on every machine."""
    return "ent_" + hashlib.sha1(f"{label}|{key}".encode()).hexdigest()[:16]
