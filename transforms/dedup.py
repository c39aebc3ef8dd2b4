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

import hashlib
import re
import sys
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

import numpy as np

SHINGLE_WORDS = 5
SHINGLE_CHARS = 1_000_000  # of a body, what near-duplicate fingerprints read (the hash: all)
NUM_PERM = 128
DEFAULT_THRESHOLD = 0.7
CANDIDATE_MARGIN = 0.3  # the LSH index is tuned for threshold - this: candidates, not decisions
MIN_WORDS = 20
BOILERPLATE_ARTICLES = 4  # a paragraph in this many different articles of a source is boilerplate
BOILERPLATE_WINDOW = 1000  # ... among its last this many canonical articles
SCHEME = "affine32"  # datasketch's permutation scheme of the stored signatures

# scripts written without spaces between words: each character is a word
_NOSPACE = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3100-\u312f\u31a0-\u31bf"  # Bopomofo
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\U00020000-\U0003ffff"  # CJK extensions
)


@cache
def _word_re() -> re.Pattern[str]:
    marks = _ranges(cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)).startswith("M"))
    return re.compile(rf"(?:[^\W_{_NOSPACE}]|[{marks}])+|[{_NOSPACE}][{marks}]*")


def _ranges(cps: Iterable[int]) -> str:
    out: list[str] = []
    start = prev = None
    for cp in cps:
        if prev is not None and cp == prev + 1:
            prev = cp
            continue
        if start is not None:
            out.append(_range(start, prev))
        start = prev = cp
    if start is not None:
        out.append(_range(start, prev))
    return "".join(out)


def _range(a: int, b: int) -> str:
    return re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"


_PARAGRAPH = re.compile(r"\n\s*\n")


def words(text: str) -> list[str]:
    """The words of a text: Unicode letters, digits and marks; one character each in
    scripts without spaces."""
    return _word_re().findall(unicodedata.normalize("NFKC", text).casefold())


def _hash(w: list[str]) -> str:
    return hashlib.sha1(" ".join(w).encode()).hexdigest()


@dataclass
class Text:
    """A body read for duplicate detection: its hash, and its shingles by paragraph."""

    source: str
    body_hash: str
    n_words: int
    paragraphs: list[tuple[int, int, list[str]]]  # (paragraph key, words, shingles)
    _arrays: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(paragraph key, shingle hash) per shingle: what verification compares."""
        if self._arrays is None:
            keys = [k for k, _, sh in self.paragraphs for _ in sh]
            hv = [hash(s) for _, _, sh in self.paragraphs for s in sh]
            self._arrays = (np.array(keys, dtype=np.int64), np.array(hv, dtype=np.int64))
        return self._arrays

    def compact(self) -> Text:
        """The same, without the shingle strings (kept in memory for verification)."""
        keys, hv = self.arrays()
        paras = [(k, n, []) for k, n, _ in self.paragraphs]
        return Text(self.source, self.body_hash, self.n_words, paras, (keys, hv))


def read(text: str, source: str = "") -> Text:
    """Split a body into paragraphs, words and shingles (the words split once). The hash
    covers the whole body; shingles come from its first SHINGLE_CHARS characters (a copy
    is a copy from its start, and a 200 MB body's shingles would need gigabytes)."""
    paras = []
    digest, n_words, first, seen = hashlib.sha1(), 0, True, 0
    for para in _PARAGRAPH.split(text):
        w = words(para)
        seen += len(para)
        if not w:
            continue
        joined = " ".join(w)
        digest.update((joined if first else " " + joined).encode())  # = _hash(all the words)
        n_words, first = n_words + len(w), False
        if seen - len(para) >= SHINGLE_CHARS:
            continue
        if seen > SHINGLE_CHARS:  # the paragraph that crosses the limit: its words up to it
            w = w[: max(SHINGLE_WORDS, len(w) * (SHINGLE_CHARS - seen + len(para)) // len(para))]
            joined = " ".join(w)
        if len(w) <= SHINGLE_WORDS:
            sh = [joined]
        else:
            sh = [" ".join(w[i : i + SHINGLE_WORDS]) for i in range(len(w) - SHINGLE_WORDS + 1)]
        key = int.from_bytes(hashlib.blake2b(joined.encode(), digest_size=8).digest(), "little", signed=True)
        paras.append((key, len(w), sh))
    return Text(source, digest.hexdigest(), n_words, paras)


def _minhash(shingles: Iterable[str]) -> bytes:
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=1)
    assert m.scheme == SCHEME, m.scheme  # signatures stored in the warehouse use this scheme
    m.update_batch([s.encode() for s in set(shingles)])
    return m.hashvalues.astype(np.uint64).tobytes()


def fingerprint(text: str) -> tuple[str, bytes | None]:
    """(body_hash, signature) of a body with no boilerplate known."""
    t = read(text)
    return t.body_hash, _signature(t, frozenset())


def body_hash(text: str) -> str:
    """Hash of the normalised body: equal for copies that differ only in case,
    punctuation, spacing or Unicode forms."""
    return _hash(words(text))


def signature(text: str) -> bytes | None:
    """MinHash signature (128 x uint64 as bytes) of the body's 5-word shingles; None when
    the body is too short."""
    return fingerprint(text)[1]


def _signature(t: Text, boiler: frozenset[int] | set[int]) -> bytes | None:
    own = [(k, n, sh) for k, n, sh in t.paragraphs if k not in boiler]
    if sum(n for _, n, _ in own) < MIN_WORDS:
        return None
    return _minhash(s for _, _, sh in own for s in sh)


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted sets of shingle hashes."""
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def _lean(sig: bytes):
    from datasketch import LeanMinHash

    return LeanMinHash(seed=1, hashvalues=np.frombuffer(sig, dtype=np.uint64), scheme=SCHEME)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    va = np.frombuffer(a, dtype=np.uint64)
    vb = np.frombuffer(b, dtype=np.uint64)
    return float(np.count_nonzero(va == vb)) / len(va)


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


class ParagraphCounts:
    """How many articles of each source carry each paragraph: boilerplate is a paragraph
    counted `BOILERPLATE_ARTICLES` times.

    The counts are those of the source's last `window` canonical articles in the order
    they are stored (load order, then article id), which is what a later run reads back
    from the warehouse (`seed`): a night decides what one night over its input and the
    nights before would, and a run resumed from a killed run's committed batches decides
    what the clean run would have. Older articles are kept uncounted (as many again from
    the warehouse, and those the run counted before), to move up when a counted one is
    replaced or becomes a copy, as the warehouse's next ones do: exact unless a run takes
    out more of a source's counted articles than the reserve holds.
    Copies are not counted: five versions of one story do not make the story boilerplate.
    The batch being decided adds its bodies on top (`observe`, `_batch_counts`), so a
    footer is known from a new site's first batch; `close_batch` then keeps its canonical
    ones. (Only that part depends on how the input is cut into batches, and only while a
    paragraph is short of its count.)"""

    def __init__(self, window: int = 0, threshold: float = DEFAULT_THRESHOLD):
        self.window = window or BOILERPLATE_WINDOW
        self.threshold = threshold  # near copies (of their own text) are one carrier
        self.read_back = 2 * self.window  # what `seed` is given: the counted and a reserve
        self.cap = 8 * self.window  # kept in memory (the reserve grows as the run adds)
        self._kept: dict[
            str, OrderedDict[str, tuple[str, frozenset[int]]]
        ] = {}  # source -> aid -> (hash, keys)
        self._source_of: dict[str, str] = {}  # kept aid -> its source
        self._hashes: dict[str, set[str]] = {}  # source -> body hashes of the counted articles
        self._counts: dict[str, dict[int, int]] = {}  # source -> paragraph key -> counted articles
        self._batch: dict[str, dict[int, int]] = {}  # what the batch adds (`_batch_counts`)
        self._batch_texts: dict[str, list[Text]] = {}  # source -> the batch's different bodies
        self._batch_hashes: set[tuple[str, str]] = set()
        self._pending: dict[str, Text | None] = {}  # aid -> the text it enters with, or None: leaves

    def seed(self, source: str, stored: Iterable[tuple[str, Text]]) -> None:
        """The source's last `read_back` stored canonical articles, oldest first."""
        for aid, t in stored:
            self._keep(source, aid, t)
        self._recount(source)

    def observe(self, t: Text) -> None:
        key = (t.source, t.body_hash)
        if key in self._batch_hashes or t.body_hash in self._hashes.get(t.source, ()):
            return
        self._batch_hashes.add(key)
        self._batch_texts.setdefault(t.source, []).append(t)
        self._batch.pop(t.source, None)  # counted again when next asked

    def _batch_counts(self, source: str) -> dict[int, int]:
        """What the batch adds to each paragraph's count: the batch's articles that carry
        it and have their own text besides it (at least MIN_WORDS words, known boilerplate
        left out), no two of them near copies of each other on that text. So a footer
        under different stories counts once per story, and the paragraphs of several
        versions of one story in the batch count once."""
        if source in self._batch:
            return self._batch[source]
        texts = self._batch_texts.get(source, [])
        state = self._counts.get(source, {})
        known = frozenset(k for k, n in state.items() if n >= BOILERPLATE_ARTICLES)
        carriers: dict[int, list[Text]] = {}
        for t in texts:
            for k in {k for k, _, _ in t.paragraphs} - known:
                carriers.setdefault(k, []).append(t)
        counts = {}
        for k, ts in carriers.items():
            need = BOILERPLATE_ARTICLES - state.get(k, 0)
            if len(ts) >= need:
                counts[k] = self._distinct_carriers(ts, known | {k}, need)
        self._batch[source] = counts
        return counts

    def _distinct_carriers(self, ts: list[Text], leave_out: frozenset[int], need: int) -> int:
        kept: list[np.ndarray] = []
        for t in ts:
            if sum(n for k, n, _ in t.paragraphs if k not in leave_out) < MIN_WORDS:
                continue
            keys, hv = t.arrays()
            own = np.unique(hv[~np.isin(keys, np.fromiter(leave_out, dtype=np.int64))])
            if any(_jaccard(own, o) >= self.threshold for o in kept):
                continue
            kept.append(own)
            if len(kept) >= need:
                break
        return len(kept)

    def enter(self, article_id: str, t: Text) -> None:
        self._pending[article_id] = t

    def leave(self, article_id: str) -> None:
        self._pending[article_id] = None

    def close_batch(self) -> None:
        pending, self._pending = self._pending, {}
        self._batch, self._batch_texts, self._batch_hashes = {}, {}, set()
        changed = set()
        for aid in pending:
            source = self._source_of.pop(aid, None)
            if source is not None:
                del self._kept[source][aid]
                changed.add(source)
        for aid in sorted(a for a, t in pending.items() if t is not None):
            t = pending[aid]
            self._keep(t.source, aid, t)
            changed.add(t.source)
        for source in changed:
            self._recount(source)

    def boilerplate(self, source: str) -> set[int]:
        keys = set(self._counts.get(source, {})) | set(self._batch_counts(source))
        return {k for k in keys if self._count(source, k) >= BOILERPLATE_ARTICLES}

    def boiler_of(self, t: Text) -> set[int]:
        return {k for k, _, _ in t.paragraphs if self._count(t.source, k) >= BOILERPLATE_ARTICLES}

    def _count(self, source: str, k: int) -> int:
        return self._counts.get(source, {}).get(k, 0) + self._batch_counts(source).get(k, 0)

    def _keep(self, source: str, aid: str, t: Text) -> None:
        kept = self._kept.setdefault(source, OrderedDict())
        kept.pop(aid, None)
        kept[aid] = (t.body_hash, frozenset(k for k, _, _ in t.paragraphs))
        self._source_of[aid] = source
        while len(kept) > self.cap:
            del self._source_of[kept.popitem(last=False)[0]]

    def _recount(self, source: str) -> None:
        kept = self._kept.get(source, OrderedDict())
        counted = list(kept.values())[-self.window :]
        counts: dict[int, int] = {}
        for _, keys in counted:
            for k in keys:
                counts[k] = counts.get(k, 0) + 1
        self._counts[source] = counts
        self._hashes[source] = {h for h, _ in counted}


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
        sig = _signature(t, boiler)
        probes: tuple[bytes, ...] = ()
        if sig is not None:
            probes = (sig,)
            if boiler:
                full = _signature(t, frozenset())
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
            self.lsh.insert(article_id, _lean(sig))
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
        return _jaccard(self._own(a), self._own(b))

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
            cands.update(self.lsh.query(_lean(probe)))
        cands.discard(article_id)
        best: Match | None = None
        for cand in sorted(cands):
            other = self._text(cand) if text is not None else None
            if other is not None:
                s = self.jaccard(text, other)
            else:
                s = similarity(fp.signature, self.signatures[cand])
            if s >= self.threshold and (best is None or s > best.similarity):
                best = Match(cand, "near", round(s, 3))
        return best
