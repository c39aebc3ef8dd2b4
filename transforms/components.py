"""Pipeline components without data: paragraph breaks start sentences, and entities
neither span a paragraph break nor start or end on whitespace or punctuation.

- `newsetl_paragraph_breaks` (before the parser): a paragraph break, including the one
  between title and body, always starts a new sentence.
- `newsetl_entity_fixes` (after NER): no entity spans a paragraph break or starts or
  ends on whitespace or punctuation; a leading "the" is not part of a name.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span


@Language.component("newsetl_paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A token after a whitespace token holding a blank line starts a sentence."""
    for i in range(1, len(doc)):
        prev = doc[i - 1]
        if prev.is_space and "\n\n" in prev.text or "\n\n" in prev.whitespace_:
            doc[i].is_sent_start = True
    return doc


def _break_inside(span: Span) -> bool:
    return any(t.is_space and "\n" in t.text or "\n\n" in t.whitespace_ for t in span[:-1])


def split_at_breaks(span: Span) -> list[Span]:
    """Pieces of `span` between paragraph breaks, trimmed of spaces and punctuation."""
    pieces: list[Span] = []
    start = span.start
    for t in span:
        if t.is_space and "\n" in t.text:
            pieces.append(span.doc[start : t.i])
            start = t.i + 1
        elif "\n\n" in t.whitespace_:
            pieces.append(span.doc[start : t.i + 1])
            start = t.i + 1
    pieces.append(span.doc[start : span.end])
    out = []
    for p in pieces:
        s, e = p.start, p.end
        while s < e and (span.doc[s].is_space or span.doc[s].is_punct and span.doc[s].text != "("):
            s += 1
        while e > s and (
            span.doc[e - 1].is_space or span.doc[e - 1].is_punct and span.doc[e - 1].text not in ".)"
        ):
            e -= 1
        if e > s:
            out.append(Span(span.doc, s, e, label=span.label))
    return out


@Language.component("newsetl_entity_fixes")
def entity_fixes(doc: Doc) -> Doc:
    """Split entities at paragraph breaks (title/body) and trim whitespace/punctuation."""
    ents: list[Span] = []
    changed = False
    for ent in doc.ents:
        if len(ent) > 1 and ent[0].lower_ == "the":
            # "the United States" -> "United States": a name does not include the article
            ent = Span(doc, ent.start + 1, ent.end, label=ent.label)
            changed = True
        first, last = ent[0], ent[-1]
        if (
            _break_inside(ent)
            or first.is_space
            or last.is_space
            or first.is_punct
            or (last.is_punct and last.text not in ".)")
        ):
            ents.extend(split_at_breaks(ent))
            changed = True
        else:
            ents.append(ent)
    if changed:
        doc.ents = ents
    return doc
