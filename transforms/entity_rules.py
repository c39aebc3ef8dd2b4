"""`newsetl_entity_rules`: fixes for what the small NER model gets wrong, as a registered
spaCy component that runs after NER. Every rule uses evidence in the sentence (the parse,
a possessive, a model number, an appositive, a coordination), never a list of names:

1. Lists of places: "Recife, Salvador" is split at commas; in a coordination of three or
   more entities, a minority labelled PERSON/ORG among places becomes GPE (and so on).
2. Institution names split at "and": "International Center for Missing" + "and" +
   "Exploited Children" -> one ORG, when the parse puts both inside one prepositional
   object ("for [Missing and Exploited Children]").
3. Products: a proper-noun run after a possessive ("Sony's Clie PEG UX50", "its
   Rekognition software", "Delta's new SimpliFares"), one ending in a model or version
   number ("Halo 2", "Media Player 10") or one followed by a product noun that carries a
   number ("the RA-104 media server") is a PRODUCT.
4. Appositives: "Thorn, the ... organization" -> ORG; "Julio Hegedus, chief economist"
   -> PERSON; "The technology, OMAP-Vox," -> PRODUCT.

Labels set by rules are recorded in `doc.user_data["newsetl_rule_labels"]` so that the
per-article entity clustering lets rule evidence outvote the model's label.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

CUES_PATH = Path(__file__).parent / "patterns" / "cues.json"
RULE_LABELS_KEY = "newsetl_rule_labels"
_NON_NAME_LABELS = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"}
_MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)


@lru_cache(maxsize=1)
def cues() -> dict[str, frozenset[str]]:
    data = json.loads(CUES_PATH.read_text(encoding="utf-8"))
    return {k: frozenset(v) for k, v in data.items() if not k.startswith("_")}


def _is_name_token(t: Token) -> bool:
    """Part of a product/brand name: capitalised, or alphanumeric with a digit (UX50, RA-104)."""
    if t.is_space or t.is_punct and t.text not in ("-", "/"):
        return False
    if t.ent_type_ in _NON_NAME_LABELS or t.lower_ in _MONTHS:
        return False
    text = t.text
    if text in ("-", "/"):
        # joined inside a model name: "PCG-X505/P"
        doc = t.doc
        return not t.whitespace_ and t.i > 0 and not doc[t.i - 1].whitespace_ and t.i + 1 < len(doc)
    has_digit = any(c.isdigit() for c in text)
    return (text[:1].isupper() and t.pos_ in ("PROPN", "NOUN", "ADJ", "X", "NUM")) or (
        has_digit and any(c.isalpha() for c in text)
    )


def _run_after(doc: Doc, i: int) -> tuple[int, int]:
    """The run of name tokens starting at i (skipping leading adjectives like 'new')."""
    while i < len(doc) and doc[i].pos_ == "ADJ" and doc[i].text.islower():
        i += 1
    j = i
    while j < len(doc) and (_is_name_token(doc[j]) or (doc[j].like_num and j > i)):
        j += 1
    return i, j


def _has_digit(doc: Doc, s: int, e: int) -> bool:
    return any(any(c.isdigit() for c in doc[k].text) for k in range(s, e))


class _Edits:
    def __init__(self, doc: Doc):
        self.doc = doc
        self.new: list[Span] = []
        self.relabel: dict[tuple[int, int], str] = {}

    def add(self, start: int, end: int, label: str) -> None:
        if end > start:
            self.new.append(Span(self.doc, start, end, label=label))

    def apply(self) -> None:
        doc = self.doc
        ents = [
            Span(doc, e.start, e.end, label=self.relabel.get((e.start, e.end), e.label_)) for e in doc.ents
        ]
        # new spans win over the model's overlapping entities (tokens they cover, not pairs)
        taken = {i for n in self.new for i in range(n.start, n.end)}
        merged = filter_spans(self.new + [e for e in ents if taken.isdisjoint(range(e.start, e.end))])
        doc.ents = sorted(merged, key=lambda s: s.start)
        rule = doc.user_data.setdefault(RULE_LABELS_KEY, [])
        rule.extend([[s.start_char, s.end_char, s.label_] for s in self.new])
        rule.extend(
            [[doc[a].idx, doc[b - 1].idx + len(doc[b - 1]), lab] for (a, b), lab in self.relabel.items()]
        )


def _split_place_lists(doc: Doc, ed: _Edits) -> None:
    for e in doc.ents:
        if e.label_ in ("GPE", "LOC") and any(t.text == "," for t in e):
            start = e.start
            parts = []
            for t in e:
                if t.text == ",":
                    parts.append((start, t.i))
                    start = t.i + 1
            parts.append((start, e.end))
            if all(b > a and doc[a].text[:1].isupper() for a, b in parts):
                for a, b in parts:
                    ed.add(a, b, e.label_)


def _coordination_labels(doc: Doc, ed: _Edits) -> None:
    groups: dict[int, list[Span]] = {}
    for e in doc.ents:
        head = e.root
        while head.dep_ == "conj" and head.head is not head:
            head = head.head
        groups.setdefault(head.i, []).append(e)
    for members in groups.values():
        if len(members) < 3:
            continue
        labels = [m.label_ for m in members]
        top = max(set(labels), key=labels.count)
        if top in ("GPE", "ORG", "PERSON") and labels.count(top) * 3 >= 2 * len(labels):
            for m in members:
                if m.label_ != top and m.label_ in ("GPE", "ORG", "PERSON", "NORP", "LOC"):
                    ed.relabel[(m.start, m.end)] = top


def _join_institutions(doc: Doc, ed: _Edits) -> None:
    for e in doc.ents:
        if e.label_ != "ORG":
            continue
        for t in e:
            if t.dep_ == "prep" and t.lower_ in ("for", "of", "on"):
                objs = [c for c in t.children if c.dep_ == "pobj"]
                if not objs:
                    continue
                right = objs[0].right_edge.i + 1
                extra = doc[e.end : right]
                if right > e.end and all(
                    x.text[:1].isupper() or x.lower_ in ("and", "&", "of", "for", "the") for x in extra
                ):
                    ed.add(e.start, right, "ORG")
                    break


def _score_like(doc: Doc, t: Token) -> bool:
    """'Arsenal 2 Chelsea 1', 'Kent 22 points': a number in a results line or table is a
    score, not a version. Such sentences carry several numbers and little else."""
    sent = t.sent
    nums = sum(1 for x in sent if x.like_num)
    verbs = sum(1 for x in sent if x.pos_ == "VERB")
    nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
    followed = nxt is not None and (nxt.like_num or nxt.text[:1].isupper() or nxt.text in ("-", ":"))
    return followed or nums >= 3 or (nums >= 2 and verbs == 0)


def _products(doc: Doc, ed: _Edits) -> None:
    product_nouns = cues()["product_nouns"]
    for t in doc:
        # possessive owner: "Sony's X", "its X", "their X"
        if t.tag_ == "POS" or (t.tag_ == "PRP$" and t.lower_ in ("its", "their")):
            if (
                t.tag_ == "POS"
                and t.head.ent_type_ not in ("ORG", "")
                and t.i > 0
                and doc[t.i - 1].ent_type_ != "ORG"
            ):
                continue
            s, e = _run_after(doc, t.i + 1)
            if e <= s:
                continue
            while e > s and doc[e - 1].text in ("-", "/"):
                e -= 1
            if e <= s:
                continue
            if any(doc[k].ent_type_ in ("PERSON", "GPE", "NORP") for k in range(s, e)) and not _has_digit(
                doc, s, e
            ):
                continue
            followed_by_noun = e < len(doc) and doc[e].lemma_.lower() in product_nouns
            if (
                _has_digit(doc, s, e)
                or followed_by_noun
                or (doc[s].ent_type_ in ("ORG", "PRODUCT", "WORK_OF_ART") and t.tag_ == "POS")
            ):
                ed.add(s, e, "PRODUCT")
        # "Halo 2", "Media Player 10": a name ending in a version number
        if (
            t.like_num
            and t.i > 0
            and t.ent_type_ not in _NON_NAME_LABELS - {"CARDINAL"}
            and t.text.isdigit()
            and len(t.text) <= 3
            and not _score_like(doc, t)
        ):
            j = t.i
            while j > 0 and doc[j - 1].ent_type_ not in ("PERSON", "GPE", "DATE"):
                prev = doc[j - 1]
                if prev.text[:1].isupper() and prev.pos_ == "PROPN":
                    j -= 1
                elif prev.text == "-" and not prev.whitespace_ and j > 1 and doc[j - 2].text[:1].isupper():
                    j -= 1  # "Half-Life 2"
                else:
                    break
            if (
                j < t.i
                and doc[j].lower_ not in _MONTHS
                and not any(doc[k].lower_ in _MONTHS for k in range(j, t.i))
            ):
                ed.add(j, t.i + 1, "PRODUCT")
        # "the RA-104 media server": a run carrying a model number before a product noun
        if t.lemma_.lower() in product_nouns and t.pos_ == "NOUN":
            k = t.i
            while k > 0 and doc[k - 1].pos_ in ("NOUN", "ADJ") and doc[k - 1].text.islower():
                k -= 1
            e = k
            s = e
            while s > 0 and _is_name_token(doc[s - 1]):
                s -= 1
            if (
                s < e
                and _has_digit(doc, s, e)
                and not any(doc[x].ent_type_ in ("PERSON", "GPE") for x in range(s, e))
            ):
                ed.add(s, e, "PRODUCT")


def _appositives(doc: Doc, ed: _Edits) -> None:
    c = cues()
    kinds = (("PRODUCT", c["product_nouns"]), ("ORG", c["org_nouns"]), ("PERSON", c["person_roles"]))
    for e in doc.ents:
        if e.label_ in _NON_NAME_LABELS:
            continue
        root = e.root
        nouns = [x for x in root.children if x.dep_ == "appos" and x.i >= e.end]
        if root.dep_ == "appos" and root.head.i < e.start:
            nouns.append(root.head)
        for n in nouns:
            lemma = n.lemma_.lower()
            for label, words in kinds:
                if lemma in words and e.label_ != label and not n.ent_type_:
                    if label == "PRODUCT" and e.label_ in ("PERSON", "GPE"):
                        continue
                    ed.relabel[(e.start, e.end)] = label
                    break


def _owners_and_honorifics(doc: Doc, ed: _Edits) -> None:
    honorifics = cues()["honorifics"]
    rule_products = {(a, b) for a, b, lab in doc.user_data.get(RULE_LABELS_KEY, []) if lab == "PRODUCT"}
    for e in doc.ents:
        if e.start > 0 and doc[e.start - 1].lower_.rstrip(".") in honorifics and e.label_ != "PERSON":
            ed.relabel[(e.start, e.end)] = "PERSON"  # "Mr Trotter"
            continue
        if e.label_ in ("PERSON", "FAC", "LOC", "WORK_OF_ART") and len(e) <= 2 and e.end + 1 < len(doc):
            pos = doc[e.end]
            if pos.tag_ == "POS":
                nxt = [x for x in doc.ents if x.start == e.end + 1 or x.start == e.end + 2]
                if any(
                    (x.start_char, x.end_char) in rule_products and _has_digit(doc, x.start, x.end)
                    for x in nxt
                ):
                    ed.relabel[(e.start, e.end)] = "ORG"  # "Canon's EOS 300D"


def _events_and_junk(doc: Doc, ed: _Edits) -> list[Span]:
    """Names of awards, cups and shows are EVENTs; 'entities' starting with a lower-case
    verb or common noun ("distributes micro-computer") are dropped."""
    event_heads = cues()["event_heads"]
    drop = []
    for e in doc.ents:
        first = e[0]
        if e.label_ in _NON_NAME_LABELS:
            continue
        if first.is_lower and first.is_alpha and first.pos_ in ("VERB", "NOUN", "ADJ", "ADV", "AUX"):
            drop.append(e)
            continue
        if e.label_ in ("ORG", "WORK_OF_ART", "PRODUCT", "FAC") and e[-1].lower_ in event_heads:
            ed.relabel[(e.start, e.end)] = "EVENT"
    return drop


def _propagate(doc: Doc, ed: _Edits) -> None:
    """A multi-word name found once is found everywhere in the article: the model often
    misses a repeat ("Doom 3 was developed ...")."""
    known: dict[tuple[str, ...], str] = {}
    for e in doc.ents:
        if len(e) >= 2 and e.label_ not in _NON_NAME_LABELS and e[0].text[:1].isupper():
            known.setdefault(tuple(t.text for t in e), e.label_)
    if not known:
        return
    taken = {t.i for e in doc.ents if e.label_ not in _NON_NAME_LABELS for t in e}
    firsts: dict[str, list[tuple[str, ...]]] = {}
    for k in known:
        firsts.setdefault(k[0], []).append(k)
    for t in doc:
        for k in firsts.get(t.text, ()):
            end = t.i + len(k)
            if (
                end <= len(doc)
                and tuple(x.text for x in doc[t.i : end]) == k
                and not any(i in taken for i in range(t.i, end))
            ):
                ed.add(t.i, end, known[k])
                taken.update(range(t.i, end))


def _countries_and_teams(doc: Doc, ed: _Edits) -> None:
    """A country's name is a GPE (not ORG/PERSON); a city or county that beats, draws
    with or loses to someone is a team (ORG). National teams stay GPE, as CoNLL has it."""
    c = cues()
    countries, contest = c["countries"], c["contest_verbs"]
    person_words = {t.text for e in doc.ents if e.label_ == "PERSON" and len(e) >= 2 for t in e}
    for e in doc.ents:
        text = " ".join(t.text for t in e)
        if text in countries or text.title() in countries:
            if e.label_ not in ("GPE", "LOC"):
                ed.relabel[(e.start, e.end)] = "GPE"
            continue
        if e.label_ not in ("GPE", "LOC", "FAC", "PERSON", "NORP") or len(e) > 3:
            continue
        if e.label_ == "PERSON" and (len(e) > 1 or e.text in person_words):
            continue  # an athlete who beats someone is still a person
        root = e.root
        verb = root.head
        if (
            root.dep_ == "pobj"
            and verb.lower_ in ("with", "to", "against", "over", "by")
            and verb.head.pos_ == "VERB"
        ):
            verb = verb.head
        elif root.dep_ not in ("nsubj", "dobj", "conj", "nsubjpass"):
            continue
        if root.dep_ == "conj":
            verb = root.head.head
        if verb.lemma_.lower() in contest and verb.pos_ == "VERB":
            ed.relabel[(e.start, e.end)] = "ORG"


_NAME = r"[A-Z][\w.'&-]*(?: (?:[A-Z][\w.'&-]*|de|of|la|del))*"
_RESULT_LINE = re.compile(rf"^(?P<a>{_NAME}) \d{{1,3}} (?P<b>{_NAME}) \d{{1,3}}\b", re.M)


def _result_lines(doc: Doc, ed: _Edits) -> None:
    """'Lotte 6 Hyundai 2': a results line names two teams (countries stay places)."""
    countries = cues()["countries"]
    for m in _RESULT_LINE.finditer(doc.text):
        for g in ("a", "b"):
            span = doc.char_span(m.start(g), m.end(g), alignment_mode="contract")
            if span is None or len(span) == 0:
                continue
            label = "GPE" if span.text in countries or span.text.title() in countries else "ORG"
            ed.add(span.start, span.end, label)


def _acronyms(doc: Doc, ed: _Edits) -> None:
    """A stand-alone capitalised acronym in running text (KDP, OPEC) names an organisation,
    unless it is a common abbreviation (GDP, CEO, GMT; cues.json) or the line is in capitals."""
    common = cues()["common_acronyms"]
    in_ticker = [(x["start_char"], x["end_char"]) for x in doc._.tickers]
    for t in doc:
        if any(a <= t.idx < b for a, b in in_ticker):
            continue
        text = t.text
        if t.ent_type_ or not (2 <= len(text) <= 5) or not text.isalpha() or not text.isupper():
            continue
        if text in common or t.tag_ != "NNP":
            continue
        sent = t.sent
        letters = [c for c in sent.text if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) / len(letters) > 0.5:
            continue  # a line in capitals: no evidence
        ed.add(t.i, t.i + 1, "ORG")


def _propagate_surnames(doc: Doc, ed: _Edits) -> None:
    """'Alexander Lebed' ... 'Lebed said': an untagged surname of a person named in the
    article is that person."""
    surnames = {
        e[-1].text for e in doc.ents if e.label_ == "PERSON" and len(e) >= 2 and e[-1].text[:1].isupper()
    }
    if not surnames:
        return
    for t in doc:
        if t.text in surnames and not t.ent_type_ and t.pos_ in ("PROPN", "NOUN"):
            ed.add(t.i, t.i + 1, "PERSON")


_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Za-z.'\-]*(?: [A-Z][A-Za-z.'\-]*){0,3})(?:, [A-Z][A-Za-z. ]+)?"
    r"(?: \d{4}-\d{2}-\d{2}|, [A-Z][a-z]{2,8}\.? \d{1,2} -)"
)


def _dateline(doc: Doc, ed: _Edits) -> None:
    """Newswire datelines ("BELGRADE 1996-08-30", "LONDON, March 2 -") name a place."""
    text = doc.text
    starts = [0] + [m.end() for m in re.finditer(r"\n\n", text[:2000])][:2]
    for st in starts:
        m = _DATELINE.match(text, st)
        if not m:
            continue
        span = doc.char_span(m.start("place"), m.end("place"), label="GPE", alignment_mode="contract")
        if span is not None and not any(t.ent_type_ in ("GPE", "LOC") for t in span):
            ed.add(span.start, span.end, "GPE")
        break


def _place_nouns(doc: Doc, ed: _Edits) -> None:
    """'the Kurdish city of Arbil' -> Arbil is a place."""
    places = cues()["place_nouns"]
    for e in doc.ents:
        if e.label_ in ("GPE", "LOC") or len(e) > 4:
            continue
        prev = doc[e.start - 1] if e.start > 0 else None
        if (
            prev is not None
            and prev.lower_ == "of"
            and e.start > 1
            and doc[e.start - 2].lemma_.lower() in places
        ):
            ed.relabel[(e.start, e.end)] = "GPE"


def _trim_and_split(doc: Doc) -> None:
    """Boundaries: a name does not end in lower-case words or a bare number ('Interfax
    news agency', 'Durham 114'), and a spaced dash separates two names ('Romania -
    Cosmin Contra'). A lone capitalised common noun opening a line ('Attendance',
    'Women') is not a name."""
    ents: list[Span] = []
    changed = False
    for e in doc.ents:
        start, end = e.start, e.end
        if e.label_ in ("ORG", "PERSON", "GPE", "LOC", "NORP", "FAC"):
            while end - start > 1 and (
                (doc[end - 1].is_lower and doc[end - 1].is_alpha) or doc[end - 1].like_num
            ):
                end -= 1
        pieces = []
        cut = start
        for t in doc[start:end]:
            if t.text in ("-", "--") and t.i > start and doc[t.i - 1].whitespace_ and t.whitespace_:
                pieces.append((cut, t.i))
                cut = t.i + 1
        pieces.append((cut, end))
        pieces = [(a, b) for a, b in pieces if b > a]
        if len(pieces) == 1 and end - start == 1 and e.label_ not in _NON_NAME_LABELS:
            t = doc[start]
            line_start = t.i == 0 or "\n" in doc[t.i - 1].text_with_ws or t.is_sent_start
            if line_start and t.tag_ in ("NN", "NNS") and not t.is_upper and e.label_ not in ("PERSON",):
                changed = True
                continue
        if pieces != [(e.start, e.end)]:
            changed = True
            ents.extend(Span(doc, a, b, label=e.label) for a, b in pieces)
        else:
            ents.append(e)
    if changed:
        doc.ents = ents


@Language.component("newsetl_entity_rules")
def entity_rules(doc: Doc) -> Doc:
    """Apply the rules above (see module doc)."""
    _trim_and_split(doc)
    ed = _Edits(doc)
    _dateline(doc, ed)
    _split_place_lists(doc, ed)
    _join_institutions(doc, ed)
    _products(doc, ed)
    ed.apply()
    ed = _Edits(doc)
    _coordination_labels(doc, ed)
    _appositives(doc, ed)
    _owners_and_honorifics(doc, ed)
    drop = _events_and_junk(doc, ed)
    ed.apply()
    if drop:
        gone = {(d.start, d.end) for d in drop}
        doc.ents = [e for e in doc.ents if (e.start, e.end) not in gone]
    ed = _Edits(doc)
    _countries_and_teams(doc, ed)
    _place_nouns(doc, ed)
    ed.apply()
    ed = _Edits(doc)
    _propagate(doc, ed)
    _propagate_surnames(doc, ed)
    _acronyms(doc, ed)
    _result_lines(doc, ed)
    ed.apply()
    return doc
