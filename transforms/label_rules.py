"""Entity rules on kinds and boundaries (transforms/entity_rules.py, rules 1 and 2 and the
passes after them): lists of places, institutions split at "and", coordinations,
countries and teams, events, datelines, acronyms, repeats of a name, trimmed boundaries.

Every rule takes the Doc, the pass's `Edits` and the word lists (`Cues`) it may read."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

import transforms.tickers  # noqa: F401  (registers Doc._.tickers, which `acronyms` reads)
from transforms.rule_edits import NON_NAME_LABELS, Cues, Edits


def split_place_lists(doc: Doc, ed: Edits, cues: Cues) -> None:
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


def _capitalised(doc: Doc, a: int, b: int) -> bool:
    return b > a and doc[a].text[:1].isupper()


def split_joined_names(doc: Doc, ed: Edits, cues: Cues) -> None:
    """Two names the model read as one: "and" before an honorific ("Mr Smith and Mrs
    Jones"; not "Thomas and Betts", a firm); names joined by a hyphen that the article also
    uses apart ("the Reagan-Gorbachev summit" where "Reagan" and "Gorbachev" stand alone).
    Not a comma: "Kidder, Peabody" is one firm although the article says "Kidder" and
    "Peabody" alone too."""
    for e in doc.ents:
        cuts = [t.i for t in e if _joins(doc, e, t, cues)]
        if not cuts:
            continue
        bounds = [e.start, *cuts, e.end]
        pieces = [(bounds[k] + (k > 0), bounds[k + 1]) for k in range(len(bounds) - 1)]
        if all(_capitalised(doc, a, b) for a, b in pieces):
            for a, b in pieces:
                ed.add(a, b, e.label_)


def _joins(doc: Doc, e: Span, t: Token, cues: Cues) -> bool:
    """Is `t` a word or mark that joins two names inside the entity `e`?"""
    if t.i in (e.start, e.end - 1):
        return False
    if t.lower_ in ("and", "&"):
        # "Mr Smith and Mrs Jones"; not a firm named after two people ("Thomas and Betts")
        return doc[t.i + 1].lower_.strip(".") in cues["honorifics"]
    if (
        t.text == "-"
        and not t.whitespace_
        and not doc[t.i - 1].whitespace_
        and e.label_ in ("PERSON", "ORG", "GPE")
    ):
        left, right = doc[t.i - 1], doc[t.i + 1]
        return e.end - e.start == 3 and _stands_alone(doc, left.text, e) and _stands_alone(doc, right.text, e)
    return False


def _stands_alone(doc: Doc, word: str, outside: Span) -> bool:
    """Is `word` a name of its own elsewhere in the article: an entity that is that word
    alone ("Reagan", "Gorbachev"; not "Silk" inside "Robert Kilroy Silk", nor "Betts" inside
    "Thomas and Betts Corp")?"""
    return any(e.text == word and e.start != outside.start for e in doc.ents)


def coordination_labels(doc: Doc, ed: Edits, cues: Cues) -> None:
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


def join_institutions(doc: Doc, ed: Edits, cues: Cues) -> None:
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


def events_and_junk(doc: Doc, ed: Edits, cues: Cues) -> None:
    """Names of awards, cups and shows are EVENTs; 'entities' starting with a lower-case
    verb or common noun ("distributes micro-computer") are dropped."""
    event_heads = cues["event_heads"]
    for e in doc.ents:
        first = e[0]
        if e.label_ in NON_NAME_LABELS:
            continue
        if first.is_lower and first.is_alpha and first.pos_ in ("VERB", "NOUN", "ADJ", "ADV", "AUX"):
            ed.drop.add((e.start, e.end))
            continue
        if e.label_ in ("ORG", "WORK_OF_ART", "PRODUCT", "FAC") and e[-1].lower_ in event_heads:
            ed.relabel[(e.start, e.end)] = "EVENT"


def propagate(doc: Doc, ed: Edits, cues: Cues) -> None:
    """A multi-word name found once is found everywhere in the article: the model often
    misses a repeat ("Doom 3 was developed ...")."""
    known: dict[tuple[str, ...], str] = {}
    for e in doc.ents:
        if len(e) >= 2 and e.label_ not in NON_NAME_LABELS and e[0].text[:1].isupper():
            known.setdefault(tuple(t.text for t in e), e.label_)
    if not known:
        return
    taken = {t.i for e in doc.ents if e.label_ not in NON_NAME_LABELS for t in e}
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


def countries_and_teams(doc: Doc, ed: Edits, cues: Cues) -> None:
    """A country's name is a GPE (not ORG/PERSON); a city or county that beats, draws
    with or loses to someone is a team (ORG). National teams stay GPE, as CoNLL has it."""
    countries, contest = cues["countries"], cues["contest_verbs"]
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


def result_lines(doc: Doc, ed: Edits, cues: Cues) -> None:
    """'Lotte 6 Hyundai 2': a results line names two teams (countries stay places)."""
    countries = cues["countries"]
    for m in _RESULT_LINE.finditer(doc.text):
        for g in ("a", "b"):
            span = doc.char_span(m.start(g), m.end(g), alignment_mode="contract")
            if span is None or len(span) == 0:
                continue
            label = "GPE" if span.text in countries or span.text.title() in countries else "ORG"
            ed.add(span.start, span.end, label)


def acronyms(doc: Doc, ed: Edits, cues: Cues) -> None:
    """A stand-alone capitalised acronym in running text (KDP, OPEC) names an organisation,
    unless it is a common abbreviation (GDP, CEO, GMT; cues.json) or the line is in capitals."""
    common = cues["common_acronyms"]
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


def propagate_surnames(doc: Doc, ed: Edits, cues: Cues) -> None:
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


def dateline(doc: Doc, ed: Edits, cues: Cues) -> None:
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


def place_nouns(doc: Doc, ed: Edits, cues: Cues) -> None:
    """'the Kurdish city of Arbil' -> Arbil is a place."""
    places = cues["place_nouns"]
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


def _no_name_start(t: Token) -> bool:
    """A word a name does not start with: a lower-case common noun or adjective
    ('spokesman', 'miner'), or an article ('An Allegis spokesman')."""
    if t.is_lower and t.is_alpha and t.pos_ in ("NOUN", "ADJ"):
        return True
    return t.pos_ == "DET" and t.lower_ in ("a", "an")


def trim_and_split(doc: Doc) -> None:
    """Boundaries: a name does not end in lower-case words or a bare number ('Interfax
    news agency', 'Durham 114'), nor start with a lower-case common noun or adjective before
    its capitalised words ('spokesman Alan Jones', 'miner Highland Gold', 'An Allegis'), and a spaced
    dash separates two names ('Romania - Cosmin Contra'). A lone capitalised common noun
    opening a line ('Attendance', 'Women') is not a name."""
    ents: list[Span] = []
    changed = False
    for e in doc.ents:
        start, end = e.start, e.end
        if e.label_ in ("ORG", "PERSON", "GPE", "LOC", "NORP", "FAC"):
            while end - start > 1 and (
                (doc[end - 1].is_lower and doc[end - 1].is_alpha) or doc[end - 1].like_num
            ):
                end -= 1
            while end - start > 1 and doc[start + 1].text[:1].isupper() and _no_name_start(doc[start]):
                start += 1
        pieces = []
        cut = start
        for t in doc[start:end]:
            if t.text in ("-", "--") and t.i > start and doc[t.i - 1].whitespace_ and t.whitespace_:
                pieces.append((cut, t.i))
                cut = t.i + 1
        pieces.append((cut, end))
        pieces = [(a, b) for a, b in pieces if b > a]
        if len(pieces) == 1 and end - start == 1 and e.label_ not in NON_NAME_LABELS:
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
