"""The spaCy pipeline: the packaged English model plus newsetl's registered components,
in order:

- `newsetl_paragraph_breaks` (before the parser) and `newsetl_entity_fixes` (after NER):
  transforms/components.py;
- `newsetl_entity_ruler` (before NER): spaCy's entity ruler with patterns/entity_patterns.jsonl;
- `newsetl_tickers` (after the fixes): transforms/tickers.py;
- `newsetl_entity_rules` (last): transforms/entity_rules.py;

then the installed extractors' components. The recogniser's weights are newsetl's
(transforms/model/ner, fine-tuned by training/ner.py) unless the spec says otherwise. The components with data are factories that
write it with `nlp.to_disk`, and the tokenizer is registered (transforms/tokenizer.py), so
`spacy.load` of a saved pipeline gives the same pipeline; all are registered by name, so
`nlp.pipe(n_process>1)` and `spacy.blank("en")` tests can add them.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import numpy
import spacy
from spacy.language import Language
from spacy.pipeline import EntityRecognizer, EntityRuler
from spacy.tokens import Doc

import transforms.entity_rules  # noqa: F401  (registers newsetl_entity_rules)
from transforms.components import entity_fixes
from transforms.extensions import extractor_entry_points
from transforms.lexicons import load_jsonl
from transforms.model import MODEL_NAME, NlpSpec, as_spec, ner_weights
from transforms.rule_edits import RULE_LABELS_KEY
from transforms.tickers import Tickers
from transforms.tokenizer import GUARDED_TOKENIZER

__all__ = ["MODEL_NAME", "NlpSpec", "load_nlp", "parse_texts"]

PATTERNS_FILE = "entity_patterns.jsonl"  # in transforms/patterns/


def load_nlp(model: str | NlpSpec = MODEL_NAME) -> Language:
    """The model (a package name: with newsetl's recogniser weights) with newsetl's
    components and then the installed extractors' (each worker process finds the same
    entry points); loaded once per process, spec and set of extractors."""
    return _load_nlp(as_spec(model), tuple((ep.name, ep.value) for ep in extractor_entry_points()))


@lru_cache(maxsize=2)
def _load_nlp(spec: NlpSpec, extractors: tuple[tuple[str, str], ...]) -> Language:
    # the guarded tokenizer is linear on 20,000 brackets in a row
    nlp = spacy.load(spec.model, config={"nlp": {"tokenizer": {"@tokenizers": GUARDED_TOKENIZER}}})
    weights = ner_weights(spec)
    if weights is not None:
        ner = nlp.get_pipe("ner")
        assert isinstance(ner, EntityRecognizer)
        ner.from_disk(weights, exclude=["vocab"])
    nlp.add_pipe("newsetl_paragraph_breaks", before="parser")
    ruler = nlp.add_pipe("entity_ruler", name="newsetl_entity_ruler", before="ner")
    assert isinstance(ruler, EntityRuler)
    ruler.add_patterns(load_jsonl(PATTERNS_FILE, required=("label", "pattern")))
    nlp.add_pipe("newsetl_entity_fixes", after="ner")
    nlp.add_pipe("newsetl_tickers", after="newsetl_entity_fixes")
    nlp.add_pipe("newsetl_entity_rules", after="newsetl_tickers")
    for ep in extractor_entry_points():
        try:
            configure = ep.load()
            configure(nlp)
        except Exception as exc:
            raise RuntimeError(
                f"extractor {ep.name!r} ({ep.value}) failed to configure the pipeline: {exc}"
            ) from exc
    return nlp


def _segments(text: str, max_chars: int) -> list[str]:
    """Split `text` at paragraph breaks into pieces of at most ~max_chars that concatenate
    back to exactly `text` (a paragraph longer than max_chars is cut at a line or space)."""
    if len(text) <= max_chars:
        return [text]
    out: list[str] = []
    start = 0
    while start < len(text):
        end = min(start + max_chars, len(text))
        if end < len(text):
            cut = text.rfind("\n\n", start + 1, end - 1)
            if cut != -1:
                end = cut + 2
            else:
                cut = text.rfind(" ", start + 1, end)
                end = cut + 1 if cut != -1 else end
        out.append(text[start:end])
        start = end
    return out


def _batches(pieces: list[str], size: int, max_chars: int) -> Iterator[list[str]]:
    """`pieces` in order, in groups of at most `size` pieces and (unless one piece is longer
    by itself) `max_chars` characters: one 100 kB segment is parsed alone, not beside 31
    more, so a long article costs the memory of a segment, not of a batch of them."""
    group: list[str] = []
    chars = 0
    for piece in pieces:
        if group and (len(group) >= size or chars + len(piece) > max_chars):
            yield group
            group, chars = [], 0
        group.append(piece)
        chars += len(piece)
    if group:
        yield group


def _slim(doc: Doc) -> Doc:
    """Drop the tok2vec tensor: extraction never reads it, and it is most of a Doc's memory."""
    doc.tensor = numpy.zeros((0,), dtype="float32")
    return doc


def parse_texts(
    nlp: Language,
    texts: Iterable[str],
    *,
    batch_size: int = 32,
    n_process: int = 1,
    max_segment_chars: int = 100_000,
) -> Iterator[Doc]:
    """Parse with `nlp.pipe`, one Doc per text, in order.

    Texts longer than `max_segment_chars` are parsed in paragraph-bounded segments and
    joined with `Doc.from_docs`, so a 10 MB article never needs the parser's memory for
    10 MB at once; character offsets are those of the original text.
    """
    pieces: list[str] = []
    owners: list[int] = []
    counts: list[int] = []
    for i, text in enumerate(texts):
        segs = _segments(text, max_segment_chars)
        pieces.extend(segs)
        owners.extend([i] * len(segs))
        counts.append(len(segs))
    if n_process > 1:
        docs = nlp.pipe(pieces, batch_size=batch_size, n_process=n_process)
    else:  # the parser's memory follows a batch's characters: bound them, not only its count
        docs = (
            doc
            for group in _batches(pieces, batch_size, max_segment_chars)
            for doc in nlp.pipe(group, batch_size=len(group))
        )
    for n in counts:
        parts = [_slim(next(docs)) for _ in range(n)]
        if n == 1:
            yield parts[0]
        else:
            rule_labels: list[list[Any]] = []
            offset = 0
            for p in parts:
                p._.tickers = []  # recomputed on the merged doc
                for a, b, lab in p.user_data.pop(RULE_LABELS_KEY, []):
                    rule_labels.append([a + offset, b + offset, lab])
                offset += len(p.text)
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r".*\[W101\]")
                merged = Doc.from_docs(parts, ensure_whitespace=False)
            merged.user_data[RULE_LABELS_KEY] = rule_labels
            yield _slim(_tickers(nlp)(entity_fixes(merged)))


def _tickers(nlp: Language) -> Tickers:
    """The pipeline's ticker component: it runs again on a long text's joined segments."""
    component = nlp.get_pipe("newsetl_tickers")
    assert isinstance(component, Tickers)
    return component
