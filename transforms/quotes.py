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

from transforms.intervals import overlaps, span_at
from transforms.syntax import Context, actor_text, chars, find_doers, resolve, span_text

REPORTING_VERBS = frozenset(
    """say tell write add state announce explain note comment claim insist argue warn predict
    declare remark reply ask conclude acknowledge admit confirm deny report describe suggest
    tweet post reveal disclose stress emphasise emphasize caution promise vow pledge""".split()
)
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
    starts = doc.user_data.get("newsetl_token_starts")
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


def find_quotes(ctx: Context) -> list[QuoteRecord]:
    """All direct and indirect quotes; records quote spans and speakers in `ctx` so that
    "we"/"I" inside a quote resolve to its speaker."""
    doc = ctx.doc
    out: list[QuoteRecord] = []
    spans: list[tuple[int, int]] = []
    last: tuple[int, object, str | None, str | None, str | None] | None = (
        None  # (end, cluster, text, eid, cue)
    )
    text = doc.text  # rebuilt from the tokens on every access
    for m in _QUOTE.finditer(text):
        g = 1 if m.group(1) is not None else 2
        qs, qe = m.start(g), m.end(g)
        spans.append((m.start(), m.end()))
        cue = _cue_near(doc, m.start(), m.end())
        speaker = speaker_text = speaker_eid = cue_lemma = None
        if cue is not None:
            cue_lemma = cue.lemma_.lower()
            for d in find_doers(cue):
                if m.start() <= d.token.idx < m.end():
                    continue  # the subject inside the quote is not the speaker
                speaker, _ = resolve(ctx, d.token)
                speaker_text = actor_text(ctx, d.token)
                speaker_eid = speaker.entity_id if speaker is not None else None
                break
        elif last is not None and "\n\n" not in text[last[0] : m.start()] and m.start() - last[0] < 400:
            _, speaker, speaker_text, speaker_eid, cue_lemma = last
        if speaker_text is None and cue is None and last is None:
            continue  # scare quotes or a title in quotation marks: no speaker, not a quote
        ctx.quote_speakers.append((m.start(), m.end(), speaker))
        out.append(
            QuoteRecord(speaker_text, speaker_eid, cue_lemma, chars(doc, qs, qe).strip(), True, qs, qe)
        )
        last = (m.end(), speaker, speaker_text, speaker_eid, cue_lemma)
    # indirect speech: a reporting verb's clause outside quotation marks
    for tok in doc:
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
