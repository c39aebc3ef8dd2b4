"""Duplicates in the pipeline: stored with duplicate_of, not extracted, counted once."""

import json

from tests.conftest import query
from tests.transforms.test_dedup import EDITED, STORY


def write(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_republished_story_with_new_headline_and_edited_sentence_is_a_near_duplicate(
    prefect_harness, tmp_path
):
    from flows.nightly import nightly

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
    res = nightly(sources=[str(src)], warehouse=str(wh))
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
    from flows.nightly import nightly

    wh = tmp_path / "w.duckdb"
    nightly(sources=[str(write(tmp_path / "a.jsonl", [{"id": "orig", "text": STORY}]))], warehouse=str(wh))
    res = nightly(
        sources=[str(write(tmp_path / "b.jsonl", [{"id": "later", "text": EDITED}]))], warehouse=str(wh)
    )
    assert res["counts"]["articles_duplicate"] == 1
    (kind, of) = query(
        wh,
        "SELECT a.duplicate_kind, o.external_id FROM articles a JOIN articles o ON o.article_id = a.duplicate_of",
    )[0]
    assert (kind, of) == ("near", "orig")
