"""Names as keys: display forms, canonical keys, acronyms and stable entity ids.

Pure string functions (no spaCy), shared by entity clustering (transforms.entities) and
the company reference (transforms.reference).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

from transforms.lexicons import ordered_words

# spaCy labels kept as entities (dates, amounts and nationalities are not entities).
ENTITY_LABELS = frozenset(
    {"ORG", "PERSON", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART", "NORP", "LANGUAGE"}
)
# Labels an actor of an action may have.
ACTOR_LABELS = frozenset({"ORG", "PERSON", "GPE"})

# patterns/names.json: legal-form words a company's key leaves out, titles before a person's name
CORPORATE_SUFFIXES = ordered_words("names.json", "corporate_suffixes")
_SUFFIX_RE = re.compile(
    r"(?:[\s,]+(?:" + "|".join(re.escape(s) for s in CORPORATE_SUFFIXES) + r")\.?)+$", re.I
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


def entity_id(label: str, key: str) -> str:
    """Stable id of a canonical entity, the same in every run and on every machine."""
    return "ent_" + hashlib.sha1(f"{label}|{key}".encode()).hexdigest()[:16]
