"""Boilerplate paragraphs of a source, counted over its last canonical articles in stored
order (see transforms/dedup.py, "Boilerplate")."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

import numpy as np

from transforms.shingles import DEFAULT_THRESHOLD, MIN_WORDS, Text, jaccard

BOILERPLATE_ARTICLES = 4  # a paragraph in this many different articles of a source is boilerplate
BOILERPLATE_WINDOW = 1000  # ... among its last this many canonical articles


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
            if any(jaccard(own, o) >= self.threshold for o in kept):
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
        for aid, t in sorted((a, t) for a, t in pending.items() if t is not None):
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
