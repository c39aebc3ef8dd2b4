"""Readers during a whole run, on a DuckDB file and on a SQLite-catalogued DuckLake: a
reader that holds its snapshot open keeps seeing the old state, and a reader that queries
every 0.2 s never fails and always sees a committed state: the old or the new file; on a
lake the state after one of the run's commits (whole batches: checked by time travel to
every snapshot the run made)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT, SAMPLE
from tests.flows.test_operations import write_articles
from tests.warehouse.backends import rows, warehouse_at

STATE = """SELECT (SELECT count(*) FROM articles{at}), (SELECT count(*) FROM entity_mentions{at}),
                  (SELECT count(*) FROM actions{at}), (SELECT count(*) FROM entities{at}),
                  (SELECT count(*) FROM pipeline_runs{at} WHERE status = 'succeeded')"""

READER = textwrap.dedent(
    """
    import json, os, sys, time
    from warehouse.connection import reader
    wh, lake, mode, out, stop = sys.argv[1], sys.argv[2] == "lake", sys.argv[3], open(sys.argv[4], "w"), sys.argv[5]
    state = {state!r}.format(at="")
    # held: one connection that holds its snapshot (a transaction on a lake, the open file on
    # a file); poll: one connection on a lake, a new one per query on a file (as analysts do)
    con = reader(wh) if lake or mode == "held" else None
    if lake and mode == "held":
        con.execute("BEGIN TRANSACTION")
    print("ready", flush=True)
    def poll():
        try:
            c = con or reader(wh)
            row = c.execute(state).fetchone()
            if c is not con:
                c.close()
            out.write(json.dumps({{"state": list(row)}}) + "\\n")
        except Exception as exc:
            out.write(json.dumps({{"error": f"{{type(exc).__name__}}: {{exc}}"}}) + "\\n")
        out.flush()
    while not os.path.exists(stop):
        poll()
        time.sleep(0.2)
    poll()  # once more, after the run
    out.close()
    """
).format(state=STATE)


# batches of 4 new articles in the watched run: enough for the reader to query it often
# (a file warehouse without primary-key indexes loads a batch of the sample in well under 1 s)
BATCHES = 10


def _state(wh: str, at: str = "") -> tuple[int, ...]:
    return tuple(rows(wh, STATE.format(at=at))[0])  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["file", "lake"])
def test_a_reader_queries_every_fifth_of_a_second_through_a_whole_run(backend, tmp_path):
    from flows.executors import LOCAL
    from flows.nightly import run_nightly

    wh = warehouse_at(backend, tmp_path)
    common = {"executor": LOCAL, "warehouse": wh, "report": False, "data_docs": False}
    assert run_nightly(sources=[str(SAMPLE)], **common)["status"] == "succeeded"
    old = _state(wh)
    first = rows(wh, "SELECT max(snapshot_id) FROM wh.snapshots()")[0][0] if backend == "lake" else None
    stop = tmp_path / "stop"
    procs = {
        mode: subprocess.Popen(
            [sys.executable, "-c", READER, wh, backend, mode, str(tmp_path / f"{mode}.jsonl"), str(stop)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for mode in ("held", "poll")
    }
    try:
        for proc in procs.values():
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        night = write_articles(tmp_path / "night.jsonl", 4 * BATCHES)
        result = run_nightly(sources=[str(night)], batch_size=4, **common)
        assert result["status"] == "succeeded" and result["counts"]["batches"] == BATCHES
        stop.touch()
        for proc in procs.values():
            proc.communicate(timeout=60)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
    new = _state(wh)
    seen = {m: [json.loads(x) for x in (tmp_path / f"{m}.jsonl").read_text().splitlines()] for m in procs}
    assert [s for m in seen for s in seen[m] if "error" in s] == []  # no query failed
    held = [tuple(s["state"]) for s in seen["held"]]
    polled = [tuple(s["state"]) for s in seen["poll"]]
    assert len(polled) >= 10, "the run was over before the reader had queried much"
    assert set(held) == {old}  # the open snapshot never changes under the reader
    if backend == "file":
        allowed = {old, new}  # the published file, before or after the run
    else:
        # every state a lake reader may see: one per snapshot since the reader started
        last = rows(wh, "SELECT max(snapshot_id) FROM wh.snapshots()")[0][0]
        allowed = {_state(wh, f" AT (VERSION => {v})") for v in range(first, last + 1)}
        assert old in allowed and new in allowed
        # a snapshot per batch: the new articles came 4 by 4, never part of a batch
        assert {a for a, *_ in allowed} == {old[0] + 4 * k for k in range(BATCHES + 1)}
    assert set(polled) <= allowed
    assert polled[-1] == new and polled[0] == old
