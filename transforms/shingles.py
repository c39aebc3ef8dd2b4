"""A body read for duplicate detection (transforms/dedup.py): Unicode words, paragraphs,
5-word shingles, the body's hash and MinHash signatures, and Jaccard similarities."""

from __future__ import annotations

import hashlib
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import numpy as np

SHINGLE_WORDS = 5
SHINGLE_CHARS = 1_000_000  # of a body, what near-duplicate fingerprints read (the hash: all)
NUM_PERM = 128
MIN_WORDS = 20
DEFAULT_THRESHOLD = 0.7  # Jaccard similarity from which a body is a near copy
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
    """A regex character class's body for the code points (ascending): runs as ranges."""
    out: list[str] = []
    run: tuple[int, int] | None = None  # (start, last) of the current run
    for cp in cps:
        if run is not None and cp == run[1] + 1:
            run = (run[0], cp)
            continue
        if run is not None:
            out.append(_range(*run))
        run = (cp, cp)
    if run is not None:
        out.append(_range(*run))
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
        paras: list[tuple[int, int, list[str]]] = [(k, n, []) for k, n, _ in self.paragraphs]
        return Text(self.source, self.body_hash, self.n_words, paras, (keys, hv))


def read(text: str, source: str = "") -> Text:
    """Split a body into paragraphs, words and shingles (the words split once). The hash
    covers the whole body; shingles come from its first SHINGLE_CHARS characters (a copy
    is a copy from its start, and a 200 MB body's shingles would need gigabytes)."""
    paras: list[tuple[int, int, list[str]]] = []
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
    sig: bytes = m.hashvalues.astype(np.uint64).tobytes()
    return sig


def fingerprint(text: str) -> tuple[str, bytes | None]:
    """(body_hash, signature) of a body with no boilerplate known."""
    t = read(text)
    return t.body_hash, own_signature(t, frozenset())


def body_hash(text: str) -> str:
    """Hash of the normalised body: equal for copies that differ only in case,
    punctuation, spacing or Unicode forms."""
    return _hash(words(text))


def signature(text: str) -> bytes | None:
    """MinHash signature (128 x uint64 as bytes) of the body's 5-word shingles; None when
    the body is too short."""
    return fingerprint(text)[1]


def own_signature(t: Text, boiler: frozenset[int] | set[int]) -> bytes | None:
    own = [(k, n, sh) for k, n, sh in t.paragraphs if k not in boiler]
    if sum(n for _, n, _ in own) < MIN_WORDS:
        return None
    return _minhash(s for _, _, sh in own for s in sh)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted sets of shingle hashes."""
    if not len(a) or not len(b):
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures."""
    va = np.frombuffer(a, dtype=np.uint64)
    vb = np.frombuffer(b, dtype=np.uint64)
    return float(np.count_nonzero(va == vb)) / len(va)
