"""Duplicate stories: exact copies and near-duplicates (MinHash/LSH over word shingles).

The same story arrives many times (wire copies, updates, syndication). An article is a
duplicate of an earlier one when

- **exact**: its normalised body is identical (case, punctuation, spacing and Unicode
  forms ignored): `body_hash` equal; or
- **near**: the Jaccard similarity of the two bodies' sets of 5-word shingles, boilerplate
  left out (below), is at least `threshold` (default 0.7).

**Words** are runs of Unicode letters, digits and combining marks (NFKC, case-folded), so
Cyrillic, Greek, Arabic or Devanagari stories have their own words; in scripts written
without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) every character is a word, so a
Chinese story's shingles are runs of 5 characters. Shingles never cross a paragraph.

**Boilerplate**: a paragraph found in at least `BOILERPLATE_ARTICLES` (4) different articles
of one source (a site footer, a legal disclaimer, "Follow us on ...") is left out of that
source's shingles. Paragraphs are counted per source over its last `BOILERPLATE_WINDOW`
canonical articles in stored order (`ParagraphCounts`: copies are not counted, and a run
reads back from the warehouse exactly what it counted, so how the input is split into
nights, or a killed run and its resume, does not change a decision), plus every body of
the batch being decided (so a footer is known from the first batch of a new site). Two
short stories sharing a 300-word footer are then compared on their own text. Exact copies are
still found on the whole body. An article whose own text (boilerplate left out) is shorter
than `MIN_WORDS` is only checked for exact copies, like any article that short.

**Candidates, then the real similarity**: MinHash signatures (128 permutations, datasketch)
go into an LSH index tuned for `threshold - CANDIDATE_MARGIN` (0.4 for 0.7), so a pair at
the threshold is offered with probability 0.9998 (a 0.7-tuned index offered a 0.71 pair
only about half the time); each candidate is then decided on the exact Jaccard similarity
of the two shingle sets, boilerplate left out, recomputed from the text (the candidate's
text is kept in memory for recent articles and fetched through `loader` for older ones).
The probe's signature is looked up twice when the article has boilerplate (with and
without it), so a stored article fingerprinted before its site's footer was known is still
offered. Every changed word touches five shingles, so an edited sentence costs a short
story more than a long one: a republished 90-word story with one sentence rewritten scores
~0.72, a 400-word one ~0.9; two different stories on the same subject score below 0.2.

The first-seen article is canonical; later copies point at it (`duplicate_of`). A new
version of a canonical article replaces it in the index (`remove`, then `add`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from transforms.paragraph_counts import BOILERPLATE_WINDOW, ParagraphCounts
from transforms.shingles import (
    DEFAULT_THRESHOLD,
    NUM_PERM,
    Text,
    body_hash,
    fingerprint,
    jaccard,
    lean,
    own_signature,
    read,
    signature,
    similarity,
    words,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "DuplicateIndex",
    "Fingerprint",
    "Match",
    "ParagraphCounts",
    "Text",
    "body_hash",
    "fingerprint",
    "read",
    "signature",
    "similarity",
    "words",
]

CANDIDATE_MARGIN = 0.3  # the LSH index is tuned for threshold - this: candidates, not decisions


@dataclass(frozen=True)
class Match:
    of: str  # article_id of the canonical (first-seen) article
    kind: str  # 'exact' or 'near'
    similarity: float


@dataclass(frozen=True)
class Fingerprint:
    body_hash: str
    signature: bytes | None  # of the article's own text (boilerplate left out): stored
    probes: tuple[bytes, ...]  # signatures to look candidates up with


Loader = Callable[[list[str]], dict[str, tuple[str, str]]]  # article ids -> (source, body)


class DuplicateIndex:
    """Canonical articles seen so far (from the warehouse, then this run, in read order),
    and the paragraphs each source repeats."""

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        loader: Loader | None = None,
        keep: int = 4000,
        window: int = BOILERPLATE_WINDOW,
    ):
        from datasketch import MinHashLSH

        self.threshold = threshold
        self.exact: dict[str, str] = {}
        self.hash_of: dict[str, str] = {}
        self.signatures: dict[str, bytes] = {}
        self.lsh = MinHashLSH(threshold=max(0.2, threshold - CANDIDATE_MARGIN), num_perm=NUM_PERM)
        self.loader = loader
        self.keep = keep
        self._texts: OrderedDict[str, Text] = OrderedDict()  # recent canonical texts
        self.paragraphs = ParagraphCounts(window, threshold)
        self.seeded: set[str] = set()  # sources whose stored articles were counted (seed)

    def __len__(self) -> int:
        return len(self.hash_of)

    # ---- boilerplate -----------------------------------------------------------------
    def observe(self, t: Text) -> None:
        """Count the paragraphs of a body of the batch about to be decided (each different
        body once), until `close_batch`."""
        self.paragraphs.observe(t)

    def seed(self, source: str, stored: Iterable[tuple[str, str]]) -> None:
        """Count the paragraphs of the source's stored canonical articles, `(article_id,
        body)` oldest first (once per source)."""
        self.seeded.add(source)
        self.paragraphs.seed(source, ((aid, read(body, source)) for aid, body in stored))

    def close_batch(self) -> None:
        """The batch is decided: its canonical articles join the counts (in article id
        order, as they are stored), its copies and replaced versions leave them."""
        self.paragraphs.close_batch()

    def boilerplate(self, source: str) -> set[int]:
        return self.paragraphs.boilerplate(source)

    def _boiler_of(self, t: Text) -> set[int]:
        return self.paragraphs.boiler_of(t)

    def fingerprint(self, t: Text) -> Fingerprint:
        boiler = self._boiler_of(t)
        sig = own_signature(t, boiler)
        probes: tuple[bytes, ...] = ()
        if sig is not None:
            probes = (sig,)
            if boiler:
                full = own_signature(t, frozenset())
                if full is not None:
                    probes += (full,)
        return Fingerprint(t.body_hash, sig, probes)

    # ---- canonical articles ----------------------------------------------------------
    def add(self, article_id: str, hash_: str, sig: bytes | None, text: Text | None = None) -> None:
        """Index a canonical article (`text`, when given, is kept for verification)."""
        self.exact.setdefault(hash_, article_id)
        self.hash_of[article_id] = hash_
        if sig is not None and article_id not in self.signatures:
            self.signatures[article_id] = sig
            self.lsh.insert(article_id, lean(sig))
        if text is not None:
            self._remember(article_id, text.compact())
            self.paragraphs.enter(article_id, text)

    def remove(self, article_id: str) -> None:
        """Forget an article (a new version of it is about to be decided)."""
        h = self.hash_of.pop(article_id, None)
        if h is not None and self.exact.get(h) == article_id:
            del self.exact[h]
        if self.signatures.pop(article_id, None) is not None:
            self.lsh.remove(article_id)
        self._texts.pop(article_id, None)
        self.paragraphs.leave(article_id)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.hash_of

    def _remember(self, article_id: str, t: Text) -> None:
        self._texts[article_id] = t
        self._texts.move_to_end(article_id)
        while len(self._texts) > self.keep:
            self._texts.popitem(last=False)

    def _text(self, article_id: str) -> Text | None:
        t = self._texts.get(article_id)
        if t is None and self.loader is not None:
            got = self.loader([article_id]).get(article_id)
            if got is not None:
                t = read(got[1], got[0]).compact()
                self._remember(article_id, t)
        return t

    def jaccard(self, a: Text, b: Text) -> float:
        """Jaccard similarity of two texts' shingle sets, each without its source's boilerplate."""
        return jaccard(self._own(a), self._own(b))

    def _own(self, t: Text) -> np.ndarray:
        keys, hv = t.arrays()
        boiler = self._boiler_of(t)
        if boiler:
            hv = hv[~np.isin(keys, np.fromiter(boiler, dtype=np.int64))]
        return np.unique(hv)

    def find(
        self, article_id: str, fp: Fingerprint | str, sig: bytes | None = None, text: Text | None = None
    ) -> Match | None:
        """The canonical article this one copies, if any (never itself). `fp` is the
        article's Fingerprint (or its body hash, with `sig`); `text` its Text, for the
        exact similarity (without it, the signatures' estimate decides)."""
        if isinstance(fp, str):
            fp = Fingerprint(fp, sig, (sig,) if sig is not None else ())
        first = self.exact.get(fp.body_hash)
        if first is not None and first != article_id:
            return Match(first, "exact", 1.0)
        if fp.signature is None or not self.signatures:
            return None
        cands: set[str] = set()
        for probe in fp.probes:
            cands.update(self.lsh.query(lean(probe)))
        cands.discard(article_id)
        best: Match | None = None
        for cand in sorted(cands):
            other = self._text(cand) if text is not None else None
            if text is not None and other is not None:
                s = self.jaccard(text, other)
            else:
                s = similarity(fp.signature, self.signatures[cand])
            if s >= self.threshold and (best is None or s > best.similarity):
                best = Match(cand, "near", round(s, 3))
        return best
