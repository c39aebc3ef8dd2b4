"""Duplicates in the pipeline: stored with duplicate_of, not extracted, counted once."""

import json

import pytest

from tests.conftest import query
from tests.transforms.test_dedup import EDITED, STORY


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_republished_story_with_new_headline_and_edited_sentence_is_a_near_duplicate(
    prefect_harness, tmp_path
):
    from flows.nightly import run_nightly

    src = write(
        tmp_path / "in.jsonl",
        [
            {
                "id": "orig",
                "title": "Brightwell recalls Sunny Oats",
                "text": STORY,
                "published_at": "2026-03-14",
            },
            {"id": "copy", "title": "Brightwell Foods recalls cereal", "text": STORY, "source": "wire2"},
            {
                "id": "edit",
                "title": "Peanut traces force Brightwell recall",
                "text": EDITED,
                "published_at": "2026-03-15",
            },
        ],
    )
    wh = tmp_path / "w.duckdb"
    res = run_nightly(sources=[str(src)], warehouse=str(wh))
    c = res["counts"]
    assert res["status"] == "succeeded" and c["articles_loaded"] == 3 and c["articles_duplicate"] == 2
    rows = query(
        wh,
        """SELECT a.external_id, o.external_id, a.duplicate_kind, a.duplicate_similarity
           FROM articles a LEFT JOIN articles o ON o.article_id = a.duplicate_of ORDER BY a.external_id""",
    )
    assert rows[0][:3] == ("copy", "orig", "exact")
    assert rows[1][:3] == ("edit", "orig", "near") and 0.7 <= rows[1][3] < 1.0
    assert rows[2][:3] == ("orig", None, None)
    # only the canonical article was extracted: views count the story once
    per_article = dict(
        query(
            wh,
            "SELECT r.external_id, count(*) FROM actions a JOIN articles r USING (article_id) GROUP BY ALL",
        )
    )
    assert set(per_article) == {"orig"}
    assert query(wh, "SELECT count(DISTINCT article_id) FROM company_actions")[0][0] == 1
    assert query(wh, "SELECT count(DISTINCT article_id) FROM entity_mentions")[0][0] == 1


def test_copies_of_a_story_already_in_the_warehouse(prefect_harness, tmp_path):
    from flows.nightly import run_nightly

    wh = tmp_path / "w.duckdb"
    run_nightly(
        sources=[str(write(tmp_path / "a.jsonl", [{"id": "orig", "text": STORY}]))], warehouse=str(wh)
    )
    res = run_nightly(
        sources=[str(write(tmp_path / "b.jsonl", [{"id": "later", "text": EDITED}]))], warehouse=str(wh)
    )
    assert res["counts"]["articles_duplicate"] == 1
    (kind, of) = query(
        wh,
        "SELECT a.duplicate_kind, o.external_id FROM articles a JOIN articles o ON o.article_id = a.duplicate_of",
    )[0]
    assert (kind, of) == ("near", "orig")


def test_bbc_copies_are_marked_by_the_pipeline(prefect_harness, tmp_path):
    """The run's own duplicate stage over all of BBC News (extraction stubbed out to keep the
    test fast: duplicates are decided before parsing)."""
    from concurrent.futures import Future
    from dataclasses import replace

    from flows.executors import LOCAL, Pending
    from flows.nightly import run_nightly
    from flows.workers import Extracted
    from tests.conftest import shared_path
    from transforms.extract import article_frame, empty_frames

    def articles_only(articles, settings):
        done = Future()
        done.set_result(Extracted(replace(empty_frames(), articles=article_frame(articles))))
        return Pending([done])

    bbc = shared_path("corpora", "bbc", "bbc_articles.jsonl")
    wh = tmp_path / "bbc.duckdb"
    no_nlp = replace(LOCAL, submit_extract=articles_only)  # articles load without entities
    res = run_nightly(executor=no_nlp, sources=[str(bbc)], warehouse=str(wh), data_docs=False, report=False)
    assert res["status"] == "succeeded" and res["counts"]["articles_loaded"] == 2225
    kinds = dict(
        query(wh, "SELECT duplicate_kind, count(*) FROM articles WHERE duplicate_of IS NOT NULL GROUP BY 1")
    )
    assert kinds["exact"] >= 98 and kinds.get("near", 0) >= 1
    # every copy points at a canonical article that was seen first
    assert query(
        wh,
        "SELECT count(*) FROM articles a JOIN articles o ON o.article_id = a.duplicate_of WHERE o.duplicate_of IS NOT NULL",
    ) == [(0,)]


def test_an_article_missing_from_extraction_is_quarantined_not_lost(prefect_harness, tmp_path):
    from dataclasses import replace

    from flows.executors import LOCAL, Pending
    from flows.nightly import run_nightly

    src = write(tmp_path / "in.jsonl", [{"id": "a", "text": STORY}])
    loses_all = replace(LOCAL, submit_extract=lambda articles, settings: Pending([]))  # loses everything
    wh = tmp_path / "w.duckdb"
    c = run_nightly(executor=loses_all, sources=[str(src)], warehouse=str(wh))["counts"]
    assert (c["articles_seen"], c["articles_loaded"], c["articles_quarantined"]) == (1, 0, 1)
    assert query(wh, "SELECT stage, reason FROM quarantine") == [
        ("extract", "extraction returned no row for this article")
    ]


LONG_OTHER = (
    "Corvex Energy will cut 1,200 jobs after quarterly profit fell 38%, the group said on Thursday. The "
    "company also lowered its forecast for the full year, blaming weak demand for industrial batteries "
    "and higher costs at its plant in eastern Norlund. Unions said they would fight the cuts, and the "
    "regional government said it would meet Corvex managers next week to discuss the plant's future."
)


@pytest.mark.parametrize("copy_in_second_run", [True, False], ids=["copy-reread", "copy-absent"])
def test_a_copy_whose_canonical_article_changes_is_checked_again_and_extracted(
    prefect_harness, tmp_path, copy_in_second_run
):
    """#14: the canonical story is replaced by a different one; its stored copy is no longer a
    copy, so it becomes canonical and gets its own rows (before: a stale duplicate_of, no rows)."""
    from flows.nightly import run_nightly

    wh = tmp_path / "w.duckdb"
    first = [
        {"id": "orig", "title": "Brightwell recalls Sunny Oats", "text": STORY},
        {"id": "copy", "title": "Brightwell recall", "text": EDITED},
    ]
    res = run_nightly(sources=[str(write(tmp_path / "a.jsonl", first))], warehouse=str(wh))
    assert res["counts"]["articles_duplicate"] == 1
    second = [{"id": "orig", "title": "Corvex to cut jobs", "text": LONG_OTHER}]
    if copy_in_second_run:
        second.append(first[1])  # unchanged: skipped, but re-checked
    res = run_nightly(sources=[str(write(tmp_path / "a.jsonl", second))], warehouse=str(wh))
    c = res["counts"]
    assert res["status"] == "succeeded"
    assert c["articles_seen"] == c["articles_loaded"] + c["articles_skipped"] + c["articles_quarantined"]
    assert c["articles_duplicate"] == 0
    rows = dict(query(wh, "SELECT external_id, duplicate_of FROM articles ORDER BY 1"))
    assert rows == {"copy": None, "orig": None}
    mentioned = {
        r[0]
        for r in query(
            wh, "SELECT DISTINCT r.external_id FROM entity_mentions m JOIN articles r USING (article_id)"
        )
    }
    assert mentioned == {"copy", "orig"}  # the story of the copy has rows again
    brightwell = query(
        wh,
        """SELECT count(*) FROM entity_mentions m JOIN articles r USING (article_id)
           WHERE r.external_id = 'copy' AND m.text LIKE 'Brightwell%'""",
    )[0][0]
    assert brightwell >= 1


def test_a_copy_stays_a_copy_when_its_canonical_is_only_touched_up(prefect_harness, tmp_path):
    """The exact copy of a story that is then lightly corrected is now a near copy of it."""
    from flows.nightly import run_nightly

    wh = tmp_path / "w.duckdb"
    first = [{"id": "orig", "text": STORY}, {"id": "copy", "text": STORY}]
    run_nightly(sources=[str(write(tmp_path / "a.jsonl", first))], warehouse=str(wh))
    touched = STORY.replace("Shares in the company fell 2% in early trading.", "Its shares slipped 2%.")
    res = run_nightly(
        sources=[str(write(tmp_path / "a.jsonl", [{"id": "orig", "text": touched}]))], warehouse=str(wh)
    )
    c = res["counts"]
    assert res["status"] == "succeeded"
    assert c["articles_seen"] == c["articles_loaded"] + c["articles_skipped"] + c["articles_quarantined"]
    (kind, sim, of) = query(
        wh,
        """SELECT a.duplicate_kind, a.duplicate_similarity, o.external_id FROM articles a
           JOIN articles o ON o.article_id = a.duplicate_of WHERE a.external_id = 'copy'""",
    )[0]
    assert (kind, of) == ("near", "orig") and 0.7 <= sim < 1.0
    assert query(
        wh,
        "SELECT count(*) FROM entity_mentions m JOIN articles r USING (article_id) WHERE r.external_id = 'copy'",
    ) == [(0,)]


VERSIONED = (
    "Acme Corp opened a factory in Dayton, Ohio, on Tuesday and said it would hire 300 "
    "people there by the end of next year. The plant will make batteries for electric "
    "delivery vans, which the company sells to postal services in Europe and North "
    "America. Its chief executive told reporters that demand had doubled since spring, "
    "and that a second site in Texas was being considered. Shares rose four percent in "
    "early trading, their highest level since the company listed in New York in 2019."
)


def test_duplicate_decisions_do_not_depend_on_how_the_nights_split_the_input(
    prefect_harness, tmp_path, monkeypatch
):
    """Six versions of one story, two per batch, in one night or in two. Copies do not
    count towards a source's boilerplate (else the story's own paragraph would become
    boilerplate after four versions and the later versions would look new), and what a
    run counts is what the next run reads back from the warehouse, so one night over the
    files decides what two nights decide (and a killed run's resume what the clean run
    would have: it is a night over the killed run's committed batches)."""
    from flows.nightly import run_nightly

    monkeypatch.setenv("NEWSETL_BATCH_SIZE", "2")
    versions = [{"id": "v0", "text": VERSIONED}]
    versions += [{"id": f"v{i}", "text": f"{VERSIONED}\n\nUpdated at {i} pm."} for i in range(1, 6)]
    decisions = {}
    for mode in ("one night", "two nights"):
        d = tmp_path / mode / "wire"
        d.mkdir(parents=True)
        wh = tmp_path / mode / "w.duckdb"
        write(d / "a.jsonl", versions[:4])
        if mode == "two nights":
            assert run_nightly(sources=[str(d)], warehouse=str(wh))["status"] == "succeeded"
        write(d / "b.jsonl", versions[4:])
        assert run_nightly(sources=[str(d)], warehouse=str(wh))["status"] == "succeeded"
        decisions[mode] = query(
            wh,
            """SELECT a.external_id, o.external_id, a.duplicate_kind FROM articles a
               LEFT JOIN articles o ON o.article_id = a.duplicate_of ORDER BY a.external_id""",
        )
    assert decisions["one night"] == decisions["two nights"]
    assert decisions["one night"] == [("v0", None, None)] + [(f"v{i}", "v0", "near") for i in range(1, 6)]
