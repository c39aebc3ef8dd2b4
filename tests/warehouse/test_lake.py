"""A DuckLake warehouse (SQLite catalog) next to a DuckDB file: the same registry-derived
tables (without keys), views and comments, the same rows from the same runs, re-runs that
change nothing, the run's lookups, a locked-down reader, one writer at a time, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT, SAMPLE
from tests.warehouse.backends import rows, table_snapshot, warehouse_at
from warehouse.backend import BadWarehouseSetting, target
from warehouse.connection import connect, query, reader
from warehouse.db import LakeWarehouse, WarehouseBusy, open_warehouse


def _execute(src: Path | str, wh: str, **kw) -> dict:
    """A run in this process without Prefect (flows.executors.LOCAL); its result."""
    from flows.executors import LOCAL
    from flows.nightly import run_nightly

    kw = {"report": False, "data_docs": False, **kw}
    return run_nightly(executor=LOCAL, sources=[str(src)], warehouse=wh, **kw)


def _columns(wh: str) -> list[tuple[object, ...]]:
    return rows(
        wh,
        """SELECT table_name, column_name, data_type, is_nullable, comment FROM duckdb_columns()
           WHERE database_name = current_database() AND schema_name = 'main'
           ORDER BY table_name, column_index""",
    )


def test_the_setting_names_the_backend(tmp_path):
    f = target(tmp_path / "news.duckdb")
    assert not f.is_lake and f.sidecar == tmp_path / "news.duckdb"
    s = target(f"ducklake:sqlite:{tmp_path / 'lake.sqlite'}")
    assert (s.catalog, s.path, s.sidecar) == ("sqlite", tmp_path / "lake.sqlite", tmp_path / "lake.sqlite")
    assert s.data_path == str(tmp_path / "lake.sqlite.files") + "/"
    p = target(
        "ducklake:postgres:host=127.0.0.1 dbname=news user=etl", data_path=tmp_path / "d", home=tmp_path
    )
    assert (p.catalog, p.location, p.sidecar) == (
        "postgres",
        "host=127.0.0.1 dbname=news user=etl",
        tmp_path / "news.ducklake",
    )
    secret = target("ducklake:postgres:host=h dbname=news password=s3cr3t")  # shown and stored without it
    assert str(secret) == "ducklake:postgres:host=h dbname=news password=***" and "s3cr3t" in secret.location
    for bad in ("ducklake:mysql:x", "ducklake:sqlite:", "ducklake:postgres"):
        with pytest.raises(BadWarehouseSetting):
            target(bad)


def test_a_lake_has_the_registry_s_tables_and_views_without_keys(tmp_path):
    file_wh, lake_wh = warehouse_at("file", tmp_path), warehouse_at("lake", tmp_path)
    connect(file_wh).close()
    connect(lake_wh).close()
    lake_cols = _columns(lake_wh)
    # the same columns, types and comments; a view's columns have no comment on a lake
    views = {r[0] for r in rows(lake_wh, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert [(t, c, ty) for t, c, ty, _, _ in _columns(file_wh)] == [
        (t, c, ty) for t, c, ty, _, _ in lake_cols
    ]
    assert [r for r in _columns(file_wh) if r[0] not in views] == [r for r in lake_cols if r[0] not in views]
    assert rows(
        lake_wh,
        "SELECT count(*) FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE')",
    ) == [(0,)]
    # a primary key column is NOT NULL there
    assert ("articles", "article_id", "VARCHAR", False) in [r[:4] for r in lake_cols]
    view_sql = "SELECT view_name, sql, comment FROM duckdb_views() WHERE NOT internal AND schema_name = 'main' ORDER BY 1"
    # the same views (DuckLake writes a type name in a CAST quoted: "DATE")
    assert rows(file_wh, view_sql) == [
        (n, sql.replace('AS "DATE")', "AS DATE)"), c) for n, sql, c in rows(lake_wh, view_sql)
    ]
    # the data dictionary of a lake has the keys and the views' column meanings (from the registry)
    from warehouse.docs import schema_markdown

    assert schema_markdown(lake_wh) == schema_markdown(file_wh)


def test_runs_load_the_same_rows_on_both_backends_and_a_rerun_changes_nothing(tmp_path):
    a = tmp_path / "a.jsonl"
    a.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"x{i}",
                    "title": "Acme buys Beta",
                    "text": f"Acme Corp said it would buy Beta Inc for ${i} million. IBM did not comment.",
                }
            )
            + "\n"
            for i in range(5)
        )
    )
    snaps = {}
    for kind in ("file", "lake"):
        wh = warehouse_at(kind, tmp_path, kind)
        assert _execute(SAMPLE, wh, batch_size=4)["status"] == "succeeded"
        assert _execute(a, wh, batch_size=4)["status"] == "succeeded"
        snaps[kind] = table_snapshot(wh)
        again = _execute(SAMPLE, wh, batch_size=4)
        assert again["status"] == "succeeded" and again["counts"]["articles_loaded"] == 0
        assert table_snapshot(wh) == snaps[kind]
        statuses = rows(wh, "SELECT status, count(*) FROM pipeline_runs GROUP BY 1")
        assert statuses == [("succeeded", 3)]
    assert snaps["lake"] == snaps["file"]
    assert snaps["lake"]["articles"] and snaps["lake"]["entities"] and snaps["lake"]["actions"]
    # no entity, article or mention twice on the lake (it has no primary keys)
    lake = warehouse_at("lake", tmp_path, "lake")
    for table, key in (
        ("articles", "article_id"),
        ("entities", "entity_id"),
        ("entity_mentions", "mention_id"),
    ):
        assert rows(lake, f"SELECT count(*) - count(DISTINCT {key}) FROM {table}") == [(0,)]


def test_a_changed_article_replaces_its_rows_on_a_lake(tmp_path):
    wh = warehouse_at("lake", tmp_path)
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id": "a1", "text": "Acme Corp said it would buy Beta Inc."}) + "\n")
    assert _execute(src, wh)["status"] == "succeeded"
    src.write_text(json.dumps({"id": "a1", "text": "Gamma Ltd said it would hire a chief."}) + "\n")
    assert _execute(src, wh)["status"] == "succeeded"
    assert rows(wh, "SELECT count(*) FROM articles") == [(1,)]
    names = {r[0] for r in rows(wh, "SELECT name FROM entities")}
    assert "Gamma Ltd" in names and "Acme Corp" not in names  # no longer named: dropped


def test_lookups_and_fetch_state_on_a_lake(tmp_path):
    wh = warehouse_at("lake", tmp_path)
    with open_warehouse(wh) as w:
        assert isinstance(w, LakeWarehouse) and w.existing_hashes([]) == {}
        w.save_fetch_state(
            "r1", {"http://x/feed": {"etag": "e1", "status": 200}, "http://y": {"status": 304}}
        )
        w.save_fetch_state("r2", {"http://x/feed": {"etag": "e2", "last_modified": "Mon", "status": 200}})
        assert w.fetch_validators() == {"http://x/feed": ("e2", "Mon"), "http://y": (None, None)}
        w.begin_run("r2", sources=[], params={}, model_version="m", code_version="c")
        w.update_run("r2", status="succeeded", articles_seen=3)
        assert w.run_row("r2")["articles_seen"] == 3  # type: ignore[index]
    assert rows(wh, "SELECT count(*) FROM fetch_state") == [(2,)]


def test_a_lake_reader_reads_and_cannot_write_or_reach_files(tmp_path):
    wh = warehouse_at("lake", tmp_path)
    connect(wh).close()
    assert query(wh, "SELECT count(*) > 0 FROM companies")[1] == [(True,)]
    files = target(wh).data_path
    for sql in (
        f"COPY (SELECT 1) TO '{files}x.csv'",
        "INSERT INTO companies (ticker, name) VALUES ('X', 'x')",
        f"ATTACH '{tmp_path / 'other.duckdb'}' AS o",
        "SELECT * FROM read_csv('/etc/passwd')",
        "EXPORT DATABASE '/tmp/newsetl-export'",
    ):
        with pytest.raises(duckdb.Error):
            query(wh, sql)
    con = reader(wh)
    try:
        with pytest.raises(duckdb.Error):
            con.execute("SET enable_external_access = true")
    finally:
        con.close()
    assert not Path(f"{files}x.csv").exists()
    with pytest.raises(FileNotFoundError):
        query(warehouse_at("lake", tmp_path, "missing"), "SELECT 1")


def test_one_writer_at_a_time_on_a_sqlite_lake(tmp_path):
    wh = warehouse_at("lake", tmp_path)
    with open_warehouse(wh), pytest.raises(WarehouseBusy, match="another newsetl run"):
        open_warehouse(wh)


def _newsetl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_the_reading_commands_work_on_a_lake(tmp_path):
    wh = warehouse_at("lake", tmp_path)
    assert _execute(SAMPLE, wh)["status"] == "succeeded"
    out = _newsetl("sql", "-w", wh, "--json", "SELECT count(*) AS n FROM articles")
    assert out.returncode == 0 and json.loads(out.stdout.splitlines()[0])["n"] > 0
    out = _newsetl("runs", "-w", wh, "--json")
    assert out.returncode == 0 and json.loads(out.stdout.splitlines()[0])["status"] == "succeeded"
    out = _newsetl("report", "-w", wh)
    assert out.returncode == 0 and (tmp_path / "w.report.html").exists()
    out = _newsetl("docs", "-w", wh, "-o", str(tmp_path / "schema.md"))
    assert out.returncode == 0 and "## articles (table)" in (tmp_path / "schema.md").read_text()
    sh = subprocess.run(
        [sys.executable, "-m", "flows.cli", "shell", "-w", wh],
        cwd=ROOT,
        input=".tables\nSELECT count(*) AS n FROM entities;\nCOPY entities TO 'x.csv';\n",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert sh.returncode == 0 and "articles" in sh.stdout and "COPY is not allowed" in sh.stdout
    out = _newsetl("sql", "-w", "ducklake:oracle:x", "SELECT 1")
    assert out.returncode == 2 and "ducklake:sqlite:PATH" in out.stderr + out.stdout
