"""Case restoration for all-caps headlines (Reuters, CoNLL): "ALTEX <AII> SETS ACQUISITION"
parses far better as "Altex (AII) sets acquisition".

The result has exactly the same length as the input, so every character offset into the
restored text is an offset into the stored title; only the parser sees the restored case.
"""

from __future__ import annotations

import re
from collections import Counter

_WORD = re.compile(r"[A-Za-z][A-Za-z'&.\-]*")
_SENT_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)$")
# Short function words that are never acronyms in a headline.
_FUNCTION = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "to",
        "up",
        "was",
        "with",
        "will",
        "says",
        "said",
        "over",
        "after",
        "than",
        "new",
    ]
)


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and sum(c.isupper() for c in letters) / len(letters) > 0.9


def body_forms(body: str) -> dict[str, str]:
    """The usual written form of each word in the body, ignoring sentence-initial capitals."""
    forms: dict[str, Counter[str]] = {}
    initial: dict[str, str] = {}
    for m in _WORD.finditer(body):
        w = m.group(0)
        if _SENT_START.search(body[max(0, m.start() - 3) : m.start()]) and w[0].isupper() and not w.isupper():
            # "The", "Shares" at a sentence start say little about case: used only when the
            # word is never seen elsewhere ("Altex Industries said ..." at the start)
            initial.setdefault(w.lower(), w)
            continue
        forms.setdefault(w.lower(), Counter())[w] += 1
    out = {k: c.most_common(1)[0][0] for k, c in forms.items()}
    for k, w in initial.items():
        out.setdefault(k, w if k not in _FUNCTION else k)
    return out


def _restore(text: str, forms: dict[str, str], *, unknown_long: str) -> str:
    out = list(text)
    first = True
    for m in _WORD.finditer(text):
        w = m.group(0)
        low = w.lower()
        if low in forms and len(forms[low]) == len(w):
            new = forms[low]
        elif low in _FUNCTION:
            new = low
        elif len(w) > 3:
            new = low if unknown_long == "lower" else w[0] + w[1:].lower()
        else:
            new = w  # a short unknown word in capitals is most likely an acronym or ticker
        if first and new.islower() and unknown_long != "lower":
            new = new[0].upper() + new[1:]
        first = False
        out[m.start() : m.end()] = new
    return "".join(out)


def truecase(title: str, body: str) -> str:
    """Restore the case of an all-caps title from the body; other titles are returned as is.

    Words the body does not show are lower-cased (headlines are mostly common words)."""
    if not is_all_caps(title):
        return title
    return _restore(title, body_forms(body), unknown_long="lower")


def truecase_body(body: str) -> str:
    """Restore the case of all-caps lines inside a body (section headers, table rows such
    as 'MILWAUKEE 60 70 .462'). Words the rest of the body does not show are title-cased:
    such lines are mostly names. Same length as the input."""
    if not any(is_all_caps(line) for line in body.split("\n")):
        return body
    forms = body_forms(body)
    lines = body.split("\n")
    return "\n".join(_restore(ln, forms, unknown_long="title") if is_all_caps(ln) else ln for ln in lines)
