"""`newsetl_tickers` (after NER): finds stock tickers such as `(NASDAQ:AMZN)`, `(NYSE: IBM)`,
`Nasdaq: MSFT` or Reuters' `(MLC)`; removes entities spaCy tagged inside them and records
them in `doc._.tickers`, attached to the preceding entity.

A factory component: its table of exchanges (patterns/exchanges.json) is its data, written
by `nlp.to_disk` and read back by `spacy.load`; `config={"exchanges": {...}}` replaces it.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from transforms.components import split_at_breaks
from transforms.lexicons import load_json

EXCHANGES_FILE = "exchanges.json"  # in patterns/, and in the component's folder on disk

if not Doc.has_extension("tickers"):
    Doc.set_extension("tickers", default=[])

# One ticker as recorded: plain dicts, so that docs survive `nlp.pipe(n_process>1)`:
# {symbol, exchange, start_char, end_char, entity_start (token index of the owner)}
Ticker = dict[str, Any]


def default_exchanges() -> dict[str, str]:
    """Exchange as written before a symbol (upper case) -> its stored name."""
    return {k: v for k, v in load_json(EXCHANGES_FILE).items() if not k.startswith("_")}


def ticker_re(exchanges: Iterable[str]) -> re.Pattern[str]:
    """Tickers after an exchange or alone in brackets: "(NASDAQ:AMZN)", "(NYSE: IBM)",
    "Nasdaq: MSFT", "(MLC)", "(CAPH.HK)" (Reuters tickers after cleaning)."""
    alt = "|".join(sorted(exchanges, key=len, reverse=True))
    return re.compile(
        rf"\((?P<ex1>{alt})\s*:\s*(?P<t1>[A-Z][A-Z0-9]{{0,5}}(?:\.[A-Z])?)\)"
        rf"|\b(?P<ex2>{alt})\s*:\s*(?P<t2>[A-Z][A-Z0-9]{{0,5}}(?:\.[A-Z])?)\b"
        r"|\((?P<t3>[A-Z][A-Z0-9]{0,5}(?:\.[A-Z]{1,2})?)\)",
        re.I,
    )


def _is_ticker_context(text: str, m: re.Match[str]) -> bool:
    """A bare "(ABC)" is a ticker only right after a named entity or a capitalised name."""
    if m.group("t3") is None:
        return True
    sym = m.group("t3")
    if not sym.isupper():
        return False
    before = text[max(0, m.start() - 200) : m.start()].rstrip()
    return bool(before) and (before[-1].isalpha() or before[-1] == ".") and before.split()[-1][:1].isupper()


def _find(doc: Doc, exchanges: dict[str, str], pattern: re.Pattern[str]) -> list[Ticker]:
    """Every ticker of the text, with the entity it follows (the last entity ending at
    most two characters before it)."""
    found: list[Ticker] = []
    text = doc.text  # rebuilt from the tokens on every access
    ents = list(doc.ents)  # in order, not overlapping: their ends ascend too
    ent_ends = [e.end_char for e in ents]
    for m in pattern.finditer(text):
        if not _is_ticker_context(text, m):
            continue
        symbol = (m.group("t1") or m.group("t2") or m.group("t3")).upper()
        ex_raw = m.group("ex1") or m.group("ex2")
        before = bisect_right(ent_ends, m.start()) - 1
        owner = ents[before].start if before >= 0 and m.start() - ent_ends[before] <= 2 else None
        found.append(
            {
                "symbol": symbol,
                "exchange": exchanges.get(ex_raw.upper()) if ex_raw else None,
                "start_char": m.start(),
                "end_char": m.end(),
                "entity_start": owner,
            }
        )
    return found


def _reattach(found: list[Ticker], cut: int, pieces: list[Span]) -> None:
    """Tickers at `cut` (or without an owner, right after the trimmed entity) belong to
    the trimmed entity's last piece."""
    for t in found:
        if t["start_char"] == cut or (
            t["entity_start"] is None and pieces and 0 <= t["start_char"] - pieces[-1].end_char <= 2
        ):
            t["entity_start"] = pieces[-1].start if pieces else None


def _drop_ticker_entities(doc: Doc, found: list[Ticker]) -> None:
    """Entities overlapping a ticker keep only what precedes it ("Halberd Bank Plc (LSE"
    -> "Halberd Bank Plc"), or go."""
    spans = [(t["start_char"], t["end_char"]) for t in found]
    starts, ends = [a for a, _ in spans], [b for _, b in spans]  # ascending, not overlapping
    keep: list[Span] = []
    changed = False
    for e in doc.ents:
        hit = spans[bisect_right(ends, e.start_char) : bisect_left(starts, e.end_char)]
        if not hit:
            keep.append(e)
            continue
        changed = True
        cut = min(a for a, _ in hit)
        trimmed = doc.char_span(e.start_char, cut, label=e.label, alignment_mode="contract")
        if trimmed is not None and cut > e.start_char:
            pieces = split_at_breaks(trimmed)
            keep.extend(pieces)
            _reattach(found, cut, pieces)
    if changed:
        doc.ents = keep


class Tickers:
    """The `newsetl_tickers` component over a table of exchanges."""

    def __init__(self, name: str, exchanges: dict[str, str] | None = None):
        self.name = name
        self._set(default_exchanges() if exchanges is None else exchanges)

    def _set(self, exchanges: dict[str, str]) -> None:
        self.exchanges = {k.upper(): v for k, v in exchanges.items()}
        self.pattern = ticker_re(self.exchanges)

    def __call__(self, doc: Doc) -> Doc:
        found = _find(doc, self.exchanges, self.pattern)
        if found:
            _drop_ticker_entities(doc, found)
        doc._.tickers = found
        return doc

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / EXCHANGES_FILE).write_text(json.dumps(self.exchanges, indent=1), encoding="utf-8")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> Tickers:
        self._set(json.loads((Path(path) / EXCHANGES_FILE).read_text(encoding="utf-8")))
        return self


@Language.factory("newsetl_tickers", default_config={"exchanges": None})
def make_tickers(nlp: Language, name: str, exchanges: dict[str, str] | None) -> Tickers:
    """`exchanges`: the table replacing patterns/exchanges.json (None: that file)."""
    return Tickers(name, exchanges)
