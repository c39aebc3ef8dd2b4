"""The DuckDB CLI of the pinned duckdb-cli package opens what newsetl's DuckDB writes (and
the other way round), read-only: as analysts run it, and through `newsetl shell --cli`."""

from __future__ import annotations

import re
import subprocess
import sys

import duckdb
import pytest

from tests.conftest import ROOT, query
from tests.warehouse.duckdb_files import forged
from warehouse.duckdb_cli import binary, readonly_argv, script


def cli(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The analysts' `duckdb` command (the package's console script in the venv's bin)."""
    return subprocess.run(
        [str(script()), *map(str, args)], input=stdin, capture_output=True, text=True, timeout=120
    )


def cell(out: str) -> str:
    """The one value of a one-row, one-column table the CLI printed (box mode)."""
    values = re.findall(r"│\s*(\S[^│]*?)\s*│", out)
    return values[-1]


@pytest.mark.slow  # starts the CLI's process
def test_the_cli_is_the_pinned_one_in_this_environment():
    assert script().parent == binary().parents[3].parent / "bin"  # .venv/lib/python3.11/site-packages
    version = subprocess.run([str(binary()), "-version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.startswith("v1.5.6"), version.stdout


@pytest.mark.slow  # starts the CLI's process
def test_the_cli_reads_what_newsetl_s_duckdb_writes_and_the_other_way_round(tmp_path):
    ours = tmp_path / "python.duckdb"
    con = duckdb.connect(str(ours))
    con.execute("CREATE TABLE t AS SELECT range AS i FROM range(7)")
    con.close()
    out = cli("-readonly", ours, "-c", "select sum(i) from t")
    assert out.returncode == 0 and cell(out.stdout) == "21", out.stderr

    theirs = tmp_path / "cli.duckdb"
    out = cli(theirs, "-c", "create table t as select range as i from range(5); insert into t values (100)")
    assert out.returncode == 0, out.stderr
    assert query(theirs, "select sum(i) from t") == [(110,)]
    con = duckdb.connect(str(theirs))
    con.execute("INSERT INTO t VALUES (1000)")
    con.close()
    assert cell(cli("-readonly", theirs, "-c", "select sum(i) from t").stdout) == "1110"


@pytest.mark.slow  # starts the CLI's process
def test_the_cli_reads_the_storage_version_of_a_duckdb_2_file_as_newsetl_does(tmp_path):
    """DuckDB 2 keeps the real version in the database headers; the CLI (1.5.6) reads it
    there as warehouse/fileformat.py does, and refuses the file."""
    wh = forged(tmp_path / "w.duckdb", 999, storage_version=69, created_by="v2.0.1")
    out = cli("-readonly", wh, "-c", "select 1")
    assert out.returncode != 0
    assert "version number 69, but we can only read versions between 64 and 68" in out.stdout + out.stderr


def test_a_warehouse_the_run_wrote_opens_in_the_cli_read_only(sample_warehouse):
    before = sample_warehouse.read_bytes()
    (count,) = query(sample_warehouse, "select count(*) from actions")[0]
    assert count > 0
    out = cli("-readonly", sample_warehouse, "-c", "select count(*) from actions")
    assert out.returncode == 0, out.stderr
    assert cell(out.stdout) == str(count)
    out = cli("-readonly", sample_warehouse, "-c", "delete from actions")
    assert out.returncode != 0 and "read-only" in out.stdout + out.stderr
    assert sample_warehouse.read_bytes() == before


def test_shell_cli_hands_over_to_the_cli_read_only_and_in_safe_mode(sample_warehouse, tmp_path):
    exe, wh = str(binary()), str(sample_warehouse)
    assert readonly_argv(exe, wh) == [exe, "-readonly", "-safe", wh]
    out = subprocess.run(
        [sys.executable, "-m", "flows.cli", "shell", "--cli", "--warehouse", str(sample_warehouse)],
        input=(
            "select count(*) from articles;\n"
            f"copy (select 1) to '{tmp_path}/out.csv';\n"
            "delete from actions;\n"
            "select 'still here';\n"
        ),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    said = out.stdout + out.stderr
    assert "13" in re.findall(r"│\s*(\S[^│]*?)\s*│", out.stdout)
    assert "file system operations are disabled" in said  # safe mode: no other file
    assert "read-only" in said
    assert "still here" in out.stdout
    assert list(tmp_path.iterdir()) == []


def test_shell_cli_says_so_when_the_cli_is_missing(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from flows.cli import app
    from warehouse import duckdb_cli
    from warehouse.connection import connect

    wh = tmp_path / "w.duckdb"
    connect(wh).close()

    def missing():
        raise duckdb_cli.CliUnavailable("the DuckDB CLI is not installed: package duckdb-cli is missing")

    monkeypatch.setattr(duckdb_cli, "binary", missing)
    res = CliRunner().invoke(app, ["shell", "--cli", "--warehouse", str(wh)])
    assert res.exit_code == 1
    assert res.output.strip() == "error: the DuckDB CLI is not installed: package duckdb-cli is missing"


@pytest.mark.parametrize("command", ["sql", "shell"])
def test_a_warehouse_of_duckdb_2_is_one_line_saying_how_to_convert(tmp_path, command):
    from typer.testing import CliRunner

    from flows.cli import app

    wh = forged(tmp_path / "w.duckdb", 999, storage_version=69, created_by="v2.0.1")
    args = [command, *(["select 1"] if command == "sql" else ["--cli"]), "--warehouse", str(wh)]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: warehouse ")
    assert "created by DuckDB v2.0.1 in storage version 69" in lines[0] and "convert it once" in lines[0]


@pytest.mark.slow  # starts the CLI's process
def test_the_search_macro_answers_in_the_pinned_cli_in_safe_mode(sample_warehouse):
    """search_news needs no extension: the pinned CLI (1.5.6, which cannot load the 1.5.5
    fts build, and in safe mode no extension at all) ranks as newsetl does."""
    sql = (
        "select count(*) from (select * from search_news('facial recognition') where kind = 'action' "
        "order by score desc limit 3)"
    )
    (expected,) = query(sample_warehouse, sql)[0]
    assert expected == 3
    out = subprocess.run(
        [*readonly_argv(binary(), sample_warehouse), "-c", sql], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert cell(out.stdout) == "3"
