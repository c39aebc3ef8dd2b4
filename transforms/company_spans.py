"""Whole company names: a name that ends in a legal form ("Corp", "Inc", "N.V.": cleanco's
list, transforms.names) is one organisation from its first capitalised word, whatever the
recogniser cut it into:

- "Michigan General Corp" read as "Michigan" (GPE) + "General Corp": the capitalised words
  before the legal-form name belong to it ("International Business Machines Corp");
- "Alex. Brown and Sons Inc", "Goodyear Tire and Rubber Co", "Hongkong and Shanghai Banking
  Corp" read as two names around "and"/"&": one name, unless either side is a company of its
  own (the first ends in a legal form: "Lac Minerals Ltd and Cambior Inc"; the article names
  either side alone: "Cambior said"; the second is in the company reference: "Daewoo Group
  and General Motors Corp"), the first is a country ("Canada and Pearson Plc"; but not before
  another place: "Hongkong and Shanghai"), the tail of a longer name ("First National Bank of
  Minneapolis and Salomon Inc"), a list's member ("Pratt and Whitney and General Electric Co")
  or a person the article names alone too ("Martin T. Sosnoff and MTS Acquisition Corp").

A rule of the `newsetl_entity_rules` passes (transforms/entity_rules.py).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from transforms import reference
from transforms.entity_kinds import ordinary_words
from transforms.lexicons import words
from transforms.names import _SUFFIX_RE, HONORIFICS
from transforms.places import COUNTRY, place_kinds
from transforms.rule_edits import NON_NAME_LABELS, Cues, Edits

_CONJUNCTIONS = frozenset({"and", "&"})
_NAME_JOINERS = frozenset({"of", "de", "for"})  # "Bank of Minneapolis": a name goes on before them
_MAX_EXTRA = 5  # capitalised words a name may gain on its left
# a person's title or role opens no company's name ("President of Texas Co")
_TITLES = frozenset(HONORIFICS) | words("cues.json", "person_roles")


def _capitalised(t: Token) -> bool:
    """A capitalised word of a name ("General", "A.G."), not "U.S.-based"."""
    return t.text[:1].isupper() and not t.is_punct and re.search(r"-[a-z]", t.text) is None


def _abbreviation_dot(doc: Doc, i: int, sent_start: int) -> bool:
    """Is doc[i] the full stop of an abbreviated word inside a name ("Alex. Brown")?"""
    return (
        doc[i].text == "." and bool(doc[i].whitespace_) and i - 1 >= sent_start and _capitalised(doc[i - 1])
    )


def _joining_mark(doc: Doc, i: int, sent_start: int) -> bool:
    """Is doc[i] a slash or hyphen inside a name, with no space around it ("M/A-Com Inc")?"""
    return (
        doc[i].text in ("/", "-")
        and not doc[i].whitespace_
        and i - 1 >= sent_start
        and not doc[i - 1].whitespace_
        and _capitalised(doc[i - 1])
    )


def _left_edge(doc: Doc, start: int, sent_start: int, *, over_orgs: bool) -> int:
    """The first token of the run of capitalised words (and abbreviations such as "Alex.")
    ending just before `start`, at most _MAX_EXTRA words. Names of dates and amounts stop
    it, and so does an organisation unless `over_orgs`."""
    i = start
    while i > sent_start and start - i < _MAX_EXTRA:
        t = doc[i - 1]
        if _abbreviation_dot(doc, i - 1, sent_start) or _joining_mark(doc, i - 1, sent_start):
            i -= 1
            continue
        if not _capitalised(t) or t.ent_type_ in NON_NAME_LABELS or (t.ent_type_ == "ORG" and not over_orgs):
            break
        i -= 1
    if i == sent_start and i < start and not doc[i].ent_type_ and not _joining_mark(doc, i + 1, sent_start):
        i += 1  # a sentence's first word is capitalised anyway: in the name only if tagged (or joined: "M/A-Com")
    while i < start and doc[i].text == ".":
        i += 1
    return i


def _named_alone(doc: Doc, text: str, here: tuple[int, int]) -> bool:
    """Does the article name `text` as an entity of its own (an entity whose text it is)
    outside the tokens `here`?"""
    return any(x.text == text and (x.end <= here[0] or x.start >= here[1]) for x in doc.ents)


def _one_name(doc: Doc, left: int, conj: int, e: Span) -> bool:
    """Are doc[left:conj] and the legal-form name `e`, joined by the conjunction at `conj`,
    one company's name (see the module's docstring)?"""
    if left > 0 and (doc[left - 1].lower_ in _CONJUNCTIONS | _NAME_JOINERS or doc[left - 1].text == ","):
        return False  # the tail of a longer name, or a list's member
    first = doc[left:conj]
    if any(c.isdigit() for c in first.text):
        return False  # "Aa-3 and Standard and Poor's Corp": a rating, not a name
    core = _SUFFIX_RE.sub("", e.text).strip()
    here = (left, e.end)
    if (
        _SUFFIX_RE.search(" " + first.text)
        or _named_alone(doc, first.text, here)
        or _named_alone(doc, core, here)
    ):
        return False  # the first part is a company of its own, or the second is
    if reference.by_name(core) is not None:
        return False  # "Daewoo Group and General Motors Corp"
    # "Canada and Pearson Plc" are two; "Hongkong and Shanghai Banking Corp", "Australia and
    # New Zealand Banking Group Ltd" one
    return COUNTRY not in place_kinds(first.text) or bool(_place_at(doc, e.start))


def _place_at(doc: Doc, i: int) -> frozenset[str]:
    """The kinds of place named from token i: the place entity starting there ("New
    Zealand"), else the word."""
    for x in doc.ents:
        if x.start == i and x.label_ in ("GPE", "LOC"):
            return place_kinds(x.text)
    return place_kinds(doc[i].text)


def _legal_form_names(doc: Doc) -> list[Span]:
    """The names that end in a legal form: the recogniser's ("Michigan General Corp" as
    "General Corp"), and capitalised runs it left out or cut ("M/A-Com Inc", "Australia and
    New Zealand Banking Group Ltd" as two places and "Banking Group Ltd")."""
    names = [
        e for e in doc.ents if e.label_ == "ORG" and len(e.text.split()) >= 2 and _SUFFIX_RE.search(e.text)
    ]
    ordinary = ordinary_words()
    for t in doc:
        if t.ent_type_ or not t.text[:1].isupper() or not _SUFFIX_RE.fullmatch(" " + t.text):
            continue
        nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
        if t.lower_ in ordinary or (nxt is not None and nxt.pos_ == "PROPN"):
            continue  # "As", "PC" are words too; a legal form ends its name ("Dell PC sales": no company)
        start = _left_edge(doc, t.i, t.sent.start, over_orgs=True)  # "Reuters Holdings PLC"
        if start < t.i and _SUFFIX_RE.sub("", " " + doc[start : t.i + 1].text).strip():  # not "Co Ltd" alone
            names.append(Span(doc, start, t.i + 1, label="ORG"))
    return names


def _of_place_start(doc: Doc, e: Span, sent_start: int) -> int:
    """Where a subsidiary's name "X of <place> Inc" starts when the recogniser kept only
    "<place> Inc" ("Shamrock Holdings of California Inc"); else e.start."""
    core = _SUFFIX_RE.sub("", e.text).strip()
    if e.start - 2 < sent_start or doc[e.start - 1].lower_ != "of" or not place_kinds(core):
        return e.start
    left = _left_edge(doc, e.start - 1, sent_start, over_orgs=True)
    if left >= e.start - 1 or doc[left].lower_ in _TITLES:
        return e.start  # "John Smith, President of Texas Co": a title, not a company's name
    return left


def company_spans(doc: Doc, ed: Edits, cues: Cues) -> None:
    for e in _legal_form_names(doc):
        sent_start = e.sent.start
        start = _left_edge(doc, e.start, sent_start, over_orgs=False)
        if start == e.start:
            start = _of_place_start(doc, e, sent_start)
        named = Span(doc, start, e.end, label="ORG")
        if start - 2 >= sent_start and doc[start - 1].lower_ in _CONJUNCTIONS:
            left = _left_edge(doc, start - 1, sent_start, over_orgs=True)
            if left < start - 1 and _one_name(doc, left, start - 1, named):
                start = left
        if start < e.start or not any(x.start == e.start and x.end == e.end for x in doc.ents):
            ed.add(start, e.end, "ORG")
