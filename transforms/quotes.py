"""Direct and indirect speech: who said what, with the cue verb and the words.

Direct quotes are text in quotation marks ("..." or “...”) with a reporting verb right
after the closing mark ("...," wrote Amazon; "...," he said) or right before the opening
one (Amazon said: "..."); a quote with no cue that follows a quote in the same paragraph
continues it (same speaker). Indirect quotes are the clauses reporting verbs govern
outside quotation marks ("IBM announced it's getting out of ...").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from spacy.attrs import IDX
from spacy.tokens import Doc, Token

from transforms.entities import Cluster
from transforms.intervals import overlaps, span_at
from transforms.lexicons import words
from transforms.syntax import Context, actor_text, chars, find_doers, resolve, span_text

REPORTING_VERBS = words("clauses.json", "reporting_verbs")  # say, tell, announce, ...
_QUOTE = re.compile(r"“([^”\n]{2,3000})”|\"([^\"\n]{2,3000})\"")
# How far (in tokens) a cue verb may sit from the quotation mark it introduces.
_CUE_WINDOW = 6


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


def _cue_near(doc: Doc, start: int, end: int) -> Token | None:
    """A reporting verb just after the closing mark or just before the opening one."""
    # the doc's token starts, found by bisection: no scan of the whole doc per quote
    first_after = bisect_left(_token_starts(doc), end)
    first_inside = bisect_left(_token_starts(doc), start)
    after = [doc[i] for i in range(first_after, min(first_after + _CUE_WINDOW, len(doc)))]
    before = [
        doc[i]
        for i in range(max(0, first_inside - _CUE_WINDOW), first_inside)
        if doc[i].idx + len(doc[i]) <= start
    ]
    for t in after:
        if "\n\n" in t.text or (t.is_space and "\n" in t.text):
            break
        if t.pos_ == "VERB" and t.lemma_.lower() in REPORTING_VERBS:
            return t
    for t in reversed(before):
        if "\n\n" in t.text_with_ws:
            break
        if t.pos_ == "VERB" and t.lemma_.lower() in REPORTING_VERBS:
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


def _cued_speaker(ctx: Context, cue: Token, m: re.Match[str]) -> _Attribution:
    """The doer of the cue verb, unless it stands inside the quote itself."""
    for d in find_doers(cue):
        if m.start() <= d.token.idx < m.end():
            continue  # the subject inside the quote is not the speaker
        speaker, _ = resolve(ctx, d.token)
        eid = speaker.entity_id if speaker is not None else None
        return _Attribution(speaker, actor_text(ctx, d.token), eid, cue.lemma_.lower())
    return _Attribution(cue=cue.lemma_.lower())


def _direct_quotes(ctx: Context) -> tuple[list[QuoteRecord], list[tuple[int, int]]]:
    """Quotes in quotation marks with a cue verb, or continuing the quote before them in
    the paragraph; and the spans of all quotation marks' text (marks included)."""
    doc = ctx.doc
    out: list[QuoteRecord] = []
    spans: list[tuple[int, int]] = []
    last: tuple[int, _Attribution] | None = None  # (end, attribution) of the last quote
    text = doc.text  # rebuilt from the tokens on every access
    for m in _QUOTE.finditer(text):
        g = 1 if m.group(1) is not None else 2
        qs, qe = m.start(g), m.end(g)
        spans.append((m.start(), m.end()))
        cue = _cue_near(doc, m.start(), m.end())
        if cue is not None:
            who = _cued_speaker(ctx, cue, m)
        elif last is not None and "\n\n" not in text[last[0] : m.start()] and m.start() - last[0] < 400:
            who = last[1]
        elif last is None:
            continue  # scare quotes or a title in quotation marks: no speaker, not a quote
        else:
            who = _Attribution()
        ctx.quote_speakers.append((m.start(), m.end(), who.speaker))
        out.append(QuoteRecord(who.text, who.entity_id, who.cue, chars(doc, qs, qe).strip(), True, qs, qe))
        last = (m.end(), who)
    return out, spans


def _indirect_quotes(ctx: Context, spans: list[tuple[int, int]]) -> list[QuoteRecord]:
    """A reporting verb's clause outside quotation marks."""
    out: list[QuoteRecord] = []
    for tok in ctx.doc:
        if tok.pos_ != "VERB" or tok.lemma_.lower() not in REPORTING_VERBS:
            continue
        if span_at(spans, tok.idx) is not None:
            continue
        clause = next((c for c in tok.children if c.dep_ == "ccomp"), None)
        if clause is None:
            continue
        toks = [t for t in clause.subtree if not t.is_space]
        start, end = toks[0].idx, toks[-1].idx + len(toks[-1].text)
        if overlaps(spans, start, end):
            continue
        for d in find_doers(tok):
            speaker, _ = resolve(ctx, d.token)
            out.append(
                QuoteRecord(
                    actor_text(ctx, d.token),
                    speaker.entity_id if speaker is not None else None,
                    tok.lemma_.lower(),
                    span_text(toks),
                    False,
                    start,
                    end,
                )
            )
    return out
