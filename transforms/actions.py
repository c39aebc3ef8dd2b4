"""Actions from the dependency parse: who did what to whom, with the sentence that says so.

`extract_actions(doc, clusters)` yields one `ActionRecord` per verb whose doer can be
found in the parse. The doer is, in order: the grammatical subject; the `by`-agent of
a passive; the understood subject of a control or light-verb chain ("made the decision
to stop providing", "agreed to acquire"); the subject shared by conjoined verbs; the
noun a relative clause modifies ("Marinus Analytics, which provides"). Conjoined
subjects give one action each. Pronouns ("it", "they", "he") and descriptions ("the
company", "the tech stock") are resolved to the most salient preceding entity of a
compatible kind; the text as written is kept in `actor_text`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from transforms.entities import ACTOR_LABELS, Cluster
from transforms.syntax import (
    OBJECT_DEPS,
    actor_text,
    build_context,
    chars,
    entity_of,
    find_doers,
    phrase,
    resolve,
    span_text,
)


# Nouns that, with "the"/"this", describe an organisation ("the tech stock said ...").
@dataclass(frozen=True)
class Argument:
    prep: str
    text: str
    entity_id: str | None


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
    evidence: str  # the sentence, as written
    start_char: int  # the verb's offsets in the doc text
    end_char: int
    sentence_start_char: int


def _target(verb: Token) -> Token | None:
    """The direct object, else the completing preposition's object, else the reported
    or complement clause."""
    for dep in OBJECT_DEPS:
        for c in verb.children:
            if c.dep_ == dep:
                return c
    preps = [c for c in verb.children if c.dep_ == "prep" and c.i > verb.i]
    prt = [c for c in verb.children if c.dep_ == "prt"]
    for p in preps:
        objs = [c for c in p.children if c.dep_ in ("pobj", "pcomp")]
        if not objs:  # "getting out of the business": out -> of -> business
            objs = [g for c in p.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
        if objs and (prt or p.i == verb.i + 1):
            return objs[0]
    for dep in ("ccomp", "xcomp"):
        for c in verb.children:
            if c.dep_ == dep:
                return c
    for p in preps:
        objs = [c for c in p.children if c.dep_ == "pobj"]
        if objs:
            return objs[0]
    return None


def _negated(verb: Token) -> bool:
    for c in verb.children:
        if c.dep_ == "neg":
            return True
        if c.lower_ == "longer" and any(g.lower_ == "no" for g in c.children):
            return True
        if c.lower_ == "never":
            return True
    return verb.dep_ == "pcomp" and verb.head.lower_ == "without"


def _is_action_verb(tok: Token) -> bool:
    if tok.pos_ != "VERB":
        return False
    return not (tok.lemma_.lower() == "be" or tok.dep_ in ("aux", "auxpass"))


def extract_actions(doc: Doc, clusters: list[Cluster]) -> Iterator[ActionRecord]:
    """Every verb with a findable doer; actions by non-entities keep a null entity id."""
    if not doc.has_annotation("DEP"):
        return
    ctx = build_context(doc, clusters)
    sents = list(doc.sents)
    for tok in doc:
        if not _is_action_verb(tok):
            continue
        found = find_doers(tok)
        if not found:
            continue
        si = ctx.sent_index[tok.i]
        sent: Span = sents[si]
        target = _target(tok)
        target_text = span_text(phrase(target)) if target is not None else None
        target_eid = entity_of(ctx, target) if target is not None else None
        args = []
        for p in tok.children:
            if p.dep_ in ("prep", "agent") and p.i > tok.i:
                objs = [c for c in p.children if c.dep_ in ("pobj", "pcomp")]
                if objs:
                    args.append(Argument(p.lower_, span_text(phrase(objs[0])), entity_of(ctx, objs[0])))
        lemma = tok.lemma_.lower()
        for d in found:
            cluster, how = resolve(ctx, d.token)
            if d.resolution == "control":
                how = "control" if how == "direct" else how
            if cluster is not None and cluster.label not in ACTOR_LABELS:
                cluster = None
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
                evidence=chars(doc, sent.start_char, sent.end_char).strip(),
                start_char=tok.idx,
                end_char=tok.idx + len(tok.text),
                sentence_start_char=sent.start_char,
            )
