"""Worker processes that die (issue 13, "Workers"): real spawned workers, really killed.

A worker SIGKILLed mid-batch costs a fresh pool and a retry, nothing else; an article that
kills its worker every time is quarantined (stage `extract`, the crash in the reason) and
its neighbours load."""

import json
import os
import signal
import threading
from pathlib import Path

import pytest

from flows import workers
from tests.conftest import install_plugin, query
from tests.flows.test_operations import write_articles

MARKER = "KILLWORKER"

CRASH_MODULE = f'''
"""An extractor whose component kills its process on an article holding the marker."""
import os

from spacy.language import Language


@Language.component("newsetl_test_crash")
def crash(doc):
    if "{MARKER}" in doc.text:
        os._exit(1)
    return doc


def configure(nlp):
    nlp.add_pipe("newsetl_test_crash", last=True)
'''


@pytest.fixture
def two_workers(monkeypatch):
    monkeypatch.setenv("NEWSETL_N_PROCESS", "2")
    workers.shutdown_workers()  # a pool started by an earlier test lacks this test's sys.path
    yield
    workers.shutdown_workers()


@pytest.fixture
def crash_extension(tmp_path, monkeypatch):
    return install_plugin(
        tmp_path,
        monkeypatch,
        "newsetl_crash_ext",
        CRASH_MODULE,
        "[newsetl.extractors]\ncrash = newsetl_crash_ext:configure\n",
    )


def _reconciles(c: dict) -> bool:
    return c["articles_seen"] == c["articles_loaded"] + c["articles_skipped"] + c["articles_quarantined"]


def _extracted(wh, but: str = "") -> tuple:
    """What the warehouse holds per table (articles other than `but`)."""
    return tuple(
        query(wh, f"select count(*) from {t} join articles using (article_id) where external_id <> ?", [but])[
            0
        ][0]
        for t in ("entity_mentions", "actions", "quotes")
    )


def _extracted_in_one_process(run_flow, src, tmp_path, monkeypatch) -> tuple:
    monkeypatch.setenv("NEWSETL_N_PROCESS", "1")
    wh = tmp_path / "one.duckdb"
    res = run_flow([src], warehouse=wh)
    assert res["counts"]["articles_loaded"] == 60
    return _extracted(wh)


def _kill_a_busy_worker(stop: threading.Event, killed: list[int]) -> None:
    """SIGKILL the first worker of the pool seen extracting a piece (its mark file exists)."""
    while not stop.is_set():
        current = workers._POOL
        if current is not None:
            pool = current[1]
            procs = {p.pid for p in (pool._processes or {}).values()}
            try:
                busy = [int(f.name) for f in Path(pool.marks).iterdir()]
            except OSError:
                busy = []
            for pid in busy:
                if pid in procs:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
        stop.wait(0.02)


def test_a_worker_killed_mid_batch_is_replaced_and_the_batch_retried(
    two_workers, run_flow, tmp_path, monkeypatch
):
    src = write_articles(tmp_path / "a.jsonl", 60)
    stop, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_a_busy_worker, args=(stop, killed), daemon=True)
    killer.start()
    try:
        res = run_flow([src])
    finally:
        stop.set()
        killer.join(5)
    assert killed, "no worker was seen extracting"
    assert res["status"] == "succeeded", res["errors"]
    c = res["counts"]
    assert c["articles_seen"] == 60 and c["articles_loaded"] == 60 and c["articles_quarantined"] == 0
    assert _reconciles(c)
    wh = tmp_path / "news.duckdb"
    assert query(wh, "select count(*) from articles")[0][0] == 60
    assert query(wh, "select count(*) from quarantine")[0][0] == 0
    # every article was extracted, not just stored: the same rows as one process gives
    assert _extracted(wh) == _extracted_in_one_process(run_flow, src, tmp_path, monkeypatch)


def test_an_article_that_kills_its_worker_every_time_is_quarantined(
    crash_extension, two_workers, run_flow, tmp_path, monkeypatch
):
    base = write_articles(tmp_path / "base.jsonl", 60)
    src = write_articles(tmp_path / "a.jsonl", 60)
    with src.open("a") as fh:
        fh.write(
            json.dumps(
                {
                    "id": "poison",
                    "title": "Poison",
                    "text": f"Acme Corp said on Monday it would close {MARKER} its plant in Ohio.",
                    "published_at": "2024-05-01",
                }
            )
            + "\n"
        )
    res = run_flow([src])
    assert res["status"] == "succeeded", res["errors"]
    c = res["counts"]
    assert c["articles_seen"] == 61 and c["articles_loaded"] == 60 and c["articles_quarantined"] == 1
    assert _reconciles(c)
    wh = tmp_path / "news.duckdb"
    rows = query(wh, "select external_id, stage, reason from quarantine")
    assert len(rows) == 1
    (ext, stage, reason) = rows[0]
    assert ext == "poison" and stage == "extract"
    assert reason == "worker process died while extracting this article (twice): exit code 1"
    assert query(wh, "select count(*) from articles where external_id = 'poison'")[0][0] == 0
    # (the same articles without the poison one, in one process: the crash is in a worker only)
    assert _extracted(wh, but="poison") == _extracted_in_one_process(run_flow, base, tmp_path, monkeypatch)
