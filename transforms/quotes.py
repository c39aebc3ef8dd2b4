"""Direct and indirect speech: who said what, with the cue verb and the words.

Direct quotes are text in quotation marks ("..." or “...”) with a reporting verb right
after the closing mark ("...," wrote Amazon; "...," he said) or right before the opening
one (Amazon said: "..."), in the same sentence; a quote with no cue that follows a quote in
the same paragraph continues it (same speaker). A straight mark closes a quote only after
a non-space and opens one only before a non-space: "...sooner. "If my bill..." is a quote
left open (the convention for a quote running on into the next paragraph) followed by a
new one, not a quote of ` "` and a gap. Indirect quotes are the clauses reporting verbs
govern outside quotation marks ("IBM announced it's getting out of ..."); a reporting
verb inside another indirect quote is part of that quote, not a second row.

The speaker is the cue verb's doer, with three refinements on the parse: a role noun
with an appositive name gives the name ("His mother, Giselle, said"; "said chief
economist, Jan Egeland"); a passive verb governing the cue gives its passive subject
("the aid agency was quoted as saying", resolved like any description); conjoined
speakers ("Apple and Motorola announced") give one row for the one quote, with the
entity only when they are one entity. Content and offsets never carry surrounding
whitespace: `start_char:end_char` slices exactly `content` from the text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from spacy.attrs import IDX
from spacy.tokens import Doc, Token

from transforms.entities import Cluster
from transforms.intervals import overlaps, span_at
from transforms.lemmas import verb_lemma
from transforms.lexicons import words
from transforms.syntax import (
    PLURAL_PRONOUNS,
    REPORTING_VERBS,
    SUBJECT_DEPS,
    Context,
    actor_text,
    find_doers,
    named_in_apposition,
    phrase,
    resolve,
    source_text,
    span_text,
    thing_antecedent,
    unnamed_person_before,
)

# "point out": reports with its particle only ("links that point to files" report nothing)
PARTICLE_REPORTING = frozenset(tuple(v.split()) for v in words("clauses.json", "particle_reporting_verbs"))
_MARK = re.compile(r'["“”]')
_NEXT_OPENS = re.compile(r'\s*["“]')
_MIN_QUOTE, _MAX_QUOTE = 2, 3000  # characters of a direct quote's words
# Characters after which a straight mark may open a quote (besides a space).
_OPENS_AFTER = frozenset("([{-—–/‘'")
# How far (in tokens) a cue verb may sit from the quotation mark it introduces; the
# search stops at the sentence's end and at another quotation mark. After the quote the
# speaker may come first, with a title ("...," Yurij Ponomarev, managing director of the
# State Bank, told Reuters).
_CUE_WINDOW = 8
_CUE_WINDOW_AFTER = 14
_SENTENCE_END = frozenset([".", "!", "?"])
# What an indirect quote's words do not start or end with.
_CLAUSE_TRIM = " \n\t,;:"


@dataclass(frozen=True)
class QuoteRecord:
    speaker_text: str | None
    speaker_entity_id: str | None
    cue_verb: str | None
    content: str
    direct: bool
    start_char: int  # doc offsets of the quoted words (direct: without the marks)
    end_char: int


def _token_starts(doc: Doc) -> list[int]:
    starts: list[int] | None = doc.user_data.get("newsetl_token_starts")
    if starts is None:
        starts = doc.user_data["newsetl_token_starts"] = doc.to_array(IDX).tolist()
    return starts


def trimmed(text: str, start: int, end: int, strip: str | None = None) -> tuple[int, int]:
    """`start:end` without the characters of `strip` (default whitespace) at either end."""
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip(strip))
    right = len(piece.rstrip(strip))
    return (start + left, start + right) if right > left else (start, start)


@dataclass(frozen=True)
class _Marked:
    """Text in quotation marks: the marks' span (`end` is the content's end when the quote
    is left open) and its words' span without surrounding whitespace."""

    start: int
    end: int
    words_start: int
    words_end: int
    closed: bool


def quotation_spans(text: str) -> list[_Marked]:
    """Pairs of quotation marks in text order. “ opens and ” closes; a straight mark closes
    an open quote when it follows a non-space (or stands between spaces), opens one when
    it precedes a non-space and follows a space, a bracket or a dash. A quote left open before a new opening mark
    ends there (a quote running on into a new paragraph, the paragraphs joined); one left
    open at a line's end ends there when the next paragraph opens a quote; else it is no
    quote (a stray mark). A straight mark between two letters is an apostrophe ('it"s')."""
    out: list[_Marked] = []
    open_at: int | None = None
    line_end = -1

    def add(start: int, end: int, words_end: int, closed: bool) -> None:
        ws, we = trimmed(text, start + 1, words_end)
        if _MIN_QUOTE <= we - ws <= _MAX_QUOTE:
            out.append(_Marked(start, end, ws, we, closed))

    for m in _MARK.finditer(text):
        i, ch = m.start(), m.group()
        if open_at is not None and i > line_end >= 0:  # the open quote's line ended
            if _NEXT_OPENS.match(text, line_end):
                add(open_at, line_end, line_end, False)
            open_at = None
        prev = text[i - 1] if i > 0 else "\n"
        nxt = text[i + 1] if i + 1 < len(text) else "\n"
        if ch == '"' and prev.isalpha() and nxt.isalpha():
            continue  # an apostrophe typed as a quotation mark: Reuters' 'it"s'
        # a mark between spaces opens nothing: it closes an open quote ("... ever. " A)
        can_close = ch == "”" or (ch == '"' and (not prev.isspace() or nxt.isspace()))
        can_open = ch == "“" or (ch == '"' and not nxt.isspace() and (prev.isspace() or prev in _OPENS_AFTER))
        if open_at is not None and can_close:
            add(open_at, i + 1, i, True)
            open_at = None
        elif can_open:
            if open_at is not None:
                add(open_at, i, i, False)
            open_at = i
            line_end = text.find("\n", i)
    if open_at is not None and line_end >= 0 and _NEXT_OPENS.match(text, line_end):
        add(open_at, line_end, line_end, False)
    return out


def _stops(t: Token) -> bool:
    """A token a cue search does not cross: a paragraph break, a sentence's end, a mark."""
    return (t.is_space and "\n" in t.text) or t.text in _SENTENCE_END or any(c in t.text for c in '"“”')


def reports(t: Token) -> bool:
    """Is `t` a reporting verb: "said", "insisted", "pointed out" (with its particle)?"""
    lemma = verb_lemma(t)
    if lemma in REPORTING_VERBS:
        return True
    return any((lemma, c.lower_) in PARTICLE_REPORTING for c in t.children if c.dep_ == "prt")


def _is_cue(t: Token) -> bool:
    return t.pos_ == "VERB" and reports(t)


def _says_more(cue: Token, q: _Marked) -> bool:
    """A cue after a quote that has words of its own after it ("..." Mr Brown insisted his
    plans were affordable; "..." David Page said: "...") belongs to those words."""
    nxt = cue.doc[cue.i + 1] if cue.i + 1 < len(cue.doc) else None
    if nxt is not None and nxt.text == ":":
        return True
    # (a next quote parsed as the verb's clause is no words of its own: "...," he said "...")
    return any(c.dep_ == "ccomp" and c.idx >= q.end and not _stops(c.left_edge) for c in cue.children)


def _cue_near(doc: Doc, q: _Marked) -> Token | None:
    """A reporting verb just after the closing mark or just before the opening one, in the
    same sentence and with no other quotation mark between."""
    # the doc's token starts, found by bisection: no scan of the whole doc per quote
    first_after = bisect_left(_token_starts(doc), q.end)
    first_inside = bisect_left(_token_starts(doc), q.start)
    if q.closed:  # an open quote is followed by the next quote, not by its cue
        for i in range(first_after, min(first_after + _CUE_WINDOW_AFTER, len(doc))):
            if _stops(doc[i]):
                break
            if _is_cue(doc[i]):
                if not _says_more(doc[i], q):
                    return doc[i]
                break  # the verb's own words follow it: look before the quote
    for i in range(first_inside - 1, max(-1, first_inside - 1 - _CUE_WINDOW), -1):
        t = doc[i]
        if t.idx + len(t) > q.start:
            continue
        if _stops(t) or "\n\n" in t.text_with_ws:
            break
        if _is_cue(t):
            return t
    return None


@dataclass(frozen=True)
class _Attribution:
    """Who a direct quote is attributed to, by which cue verb."""

    speaker: Cluster | None = None
    text: str | None = None
    entity_id: str | None = None
    cue: str | None = None


def find_quotes(ctx: Context) -> list[QuoteRecord]:
    """All direct and indirect quotes; records quote spans and speakers in `ctx` so that
    "we"/"I" inside a quote resolve to its speaker."""
    direct, spans = _direct_quotes(ctx)
    return direct + _indirect_quotes(ctx, spans)


def _speaker_tokens(cue: Token) -> list[Token]:
    """Who did the cue verb; a cue with no doer of its own under a passive verb ("the
    agency was quoted as saying", "he is reported as saying") has the passive subject."""
    doers = [d.token for d in find_doers(cue)]  # a role's appositive name included
    if doers:
        return doers
    gov = cue.head.head if cue.head.pos_ == "ADP" else cue.head
    if gov is cue or cue.dep_ not in ("pcomp", "advcl", "xcomp"):
        return []
    passive = [c for c in gov.children if c.dep_ == "nsubjpass"]
    return [named_in_apposition(passive[0])] if passive else []


def _attribution(ctx: Context, speakers: list[Token], cue: str) -> _Attribution:
    """One attribution for one quote; conjoined speakers ("Apple and Motorola") share it,
    with an entity only when they all are one entity."""
    if not speakers:
        return _Attribution(cue=cue)
    found = [resolve(ctx, t)[0] for t in speakers]
    texts = list(dict.fromkeys(_speaker_text(ctx, t, c) for t, c in zip(speakers, found, strict=True)))
    entities = {c.entity_id: c for c in found if c is not None}
    speaker = next(iter(entities.values())) if len(entities) == 1 else None
    eid = speaker.entity_id if speaker is not None else None
    return _Attribution(speaker, " and ".join(texts), eid, cue)


def _speaker_text(ctx: Context, tok: Token, found: Cluster | None) -> str:
    """The speaker as written; for a "he"/"she" that stands for someone not yet named ("A
    spokesman for NTL said ... he said"), or a "they" for unnamed people ("Analysts said
    ... they added"), those as written."""
    if found is None and tok.lower_ in ("he", "she"):
        person = unnamed_person_before(ctx, tok)
        if person is not None:
            return span_text(phrase(person))  # "A spokesman for the company"
    if found is None and tok.lower_ == "they":
        people = thing_antecedent(tok)
        if people is not None and people.pos_ == "NOUN" and people.tag_ == "NNS":
            return span_text(phrase(people))  # "Analysts at the bank said ... they added"
    return actor_text(ctx, tok)


def _cued_speaker(ctx: Context, cue: Token, q: _Marked) -> _Attribution:
    """The doer of the cue verb, unless it stands inside the quote itself."""
    speakers = [t for t in _speaker_tokens(cue) if not q.start <= t.idx < q.end]
    return _attribution(ctx, speakers, cue.lemma_.lower())


# how long the rest of a paragraph after its quote may be for the next paragraph's uncued
# quote to continue it (an attribution: ', Mr Howard told the BBC.')
_ATTRIBUTION_TAIL = 120
_SENTENCE_INSIDE = re.compile(r"[.!?]\s+\S")


def _continues(text: str, last: _Marked, q: _Marked) -> bool:
    """Does `q` continue the quote before it: in the same paragraph; right after it in the
    next one when that was left open (a quote running over paragraphs); or opening the
    next paragraph when the last one ended with the quote and its attribution ('"...," he
    said.' then a paragraph that is a quote without a cue: the same speaker goes on)."""
    gap = text[last.end : q.start]
    if not last.closed and not gap.strip():
        return True
    if "\n\n" not in gap:
        return len(gap) < 400
    before, _, after = gap.rpartition("\n\n")
    tail = before.strip()
    one_sentence = not _SENTENCE_INSIDE.search(tail)  # ', he said.' and no more narrative
    return not after.strip() and "\n\n" not in before and len(tail) < _ATTRIBUTION_TAIL and one_sentence


def _direct_quotes(ctx: Context) -> tuple[list[QuoteRecord], list[tuple[int, int]]]:
    """Quotes in quotation marks with a cue verb, or continuing the quote before them in
    the paragraph; and the spans of all quotation marks' text (marks included)."""
    doc = ctx.doc
    out: list[QuoteRecord] = []
    spans: list[tuple[int, int]] = []
    last: tuple[_Marked, _Attribution] | None = None  # the last quote and its attribution
    text = source_text(doc)
    marked = quotation_spans(text)
    # every quoted text first: a speaker resolved below may be "I" (inside marks or not)
    ctx.marked.extend((q.start, q.end) for q in marked)
    caught = 0  # narrative subjects before this token are resolved (and remembered)
    for q in marked:
        spans.append((q.start, q.end))
        cue = _cue_near(doc, q)
        if cue is not None:
            caught = _resolve_narrative(ctx, caught, min(q.start, cue.idx))
            who = _cued_speaker(ctx, cue, q)
        elif last is not None and _continues(text, last[0], q):
            who = replace(last[1], cue=None)  # the same speaker; no cue verb of its own
        elif last is None:
            continue  # scare quotes or a title in quotation marks: no speaker, not a quote
        else:
            who = _Attribution()
        ctx.quote_speakers.append((q.start, q.end, who.speaker))
        words = text[q.words_start : q.words_end]
        out.append(QuoteRecord(who.text, who.entity_id, who.cue, words, True, q.words_start, q.words_end))
        last = (q, who)
    return out, spans


def _resolve_narrative(ctx: Context, start: int, end_char: int) -> int:
    """Resolve, in text order, the singular pronoun and description subjects of verbs (the
    doers the actions resolve) from token `start` to character `end_char`, outside
    quotation marks or inside a quote already attributed, so that a speaker "he" finds the
    chain the text built ("He said ... He suggested ... '...,' he said": the one the
    narrative follows, not a name its last report gave; 'Santini said: "... I wish ..." He
    added': Santini); the next token to resolve from."""
    doc = ctx.doc
    i = start
    while i < len(doc) and doc[i].idx < end_char:
        if _narrative_subject(ctx, doc[i]):
            resolve(ctx, doc[i])
        i += 1
    return max(i, start)


def _narrative_subject(ctx: Context, t: Token) -> bool:
    """A subject the actions would resolve as a doer (of a verb other than "be"), singular
    (a plural may stand for a group: the actions resolve it apart), not a name."""
    head = t.head
    return (
        t.dep_ in SUBJECT_DEPS
        and t.pos_ in ("PRON", "NOUN")
        and t.tag_ != "NNS"
        and t.lower_ not in PLURAL_PRONOUNS
        and t.i not in ctx.token_cluster
        and head.pos_ == "VERB"
        and head.lemma_.lower() != "be"
        and (span_at(ctx.marked, t.idx) is None or span_at(ctx.quote_speakers, t.idx) is not None)
    )


def _clause_tokens(clause: Token) -> list[Token]:
    """The clause's words, less a conjoined report with its own subject at its end ("the
    Lib Dems would make people pay more and Labour says ..." ends before "and Labour")."""
    cut = len(clause.doc)
    for t in clause.subtree:
        deps = {c.dep_ for c in t.children}
        if t is not clause and _is_cue(t) and t.dep_ == "conj" and {"nsubj", "ccomp"} <= deps:
            cut = min(cut, t.left_edge.i)
    toks = [t for t in clause.subtree if not t.is_space and t.i < cut]
    while cut < len(clause.doc) and toks and toks[-1].dep_ in ("cc", "punct"):
        toks.pop()  # the "and" before the cut
    return toks


def _inside_another(found: list[tuple[int, int, int]]) -> set[int]:
    """Which of (position, start, end) have their position inside another's [start, end):
    by bisection over the spans sorted by start, with the two largest ends so far (the
    span of the position's own clause may hold it: "Profits, he said, rose")."""
    order = sorted(range(len(found)), key=lambda k: found[k][1])
    starts = [found[k][1] for k in order]
    top: list[tuple[tuple[int, int], tuple[int, int] | None]] = []
    first: tuple[int, int] | None = None
    second: tuple[int, int] | None = None
    for k in order:
        cand = (found[k][2], k)
        if first is None or cand > first:
            first, second = cand, first
        elif second is None or cand > second:
            second = cand
        top.append((first, second))
    out = set()
    for k, (pos, _, _) in enumerate(found):
        i = bisect_right(starts, pos) - 1
        if i < 0:
            continue
        a, b = top[i]
        other = a if a[1] != k else b
        if other is not None and other[0] > pos:
            out.add(k)
    return out


def _indirect_quotes(ctx: Context, spans: list[tuple[int, int]]) -> list[QuoteRecord]:
    """A reporting verb's clause outside quotation marks, one row per clause; a reporting
    verb inside another's clause is part of that quote ("X said Y warned that ...")."""
    text = source_text(ctx.doc)
    found: list[tuple[Token, int, int]] = []
    for tok in ctx.doc:
        if not _is_cue(tok) or span_at(spans, tok.idx) is not None:
            continue
        clause = next((c for c in tok.children if c.dep_ == "ccomp"), None)
        if clause is None:
            continue
        toks = _clause_tokens(clause)
        if not toks:
            continue
        # a non-projective parse lists a subtree out of order: its span is min to max
        start = min(t.idx for t in toks)
        end = max(t.idx + len(t.text) for t in toks)
        start, end = trimmed(text, start, end, _CLAUSE_TRIM)
        if end > start and not overlaps(spans, start, end):
            found.append((tok, start, end))
    out: list[QuoteRecord] = []
    nested = _inside_another([(tok.idx, start, end) for tok, start, end in found])
    for k, (tok, start, end) in enumerate(found):
        if k in nested:
            continue
        speakers = _speaker_tokens(tok)
        if not speakers:
            continue  # no one says it: a parse that lost the subject, not a quote
        who = _attribution(ctx, speakers, tok.lemma_.lower())
        out.append(QuoteRecord(who.text, who.entity_id, who.cue, text[start:end], False, start, end))
    return out
