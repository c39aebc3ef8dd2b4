"""A DuckLake with a PostgreSQL catalog, on a real PostgreSQL server the test setup starts
(tests/warehouse/pgserver.py: 127.0.0.1, a free port): two `newsetl run`s load disjoint
inputs into it at the same time while a reader queries it every 0.2 s; the result equals
one run over both inputs, no query fails, and every state the reader saw is one the lake
committed (whole batches)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SAMPLE
from tests.flows.test_operations import NEWSETL, api_env
from tests.warehouse.backends import table_snapshot, warehouse_at
from tests.warehouse.test_readers import READER, STATE
from warehouse.backend import target


def _night(src, wh: str, env: dict[str, str], log) -> subprocess.Popen:
    cmd = [*NEWSETL, "run", "--source", str(src), "--warehouse", wh, "--batch-size", "2", "--no-progress"]
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_two_writers_at_once_equal_one_run_over_both_inputs(prefect_harness, postgres_lake, tmp_path):
    from flows.executors import LOCAL
    from flows.nightly import run_nightly
    from flows.settings import Settings

    wh = postgres_lake
    groups = [SAMPLE / "fictional.jsonl", SAMPLE / "wire"]
    env = api_env(prefect_harness)
    # the lake exists (an empty one) when the reader starts; the two runs migrate it again at once
    lake = Settings(warehouse=wh).target
    from warehouse.connection import connect

    connect(lake).close()
    first = rows_at(lake, "SELECT max(snapshot_id) FROM wh.snapshots()")[0][0]
    stop = tmp_path / "stop"
    poll_log = tmp_path / "poll.jsonl"
    reader_proc = subprocess.Popen(
        [sys.executable, "-c", READER, wh, "lake", "poll", str(poll_log), str(stop)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    logs = [open(tmp_path / f"run{i}.out", "w") for i in range(2)]  # noqa: SIM115
    try:
        assert reader_proc.stdout is not None and reader_proc.stdout.readline().strip() == "ready"
        runs = [_night(src, wh, env, logs[i]) for i, src in enumerate(groups)]
        codes = [p.wait(timeout=900) for p in runs]
        stop.touch()
        reader_proc.communicate(timeout=60)
    finally:
        for p in [reader_proc, *locals().get("runs", [])]:
            if p.poll() is None:
                p.kill()
        for f in logs:
            f.close()
    outputs = [(tmp_path / f"run{i}.out").read_text() for i in range(2)]
    assert codes == [0, 0], outputs
    statuses = rows_at(lake, "SELECT status, count(*) FROM pipeline_runs GROUP BY 1")
    assert statuses == [("succeeded", 2)]

    # the same tables as one run over both inputs (run ids and times aside)
    ref = warehouse_at("lake", tmp_path, "ref")
    one = run_nightly(
        executor=LOCAL, sources=[str(g) for g in groups], warehouse=ref, report=False, data_docs=False
    )
    assert one["status"] == "succeeded"
    got = table_snapshot(lake)
    assert got == table_snapshot(ref)
    assert got["articles"] and got["entities"] and got["actions"]
    for table, key in (("articles", "article_id"), ("entities", "entity_id"), ("fetch_state", "url")):
        assert rows_at(lake, f"SELECT count(*) - count(DISTINCT {key}) FROM {table}") == [(0,)]

    # the reader: no query failed, and it only ever saw committed snapshots
    seen = [json.loads(x) for x in poll_log.read_text().splitlines()]
    assert [s for s in seen if "error" in s] == []
    polled = {tuple(s["state"]) for s in seen}
    last = rows_at(lake, "SELECT max(snapshot_id) FROM wh.snapshots()")[0][0]
    allowed = {
        tuple(rows_at(lake, STATE.format(at=f" AT (VERSION => {v})"))[0]) for v in range(first, last + 1)
    }
    assert polled <= allowed and len(seen) >= 10
    # each run wrote its report (named after the database, in NEWSETL_LAKE_HOME)
    assert (tmp_path / f"{target(wh).location.split('dbname=')[1]}.report.html").exists()


def rows_at(lake, sql: str) -> list[tuple[object, ...]]:
    from warehouse.connection import connect

    con = connect(lake, read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_overlapping_write_transactions_conflict_and_the_later_one_runs_again(postgres_lake):
    """What DuckLake does with two transactions that append to one table (no conflict: the
    same entity twice) and what the writers' bumped row makes of them (a conflict at the
    later commit, which runs again on the newer snapshot and finds the entity)."""
    import threading

    import duckdb

    from flows.settings import Settings
    from warehouse.connection import connect
    from warehouse.lake import LakeWarehouse

    lake = Settings(warehouse=postgres_lake).target
    a, b = connect(lake), connect(lake)
    insert = "INSERT INTO entities (entity_id, name, label, mention_count, article_count) VALUES ('e1', 'Acme', 'ORG', 0, 0)"
    for con in (a, b):  # plain appends: DuckLake retries the later commit by itself
        con.execute("BEGIN TRANSACTION")
        con.execute(insert)
    a.execute("COMMIT")
    b.execute("COMMIT")
    assert a.execute("SELECT count(*) FROM entities").fetchone() == (2,)  # no key: twice
    a.execute("DELETE FROM entities")
    for con in (a, b):  # with the bump: the later commit is refused
        con.execute("BEGIN TRANSACTION")
        con.execute("UPDATE newsetl_internal.writes SET n = n + 1")
        con.execute(insert)
    a.execute("COMMIT")
    with pytest.raises(duckdb.TransactionException, match="(?i)conflict"):
        b.execute("COMMIT")
    a.close()
    b.close()

    # two writers' upserts of one entity that overlap: one row, and the later one ran twice
    first, second = LakeWarehouse(lake), LakeWarehouse(lake)
    try:
        first.con.execute("DELETE FROM entities")
        inside, go = threading.Event(), threading.Event()
        attempts = []

        def upsert(w: LakeWarehouse, wait: bool) -> None:
            def fn() -> None:
                attempts.append(w)
                have = w.con.execute("SELECT count(*) FROM entities WHERE entity_id = 'e1'").fetchone()
                if have == (0,):
                    w.con.execute(insert)
                if wait and len(attempts) == 1:
                    inside.set()
                    go.wait(30)

            w.write(fn)

        slow = threading.Thread(target=upsert, args=(second, True))
        slow.start()
        assert inside.wait(30)
        upsert(first, False)  # commits while the slow one's transaction is open
        go.set()
        slow.join(60)
        assert first.con.execute("SELECT count(*) FROM entities").fetchone() == (1,)
        assert attempts.count(second) == 2 and attempts.count(first) == 1
    finally:
        first.close()
        second.close()


def test_two_writers_creating_a_lake_at_once_migrate_it_once(postgres_lake):
    """Both create and migrate the same new lake at the same moment: the one that loses a
    race runs its migration again and finds it applied; every migration is recorded once."""
    from concurrent.futures import ThreadPoolExecutor

    from flows.settings import Settings
    from warehouse.connection import connect
    from warehouse.migrations import MIGRATIONS

    lake = Settings(warehouse=postgres_lake).target
    with ThreadPoolExecutor(3) as pool:
        cons = list(pool.map(lambda _: connect(lake), range(3)))
    try:
        versions = cons[0].execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
        assert [v for (v,) in versions] == [v for v, _, _ in MIGRATIONS]
        assert cons[1].execute("SELECT count(*) FROM newsetl_internal.writes").fetchone() == (1,)
        assert cons[2].execute("SELECT count(*) FROM companies").fetchone() == (
            cons[0].execute("SELECT count(DISTINCT ticker) FROM companies").fetchone()
        )
    finally:
        for con in cons:
            con.close()
