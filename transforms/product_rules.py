"""Entity rules on products and on what a noun beside a name says (transforms/entity_rules.py,
rules 3 and 4): possessed and numbered product names, appositives, honorifics and owners."""

from __future__ import annotations

from spacy.tokens import Doc, Token

from transforms.rule_edits import MONTHS, NON_NAME_LABELS, RULE_LABELS_KEY, Cues, Edits, has_digit


def _is_name_token(t: Token) -> bool:
    """Part of a product/brand name: capitalised, or alphanumeric with a digit (UX50, RA-104)."""
    if t.is_space or t.is_punct and t.text not in ("-", "/"):
        return False
    if t.ent_type_ in NON_NAME_LABELS or t.lower_ in MONTHS:
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


def _score_like(doc: Doc, t: Token) -> bool:
    """'Arsenal 2 Chelsea 1', 'Kent 22 points': a number in a results line or table is a
    score, not a version. Such sentences carry several numbers and little else."""
    sent = t.sent
    nums = sum(1 for x in sent if x.like_num)
    verbs = sum(1 for x in sent if x.pos_ == "VERB")
    nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
    followed = nxt is not None and (nxt.like_num or nxt.text[:1].isupper() or nxt.text in ("-", ":"))
    return followed or nums >= 3 or (nums >= 2 and verbs == 0)


def _is_possessive(t: Token) -> bool:
    return t.tag_ == "POS" or (t.tag_ == "PRP$" and t.lower_ in ("its", "their"))


def _possessed_product(doc: Doc, ed: Edits, t: Token, product_nouns: frozenset[str]) -> None:
    """After a possessive owner: "Sony's Clie PEG UX50", "its Rekognition software"."""
    if (
        t.tag_ == "POS"
        and t.head.ent_type_ not in ("ORG", "")
        and t.i > 0
        and doc[t.i - 1].ent_type_ != "ORG"
    ):
        return
    s, e = _run_after(doc, t.i + 1)
    while e > s and doc[e - 1].text in ("-", "/"):
        e -= 1
    if e <= s:
        return
    digit = has_digit(doc, s, e)
    followed_by_noun = e < len(doc) and doc[e].lemma_.lower() in product_nouns
    if not (digit or followed_by_noun) and any(
        doc[k].ent_type_ in ("PERSON", "GPE", "NORP") for k in range(s, e)
    ):
        return  # "its French unit": a person, place or nationality needs a number or a product noun
    owner_named = doc[s].ent_type_ in ("ORG", "PRODUCT", "WORK_OF_ART") and t.tag_ == "POS"
    if digit or followed_by_noun or owner_named:
        ed.add(s, e, "PRODUCT")


def _is_version_number(doc: Doc, t: Token) -> bool:
    return (
        t.like_num
        and t.i > 0
        and t.ent_type_ not in NON_NAME_LABELS - {"CARDINAL"}
        and t.text.isdigit()
        and len(t.text) <= 3
        and not _score_like(doc, t)
    )


def _name_start_before(doc: Doc, i: int) -> int:
    """Where the capitalised name ending just before token i starts ("Half-Life" in "Half-Life 2")."""
    j = i
    while j > 0 and doc[j - 1].ent_type_ not in ("PERSON", "GPE", "DATE"):
        prev = doc[j - 1]
        if prev.text[:1].isupper() and prev.pos_ == "PROPN":
            j -= 1
        elif prev.text == "-" and not prev.whitespace_ and j > 1 and doc[j - 2].text[:1].isupper():
            j -= 1  # "Half-Life 2"
        else:
            break
    return j


def _versioned_product(doc: Doc, ed: Edits, t: Token) -> None:
    """A name ending in a version number ("Halo 2", "Media Player 10"), not a month's day."""
    j = _name_start_before(doc, t.i)
    if j < t.i and not any(doc[k].lower_ in MONTHS for k in range(j, t.i)):
        ed.add(j, t.i + 1, "PRODUCT")


def _model_numbered_product(doc: Doc, ed: Edits, t: Token) -> None:
    """A run carrying a model number before a product noun `t` ("the RA-104 media server")."""
    e = t.i
    while e > 0 and doc[e - 1].pos_ in ("NOUN", "ADJ") and doc[e - 1].text.islower():
        e -= 1
    s = e
    while s > 0 and _is_name_token(doc[s - 1]):
        s -= 1
    if s < e and has_digit(doc, s, e) and not any(doc[x].ent_type_ in ("PERSON", "GPE") for x in range(s, e)):
        ed.add(s, e, "PRODUCT")


def products(doc: Doc, ed: Edits, cues: Cues) -> None:
    """Product names: possessed, numbered, or carrying a model number before a product noun."""
    product_nouns = cues["product_nouns"]
    for t in doc:
        if _is_possessive(t):
            _possessed_product(doc, ed, t, product_nouns)
        if _is_version_number(doc, t):
            _versioned_product(doc, ed, t)
        if t.lemma_.lower() in product_nouns and t.pos_ == "NOUN":
            _model_numbered_product(doc, ed, t)


def appositives(doc: Doc, ed: Edits, cues: Cues) -> None:
    """A noun in apposition gives the kind: "Thorn, the ... organization" -> ORG; "Julio
    Hegedus, chief economist" -> PERSON; "The technology, OMAP-Vox," -> PRODUCT."""
    kinds = (
        ("PRODUCT", cues["product_nouns"]),
        ("ORG", cues["org_nouns"]),
        ("PERSON", cues["person_roles"]),
    )
    for e in doc.ents:
        if e.label_ in NON_NAME_LABELS:
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


def owners_and_honorifics(doc: Doc, ed: Edits, cues: Cues) -> None:
    """After an honorific, a PERSON ("Mr Trotter"); the owner of a numbered product, an ORG
    ("Canon's EOS 300D")."""
    honorifics = cues["honorifics"]
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
                    (x.start_char, x.end_char) in rule_products and has_digit(doc, x.start, x.end)
                    for x in nxt
                ):
                    ed.relabel[(e.start, e.end)] = "ORG"  # "Canon's EOS 300D"
