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

**Bands**: the LSH index cuts each signature into `b` bands of `r` values (`banding`: the
parameters datasketch's MinHashLSH picks for the candidate threshold, 32 x 4 for 0.4); two
articles are candidates when one band's values are equal. The index keeps this run's
canonical articles in memory; those stored before the run are looked up (`Stored`): the
warehouse keeps each canonical article's band hashes (`band_hashes`: 64-bit, one row per
band, table `article_bands`) and body hash, and answers a batch's probes with one join, so
a run reads the candidates' signatures, not every stored one. Stored candidates are
checked band by band on the values themselves, so a hash collision never adds one: the
same candidates, and the same decisions, as one index seeded with every stored signature.

The first-seen article is canonical; later copies point at it (`duplicate_of`). A new
version of a canonical article replaces it in the index (`remove`, then `add`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import numpy as np
import polars as pl

from transforms.paragraph_counts import BOILERPLATE_WINDOW, ParagraphCounts
from transforms.shingles import (
    DEFAULT_THRESHOLD,
    NUM_PERM,
    Text,
    body_hash,
    fingerprint,
    jaccard,
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
    "MemoryStored",
    "ParagraphCounts",
    "Stored",
    "Text",
    "band_frame",
    "band_hashes",
    "banding",
    "body_hash",
    "fingerprint",
    "read",
    "signature",
    "similarity",
    "words",
]

CANDIDATE_MARGIN = 0.3  # the LSH index is tuned for threshold - this: candidates, not decisions

_HASH_START = np.uint64(0x9E3779B97F4A7C15)
_HASH_MUL = np.uint64(0xBF58476D1CE4E5B9)


@cache
def banding(threshold: float = DEFAULT_THRESHOLD) -> tuple[int, int]:
    """(bands, rows per band) of the LSH index for duplicates at `threshold`: what
    datasketch's MinHashLSH picks for the candidate threshold (threshold - CANDIDATE_MARGIN,
    at least 0.2; 32 x 4 for 0.7). The warehouse's `article_bands` hold these bands."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=max(0.2, threshold - CANDIDATE_MARGIN), num_perm=NUM_PERM)
    return int(lsh.b), int(lsh.r)


def _band_values(sigs: Sequence[bytes], bands: int, rows: int) -> np.ndarray:
    """(signatures, bands, rows) uint64: each signature's values cut into bands."""
    v = np.frombuffer(b"".join(sigs), dtype=np.uint64).reshape(len(sigs), NUM_PERM)
    return v[:, : bands * rows].reshape(len(sigs), bands, rows)


def band_hashes(sigs: Sequence[bytes], bands: int, rows: int) -> np.ndarray:
    """(signatures, bands) int64: a 64-bit hash of each band's values (multiply-xorshift,
    numpy: the same on every platform). Equal bands have equal hashes; a stored candidate
    found by its hash is checked on the values (`DuplicateIndex`), so a collision adds
    no candidate."""
    v = _band_values(sigs, bands, rows)
    h = np.full(v.shape[:2], _HASH_START, dtype=np.uint64)
    for j in range(rows):  # uint64 arithmetic wraps around
        h = (h ^ v[:, :, j]) * _HASH_MUL
        h ^= h >> np.uint64(31)
    return h.view(np.int64)


def band_frame(article_ids: Sequence[str], sigs: Sequence[bytes], bands: int, rows: int) -> pl.DataFrame:
    """The `article_bands` rows (transforms/registry) of these canonical articles'
    signatures: one per band, in article order."""
    from transforms.registry.extracted import ARTICLE_BANDS

    schema = {c.name: c.dtype for c in ARTICLE_BANDS.columns}
    n = len(sigs)
    if not n:
        return pl.DataFrame(schema=schema)
    return pl.DataFrame(
        {
            "article_id": pl.Series(list(article_ids), dtype=pl.String).gather(
                np.repeat(np.arange(n), bands)
            ),
            "band": np.tile(np.arange(bands, dtype=np.int32), n),
            "band_hash": band_hashes(sigs, bands, rows).reshape(-1),
            "rows_per_band": np.full(n * bands, rows, dtype=np.int32),
        },
        schema=schema,
    )


def _band_keys(sig: bytes, bands: int, rows: int) -> list[tuple[int, bytes]]:
    """(band, its values' bytes) of a signature: what two candidates share (datasketch's
    MinHashLSH compares the same bytes)."""
    v = _band_values([sig], bands, rows)[0]
    return [(i, v[i].tobytes()) for i in range(bands)]


class Stored(Protocol):
    """The canonical articles stored before the run (body hash and MinHash), looked up by
    the index instead of read whole: warehouse/lookups.py `StoredArticles`, or
    `MemoryStored` below. Each call is one query for a batch."""

    def canonical_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        """body_hash of those of these articles that are stored canonical (with a hash)."""
        ...

    def first_canonical(self, hashes: Sequence[str]) -> dict[str, str]:
        """For each of these body hashes that a stored canonical article has: the first of
        them to be stored (load time, then article id)."""
        ...

    def band_candidates(self, keys: Sequence[tuple[int, int]], rows: int) -> dict[str, bytes]:
        """MinHash of the stored canonical articles with one of these (band, band hash),
        bands of `rows` values."""
        ...


class MemoryStored:
    """`Stored` in memory: canonical articles `(article_id, body_hash, minhash)` in the
    order they were stored (tests; the warehouse's is warehouse/lookups.py)."""

    def __init__(
        self, rows: Iterable[tuple[str, str | None, bytes | None]], threshold: float = DEFAULT_THRESHOLD
    ):
        self.rows = [(aid, h, sig) for aid, h, sig in rows if h is not None]
        self.bands, self.rows_per_band = banding(threshold)
        self.index: dict[tuple[int, int], list[str]] = {}
        with_sig = [(aid, sig) for aid, _, sig in self.rows if sig is not None]
        if with_sig:
            hashes = band_hashes([s for _, s in with_sig], self.bands, self.rows_per_band)
            for (aid, _), hs in zip(with_sig, hashes, strict=True):
                for band, bh in enumerate(hs.tolist()):
                    self.index.setdefault((band, bh), []).append(aid)
        self.queries = 0

    def canonical_hashes(self, article_ids: Sequence[str]) -> dict[str, str]:
        self.queries += 1
        want = set(article_ids)
        return {aid: h for aid, h, _ in self.rows if aid in want and h is not None}

    def first_canonical(self, hashes: Sequence[str]) -> dict[str, str]:
        self.queries += 1
        want, out = set(hashes), dict[str, str]()
        for aid, h, _ in self.rows:
            if h in want:
                out.setdefault(h, aid)
        return out

    def band_candidates(self, keys: Sequence[tuple[int, int]], rows: int) -> dict[str, bytes]:
        self.queries += 1
        assert rows == self.rows_per_band, (rows, self.rows_per_band)
        ids = {aid for k in keys for aid in self.index.get(k, ())}
        return {aid: sig for aid, _, sig in self.rows if aid in ids and sig is not None}


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
    and the paragraphs each source repeats.

    This run's canonical articles are held in memory; those stored before it are looked up
    in `stored` (when given) for each batch (`prepare`) and as a probe needs them: the
    decisions are those of an index that held every stored one from the start."""

    def __init__(
        self,
        threshold: float = DEFAULT_THRESHOLD,
        *,
        loader: Loader | None = None,
        keep: int = 4000,
        window: int = BOILERPLATE_WINDOW,
        stored: Stored | None = None,
    ):
        self.threshold = threshold
        self.bands, self.rows_per_band = banding(threshold)
        # body hash -> first canonical article; None: it left (and no later one came)
        self.exact: dict[str, str | None] = {}
        self.hash_of: dict[str, str] = {}  # this run's canonical articles
        self.signatures: dict[str, bytes] = {}
        self._lsh: dict[tuple[int, bytes], set[str]] = {}  # (band, its values) -> article ids
        self.loader = loader
        self.keep = keep
        self._texts: OrderedDict[str, Text] = OrderedDict()  # recent canonical texts
        self.paragraphs = ParagraphCounts(window, threshold)
        self.seeded: set[str] = set()  # sources whose stored articles were counted (seed)
        self.stored = stored
        self._gone: set[str] = set()  # stored articles that left the index in this run
        self._resolved: set[str] = set()  # body hashes asked of `stored`
        # the batch's look-ups (`prepare`), dropped at `close_batch`
        self._stored_hash: dict[str, str | None] = {}  # article id -> stored canonical hash
        self._asked: set[tuple[int, int]] = set()  # (band, band hash) asked of `stored`
        self._stored_sigs: dict[str, bytes] = {}  # stored candidates found so far
        self._stored_lsh: dict[tuple[int, bytes], set[str]] = {}
        self._fingerprints: dict[int, tuple[Text, Fingerprint]] = {}

    def __len__(self) -> int:
        """Canonical articles held in memory (this run's, and all of them without `stored`)."""
        return len(self.hash_of)

    # ---- boilerplate -----------------------------------------------------------------
    def observe(self, t: Text) -> None:
        """Count the paragraphs of a body of the batch about to be decided (each different
        body once), until `close_batch`."""
        self.paragraphs.observe(t)
        self._fingerprints = {}  # the boilerplate may have changed

    def seed(self, source: str, stored: Iterable[tuple[str, str]]) -> None:
        """Count the paragraphs of the source's stored canonical articles, `(article_id,
        body)` oldest first (once per source)."""
        self.seeded.add(source)
        self.paragraphs.seed(source, ((aid, read(body, source)) for aid, body in stored))

    def close_batch(self) -> None:
        """The batch is decided: its canonical articles join the counts (in article id
        order, as they are stored), its copies and replaced versions leave them."""
        self.paragraphs.close_batch()
        self._stored_hash, self._asked, self._stored_sigs = {}, set(), {}
        self._stored_lsh, self._fingerprints = {}, {}

    def boilerplate(self, source: str) -> set[int]:
        return self.paragraphs.boilerplate(source)

    def _boiler_of(self, t: Text) -> set[int]:
        return self.paragraphs.boiler_of(t)

    def fingerprint(self, t: Text) -> Fingerprint:
        """The body's hash, stored signature and probes (the same for the same Text until
        `close_batch`: the batch's boilerplate is known once it is observed)."""
        got = self._fingerprints.get(id(t))
        if got is not None and got[0] is t:
            return got[1]
        boiler = self._boiler_of(t)
        sig = own_signature(t, boiler)
        probes: tuple[bytes, ...] = ()
        if sig is not None:
            probes = (sig,)
            if boiler:
                full = own_signature(t, frozenset())
                if full is not None:
                    probes += (full,)
        fp = Fingerprint(t.body_hash, sig, probes)
        self._fingerprints[id(t)] = (t, fp)
        return fp

    # ---- stored articles -------------------------------------------------------------
    def prepare(self, article_ids: Iterable[str], texts: Iterable[Text]) -> None:
        """Before a batch is decided (its bodies observed): ask `stored`, one query each,
        which of `article_ids` (the batch's, about to be replaced) are stored canonical,
        which stored article first had each body hash, and the stored candidates of the
        texts' probes. Anything a decision needs beyond this is asked when needed."""
        if self.stored is None:
            return
        ids = [a for a in dict.fromkeys(article_ids) if a not in self._stored_hash and a not in self.hash_of]
        if ids:
            found = self.stored.canonical_hashes(ids)
            for a in ids:
                self._stored_hash[a] = found.get(a)
        fps = [self.fingerprint(t) for t in texts]
        hashes = [h for h in self._stored_hash.values() if h is not None] + [fp.body_hash for fp in fps]
        self._resolve(hashes)
        self._ask([p for fp in fps for p in fp.probes])

    def _resolve(self, hashes: Iterable[str]) -> None:
        """Which stored article first had each of these body hashes (asked once per hash)."""
        if self.stored is None:
            return
        todo = [h for h in dict.fromkeys(hashes) if h not in self._resolved and h not in self.exact]
        if not todo:
            return
        self._resolved.update(todo)
        for h, aid in self.stored.first_canonical(todo).items():
            if aid not in self._gone and h not in self.exact:
                self.exact[h] = aid

    def _exact(self, h: str) -> str | None:
        self._resolve([h])
        return self.exact.get(h)

    def _ask(self, probes: Iterable[bytes]) -> None:
        """The stored candidates of these signatures' bands that were not asked yet."""
        if self.stored is None:
            return
        probes = list(probes)
        if not probes:
            return
        keys = {
            (b, int(h))
            for hs in band_hashes(probes, self.bands, self.rows_per_band)
            for b, h in enumerate(hs)
        }
        todo = sorted(keys - self._asked)
        if not todo:
            return
        self._asked.update(todo)
        found = {
            a: s
            for a, s in self.stored.band_candidates(todo, self.rows_per_band).items()
            if a not in self._stored_sigs
        }
        for aid, sig in found.items():
            self._stored_sigs[aid] = sig
            for key in _band_keys(sig, self.bands, self.rows_per_band):
                self._stored_lsh.setdefault(key, set()).add(aid)

    def _stored_canonical_hash(self, article_id: str) -> str | None:
        if article_id not in self._stored_hash and self.stored is not None:
            self._stored_hash[article_id] = self.stored.canonical_hashes([article_id]).get(article_id)
        return self._stored_hash.get(article_id)

    # ---- canonical articles ----------------------------------------------------------
    def add(self, article_id: str, hash_: str, sig: bytes | None, text: Text | None = None) -> None:
        """Index a canonical article (`text`, when given, is kept for verification)."""
        if self._exact(hash_) is None:
            self.exact[hash_] = article_id
        self.hash_of[article_id] = hash_
        if sig is not None and article_id not in self.signatures:
            self.signatures[article_id] = sig
            for key in _band_keys(sig, self.bands, self.rows_per_band):
                self._lsh.setdefault(key, set()).add(article_id)
        if text is not None:
            self._remember(article_id, text.compact())
            self.paragraphs.enter(article_id, text)

    def remove(self, article_id: str) -> None:
        """Forget an article (a new version of it is about to be decided)."""
        h = self.hash_of.pop(article_id, None)
        if h is None and self.stored is not None and article_id not in self._gone:
            h = self._stored_canonical_hash(article_id)
            if h is not None:
                self._resolve([h])  # which article had it first, before this one leaves
                self._gone.add(article_id)
        if h is not None and self.exact.get(h) == article_id:
            self.exact[h] = None
        sig = self.signatures.pop(article_id, None)
        if sig is not None:
            for key in _band_keys(sig, self.bands, self.rows_per_band):
                self._lsh[key].discard(article_id)
        self._texts.pop(article_id, None)
        self.paragraphs.leave(article_id)

    def __contains__(self, article_id: str) -> bool:
        """Held in memory (see `__len__`)."""
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

    def _candidates(self, probe: bytes) -> set[str]:
        """Canonical articles sharing a band with the probe: this run's, and the stored ones
        still in the index."""
        keys = _band_keys(probe, self.bands, self.rows_per_band)
        cands: set[str] = set()
        for key in keys:
            cands.update(self._lsh.get(key, ()))
        if self.stored is not None:
            self._ask([probe])
            for key in keys:
                for aid in self._stored_lsh.get(key, ()):
                    if aid not in self._gone and aid not in self.hash_of:
                        cands.add(aid)
        return cands

    def _signature(self, article_id: str) -> bytes:
        sig = self.signatures.get(article_id)
        return sig if sig is not None else self._stored_sigs[article_id]

    def find(
        self, article_id: str, fp: Fingerprint | str, sig: bytes | None = None, text: Text | None = None
    ) -> Match | None:
        """The canonical article this one copies, if any (never itself). `fp` is the
        article's Fingerprint (or its body hash, with `sig`); `text` its Text, for the
        exact similarity (without it, the signatures' estimate decides)."""
        if isinstance(fp, str):
            fp = Fingerprint(fp, sig, (sig,) if sig is not None else ())
        first = self._exact(fp.body_hash)
        if first is not None and first != article_id:
            return Match(first, "exact", 1.0)
        if fp.signature is None:
            return None
        cands: set[str] = set()
        for probe in fp.probes:
            cands.update(self._candidates(probe))
        cands.discard(article_id)
        best: Match | None = None
        for cand in sorted(cands):
            other = self._text(cand) if text is not None else None
            if text is not None and other is not None:
                s = self.jaccard(text, other)
            else:
                s = similarity(fp.signature, self._signature(cand))
            if s >= self.threshold and (best is None or s > best.similarity):
                best = Match(cand, "near", round(s, 3))
        return best
