"""Training examples for the recogniser (spaCy `Example`s: the text and its reference
entities), from CoNLL-2003 and from newsetl's annotated news.

The reference keeps the packaged model's own spans for the labels neither source annotates
(DATE, MONEY, NORP, EVENT, ...), so that the recogniser does not forget them; for the
labels the sources do annotate, a span the packaged model found and the annotation does not
have is `O` (not a name: "Budget", "Broadband" at the start of a sentence).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ANNOTATED = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT"})  # what the news annotation decides
CONLL_TAUGHT = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})  # what CoNLL decides
MISC_KINDS = frozenset({"NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "LANGUAGE"})
PLACE_KINDS = frozenset({"GPE", "LOC", "FAC"})
TO_CONLL = {
    "PERSON": "PER",
    "ORG": "ORG",
    **dict.fromkeys(PLACE_KINDS, "LOC"),
    **dict.fromkeys(MISC_KINDS, "MISC"),
}


def _place(base: str | None) -> str:
    """A place keeps the packaged model's kind of place for the same span, else GPE."""
    return base if base in PLACE_KINDS else "GPE"


def conll_label(conll: str, base: str | None) -> str | None:
    """A CoNLL label in the model's scheme (None: missing, no loss either way): PER and ORG
    map; LOC is a place; MISC takes the packaged model's label when it is a MISC kind."""
    if conll == "PER":
        return "PERSON"
    if conll == "ORG":
        return "ORG"
    if conll == "LOC":
        return _place(base)
    return base if base in MISC_KINDS else None


def _form_pattern(form: str) -> str:
    words = form.split()
    return r"(?<![\w&])" + r"\s+".join(re.escape(w) for w in words) + r"(?![\w&])"


def project(text: str, entities: list[dict]) -> list[tuple[int, int, str]]:
    """Character spans of an article's annotated entities: every occurrence of a name or
    alias (any run of white space between its words), longest forms first, never
    overlapping; in the headline (before the first blank line) case is ignored, since the
    pipeline restores an all-caps headline's case only approximately."""
    forms = sorted(
        {(" ".join(f.split()), e["label"]) for e in entities for f in [e["name"], *e.get("aliases", [])]},
        key=lambda x: (-len(x[0]), x),
    )
    title_end = text.find("\n\n")
    title_end = len(text) if title_end == -1 else title_end
    taken = bytearray(len(text))
    spans: list[tuple[int, int, str]] = []
    for form, label in forms:
        if not form:
            continue
        pattern = _form_pattern(form)
        hits = [m.span() for m in re.finditer(pattern, text)]
        hits += [m.span() for m in re.finditer(pattern, text[:title_end], re.I)]
        for a, b in hits:
            if not any(taken[a:b]):
                taken[a:b] = b"\x01" * (b - a)
                spans.append((a, b, label))
    return sorted(spans)


def reference(nlp, predicted, spans: Iterable[tuple[int, int, str | None]], decided: frozenset[str]):
    """An `Example` for `predicted` (the packaged model's parse of the text): `spans` are the
    annotation (label None: missing); the packaged model's spans of labels outside
    `decided` are kept where they overlap no annotated span; every other token is O."""
    from spacy.tokens import Span
    from spacy.training import Example

    ref = nlp.make_doc(predicted.text)
    ents, missing, taken = [], [], set()
    for a, b, label in spans:
        span = ref.char_span(a, b, alignment_mode="expand")
        if span is None or taken.intersection(range(span.start, span.end)):
            continue
        taken.update(range(span.start, span.end))
        if label is None:
            missing.append(span)
        else:
            ents.append(Span(ref, span.start, span.end, label=label))
    for e in predicted.ents:
        if e.label_ in decided:
            continue
        span = ref.char_span(e.start_char, e.end_char)
        if span is not None and not taken.intersection(range(span.start, span.end)):
            ents.append(Span(ref, span.start, span.end, label=e.label_))
            taken.update(range(span.start, span.end))
    ref.set_ents(ents, missing=missing, default="outside")
    return Example(nlp.make_doc(predicted.text), ref)


def _predicted(nlp, texts: list[str]) -> list:
    with nlp.select_pipes(enable=["ner"]):  # the recogniser reads no other component's output
        return list(nlp.pipe(texts, batch_size=16))


def conll_examples(nlp, docs: list[tuple[str, list[dict]]]) -> list:
    """Examples from CoNLL documents (text, gold mentions), labelled as `conll_label` says."""
    out = []
    for (_, mentions), predicted in zip(docs, _predicted(nlp, [t for t, _ in docs]), strict=True):
        base = {(e.start_char, e.end_char): e.label_ for e in predicted.ents}
        spans = [
            (m["start"], m["end"], conll_label(m["label"], base.get((m["start"], m["end"]))))
            for m in mentions
        ]
        out.append(reference(nlp, predicted, spans, CONLL_TAUGHT))
    return out


def news_examples(nlp, articles: list) -> list:
    """Examples from annotated news (training.corpora.NewsArticle): the projected names, a
    place taking the packaged model's kind of place for the same span."""
    out = []
    for article, predicted in zip(articles, _predicted(nlp, [a.text for a in articles]), strict=True):
        base = {(e.start_char, e.end_char): e.label_ for e in predicted.ents}
        spans = [
            (a, b, _place(base.get((a, b))) if label == "GPE" else label)
            for a, b, label in project(article.text, article.entities)
        ]
        out.append(reference(nlp, predicted, spans, ANNOTATED))
    return out
