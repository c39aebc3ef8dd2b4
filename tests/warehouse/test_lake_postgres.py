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
