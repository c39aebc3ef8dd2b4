"""Actions from the dependency parse: who did what to whom, with the sentence that says so.

`extract_actions(doc, clusters)` yields one `ActionRecord` per verb whose doer can be
found in the parse. The doer is, in order: the grammatical subject; the `by`-agent of
a passive; the understood subject of a control or light-verb chain ("made the decision
to stop providing", "agreed to acquire"); the subject shared by conjoined verbs; the
noun a relative clause modifies ("Marinus Analytics, which provides"). Conjoined
subjects give one action each. Pronouns ("it", "they", "he") and descriptions ("the
company", "the tech stock") are resolved to the most salient preceding entity of a
compatible kind; the text as written is kept in `actor_text`.

Each action also gets its `modality` (asserted, planned, possible, conditional, reported),
its `event_time` (the clause's DATE expression normalised against the publication
date, transforms/timex.py; None when the clause has none) and its `action_type` (verb
lexicon, transforms/action_types.py). `analyse` returns actions and quotes together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from spacy.tokens import Doc, Span, Token

from transforms.action_types import FUTURE_CLAUSE, LIGHT_VERBS, NO_OBJECT, classify, types_object
from transforms.entities import Cluster
from transforms.intervals import span_at
from transforms.lemmas import verb_lemma
from transforms.lexicons import words
from transforms.names import ACTOR_LABELS
from transforms.quotes import QuoteRecord, find_quotes, reports
from transforms.syntax import (
    AMOUNT_LABELS,
    LIGHT_NOUNS,
    OBJECT_DEPS,
    ORG_DESCRIPTIONS,
    PREVENTING_VERBS,
    SUBJECT_DEPS,
    Context,
    actor_text,
    agent_doers,
    build_context,
    chars,
    entity_of,
    find_doers,
    phrase,
    resolve,
    resolve_all,
    span_text,
)
from transforms.timex import EventTime, normalise


@dataclass(frozen=True)
class Argument:
    prep: str
    text: str
    entity_id: str | None


# Modality cues.
POSSIBLE_AUX = frozenset(["may", "might", "could", "can", "ca"])
FUTURE_AUX = frozenset(["will", "shall", "'ll", "wo", "would"])
PLAN_VERBS = words("clauses.json", "plan_verbs")  # plan, intend, agree, ... (to do)
LIKELY_WORDS = words("clauses.json", "likely_words")  # is likely / expected to (do)
EXPECT_VERBS = words("clauses.json", "expect_verbs")  # expected X to (do): possible
WHETHER_VERBS = words("clauses.json", "whether_verbs")  # "see if": a question, no condition
CHANGE_NOUNS = words("clauses.json", "change_nouns")  # "a rise in profits": typed by profit
ACCUSING_VERBS = words("clauses.json", "accusing_verbs")  # accused X of doing: reported
ADDRESSEE_VERBS = words("clauses.json", "addressee_verbs")  # told X that ...: target X
REPORTING_NOUNS = words("clauses.json", "reporting_nouns")  # rumours that X did: reported
PROPOSAL_VERBS = words("clauses.json", "proposal_verbs")  # recommends that X (do): reported
ADJUNCT_PREPS = words("clauses.json", "adjunct_preps")  # after, during, as, ...: never a target
ADVERBIAL_NOUNS = words("clauses.json", "adverbial_nouns")  # "the day they arrived": no object
_RELATIVE_PRONOUNS = frozenset(["that", "which", "who", "whom"])
CONDITION_MARKS = frozenset(["if", "unless", "provided", "providing"])
MODALITIES = ("asserted", "planned", "possible", "conditional", "reported")
_PARTICLES = frozenset(["out", "off", "up", "down", "away", "back", "over", "in"])
# An action's evidence is its sentence; a "sentence" longer than this (no real one is: the
# longest among 12,744 BBC/Reuters actions is 412 characters) gives the stretch of this
# many characters around the verb instead, so evidence costs a bounded amount per action,
# not the sentence's length (a 120,000-token run-on: 9,000 actions x 11,000 characters).
EVIDENCE_MAX_CHARS = 1_000


@dataclass(frozen=True)
class ActionRecord:
    """One action, with doc-level character offsets of its verb."""

    sentence_index: int
    actor_text: str
    actor_entity_id: str | None
    actor_resolution: str  # direct | pronoun | description | control
    verb: str  # lemma, lower case, particles dropped
    verb_text: str  # as written
    target_text: str | None
    target_entity_id: str | None
    arguments: tuple[Argument, ...]
    negated: bool
    evidence: str  # the sentence, as written (around the verb when over EVIDENCE_MAX_CHARS)
    start_char: int  # the verb's offsets in the doc text
    end_char: int
    sentence_start_char: int
    target_head: str | None = None  # head word of the target as written
    modality: str = "asserted"
    action_type: str = "OTHER"
    event_time: EventTime | None = None
    event_key: str | None = None  # same real event across reports (entity actions only)
    place_entity_id: str | None = None  # a place the verb or its object is "in", "at", ...


def evidence(doc: Doc, sent: Span, verb: Token) -> str:
    """The sentence as written; of an over-long one, the EVIDENCE_MAX_CHARS characters
    around the verb, cut at spaces (still a stretch of the stored text)."""
    start, end = sent.start_char, sent.end_char
    if end - start <= EVIDENCE_MAX_CHARS:
        return chars(doc, start, end).strip()
    lo = max(start, min(verb.idx - EVIDENCE_MAX_CHARS // 2, end - EVIDENCE_MAX_CHARS))
    hi = lo + EVIDENCE_MAX_CHARS
    text = chars(doc, lo, hi)
    verb_at, verb_end = verb.idx - lo, verb.idx + len(verb.text) - lo
    first, last = text.find(" "), text.rfind(" ")
    cut_lo = first + 1 if lo > start and 0 <= first < verb_at else 0  # no word cut in two
    cut_hi = last if hi < end and last >= verb_end else len(text)
    return text[cut_lo:cut_hi].strip()


_TIME_LABELS = frozenset(["DATE", "TIME"])


def _passive_or_reported(verb: Token) -> Token | None:
    """The subject of a passive with a by-agent; the clause of a reporting verb, unless it
    is a verb of telling with the one told ("told Congress this week that ...": Congress)."""
    if any(c.dep_ == "agent" for c in verb.children):
        for c in verb.children:
            if c.dep_ in ("nsubjpass", "csubjpass"):
                return c
    if reports(verb) and not _has_addressee(verb):
        for c in verb.children:
            if c.dep_ == "ccomp" and c.i > verb.i:
                return c
        if _parenthetical_report(verb):
            return verb.head  # "Before now, he said, it has been hard ...": the host clause
    return None


def _has_addressee(verb: Token) -> bool:
    """A verb of telling with its direct object: "told Congress", "warned investors"."""
    return verb_lemma(verb) in ADDRESSEE_VERBS and any(c.dep_ in ("dobj", "dative") for c in verb.children)


def _told_clause(verb: Token, target: Token | None) -> Token | None:
    """What a reporting verb with an addressee reports: its type is the clause's ("warned
    investors that profits would fall": FORECAST), its target the one told."""
    if target is None or target.dep_ not in ("dobj", "dative") or not _has_addressee(verb):
        return None
    return next((c for c in verb.children if c.dep_ == "ccomp" and c.i > target.i), None)


def _target(verb: Token) -> Token | None:
    """The direct object, else the completing preposition's object, else the reported
    or complement clause. A reporting verb's clause beats its prepositions ("said on
    Tuesday that ...", "said in its filing to the SEC that ..."); a passive with a
    by-agent has its subject as target ("was raised ... by Patricia Hewitt"); a time
    phrase is never the target."""
    first = _passive_or_reported(verb)
    if first is not None:
        return first
    direct = next((c for dep in OBJECT_DEPS for c in verb.children if c.dep_ == dep), None)
    if direct is not None:
        relative = direct.lower_ in _RELATIVE_PRONOUNS and verb.dep_ == "relcl" and direct.i < verb.i
        return _antecedent(verb) if relative else direct
    moved = next((c for c in verb.children if c.dep_ == "npadvmod" and c.i > verb.i and _is_amount(c)), None)
    if moved is not None:
        return moved  # "shed 2.1% to 17.58 euros": the change, not the level reached
    if reports(verb):  # "Some 45 million children will die ..., Oxfam says in a report"
        fronted = next((c for c in verb.children if c.dep_ == "ccomp"), None)
        if fronted is not None:
            return fronted
    preps = [c for c in verb.children if c.dep_ == "prep" and c.i > verb.i and c.lower_ not in ADJUNCT_PREPS]
    prt = [c for c in verb.children if c.dep_ == "prt"]
    for p in preps:
        objs = [c for c in p.children if c.dep_ in ("pobj", "pcomp") and c.ent_type_ not in _TIME_LABELS]
        if not objs:  # "getting out of the business": out -> of -> business
            objs = [g for c in p.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
        if objs and (prt or p.i == verb.i + 1):
            return objs[0]
    return _clause_or_gap(verb, preps)


def _clause_or_gap(verb: Token, preps: list[Token]) -> Token | None:
    """A target without an object or completing preposition: the complement clause, the
    noun of an object relative clause, the object shared with the next coordinated verb,
    else the first preposition's object."""
    clause = next((c for dep in ("ccomp", "xcomp") for c in verb.children if c.dep_ == dep), None)
    if clause is not None:
        return clause
    if _object_gap(verb):
        return verb.head  # "the society they built": the relative clause's object is its noun
    shared = _shared_object(verb)
    if shared is not None:
        return shared
    for p in preps:
        objs = [c for c in p.children if c.dep_ == "pobj" and c.ent_type_ not in _TIME_LABELS]
        if objs:
            return objs[0]
    return None


def _is_amount(tok: Token) -> bool:
    return tok.like_num or tok.ent_type_ in AMOUNT_LABELS or tok.lower_ in _UNITS


def _shared_object(verb: Token) -> Token | None:
    """The object of the last verb of a coordination of alternatives or of a list, when
    nothing but commas and the conjunction stand between the verbs ("commit or threaten
    violence", "solicit, initiate or encourage such an offer"): the verbs share it. Not two
    verbs joined by "and", which as often pair an intransitive one ("agreed to merge and
    create the biggest bank", "should resign and force a by-election")."""
    root = verb
    while root.dep_ == "conj" and root.head.pos_ == "VERB" and root.head is not root:
        root = root.head
    chain = sorted(_conjoined_verbs(root), key=lambda t: t.i)
    if len(chain) < 2 or any(c.dep_ in ("nsubj", "nsubjpass") for v in chain[1:] for c in v.children):
        return None
    members = {t.i for t in chain}
    tokens = verb.doc[chain[0].i + 1 : chain[-1].i]
    if not all(t.is_punct or t.dep_ == "cc" or t.i in members for t in tokens):
        return None
    alternatives = any(t.dep_ == "cc" and t.lower_ in ("or", "and/or", "nor") for t in tokens)
    listed = len(chain) >= 3 and any(t.text == "," for t in tokens)  # "A, B and C"
    if verb is chain[-1] or not (alternatives or listed):
        return None
    last = chain[-1]
    obj = next((c for c in last.children if c.dep_ == "dobj"), None)
    return obj if obj is not None and obj.left_edge.i == last.i + 1 else None  # right after it


def _conjoined_verbs(verb: Token) -> list[Token]:
    out = [verb]
    for c in verb.children:
        if c.dep_ == "conj" and c.pos_ == "VERB":
            out.extend(_conjoined_verbs(c))
    return out


def _content_head(target: Token) -> Token:
    """The word a target clause is about: the infinitive of the future markers "is going
    to" and "is to" ("said they are to ask": ask; "the Commission is to ask": ask), else the
    target itself. Not a copula's complement ("it was wrong to put", "the aim was to
    preserve", "policy is to raise": the clause is about the aim, not an act)."""
    t = target
    for _ in range(3):
        going = t.lemma_.lower() == "go"
        if not (going or (_is_to_be(t) and _scheduled_subject(t))):
            break
        nxt = next((c for c in t.children if c.dep_ == "xcomp" and _infinitive(c)), None)
        if nxt is None:
            break
        t = nxt
    return t


def _scheduled_subject(be: Token) -> bool:
    """ "is to" as a schedule: "be" with no complement of its own and a subject that can
    act (a name, a pronoun, an organisation's description: "the Commission is to ask",
    "the government announced it is to spend")."""
    if any(c.dep_ in ("acomp", "attr") for c in be.children):
        return False
    subj = next((c for c in be.children if c.dep_ in SUBJECT_DEPS), None)
    if subj is None or subj.lower_ in ("this", "that", "these", "those", "which", "what"):
        return False  # "This isn't to say": no one's schedule
    return (
        subj.pos_ in ("PROPN", "PRON")
        or subj.ent_type_ in ("ORG", "PERSON", "GPE", "NORP")
        or subj.lemma_.lower() in ORG_DESCRIPTIONS
    )


def _antecedent(verb: Token) -> Token | None:
    """The noun a relative clause modifies: the object of "the steps that they took"."""
    return verb.head if verb.head.pos_ in ("NOUN", "PROPN") else None


def _object_gap(verb: Token) -> bool:
    """A relative clause without a relative word, whose subject is its own and whose noun is
    not a time, place or manner ("the society they built"; not "the day they arrived")."""
    if verb.dep_ != "relcl" or verb.head.pos_ not in ("NOUN", "PROPN") or verb.head.i > verb.i:
        return False
    if verb.head.lemma_.lower() in ADVERBIAL_NOUNS or verb.head.lower_ in ADVERBIAL_NOUNS:
        return False
    kids = list(verb.children)
    if any(c.dep_ in ("nsubjpass", "auxpass", "dative") for c in kids):
        return False
    if any(t.tag_ in ("WDT", "WP", "WRB", "WP$") for c in kids if c.i < verb.i for t in c.subtree):
        return False  # "under which it will act", "where he is appearing": not the object
    subj = [c for c in kids if c.dep_ == "nsubj"]
    return bool(subj) and subj[0].i > verb.head.i and subj[0].lower_ not in _RELATIVE_PRONOUNS


def _negated(verb: Token) -> bool:
    """not, n't, never, no longer, without on the verb, or a verb of prevention's "from"
    before it; or on the "be" of "be able to", the chain being one action ("would not be
    able to do so": do, negated)."""
    head = verb.head
    if verb.dep_ == "xcomp" and head.lower_ == "able" and head.dep_ == "acomp" and _negated(head.head):
        return True
    for c in verb.children:
        if c.dep_ == "neg":
            return True
        if c.lower_ == "longer" and any(g.lower_ == "no" for g in c.children):
            return True
        if c.lower_ == "never":
            return True
    if verb.dep_ != "pcomp":
        return False
    # "without selling"; "barred Microsoft from bundling": kept from it, so not done
    prep = verb.head
    return prep.lower_ == "without" or (
        prep.lower_ == "from" and prep.head.lemma_.lower() in PREVENTING_VERBS
    )


def event_key(
    actor_entity_id: str | None, action_type: str, verb: str, target: str | None, when: str | None
) -> str | None:
    """Key of the real-world event an action reports: actor, type (the verb for OTHER),
    target head and date (the event's, else the article's). Reports of one event in
    several articles share it; actions with no entity actor or no date get none."""
    if actor_entity_id is None or when is None:
        return None
    what = verb if action_type == "OTHER" else action_type
    raw = "\x1f".join([actor_entity_id, what, target or "", when])
    return "evt_" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:16]


def _clause_head(verb: Token) -> Token:
    """The finite verb whose clause `verb` belongs to (through xcomp/conj chains)."""
    v = verb
    for _ in range(6):
        if _trailing_report(v):
            break  # "..., Akio Morita told Die Welt": its own clause
        if v.dep_ in ("xcomp", "conj") and v.head.pos_ in ("VERB", "AUX") and v.head is not v:
            v = v.head
        else:
            break
    return v


def _parenthetical_report(verb: Token) -> bool:
    """A report set inside the clause it reports: "The service, Ms Jones says, could be a
    way ...", "Before now, he said, it has been hard ..." (parsed as a parataxis of it)."""
    return (
        verb.dep_ == "parataxis"
        and reports(verb)
        and any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)
        and not any(c.dep_ == "ccomp" for c in verb.children)
    )


def _trailing_report(verb: Token) -> bool:
    """A report after its clause that the parser joined to it as a conjunct: "Sony will
    increase production abroad, chairman Akio Morita told Die Welt" ("told" a conj of
    "increase", with its own subject, after a comma and no "and"/"but")."""
    head = verb.head
    if verb.dep_ != "conj" or head.dep_ != "ROOT" or not reports(verb):
        return False
    if not any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children):
        return False
    if any(c.dep_ in ("cc", "preconj") and head.i < c.i < verb.i for c in head.children):
        return False
    start = verb.left_edge.i
    return start > 0 and verb.doc[start - 1].text == ","


def _adjective_governor(clause: Token) -> list[Token]:
    """The verb an infinitive's adjective hangs on: "be" of "should be ready to take" (its
    "if" clause conditions the infinitive too)."""
    head = clause.head
    if clause.dep_ == "xcomp" and head.pos_ == "ADJ" and head.dep_ == "acomp" and head.head.i != head.i:
        return [head.head]
    return []


def _conditional(verb: Token, chain: list[Token]) -> bool:
    """An "if"/"unless" clause on the verb or its clause ("If regulators approve, Acme will
    buy ..."). Not for a reporting verb: in "warned ... if it fails" the condition is part
    of what was said, and the warning itself is asserted; not for an "if" that opens a
    complement clause ("see if it leads", "asked if it would": whether)."""
    if reports(verb):
        return False
    if any(
        c.dep_ == "mark" and c.lower_ in CONDITION_MARKS and not _whether(v)
        for v in chain
        for c in v.children
    ):
        return True
    return any(
        c.dep_ == "advcl"
        and not _whether(c)
        and any(m.dep_ == "mark" and m.lower_ in CONDITION_MARKS for m in c.children)
        for v in chain
        for c in v.children
    )


def _whether(clause: Token) -> bool:
    """An "if" clause that is a question: after a verb of finding out, with no object but
    a person asked ("we will see if it leads", "asked me if I wanted", "to see if he can
    play"; not "see vast contracts available if the embargo is lifted")."""
    head = clause.head
    if clause.dep_ not in ("ccomp", "advcl") or head.i > clause.i or verb_lemma(head) not in WHETHER_VERBS:
        return False
    return not any(c.dep_ == "dobj" and c.pos_ != "PRON" for c in head.children)


def _modality(ctx: Context, verb: Token, actor: Cluster | None) -> str:
    """asserted | planned | possible | conditional | reported (see module doc)."""
    clause = _clause_head(verb)
    chain = [verb] if verb is clause else [verb, clause]
    if _conditional(verb, chain + _adjective_governor(clause)):
        return "conditional"
    reporter = _reporting_verb(verb)
    if reporter is not None:
        speakers = [resolve(ctx, d.token)[0] for d in find_doers(reporter)]
        if not speakers and _agentless_passive(reporter):
            return "reported"  # "it has been reported that Acme bought ...": by someone
        if speakers and all(sp is None or sp is not actor for sp in speakers):
            return "reported"
    quote = span_at(ctx.quote_speakers, verb.idx)
    if quote is not None and quote[2] is not actor:
        return "reported"  # a sentence of someone else's quote, cued in another sentence or not
    if _reported_by_noun(clause):
        return "reported"  # "rumours that Acme would buy ...", "denied claims that it bribed"
    if any(c.lower_ == "according" for c in clause.children) or any(
        c.lower_ == "according" for c in clause.head.children if clause.dep_ == "ccomp"
    ):
        return "reported"
    auxes = {
        c.lower_
        for v in chain + _purpose_governor(clause)
        for c in v.children
        if c.dep_ in ("aux", "auxpass")
    }
    if auxes & POSSIBLE_AUX:
        return "possible"
    if auxes & FUTURE_AUX or any(c.dep_ == "aux" and c.lower_ == "going" for c in clause.children):
        return "planned"
    if clause.dep_ == "ROOT" and _infinitive(clause):
        return "planned"  # a headline's "Kennedy to make address": a scheduled act
    return _infinitive_modality(verb) or "asserted"


def _purpose_governor(clause: Token) -> list[Token]:
    """The verb a purpose infinitive serves: "will use the proceeds to reduce debt" (its
    "will" makes the reduction planned too); none for "closed plants to cut costs"."""
    head = clause.head
    purpose = (
        clause.dep_ == "advcl" and _infinitive(clause) and head.pos_ in ("VERB", "AUX") and head is not clause
    )
    if purpose and not any(c.dep_ in ("nsubj", "nsubjpass", "mark") for c in clause.children):
        return [head]
    return []


def _infinitive_modality(verb: Token) -> str | None:
    """Modality from the verbs an infinitive hangs on: "plans to buy", "is going to buy",
    "is to tell", "is due to meet" (planned); "is expected to", "is likely to", "is able
    to", "analysts had expected Nippon to agree" (possible)."""
    v = verb
    while v.dep_ in ("xcomp", "conj", "ccomp") and v.head is not v:
        head = v.head
        if v.dep_ == "ccomp":
            return "possible" if _infinitive(v) and head.lemma_.lower() in EXPECT_VERBS else None
        expected = head.pos_ == "ADJ" or any(c.dep_ == "auxpass" for c in head.children)
        if v.dep_ == "xcomp" and head.lower_ in LIKELY_WORDS and expected:
            return "possible"  # someone's expectation or ability, not the actor's plan
        if v.dep_ == "xcomp" and (head.lemma_.lower() in PLAN_VERBS or (_is_to_be(head) and _infinitive(v))):
            return "planned"
        v = head
    return None


def _reporting_verb(verb: Token) -> Token | None:
    """The reporting or proposing verb whose clause holds `verb`: "said" of "Acme said it
    would buy"; "recommends" of "the report recommends that the Commission draw up"; also
    through a relative or adverbial clause inside the reported one."""
    t = verb
    for _ in range(8):
        if t.head.i == t.i:
            return next(
                (
                    c
                    for c in t.children
                    if c.i != verb.i and (_trailing_report(c) or _parenthetical_report(c))
                ),
                None,
            )
        if t.dep_ == "ccomp" and (reports(t.head) or verb_lemma(t.head) in PROPOSAL_VERBS):
            return t.head
        if t.dep_ in ("xcomp", "advcl") and _proposed_to_object(t):
            return t.head  # "Aquino asked SMC to set up a panel": proposed, not done
        if _accused_deed(t):
            return t.head.head  # "accused Letwin of plotting cuts": the accuser's claim
        t = t.head
    return None


def _agentless_passive(verb: Token) -> bool:
    """A passive with no `by` phrase: "it has been reported that ...", "it is claimed"."""
    return any(c.dep_ == "auxpass" for c in verb.children) and not any(
        c.dep_ == "agent" for c in verb.children
    )


def _reported_by_noun(clause: Token) -> bool:
    """A clause a reporting noun introduces: "rumours that Acme would buy", "claims that it
    bribed officials" (clauses.json reporting_nouns)."""
    head = clause.head
    return (
        clause.dep_ in ("acl", "ccomp")
        and head.pos_ == "NOUN"
        and head.lemma_.lower() in REPORTING_NOUNS
        and any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)
    )


def _accused_deed(clause: Token) -> bool:
    """The deed an accusing verb charges someone with: "accused Oliver Letwin of plotting"."""
    prep = clause.head
    return (
        clause.dep_ == "pcomp"
        and prep.lower_ in ("of", "for")
        and prep.head is not prep
        and verb_lemma(prep.head) in ACCUSING_VERBS
    )


def _proposed_to_object(clause: Token) -> bool:
    """An infinitive a proposing verb asks of someone else: "asked SMC to set up", "urged
    the government to act", "called on Acme to stop", "called for him to go", "called for
    the board to hold"."""
    head = clause.head
    if not _infinitive(clause) or verb_lemma(head) not in PROPOSAL_VERBS:
        return False
    if clause.dep_ == "advcl":  # "for him to go": its own subject
        return any(c.dep_ == "mark" and c.lower_ == "for" for c in clause.children) and any(
            c.dep_ in ("nsubj", "nsubjpass") for c in clause.children
        )
    return any(
        c.dep_ == "dobj"
        or (c.dep_ == "prep" and c.lower_ in ("on", "for") and any(g.dep_ == "pobj" for g in c.children))
        for c in head.children
        if c.i < clause.i
    )


def _infinitive(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _is_to_be(head: Token) -> bool:
    """ "is" of "is to tell" (a schedule), "going" of "is going to"."""
    return (head.lemma_.lower() == "be" and head.pos_ == "AUX") or head.lower_ == "going"


def _dates_by_verb(doc: Doc) -> dict[int, list[Span]]:
    """DATE expressions keyed by the verb whose clause they belong to (nearest verb above)."""
    out: dict[int, list[Span]] = {}
    for e in doc.ents:
        if e.label_ != "DATE":
            continue
        t = e.root
        for _ in range(12):
            if t.pos_ in ("VERB", "AUX") and t.dep_ not in ("aux", "auxpass"):
                out.setdefault(t.i, []).append(e)
                break
            if t.head is t:
                break
            t = t.head
    return out


def _event_time(
    verb: Token, dates: dict[int, list[Span]], published_at: datetime | None, future: bool
) -> EventTime | None:
    """The clause's own date, else the date of the clause that governs it. The date's
    direction from the publication comes from the clause's tense (planned: forward; past
    tense: back; else none, the nearest) and the word before it ("by March 10")."""

    def tense(v: Token) -> bool | None:
        if future and v is verb:
            return True
        auxes = [c for c in v.children if c.dep_ in ("aux", "auxpass")]
        if any(a.lower_ in ("will", "shall", "'ll") for a in auxes):
            return True
        if any("Past" in t.morph.get("Tense", []) and t.tag_ != "VBN" for t in [v, *auxes]):
            return False
        return None

    doc = verb.doc
    v = verb
    for _ in range(4):
        for e in dates.get(v.i, []):
            # an inherited date is the governing clause's time, in its tense
            # the preposition of the date ("by" of "by the fourth quarter"), else the word before
            head = e.root.head
            prep = e.root.dep_ == "pobj" and head.dep_ in ("prep", "agent") and head.i < e.start
            before = head.lower_ if prep else doc[e.start - 1].lower_ if e.start > 0 else None
            found = normalise(chars(doc, e.start_char, e.end_char), published_at, tense(v), before)
            if found is not None:
                return found
        if v.dep_ in ("xcomp", "conj", "ccomp", "advcl", "pcomp") and v.head is not v:
            v = v.head if v.head.pos_ in ("VERB", "AUX") else v.head.head
        else:
            break
    return None


def _particle(verb: Token) -> str | None:
    for c in verb.children:
        if c.dep_ == "prt" or (c.dep_ == "prep" and c.i == verb.i + 1 and c.lower_ in _PARTICLES):
            return c.lower_
    return None


def _arguments(ctx: Context, verb: Token, target: Token | None) -> tuple[Argument, ...]:
    """Prepositional arguments of the verb ("to police departments") and of its direct
    object ("a moratorium [on police use of ...]"), in text order."""
    heads = [verb] + ([target] if target is not None and target.dep_ == "dobj" else [])
    out = []
    for h in heads:
        for p in h.children:
            is_prep = p.dep_ in ("prep", "agent") or (p.dep_ == "dative" and p.pos_ == "ADP")
            if not is_prep or p.i < h.i:
                continue
            objs = [c for c in p.children if c.dep_ in ("pobj", "pcomp")]
            if objs:
                out.append((p.i, Argument(p.lower_, span_text(phrase(objs[0])), entity_of(ctx, objs[0]))))
    return tuple(a for _, a in sorted(out, key=lambda x: x[0]))


_PLACE_PREPS = frozenset(["in", "at", "across", "throughout", "near", "outside", "inside", "within", "into"])


def _place(ctx: Context, verb: Token, target: Token | None) -> str | None:
    """The place a phrase of the verb or of its object names ("opened a plant in Ohio",
    "cut jobs at its plant in Texas"): a GPE entity."""
    heads = [verb] + ([target] if target is not None and target.dep_ == "dobj" else [])
    for h in heads:
        for p in h.children:
            if p.dep_ != "prep" or p.lower_ not in _PLACE_PREPS:
                continue
            for o in (c for c in p.children if c.dep_ == "pobj"):
                # the place itself, else the place of what it names ("at its plant in Texas")
                inner = [g for q in o.children if q.dep_ == "prep" and q.lower_ in _PLACE_PREPS
                         for g in q.children if g.dep_ == "pobj"]  # fmt: skip
                for t in (o, *inner):
                    cluster = ctx.token_cluster.get(t.i)
                    if cluster is not None and cluster.label == "GPE":
                        return cluster.entity_id
    return None


def _first_prep(verb: Token) -> str | None:
    """The first preposition after the verb that it governs ("warned of")."""
    preps = [c for c in verb.children if c.dep_ == "prep" and c.i > verb.i]
    return preps[0].lower_ if preps else None


_UNITS = frozenset(["%", "percent", "pct", "point", "points"])  # "dropped to 3%": an amount


def _object_lemma(target: Token | None, lemma: str | None = None) -> str | None:
    """The lemma of a noun target, NO_OBJECT for none or an amount ("dropped 2%"),
    FUTURE_CLAUSE for a clause about the future ("warned that profits may fall"), None for
    another clause. An amount or a change of something the lexicon types with the verb
    `lemma` is typed by that thing ("sold 20% of its equity": equity; "announced a 26% rise
    in annual profits": profit)."""
    if target is not None and lemma is not None:
        of = _what_it_is_of(target)
        if of is not target and types_object(lemma, of.lemma_):
            return of.lemma_.lower()
    if (
        target is not None
        and lemma is not None
        and target.lower_ in _UNITS
        and types_object(lemma, target.lower_)
    ):
        return target.lower_  # "lost 2.5%": the lexicon's (lose, %) row
    if target is None or _is_amount(target):
        return NO_OBJECT
    if target.pos_ in ("VERB", "AUX") and (
        any(c.dep_ == "aux" and c.lower_ in POSSIBLE_AUX | FUTURE_AUX for c in target.children)
        or _scheduled(target)
    ):
        return FUTURE_CLAUSE
    return target.lemma_.lower() if target.pos_ in ("NOUN", "PROPN", "PRON", "NUM", "X") else None


def _what_it_is_of(noun: Token) -> Token:
    """For an amount or a change noun, the noun its "of"/"in" phrase names ("20% of its
    equity", "a rise in profits"), else the noun itself."""
    amount = _is_amount(noun)
    change = noun.pos_ == "NOUN" and noun.lemma_.lower() in CHANGE_NOUNS
    if not (amount or change):
        return noun
    preps = ("of",) if amount else ("in", "of")
    for c in noun.children:
        if c.dep_ == "prep" and c.lower_ in preps:
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if objs:
                return objs[0]
    return noun


# "growth is set to slow", "profits are expected to fall": a clause about the future
_SCHEDULE_VERBS = frozenset(["set", "expect", "due", "poise", "slate", "schedule", "tip"])
# a statement that says its speaker's own results or forecast has their type
_OWN_PRONOUNS = frozenset(["it", "we", "they"])


def _scheduled(verb: Token) -> bool:
    return verb.lemma_.lower() in _SCHEDULE_VERBS and any(
        c.dep_ == "xcomp" and _infinitive(c) for c in verb.children
    )


def _statement_type(target: Token) -> str | None:
    """A statement's clause that gives its speaker's results or forecast ("Google said it made
    a net profit of $52m": REPORT_RESULTS; "said it expects its revenues to increase":
    FORECAST), when the clause's subject is the speaker's pronoun."""
    if target.dep_ != "ccomp" or target.pos_ not in ("VERB", "AUX"):
        return None
    if not any(c.dep_ == "nsubj" and c.lower_ in _OWN_PRONOUNS for c in target.children):
        return None
    inner = classify(
        verb_lemma(target),
        _particle(target),
        _object_lemma(_target(target), verb_lemma(target)),
        _first_prep(target),
    )
    return inner if inner in ("REPORT_RESULTS", "FORECAST") else None


def _action_type(verb: Token, lemma: str, target: Token | None, obj: str | None) -> str:
    """The type of a verb in context: a light verb's light noun with its own clause gives
    that clause's type ("made the decision to stop": HALT; not "dropped its plan to build")
    when it has one, else the lexicon on the verb,
    its particle, object head and preposition (transforms/action_types.py: "has plans to
    integrate": AGREE)."""
    if (
        lemma in LIGHT_VERBS | {"have"}
        and target is not None
        and target.dep_ == "dobj"
        and obj in LIGHT_NOUNS
    ):
        clause = [c for c in target.children if c.dep_ in ("acl", "relcl", "xcomp") and c.pos_ == "VERB"]
        if clause and clause[0].i > target.i:
            inner = clause[0]
            inner_obj = _object_lemma(_target(inner), verb_lemma(inner))
            inner_type = classify(verb_lemma(inner), _particle(inner), inner_obj, _first_prep(inner))
            if inner_type != "OTHER":
                return inner_type
    base = classify(lemma, _particle(verb), obj, _first_prep(verb))
    if base == "STATEMENT" and target is not None:
        return _statement_type(target) or _recommends(lemma, target) or base
    role = _object_complement(verb, target)
    if role is not None:
        typed = classify(lemma, None, role.lemma_.lower(), None)
        if typed != classify(lemma):
            return typed  # "made John Smith its chief executive": HIRE
    return base


def _reflexive_predicate(target: Token | None) -> bool:
    """ "make itself a regional leader": a predicate of the subject itself, which types
    nothing ("leader" would say HIRE)."""
    return (
        target is not None
        and target.pos_ == "NOUN"
        and any(c.dep_ == "nsubj" and c.lower_.endswith(("self", "selves")) for c in target.children)
    )


def _recommends(lemma: str, target: Token) -> str | None:
    """A statement of what others should do ("suggested that studios should make more
    films", "argued that the bank must cut rates"): ADVOCATE. Not "say", "tell", "add",
    which report whatever is said."""
    if lemma in ("say", "tell", "add") or target.dep_ != "ccomp":
        return None
    if any(c.dep_ == "aux" and c.lower_ in ("should", "must", "ought") for c in target.children):
        return "ADVOCATE"
    return None


def _object_complement(verb: Token, target: Token | None) -> Token | None:
    """What a verb makes its object: "made John Smith its chief executive" (parsed as the
    object's appositive), "made him deputy leader" (an object predicate)."""
    if target is None or target.dep_ != "dobj" or target.lower_.endswith(("self", "selves")):
        return None  # "make itself a regional leader": no appointment
    for c in (*target.children, *verb.children):
        if c.dep_ in ("appos", "oprd") and c.pos_ == "NOUN" and c.i > target.i:
            return c
    return None


# Entity labels whose words are a name, never an action ("the Controlling the Assault of
# Non-Solicited Pornography and Marketing Act": no "control" action).
_NAME_LABELS = frozenset(
    ["ORG", "PERSON", "GPE", "LOC", "FAC", "PRODUCT", "LAW", "EVENT", "WORK_OF_ART", "NORP"]
)


# verbs of income: a company's are its results, a person's what they get
_INCOME_VERBS = frozenset(["earn", "make", "net", "pocket", "collect", "gross"])


def _personal_type(action_type: str, lemma: str, actor: Cluster | None) -> str:
    """A person's earnings are no company results: "Mr Hague earned up to £820,000" is
    POSSESS, "Acme earned $5m" REPORT_RESULTS."""
    if (
        action_type == "REPORT_RESULTS"
        and actor is not None
        and actor.label == "PERSON"
        and lemma in _INCOME_VERBS
    ):
        return "POSSESS"
    return action_type


def _name_tokens(doc: Doc) -> set[int]:
    """Tokens inside a multi-word name."""
    return {i for e in doc.ents if e.label_ in _NAME_LABELS and len(e) > 1 for i in range(e.start, e.end)}


ING_NOUNS = words("clauses.json", "ing_nouns")  # "listing", "offering", "restructuring", ...
# what an -ing word ending a headline has when it is a verb: an object, complement or particle
_VERB_COMPLEMENTS = frozenset(["dobj", "dative", "prt", "ccomp", "xcomp", "attr", "acomp", "oprd", "agent"])


def _headline_gerund(verb: Token) -> bool:
    """An -ing noun (clauses.json `ing_nouns`) that ends a headline with nothing after it:
    "Fiat mulls Ferrari market listing", "Air China in $1bn London listing", "Acme files for
    debt offering"; not "Boyd Jefferies cooperating", "barred from suing", "starts trading"
    (verbs there). A headline is the first sentence, ended by a paragraph break."""
    if verb.tag_ != "VBG" or verb.lower_ not in ING_NOUNS or verb.sent.start != 0:
        return False
    if verb.i != _last_word(verb.sent):
        return False
    after = verb.doc[verb.i + 1 : verb.sent.end + 1]
    if not any("\n" in t.text for t in after):
        return False  # the first sentence of a body without a headline
    return not any(c.dep_ in _VERB_COMPLEMENTS or c.dep_ == "aux" for c in verb.children)


def _headline_passive(verb: Token) -> bool:
    """A headline's past participle without its auxiliary: a passive ("BNP leader Nick
    Griffin arrested", "Allegheny sued over proposed buyout", "Straw attacked on China
    arms"): its subject is what was done to, the doer only a `by` phrase."""
    if verb.dep_ != "ROOT" or verb.tag_ not in ("VBD", "VBN") or verb.sent.start != 0:
        return False
    if verb.lemma_.lower() in _LINKING_VERBS:
        return False  # "The year search became personal"
    after = verb.doc[verb.i + 1 : verb.sent.end + 1]
    if not any("\n" in t.text for t in after):
        return False  # the first sentence of a body without a headline
    kids = [c.dep_ for c in verb.children]
    return "nsubj" in kids and not any(
        k in (_VERB_COMPLEMENTS - {"agent"}) | {"aux", "auxpass"} for k in kids
    )


_LINKING_VERBS = frozenset(
    ["become", "remain", "seem", "appear", "stay", "prove", "look", "sound", "feel", "get"]
)


def _last_word(sent: Span) -> int:
    """The index of the sentence's last token that is neither space nor punctuation."""
    for t in reversed(sent):
        if not (t.is_space or t.is_punct):
            return t.i
    return sent.end - 1


def _is_semi_modal(verb: Token) -> bool:
    """ "had to turn": "have" with a "to" infinitive is a semi-modal, not an action of its
    own; the infinitive is the action ("be able to" has no action verb either), as is
    "going" of "are going to require"."""
    if verb.lemma_.lower() != "have" and verb.lower_ != "going":
        return False
    return any(
        c.dep_ == "xcomp"
        and any(a.dep_ == "aux" and a.lower_ == "to" and a.i == verb.i + 1 for a in c.children)
        for c in verb.children
    )


def _is_action_verb(tok: Token) -> bool:
    if tok.pos_ != "VERB":
        return False
    return not (tok.lemma_.lower() == "be" or tok.dep_ in ("aux", "auxpass"))


def analyse(
    doc: Doc, clusters: list[Cluster], published_at: datetime | None = None
) -> tuple[list[ActionRecord], list[QuoteRecord]]:
    """Actions and quotes of one article (quotes first: "we" in a quote is its speaker)."""
    if not doc.has_annotation("DEP"):
        return [], []
    ctx = build_context(doc, clusters)
    quotes = find_quotes(ctx)
    return list(_actions(ctx, published_at)), quotes


def extract_actions(
    doc: Doc, clusters: list[Cluster], published_at: datetime | None = None
) -> Iterator[ActionRecord]:
    """Every verb with a findable doer; actions by non-entities keep a null entity id."""
    yield from analyse(doc, clusters, published_at)[0]


def _actions(ctx: Context, published_at: datetime | None) -> Iterator[ActionRecord]:
    doc = ctx.doc
    sents = list(doc.sents)
    dates = _dates_by_verb(doc)
    names = _name_tokens(doc)
    seen: set[tuple[int, str | int]] = set()
    for tok in doc:
        if not _is_action_verb(tok) or tok.i in names or _is_semi_modal(tok) or _headline_gerund(tok):
            continue
        found = agent_doers(tok) if _headline_passive(tok) else find_doers(tok)
        if not found:
            continue
        si = ctx.sent_index[tok.i]
        sent: Span = sents[si]
        target = _target(tok)
        target_text = span_text(phrase(target)) if target is not None else None
        target_eid = entity_of(ctx, target) if target is not None else None
        args = _arguments(ctx, tok, target)
        lemma = verb_lemma(tok)
        head = _content_head(target) if target is not None else None
        target_head = chars(doc, head.idx, head.idx + len(head.text)) if head is not None else None
        typed_by = _told_clause(tok, target) or (None if _reflexive_predicate(target) else target)
        action_type = _action_type(tok, lemma, typed_by, _object_lemma(typed_by, lemma))
        for d, (cluster, how) in ((doer, r) for doer in found for r in resolve_all(ctx, doer.token)):
            if d.resolution == "control":
                how = "control" if how == "direct" else how
            if cluster is not None and cluster.label not in ACTOR_LABELS:
                cluster = None
            once = (tok.i, cluster.entity_id if cluster is not None else d.token.i)
            if once in seen:
                continue  # one verb, one doer: one action ("it" and "the company" both Acme)
            seen.add(once)
            modality = _modality(ctx, tok, cluster)
            kind = _personal_type(action_type, lemma, cluster)
            yield ActionRecord(
                sentence_index=si,
                actor_text=actor_text(ctx, d.token),
                actor_entity_id=cluster.entity_id if cluster else None,
                actor_resolution=how,
                verb=lemma,
                verb_text=chars(doc, tok.idx, tok.idx + len(tok.text)),
                target_text=target_text or None,
                target_entity_id=target_eid,
                arguments=tuple(args),
                negated=_negated(tok),
                evidence=evidence(doc, sent, tok),
                start_char=tok.idx,
                end_char=tok.idx + len(tok.text),
                sentence_start_char=sent.start_char,
                target_head=target_head,
                modality=modality,
                action_type=kind,
                place_entity_id=_place(ctx, tok, target),
                event_time=(when := _event_time(tok, dates, published_at, modality == "planned")),
                event_key=event_key(
                    cluster.entity_id if cluster else None,
                    kind,
                    lemma,
                    target_eid or (target.lemma_.lower() if target is not None else None),
                    when.label if when else (published_at.date().isoformat() if published_at else None),
                ),
            )
