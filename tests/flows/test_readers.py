"""The file backend's guarantee to readers (warehouse_write = copy, the default): a reader
that holds the warehouse open and queries every 0.2 s for a whole run never fails, and
each query sees either the old or the new state."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import SAMPLE, query
from tests.flows.test_operations import write_articles


def _reader(wh, stop, *, hold: bool) -> subprocess.Popen:
    """A process querying the article count every 0.2 s until `stop` exists: on one
    connection held throughout, or on a new one each time (its own process: DuckDB shares
    one database instance between a process's connections to a file)."""
    code = textwrap.dedent(
        f"""
        import duckdb, json, os, time
        held = duckdb.connect({str(wh)!r}, read_only=True) if {hold} else None
        print("ready", flush=True)
        seen = []
        while not os.path.exists({str(stop)!r}):
            con = held or duckdb.connect({str(wh)!r}, read_only=True)
            seen.append(con.execute("select count(*) from articles").fetchone()[0])
            if not {hold}:
                con.close()
            time.sleep(0.2)
        print(json.dumps(seen), flush=True)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


@pytest.mark.slow
def test_a_reader_querying_every_0_2_s_through_a_run_sees_the_old_or_the_new_state(run_flow, tmp_path):
    wh, stop = tmp_path / "news.duckdb", tmp_path / "stop"
    run_flow([SAMPLE], wh)
    old = query(wh, "select count(*) from articles")[0][0]
    readers = [_reader(wh, stop, hold=True), _reader(wh, stop, hold=False)]
    try:
        res = run_flow([write_articles(tmp_path / "night.jsonl", 24)], wh, batch_size=4)
        time.sleep(1)  # the readers query the published file a few more times
    finally:
        stop.touch()
        outs = [p.communicate(timeout=60)[0] for p in readers]
    assert [p.returncode for p in readers] == [0, 0], "a reader's query failed"
    assert res["status"] == "succeeded"
    new = query(wh, "select count(*) from articles")[0][0]
    held, fresh = (json.loads(o) for o in outs)
    assert len(held) >= 5 and len(fresh) >= 5 and new == old + 24
    assert set(held) == {old}  # the held connection keeps the state it opened
    assert set(fresh) <= {old, new} and fresh == sorted(fresh)  # never a part of the run
    assert fresh[-1] == new
