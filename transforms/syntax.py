"""Shared parse helpers for actions and quotes: who a clause's doer is, and which entity
a subject, pronoun or description refers to.

The doer of a verb is, in order: the grammatical subject; the `by`-agent of a passive;
the understood subject of a control or light-verb chain ("made the decision to stop
providing", "agreed to acquire"); the subject shared by conjoined verbs; the noun a
relative clause modifies ("Marinus Analytics, which provides"). Pronouns ("it", "they",
"he") and descriptions ("the company", "the tech stock") resolve to the most salient
preceding entity of a compatible kind (same sentence first, subjects first, then
recency, within a few sentences; else the headline's first entity); "we", "our", "I"
inside a direct quote resolve to the quote's speaker.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span, Token

from transforms.entities import Cluster
from transforms.intervals import span_at
from transforms.lexicons import words

# Descriptions that refer back to an entity: "the company", "the government" (patterns/cues.json)
ORG_DESCRIPTIONS = words("cues.json", "org_nouns") | words("cues.json", "org_nouns_description_only")
GPE_DESCRIPTIONS = words("cues.json", "gpe_descriptions")
PERSON_PRONOUNS = frozenset(["he", "him", "his", "she", "her", "i", "me", "my"])
# First-person pronouns: inside a direct quote they are the quote's speaker.
SPEAKER_PRONOUNS = frozenset(["we", "us", "our", "i", "me", "my"])
PLURAL_PRONOUNS = frozenset(["they", "them", "their"])
ORG_PRONOUNS = frozenset(["it", "its", "they", "them", "their", "we", "us", "our"])
# Nouns after a light verb whose clause is the real action: "made the decision to stop".
LIGHT_NOUNS = words("clauses.json", "light_nouns")  # patterns/clauses.json
SUBJECT_DEPS = frozenset({"nsubj", "csubj"})
PASSIVE_SUBJECT_DEPS = frozenset({"nsubjpass", "csubjpass"})
OBJECT_DEPS = ("dobj", "dative", "attr", "oprd")
# How many sentences back a pronoun or description may look for its antecedent.
WINDOW = 3


@dataclass
class Doer:
    token: Token
    resolution: str


@dataclass
class Context:
    doc: Doc
    token_cluster: dict[int, Cluster]
    sent_index: dict[int, int]  # token index -> sentence index
    # (token index, sentence index, cluster, is_subject) in document order
    salience: list[tuple[int, int, Cluster, bool]] = field(default_factory=list)
    salience_starts: list[int] = field(default_factory=list)
    groups: list[tuple[int, int, list[Cluster]]] = field(default_factory=list)
    remembered: set[int] = field(default_factory=set)
    # direct quotes in text order: (start_char, end_char incl. marks, speaker cluster or None)
    quote_speakers: list[tuple[int, int, Cluster | None]] = field(default_factory=list)
    token_mention: dict[int, Span] = field(default_factory=dict)  # token index -> its mention


def build_context(doc: Doc, clusters: list[Cluster]) -> Context:
    token_cluster: dict[int, Cluster] = {}
    token_mention: dict[int, Span] = {}
    for c in clusters:
        for m in c.mentions:
            for i in range(m.start, m.end):
                token_cluster[i] = c
                token_mention[i] = m
    sent_index = {}
    for si, sent in enumerate(doc.sents):
        for t in sent:
            sent_index[t.i] = si
    ctx = Context(doc, token_cluster, sent_index, token_mention=token_mention)
    for c in clusters:
        for m in c.mentions:
            is_subj = any(t.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS for t in m)
            ctx.salience.append((m.start, sent_index[m.start], c, is_subj))
    ctx.salience.sort(key=lambda x: x[0])
    ctx.salience_starts = [x[0] for x in ctx.salience]
    # subjects that coordinate two or more entities ("X and Y said they ...")
    for t in doc:
        if t.dep_ in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS:
            members = [token_cluster[x.i] for x in _coordinated(t) if x.i in token_cluster]
            members = list({id(m): m for m in members}.values())
            if len(members) >= 2:
                ctx.groups.append((t.i, sent_index[t.i], members))
    return ctx


_NAME_PATH_DEPS = frozenset(["compound", "nmod", "conj", "cc", "amod", "det", "punct", "poss", "case"])


def _coordinated(head: Token) -> list[Token]:
    """Tokens of a subject phrase reachable through name and coordination links only (not
    through appositives, prepositions or clauses): 'X and Y', however the parser bracketed it."""
    out = [head]
    stack = [head]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in _NAME_PATH_DEPS:
                out.append(c)
                stack.append(c)
    return out if any(x.lower_ in ("and", "&") for x in out) else [head]


def _remember(ctx: Context, tok: Token, cluster: Cluster) -> None:
    """A resolved pronoun or description in subject position is itself salient."""
    if tok.i in ctx.remembered or tok.dep_ not in SUBJECT_DEPS | PASSIVE_SUBJECT_DEPS:
        return
    ctx.remembered.add(tok.i)
    pos = bisect_left(ctx.salience_starts, tok.i)
    ctx.salience.insert(pos, (tok.i, ctx.sent_index[tok.i], cluster, True))
    ctx.salience_starts.insert(pos, tok.i)


def plural_group(ctx: Context, tok: Token) -> list[Cluster] | None:
    """For "they"/"the companies": the most recent coordinated subject within the window."""
    si = ctx.sent_index[tok.i]
    best = None
    for ti, s, members in ctx.groups:
        if ti < tok.i and si - s <= WINDOW:
            best = members
    return best


def resolve_all(ctx: Context, tok: Token) -> list[tuple[Cluster | None, str]]:
    """Like `resolve`, but a plural pronoun or description referring to a coordinated
    subject ("AEGON and Life Investors said they ...") gives every member."""
    low = tok.lower_
    plural_desc = tok.pos_ == "NOUN" and tok.tag_ == "NNS" and tok.lemma_.lower() in ORG_DESCRIPTIONS
    plural = low in PLURAL_PRONOUNS or (
        plural_desc and any(c.lower_ in ("the", "both", "two") for c in tok.children)
    )
    in_quote = span_at(ctx.quote_speakers, tok.idx) is not None
    group = plural_group(ctx, tok) if plural and not in_quote else None
    if group:
        how = "pronoun" if low in PLURAL_PRONOUNS else "description"
        return [(c, how) for c in group]
    return [resolve(ctx, tok)]


def antecedent(ctx: Context, tok: Token, labels: frozenset[str]) -> Cluster | None:
    """The most salient entity of `labels` before `tok`: subjects first, then recency."""
    si = ctx.sent_index[tok.i]
    best: tuple[tuple[int, int, int, int], Cluster] | None = None
    # walk back from the pronoun; stop once past the window (linear in the window only)
    for idx in range(bisect_left(ctx.salience_starts, tok.i) - 1, -1, -1):
        ti, s, c, is_subj = ctx.salience[idx]
        if si - s > WINDOW:
            break
        if c.label not in labels:
            continue
        # same sentence beats earlier ones; subjects beat other positions; an organisation
        # beats a place ("it" is more often the company than the city); later beats earlier
        score = (-(si - s), int(is_subj), int(c.label == "ORG"), ti)
        if best is None or score > best[0]:
            best = (score, c)
    if best is None and si <= WINDOW + 1:
        # the title's first entity is what the article is about
        for ti, s, c, _ in ctx.salience:
            if s > 0 or ti >= tok.i:
                break
            if c.label in labels:
                return c
    return best[1] if best else None


def resolve(ctx: Context, tok: Token) -> tuple[Cluster | None, str]:
    """Entity a subject token refers to, and how it was found."""
    cluster, how = _resolve(ctx, tok)
    if cluster is not None and how != "direct":
        _remember(ctx, tok, cluster)
    return cluster, how


def _resolve(ctx: Context, tok: Token) -> tuple[Cluster | None, str]:
    if tok.i in ctx.token_cluster:
        return ctx.token_cluster[tok.i], "direct"
    low = tok.lower_
    if tok.pos_ == "PRON" or tok.tag_ in ("PRP", "PRP$"):
        if low in SPEAKER_PRONOUNS:
            quote = span_at(ctx.quote_speakers, tok.idx)
            speaker = quote[2] if quote is not None else None
            if speaker is not None and (low in ("we", "us", "our") or speaker.label == "PERSON"):
                return speaker, "pronoun"
        if low in PERSON_PRONOUNS:
            return antecedent(ctx, tok, frozenset({"PERSON"})), "pronoun"
        if low in ORG_PRONOUNS:
            return antecedent(ctx, tok, frozenset({"ORG", "GPE"})), "pronoun"
        return None, "pronoun"
    if tok.pos_ == "NOUN" and any(c.dep_ == "det" and c.lower_ in ("the", "this") for c in tok.children):
        if any(c.dep_ == "compound" and c.pos_ == "PROPN" for c in tok.children):
            return None, "direct"
        if tok.lemma_.lower() in ORG_DESCRIPTIONS:
            return antecedent(ctx, tok, frozenset({"ORG"})), "description"
        if tok.lemma_.lower() in GPE_DESCRIPTIONS:
            return antecedent(ctx, tok, frozenset({"GPE"})), "description"
    return None, "direct"


def with_conjuncts(tok: Token) -> list[Token]:
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj" and c.pos_ in ("PROPN", "NOUN", "PRON"):
            out.extend(with_conjuncts(c))
    return out


def find_doers(verb: Token, depth: int = 0) -> list[Doer]:
    """The tokens that did `verb`, following the parse (see module doc)."""
    if depth > 6:
        return []
    subj = [c for c in verb.children if c.dep_ in SUBJECT_DEPS]
    if subj:
        return _subject_doers(verb, subj[0])
    if any(c.dep_ in PASSIVE_SUBJECT_DEPS for c in verb.children):
        return _agent_doers(verb)
    if verb.head is verb:
        return []
    return _governor_doers(verb, depth)


def _direct(tokens: list[Token]) -> list[Doer]:
    return [Doer(t, "direct") for t in tokens]


def _control(tokens: list[Token]) -> list[Doer]:
    return [Doer(t, "control") for t in tokens]


def _subject_doers(verb: Token, s: Token) -> list[Doer]:
    """The grammatical subject; of a relative clause ("which provides"), the noun it modifies."""
    if s.tag_ in ("WDT", "WP") and verb.dep_ == "relcl":
        return _direct(with_conjuncts(verb.head))
    if s.dep_ == "csubj" or s.lower_ in ("there",):
        return []
    return _direct(with_conjuncts(s))


def _agent_doers(verb: Token) -> list[Doer]:
    """A passive's `by`-agent ("was bought by Acme"), if it has one."""
    for agent in (c for c in verb.children if c.dep_ == "agent"):
        objs = [c for c in agent.children if c.dep_ == "pobj"]
        if objs:
            return _direct(with_conjuncts(objs[0]))
    return []


def _governor_doers(verb: Token, depth: int) -> list[Doer]:
    """A verb without a subject of its own: the doer of the verb or noun governing it."""
    head, dep = verb.head, verb.dep_
    if dep == "conj" and head.pos_ in ("VERB", "AUX"):
        return find_doers(head, depth + 1)
    if dep == "xcomp" and head.pos_ in ("VERB", "AUX"):
        return _controller_doers(head, depth)
    if dep in ("advcl", "pcomp") and verb.tag_ in ("VBG", "VB", "VBN"):
        return _clause_doers(verb, depth)
    if dep in ("acl", "relcl") and verb.tag_ in ("VBG", "VB"):
        return _noun_clause_doers(verb, depth)
    return []


def _controller_doers(head: Token, depth: int) -> list[Doer]:
    """The controller of an infinitive: in "allow groups to access" the object does the
    access; in "Delta was forced to cut" the passive subject does the cutting; else the
    doer of the governing verb."""
    objs = [c for c in head.children if c.dep_ in ("dobj",)]
    if objs:
        return _control(with_conjuncts(objs[0]))
    passive = [c for c in head.children if c.dep_ in PASSIVE_SUBJECT_DEPS]
    if passive:
        return _control(with_conjuncts(passive[0]))
    return _control([d.token for d in find_doers(head, depth + 1)])


def _clause_doers(verb: Token, depth: int) -> list[Doer]:
    """An adverbial or prepositional clause ("by cutting", "after buying") shares the
    doer of the verb it modifies; a passive participle clause ("asked by ...") has none."""
    head, dep = verb.head, verb.dep_
    gov = head.head if dep == "pcomp" and head.pos_ == "ADP" else head
    if gov.pos_ not in ("VERB", "AUX") or gov is verb:
        return []
    if dep == "advcl" and verb.tag_ == "VBN":
        return []  # "asked by ...": passive participle clause
    return _control([d.token for d in find_doers(gov, depth + 1)])


def _noun_clause_doers(verb: Token, depth: int) -> list[Doer]:
    """A clause on a noun: "made the decision to stop" has the doer of the light verb; "a
    company providing" has the noun the participle modifies."""
    noun = verb.head
    if noun.lemma_.lower() in LIGHT_NOUNS and noun.dep_ in ("dobj", "nsubj", "pobj"):
        gov = noun.head if noun.dep_ != "pobj" else noun.head.head
        if gov.pos_ in ("VERB", "AUX"):
            return _control([d.token for d in find_doers(gov, depth + 1)])
        return []
    if verb.tag_ == "VBG":
        return _control(with_conjuncts(noun))
    return []


def source_text(doc: Doc) -> str:
    """The text as stored. The parser may have seen a case-restored headline of the same
    length (transforms.truecase); every text field is sliced from the stored text."""
    text = doc.user_data.get("newsetl_source_text")
    if text is None:
        # Doc.text is rebuilt from the tokens on every access: keep it
        text = doc.user_data["newsetl_source_text"] = doc.text
    return text


def chars(doc: Doc, start: int, end: int) -> str:
    return source_text(doc)[start:end]


def span_text(tokens: list[Token]) -> str:
    doc = tokens[0].doc
    start = min(t.i for t in tokens)
    end = max(t.i for t in tokens) + 1
    span = doc[start:end]
    return chars(doc, span.start_char, span.end_char).strip(" \n,;:")


def phrase(tok: Token) -> list[Token]:
    return [t for t in tok.subtree if not t.is_space]


def entity_of(ctx: Context, tok: Token) -> str | None:
    c = ctx.token_cluster.get(tok.i)
    if c is None:
        # the phrase's head may be a common noun with the entity inside ("shares of IBM")
        return None
    return c.entity_id


def actor_text(ctx: Context, tok: Token) -> str:
    m = ctx.token_mention.get(tok.i)
    if m is not None:
        return chars(ctx.doc, m.start_char, m.end_char)
    if tok.pos_ == "PRON":
        return chars(ctx.doc, tok.idx, tok.idx + len(tok.text))
    left = [t for t in tok.lefts if t.dep_ in ("det", "compound", "amod", "poss", "nmod")]
    toks = [t for x in left for t in x.subtree] + [tok]
    return span_text(toks)
