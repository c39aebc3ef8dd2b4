"""Scale-out: the Dask path (prefect-dask's DaskTaskRunner on a LocalCluster) gives the
same tables as the local path; the pipelined local path gives the same tables whatever the
batch size and worker count."""

import duckdb
import pytest

from tests.conftest import SAMPLE

# run- and time-specific columns differ between any two runs; everything else must not
VARYING = {"run_id", "loaded_at", "first_seen", "last_seen"}
TABLES = {
    "articles": "article_id",
    "entities": "entity_id",
    "entity_mentions": "mention_id",
    "actions": "action_id",
    "quotes": "quote_id",
}


def tables(wh) -> dict[str, list[tuple]]:
    con = duckdb.connect(str(wh), read_only=True)
    try:
        out = {}
        for t, key in TABLES.items():
            cols = [r[0] for r in con.execute(f"DESCRIBE {t}").fetchall() if r[0] not in VARYING]
            out[t] = con.execute(f"SELECT {', '.join(cols)} FROM {t} ORDER BY {key}").fetchall()
        return out
    finally:
        con.close()


@pytest.fixture(scope="module")
def local_tables(prefect_harness, tmp_path_factory):
    from flows.nightly import run_nightly

    wh = tmp_path_factory.mktemp("local") / "w.duckdb"
    res = run_nightly(sources=[str(SAMPLE)], warehouse=str(wh), batch_size=4, n_process=1)
    assert res["status"] == "succeeded"
    return tables(wh)


@pytest.mark.slow
def test_dask_path_gives_the_same_tables_as_the_local_path(local_tables, tmp_path, monkeypatch):
    from prefect_dask import DaskTaskRunner

    from flows.nightly import flow_for, make_settings, run_nightly

    monkeypatch.setenv("NEWSETL_DASK_WORKERS", "2")
    assert isinstance(flow_for(make_settings(dask_address="local")).task_runner, DaskTaskRunner)
    wh = tmp_path / "dask.duckdb"
    res = run_nightly(sources=[str(SAMPLE)], warehouse=str(wh), batch_size=4, dask_address="local")
    assert res["status"] == "succeeded"
    assert res["counts"]["batches"] >= 3
    got = tables(wh)
    for t in TABLES:
        assert got[t] == local_tables[t], t
    assert len(got["actions"]) > 50


def test_worker_processes_and_batch_size_do_not_change_the_tables(local_tables, prefect_harness, tmp_path):
    from flows.nightly import run_nightly

    wh = tmp_path / "two.duckdb"
    res = run_nightly(sources=[str(SAMPLE)], warehouse=str(wh), batch_size=100, n_process=2)
    assert res["status"] == "succeeded" and res["counts"]["batches"] == 1
    got = tables(wh)
    for t in TABLES:
        assert got[t] == local_tables[t], t


@pytest.mark.slow
def test_dask_address_of_a_running_scheduler(local_tables, tmp_path):
    from distributed import LocalCluster

    from flows.nightly import run_nightly

    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        wh = tmp_path / "remote.duckdb"
        res = run_nightly(
            sources=[str(SAMPLE)], warehouse=str(wh), batch_size=6, dask_address=cluster.scheduler_address
        )
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert res["status"] == "succeeded"
    got = tables(wh)
    for t in TABLES:
        assert got[t] == local_tables[t], t
