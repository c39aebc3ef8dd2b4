"""Each article's main event: the headline's action when the headline has one, else the
lead's (the first sentence of the body with an action), with why and how when a clause
of its verb says so.

The main action of a sentence is its highest verb (nearest the root) that has an entity
doer, else its highest verb with any doer; "Amazon places moratorium on police use of
Rekognition": place. When that verb reports ("Acme said it would close the plant"), the
reported act of an entity is the event (close). Why: a "because", "as" or "since" clause, "because of", or a purpose
clause ("in order to", "so as to", "to cut costs" as an adverbial clause). How: "by" with a
verb ("by cutting 1,000 jobs") or "through"/"via" with a noun.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from transforms.actions import ActionRecord
from transforms.quotes import reports
from transforms.syntax import phrase, span_text

_WHY_MARKS = frozenset(["because", "as", "since"])
_HOW_PREPS = frozenset(["through", "via"])


@dataclass(frozen=True)
class MainEvent:
    action_index: int  # index into the article's action records
    from_title: bool
    why_text: str | None
    how_text: str | None


def main_event(doc: Doc, actions: Sequence[ActionRecord], title_end: int) -> MainEvent | None:
    """The main event of an article whose title ends at `title_end` in the doc (0: none)."""
    if not actions:
        return None
    headline = [i for i, a in enumerate(actions) if a.start_char < title_end]
    chosen = _highest(doc, actions, headline)
    from_title = chosen is not None
    if chosen is None:
        for sent in doc.sents:
            if sent.end_char <= title_end:
                continue
            lead = [i for i, a in enumerate(actions) if sent.start_char <= a.start_char < sent.end_char]
            chosen = _highest(doc, actions, lead)
            if chosen is not None:
                break
    if chosen is None:
        return None
    chosen = _reported(doc, actions, chosen)
    verb = _verb(doc, actions[chosen])
    return MainEvent(chosen, from_title, _why(verb), _how(verb))


def _reported(doc: Doc, actions: Sequence[ActionRecord], chosen: int) -> int:
    """For "Acme said it would close the plant": the reported act (close), when an entity
    does it; the reporting verb itself otherwise."""
    verb = _verb(doc, actions[chosen])
    if not reports(verb):
        return chosen
    inside = [
        i
        for i, a in enumerate(actions)
        if a.actor_entity_id is not None and i != chosen and _under_clause(_verb(doc, a), verb)
    ]
    best = _highest(doc, actions, inside)
    return chosen if best is None else best


def _under_clause(tok: Token, reporting: Token) -> bool:
    """The token is in the clause a reporting verb reports (its ccomp)."""
    t = tok
    for _ in range(50):
        if t.head.i == t.i:
            return False
        if t.head.i == reporting.i:
            return t.dep_ == "ccomp"
        t = t.head
    return False


def _verb(doc: Doc, a: ActionRecord) -> Token:
    span = doc.char_span(a.start_char, a.end_char, alignment_mode="expand")
    return span[0] if span is not None and len(span) else doc[0]


def _depth(tok: Token) -> int:
    depth = 0
    while tok.head.i != tok.i and depth < 50:
        tok, depth = tok.head, depth + 1
    return depth


def _highest(doc: Doc, actions: Sequence[ActionRecord], candidates: list[int]) -> int | None:
    """The candidate whose verb is nearest the root, an entity doer's first, then the earliest."""
    if not candidates:
        return None
    return min(
        candidates,
        key=lambda i: (
            actions[i].actor_entity_id is None,
            _depth(_verb(doc, actions[i])),
            actions[i].start_char,
        ),
    )


def _why(verb: Token) -> str | None:
    """ "because ...", "as ...", "since ..."; "because of ..."; "in order to ...", or an
    infinitive of purpose after the verb ("cut jobs to save money")."""
    for c in verb.children:
        marks = {m.lower_ for m in c.children if m.dep_ == "mark"}
        if c.dep_ == "advcl" and marks & _WHY_MARKS:
            return span_text(phrase(c))
        if c.dep_ == "prep" and c.lower_ == "because":
            return span_text(phrase(c))
        if c.dep_ == "prep" and c.lower_ == "in" and any(g.lower_ == "order" for g in c.children):
            return span_text(phrase(c))
        infinitive = any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        if c.dep_ == "advcl" and infinitive and c.i > verb.i:
            return span_text(phrase(c))
    return None


def _how(verb: Token) -> str | None:
    for c in verb.children:
        if c.dep_ != "prep":
            continue
        objs = [g for g in c.children if g.dep_ in ("pcomp", "pobj")]
        if c.lower_ == "by" and any(g.dep_ == "pcomp" and g.tag_ == "VBG" for g in objs):
            return span_text(phrase(c))
        if c.lower_ in _HOW_PREPS and objs:
            return span_text(phrase(c))
    return None
