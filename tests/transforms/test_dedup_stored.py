"""The duplicate index with its stored side looked up (transforms.dedup.Stored) decides
as the index seeded with every stored signature did, and reads only candidates."""

import random

from tests.transforms.test_copies import OTHER, art
from tests.transforms.test_dedup import EDITED, STORY, _pairs_near
from transforms.copies import decide_batch
from transforms.dedup import DuplicateIndex, MemoryStored, band_frame, banding, body_hash, read, signature


def _decide(idx, batch, outside=None):
    texts = {a.article_id: read(a.clean.body, a.source) for a in batch}
    return decide_batch(idx, batch, texts, outside or {})


def _loaded(rows, decided, batch_no):
    """`rows` (article_id, body_hash, minhash, (batch, id)) after a batch is loaded: its
    articles replace their earlier versions, the canonical ones are stored in (load time,
    article id) order, as the warehouse orders them."""
    ids = set(decided.articles)
    kept = [r for r in rows if r[0] not in ids]
    new = [(a.article_id, a.body_hash, a.minhash, (batch_no, a.article_id)) for a in decided.canonical]
    return sorted(kept + new, key=lambda r: r[3])


def _store(rows):
    return MemoryStored((aid, h, sig) for aid, h, sig, _ in rows)


def _decisions(decided):
    return {
        a.article_id: (a.duplicate_of, a.duplicate_kind, a.duplicate_similarity)
        for a in decided.articles.values()
    }


def _corpus(seed=3):
    """Stories, their near copies, exact copies and different stories, shuffled."""
    rng = random.Random(seed)
    texts = [t for a, b, _ in _pairs_near(0.55, 0.95, 40, seed=seed) for t in (a, b)]
    texts += [STORY, EDITED, OTHER, STORY.upper()]
    rng.shuffle(texts)
    return texts


def test_stored_lookups_decide_as_the_index_seeded_with_every_signature():
    texts = _corpus()
    history, night = texts[:50], texts[50:]
    rows = []
    idx = DuplicateIndex()
    for b in range(0, len(history), 10):  # the earlier runs, batch by batch
        batch = [art(f"h{i:03d}", t) for i, t in enumerate(history[b : b + 10], start=b)]
        rows = _loaded(rows, _decide(idx, batch), b)
    # tonight: new articles, and new versions of stored ones (another story, or a copy)
    night_batches = [
        [art(f"n{i:03d}", t) for i, t in enumerate(night[b : b + 10], start=b)]
        for b in range(0, len(night), 10)
    ]
    night_batches[0] += [art("h003", OTHER), art("h007", history[12])]
    night_batches[1] += [art("h003", STORY), art("h020", "A short note.")]

    seeded = DuplicateIndex()  # as before: every stored signature read into memory
    for aid, h, sig, _ in rows:
        seeded.add(aid, h, sig)
    stored = _store(rows)
    looked_up = DuplicateIndex(stored=stored)
    store_rows = list(rows)
    for b, batch in enumerate(night_batches):
        want = _decide(seeded, batch)
        got = _decide(looked_up, batch)
        assert _decisions(got) == _decisions(want)
        store_rows = _loaded(store_rows, got, 100 + b)
        looked_up.stored = _store(store_rows)  # the warehouse after the batch's load
    assert any(d[1] == "near" for d in _decisions(want).values())


def test_a_near_copy_of_a_stored_article_is_found_from_its_candidates_alone():
    others = [a for a, _, _ in _pairs_near(0.0, 1.0, 200, seed=5)]
    rows = [(f"s{i:03d}", body_hash(t), signature(t)) for i, t in enumerate(others)]
    rows.append(("orig", body_hash(STORY), signature(STORY)))
    stored = MemoryStored(rows)
    asked = []
    real = stored.band_candidates

    def band_candidates(keys, rows_per_band):
        found = real(keys, rows_per_band)
        asked.append(set(found))
        return found

    stored.band_candidates = band_candidates
    idx = DuplicateIndex(stored=stored)
    got = _decide(idx, [art("edit", EDITED)])
    (copy,) = got.copies
    assert (copy.duplicate_of, copy.duplicate_kind) == ("orig", "near")
    assert set().union(*asked) == {"orig"}  # one signature read, not 201
    assert stored.queries == 3  # the batch's ids, body hashes, bands: one query each


def test_an_exact_copy_of_a_stored_article_is_found_by_its_hash():
    stored = MemoryStored([("orig", body_hash(STORY), signature(STORY))])
    idx = DuplicateIndex(stored=stored)
    (copy,) = _decide(idx, [art("copy", STORY.upper())]).copies
    assert (copy.duplicate_of, copy.duplicate_kind, copy.duplicate_similarity) == ("orig", "exact", 1.0)


def test_a_stored_article_replaced_tonight_leaves_the_index():
    stored = MemoryStored([("orig", body_hash(STORY), signature(STORY))])
    idx = DuplicateIndex(stored=stored)
    got = _decide(idx, [art("orig", OTHER), art("later", STORY)])
    assert got.copies == []  # `orig` is another story now: `later` copies nothing


def test_band_rows_are_one_per_band_and_equal_bands_hash_alike():
    bands, rows = banding()
    assert (bands, rows) == (32, 4)
    sig = signature(STORY)
    frame = band_frame(["a", "b"], [sig, sig], bands, rows)
    assert frame.height == 2 * bands and frame["band"].to_list()[:3] == [0, 1, 2]
    a, b = frame.filter(frame["article_id"] == "a"), frame.filter(frame["article_id"] == "b")
    assert a["band_hash"].to_list() == b["band_hash"].to_list()
    assert set(frame["rows_per_band"]) == {rows}
