"""The run's dedup step: what the warehouse knows (the stored candidates of the batch's
signatures, stored copies, each source's recent bodies) read for transforms.copies, which
decides the batch."""

import logging

from flows.state import RunState
from transforms.extract import Article

log = logging.getLogger("newsetl")


class DuplicateCheck:
    """Splits each batch into canonical articles and copies of earlier stories (in the
    warehouse or earlier in this run, in read order). The index is built on first use."""

    def __init__(self, state: RunState):
        self.state = state
        self.index = None  # transforms.dedup.DuplicateIndex

    def split(self, articles: list[Article], inflight: tuple[list, list] | None) -> tuple[list, list]:
        """(canonical, copies) of `articles`; `inflight`: the articles and copies of the
        batch whose extraction is under way. Copies re-checked from outside this batch
        (their canonical article changed) are appended to `articles` and counted as seen,
        so that the batch loads and accounts for them."""
        from transforms.copies import decide_batch  # (and the index's libraries) on first use
        from transforms.dedup import read

        idx = self._index()
        batch = list(articles)
        texts = {a.article_id: read(a.clean.body, a.source) for a in batch}
        earlier, inflight_copies = inflight if inflight else ([], [])
        stored = self._stored_copies(texts, {a.article_id for a in [*earlier, *inflight_copies]} | set(texts))
        sources = {a.source for a in batch} | {c.source for cs in stored.values() for c in cs}
        for src in sorted(sources - idx.seeded):  # before any of its articles is decided here
            idx.seed(src, self.state.wh.recent_bodies(src, idx.paragraphs.read_back))
        outside: dict[str, list[Article]] = {}
        for c in inflight_copies:
            outside.setdefault(c.duplicate_of, []).append(c)
        for aid, copies in stored.items():
            outside.setdefault(aid, []).extend(copies)
        decided = decide_batch(idx, batch, texts, outside)
        tally = self.state.tally
        for again, aid in decided.rechecked:
            articles.append(again)  # loaded with this batch, which accounts for it
            tally.origin.setdefault(again.article_id, tally.source_of(aid))
            tally.count("seen", aid=again.article_id)
        return decided.canonical, decided.copies

    def _index(self):
        """The index of canonical articles: this run's in memory, the stored ones looked up
        in the warehouse's `article_bands` per batch (rebuilt first if the threshold's
        band scheme is not the one stored)."""
        if self.index is None:
            from transforms.dedup import DuplicateIndex, banding

            s, wh = self.state.settings, self.state.wh
            if wh.use_banding(*banding(s.dedup_threshold)):
                log.info("article_bands rebuilt for the duplicate threshold %s", s.dedup_threshold)
            self.index = DuplicateIndex(
                s.dedup_threshold, loader=wh.article_bodies, keep=max(4000, 4 * s.batch_size), stored=wh
            )
        return self.index

    def _stored_copies(self, texts: dict, pending_ids: set[str]) -> dict[str, list[Article]]:
        """Stored copies of these articles (by the article they copy), but those loaded
        with the batch under way or this one."""
        from transforms.copies import stored_article

        stored: dict[str, list[Article]] = {}
        for row in self.state.wh.copies_of(texts):
            if row["article_id"] not in pending_ids:
                stored.setdefault(row["duplicate_of"], []).append(stored_article(row))
        return stored
