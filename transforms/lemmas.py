"""Verb lemmas the packaged lemmatizer gets wrong by English spelling rules.

The packaged model's rule lemmatizer strips "-es", "-ed" and "-ing" and keeps the first
stem it finds in its verb index, so "hopes", "hoped" and "hoping" give "hop". English
spelling decides between the two stems on its own:
- "-es" follows only a stem ending in s, x, z, ch, sh or o ("passes", "goes"); after any
  other letter the "e" is the stem's ("hopes" -> "hope", "rates" -> "rate");
- a one-syllable stem ending consonant-vowel-consonant doubles its last consonant before
  "-ed"/"-ing" ("hop" -> "hopped", "stop" -> "stopping"); undoubled, the stem ends in a
  silent "e" ("hoped", "hoping" -> "hope"; "opened" keeps "open": two syllables);
- British spelling doubles a final "l" after one vowel letter ("trial" -> "trialled",
  "remodel" -> "remodelling"), so a stem the verb index does not know, left as "trialle",
  is the word without "-led"/"-ling"; a one-syllable stem ending in "ll" keeps both
  ("skilled" -> "skill").
"""

from __future__ import annotations

import re

from spacy.tokens import Token

_ES_STEM_ENDINGS = ("s", "x", "z", "ch", "sh", "o")
# one syllable (a single vowel group), ending in one vowel and one consonant (not w, x, y)
_SHORT_CVC = re.compile(r"^[^aeiouy]*[aeiou][bcdfghjklmnpqrstvz]$")
# one syllable ending in a single vowel letter: "ski" + "ll", "bi" + "ll" ("skill", "bill")
_SHORT_OPEN = re.compile(r"^[^aeiouy]*[aeiou]$")


def verb_lemma(tok: Token) -> str:
    """The token's lemma, lower case, corrected by the spelling rules above."""
    lemma = tok.lemma_.lower()
    word = tok.lower_
    if word.endswith("es") and lemma == word[:-2] and not lemma.endswith(_ES_STEM_ENDINGS):
        return word[:-1]
    for suffix in ("ed", "ing"):
        if word.endswith(suffix) and lemma == word[: -len(suffix)] and _SHORT_CVC.match(lemma):
            return lemma + "e"
    if lemma.endswith("lle") and word.endswith(("lled", "lling")):
        stem = lemma[:-3]  # "trialle" -> "tria", "skille" -> "ski"
        return stem + ("ll" if _SHORT_OPEN.match(stem) else "l")
    return lemma
