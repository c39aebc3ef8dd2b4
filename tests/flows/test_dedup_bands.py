"""The duplicate index in the warehouse (article_bands, migration 12): a run looks up the
stored candidates of its articles instead of reading every signature; reloads and copies
keep the bands right; an older warehouse is backfilled with the same decisions."""

import duckdb
import pytest

from tests.conftest import query
from tests.flows.test_dedup import write as write_records
from tests.transforms.test_copies import OTHER
from tests.transforms.test_dedup import EDITED, STORY, _pairs_near
from transforms.dedup import band_frame, banding

pytestmark = pytest.mark.slow


def _bands(wh):
    return query(wh, "SELECT article_id, band, band_hash, rows_per_band FROM article_bands ORDER BY ALL")


def _expected_bands(wh):
    """The bands of the stored canonical articles' signatures, computed afresh."""
    rows = query(
        wh,
        """SELECT article_id, minhash FROM articles
           WHERE duplicate_of IS NULL AND body_hash IS NOT NULL AND minhash IS NOT NULL ORDER BY article_id""",
    )
    frame = band_frame([a for a, _ in rows], [m for _, m in rows], *banding())
    return sorted(frame.iter_rows())


def write(path, records):
    """The records of one source, whatever the file's name (a new version has the same id)."""
    return write_records(path, [{"source": "wire", **r} for r in records])


def _decisions(wh):
    return query(
        wh,
        "SELECT external_id, duplicate_of, duplicate_kind, duplicate_similarity FROM articles ORDER BY external_id",
    )


@pytest.fixture
def history(prefect_harness, tmp_path):
    """A warehouse whose first run stored `orig` (STORY), OTHER and 30 other stories."""
    from flows.nightly import run_nightly

    others = [{"id": f"o{i}", "text": a} for i, (a, _, _) in enumerate(_pairs_near(0.0, 1.0, 30, seed=9))]
    src = write(
        tmp_path / "first.jsonl",
        [{"id": "orig", "text": STORY}, {"id": "other", "text": OTHER}, *others],
    )
    wh = tmp_path / "w.duckdb"
    assert run_nightly(sources=[str(src)], warehouse=str(wh))["status"] == "succeeded"
    return wh


def test_a_near_copy_of_a_stored_article_is_found_without_reading_every_signature(
    history, tmp_path, monkeypatch
):
    from flows.nightly import run_nightly
    from warehouse.db import Warehouse

    assert _bands(history) == _expected_bands(history) and len(_bands(history)) == 32 * 32
    read = []
    real = Warehouse.band_candidates

    def band_candidates(self, keys, rows):
        found = real(self, keys, rows)
        read.append(set(found))
        return found

    monkeypatch.setattr(Warehouse, "band_candidates", band_candidates)
    src = write(tmp_path / "night.jsonl", [{"id": "edit", "text": EDITED}, {"id": "copy", "text": STORY}])
    assert run_nightly(sources=[str(src)], warehouse=str(history))["status"] == "succeeded"
    (orig_id,) = query(history, "SELECT article_id FROM articles WHERE external_id = 'orig'")[0]
    rows = dict((r[0], r[1:]) for r in _decisions(history))
    assert rows["edit"][:2] == (orig_id, "near") and rows["copy"] == (orig_id, "exact", 1.0)
    assert read and set().union(*read) == {orig_id}  # the one candidate's signature, not 32
    assert _bands(history) == _expected_bands(history)  # copies have no bands


def test_a_reloaded_article_has_its_new_bands_and_a_copy_none(history, tmp_path):
    from flows.nightly import run_nightly

    (orig_id,) = query(history, "SELECT article_id FROM articles WHERE external_id = 'orig'")[0]
    old = {r for r in _bands(history) if r[0] == orig_id}
    src = write(tmp_path / "v2.jsonl", [{"id": "orig", "text": EDITED + " A paragraph added later on."}])
    assert run_nightly(sources=[str(src)], warehouse=str(history))["status"] == "succeeded"
    new = {r for r in _bands(history) if r[0] == orig_id}
    assert len(new) == 32 and new != old and _bands(history) == _expected_bands(history)
    # a new version that copies another stored article: it is a copy, with no bands
    src = write(tmp_path / "v3.jsonl", [{"id": "orig", "text": OTHER}])
    assert run_nightly(sources=[str(src)], warehouse=str(history))["status"] == "succeeded"
    assert query(history, "SELECT duplicate_kind FROM articles WHERE external_id = 'orig'") == [("exact",)]
    assert not [r for r in _bands(history) if r[0] == orig_id] and _bands(history) == _expected_bands(history)


def test_migration_12_backfills_a_warehouse_and_the_decisions_are_the_same(history, tmp_path):
    import shutil

    from flows.nightly import run_nightly
    from warehouse.connection import connect

    before = _bands(history)
    older = tmp_path / "older.duckdb"
    shutil.copyfile(history, older)
    con = duckdb.connect(str(older))  # as a warehouse from before migration 12
    con.execute("DROP TABLE article_bands")
    con.execute("DELETE FROM schema_migrations WHERE version = 12")
    con.close()
    connect(older).close()  # migrated
    assert _bands(older) == before
    src = write(
        tmp_path / "night.jsonl", [{"id": "edit", "text": EDITED}, {"id": "copy", "text": STORY.upper()}]
    )
    for wh in (history, older):
        assert run_nightly(sources=[str(src)], warehouse=str(wh))["status"] == "succeeded"
    assert _decisions(older) == _decisions(history)
    assert [r[2] for r in _decisions(older) if r[0] in ("edit", "copy")] == ["exact", "near"]
