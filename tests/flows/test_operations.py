"""Nightly operations: crash safety (SIGKILL), readers holding the file, order
independence, single writer, backfill windows, very large and vanishing inputs, serve."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SAMPLE, query

DATA_TABLES = {
    "articles": "article_id, content_hash, title, body, published_at",
    "entities": "entity_id, name, label, ticker, mention_count, article_count",
    "entity_mentions": "mention_id, entity_id, start_char, end_char",
    "actions": "action_id, verb, actor_entity_id, target_text, negated, event_key",
    "quotes": "quote_id, content, speaker_entity_id",
}


def snapshot(wh: Path) -> dict[str, list]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        return {
            t: sorted(con.execute(f"select {cols} from {t}").fetchall(), key=repr)
            for t, cols in DATA_TABLES.items()
        }
    finally:
        con.close()


q = query


def write_articles(path: Path, n: int, start: int = 0, day: str = "2024-05-01") -> Path:
    """n short synthetic articles built from the bundled sample's fictional news."""
    base = [
        json.loads(line) for line in (SAMPLE / "fictional.jsonl").read_text().splitlines() if line.strip()
    ]
    with path.open("w") as fh:
        for i in range(start, start + n):
            r = dict(base[i % len(base)])
            r["id"] = f"syn-{i:04d}"
            r["text"] = r["text"] + f" The company said filing {i} was made."
            r["published_at"] = day
            fh.write(json.dumps(r) + "\n")
    return path


def api_env(prefect_harness) -> dict[str, str]:
    """Environment for a subprocess that talks to the session's Prefect test server."""
    from prefect.settings import PREFECT_API_URL

    env = dict(os.environ)
    env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    return env


NEWSETL = [sys.executable, "-m", "flows.cli"]


def start_night(src: Path, wh: Path, prefect_harness) -> subprocess.Popen:
    """`newsetl run` of `src` into `wh` in batches of 4, in the background (to be killed)."""
    cmd = [
        *NEWSETL,
        "run",
        "--source",
        str(src),
        "--warehouse",
        str(wh),
        "--batch-size",
        "4",
        "--no-progress",
    ]
    return subprocess.Popen(
        cmd, cwd=ROOT, env=api_env(prefect_harness), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def test_sigkill_mid_load_leaves_warehouse_as_it_was_and_rerun_completes(prefect_harness, run_flow, tmp_path):
    wh = tmp_path / "news.duckdb"
    run_flow([SAMPLE], wh)
    before = snapshot(wh)
    runs_before = q(wh, "select run_id, status from pipeline_runs")
    src = write_articles(tmp_path / "night.jsonl", 60)
    proc = start_night(src, wh, prefect_harness)
    staging = wh.with_name(wh.name + ".staging")
    log = wh.with_name("news.log")
    deadline = time.time() + 120
    while time.time() < deadline and not (  # a batch committed, more to come
        staging.exists() and log.exists() and "batch 1 loaded" in log.read_text(errors="replace")
    ):
        assert proc.poll() is None, "the run ended before a batch was committed"
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed; give it more input"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # the published warehouse is exactly as it was
    assert snapshot(wh) == before
    assert q(wh, "select run_id, status from pipeline_runs") == runs_before
    # the next run finishes the rest
    res = run_flow([src], wh)
    assert res["status"] == "succeeded"
    runs = dict(q(wh, "select status, count(*) from pipeline_runs group by 1"))
    assert runs.get("killed") == 1 and runs.get("succeeded") == 2
    # whole batches only: the result equals one clean run over the same input
    ref = tmp_path / "ref.duckdb"
    run_flow([SAMPLE], ref)
    run_flow([src], ref)
    assert snapshot(wh) == snapshot(ref)
    assert not staging.exists()


def test_run_succeeds_while_a_reader_holds_the_file(prefect_harness, run_flow, tmp_path):
    wh = tmp_path / "news.duckdb"
    run_flow([SAMPLE], wh)
    n0 = q(wh, "select count(*) from articles")[0][0]
    holder = textwrap.dedent(
        f"""
        import duckdb, sys, time
        con = duckdb.connect({str(wh)!r}, read_only=True)
        print(con.execute("select count(*) from articles").fetchone()[0], flush=True)
        sys.stdin.readline()
        print(con.execute("select count(*) from articles").fetchone()[0], flush=True)
        con.close()
        con = duckdb.connect({str(wh)!r}, read_only=True)
        print(con.execute("select count(*) from articles").fetchone()[0], flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert int(proc.stdout.readline()) == n0  # the analyst is connected
    res = run_flow([write_articles(tmp_path / "more.jsonl", 3)], wh)
    assert res["status"] == "succeeded"
    out, _ = proc.communicate("\n", timeout=30)
    old_view, new_view = (int(x) for x in out.split())
    assert old_view == n0  # the open connection keeps its consistent snapshot
    assert new_view == n0 + 3  # reconnecting shows the night's data


def test_two_nights_in_either_order_give_the_same_tables(prefect_harness, run_flow, tmp_path):
    a = write_articles(tmp_path / "a.jsonl", 6, 0, "2024-05-01")
    b = write_articles(tmp_path / "b.jsonl", 6, 3, "2024-05-02")  # overlaps a: ids 3-5, other dates
    w1, w2, w3 = tmp_path / "w1.duckdb", tmp_path / "w2.duckdb", tmp_path / "w3.duckdb"
    run_flow([a], w1)
    run_flow([b], w1)
    run_flow([b], w2)
    run_flow([a], w2)
    assert snapshot(w1) == snapshot(w2)
    run_flow([a], w3)
    run_flow([b], w3)
    run_flow([b], w3)  # re-running a night changes nothing
    assert snapshot(w3) == snapshot(w1)


def test_second_writer_is_refused_clearly(tmp_path):
    from warehouse.db import Warehouse, WarehouseBusy

    with Warehouse(tmp_path / "w.duckdb"), pytest.raises(WarehouseBusy, match="another newsetl run"):
        Warehouse(tmp_path / "w.duckdb")


def test_backfill_window(prefect_harness, run_flow, tmp_path):
    src = tmp_path / "mixed.jsonl"
    rows = [
        {"id": "in1", "text": "Acme Corp said it would buy Beta Inc.", "published_at": "1987-03-05"},
        {"id": "in2", "text": "Gamma Ltd cut 100 jobs.", "published_at": "31-MAR-1987 10:00:00.00"},
        {"id": "out1", "text": "Delta Corp hired a chief.", "published_at": "1987-04-01"},
        {"id": "nodate", "text": "Epsilon Inc said nothing."},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    from datetime import date

    wh = tmp_path / "w.duckdb"
    res = run_flow([src], wh, since=date(1987, 3, 1), until=date(1987, 3, 31))
    c = res["counts"]
    assert (c["articles_seen"], c["articles_loaded"], c["articles_out_of_range"]) == (2, 2, 2)
    assert {r[0] for r in q(wh, "select external_id from articles")} == {"in1", "in2"}
    assert q(wh, "select since, until, articles_out_of_range from pipeline_runs")[0] == (
        date(1987, 3, 1),
        date(1987, 3, 31),
        2,
    )


def test_very_large_article_is_loaded_with_bounded_extraction(
    prefect_harness, run_flow, tmp_path, monkeypatch
):
    monkeypatch.setenv("NEWSETL_MAX_ARTICLE_CHARS", "60000")
    para = "Acme Corp said on Monday it would open a plant in Norlund. " * 20
    body = "\n\n".join(para for _ in range(10 * 1024 * 1024 // len(para)))  # ~10 MB
    src = tmp_path / "big.jsonl"
    src.write_text(
        json.dumps({"id": "big", "title": "Big", "text": body})
        + "\n"
        + json.dumps({"id": "small", "text": "Beta Inc cut jobs."})
        + "\n"
    )
    wh = tmp_path / "w.duckdb"
    res = run_flow([src], wh)
    assert res["status"] == "succeeded" and res["counts"]["articles_loaded"] == 2
    length, warnings = q(wh, "select length(body), warnings from articles where external_id = 'big'")[0]
    assert length > 10_000_000 - 100_000 and any("extracted from the first 60,000" in w for w in warnings)
    assert (
        q(
            wh,
            "select count(*) from actions a join articles r using (article_id) where r.external_id = 'big'",
        )[0][0]
        > 10
    )


def test_serve_registers_the_schedule(prefect_harness, tmp_path):
    from prefect.client.orchestration import get_client

    cmd = [
        *NEWSETL,
        "serve",
        "--cron",
        "15 3 * * *",
        "--warehouse",
        str(tmp_path / "w.duckdb"),
        "--name",
        "nightly-test",
    ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=api_env(prefect_harness), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        import anyio

        async def find():
            async with get_client() as client:
                for _ in range(240):
                    try:
                        d = await client.read_deployment_by_name("nightly/nightly-test")
                    except Exception:  # not registered yet
                        await anyio.sleep(0.25)
                        continue
                    return d
            return None

        dep = anyio.run(find)
        assert dep is not None, "newsetl serve did not register the deployment"
        crons = [s.schedule.cron for s in dep.schedules]
        assert crons == ["15 3 * * *"]
        assert dep.parameters.get("warehouse") == str(tmp_path / "w.duckdb")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_quarantine_key_is_the_same_in_python_and_in_the_migration(tmp_path):
    from expectations.runner import quarantine_row
    from warehouse.db import Warehouse, migrate

    rows = [
        quarantine_row("r1", source_path="a.jsonl", external_id=None, stage="read", reason="bad", raw="{x"),
        quarantine_row("r1", source_path=None, external_id="id", stage="clean", reason="empty", raw=None),
    ]
    assert rows[0]["quarantine_key"] != rows[1]["quarantine_key"]
    with Warehouse(tmp_path / "w.duckdb") as wh:
        wh.add_quarantine(rows)
        # as if stored before migration 7: no key; migrating fills the same one
        wh.con.execute("update quarantine set quarantine_key = null")
        wh.con.execute("delete from schema_migrations where version = 7")
        assert migrate(wh.con) == [7]
        got = dict(wh.con.execute("select quarantine_id, quarantine_key from quarantine").fetchall())
        assert got == {r["quarantine_id"]: r["quarantine_key"] for r in rows}
        # another run rejecting the same inputs adds nothing
        again = [dict(r, quarantine_id=r["quarantine_id"] + "-2", run_id="r2") for r in rows]
        wh.add_quarantine(again)
        assert wh.con.execute("select count(*) from quarantine").fetchone() == (2,)


def test_a_killed_run_row_counts_what_it_committed(prefect_harness, run_flow, tmp_path):
    wh = tmp_path / "news.duckdb"
    run_flow([SAMPLE], wh)
    src = write_articles(tmp_path / "night.jsonl", 60)
    proc = start_night(src, wh, prefect_harness)
    wal = wh.with_name(wh.name + ".staging.wal")

    def wal_size() -> int:
        try:
            return wal.stat().st_size
        except FileNotFoundError:
            return 0

    # some batches committed, more to come: opening the copy and the run's row leave ~50 KB
    # of WAL, each batch of 4 articles ~15 KB more (the whole input ~270 KB)
    deadline = time.time() + 120
    while time.time() < deadline and wal_size() < 120_000 and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed; give it more input"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    res = run_flow([src], wh)
    assert res["status"] == "succeeded"
    ((killed_id, k_seen, k_loaded, k_quarantined, k_batches, error),) = q(
        wh,
        "select run_id, articles_seen, articles_loaded, articles_quarantined, batches, error"
        " from pipeline_runs where status = 'killed'",
    )
    assert k_loaded > 0 and 1 <= k_batches <= k_loaded and k_seen == k_loaded + k_quarantined
    assert q(wh, "select count(*) from articles where run_id = ?", [killed_id]) == [(k_loaded,)]
    assert "counts are what it committed" in error
    # the rerun skipped what the killed run loaded and loaded the rest
    assert k_loaded + res["counts"]["articles_loaded"] == 60
    assert res["counts"]["articles_skipped"] >= k_loaded
