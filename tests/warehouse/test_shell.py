"""`newsetl shell`: statements over several lines, dot commands, and no writes."""

import subprocess
import sys
from pathlib import Path

import pytest

from warehouse.shell import Shell

ROOT = Path(__file__).resolve().parents[2]


def session(wh, lines):
    printed, said = [], []
    sh = Shell(wh, lambda cols, rows: printed.append((cols, rows)), said.append)
    try:
        sh.run(lines)
    finally:
        sh.close()
    return printed, said


def test_statements_dot_commands_and_read_only(sample_warehouse):
    printed, said = session(
        sample_warehouse,
        [
            "select count(*) as n",
            "from articles;",
            ".tables",
            ".schema company_actions",
            "create table x (a int);",
            ".nonsense",
            ".quit",
            "select 1;",  # after .quit: not run
        ],
    )
    assert printed[0] == (["n"], [(13,)])
    tables = {r[0] for r in printed[1][1]}
    assert {"articles", "actions", "company_actions", "events"} <= tables
    assert all(r[2] for r in printed[1][1])  # every table and view has its description
    assert ("actor_name", "VARCHAR", "Its canonical name.") in printed[2][1]
    assert any("read-only" in s for s in said)
    assert any("unknown command" in s for s in said)
    assert len(printed) == 3


def test_cli_shell_reads_piped_statements(sample_warehouse):
    out = subprocess.run(
        [sys.executable, "-m", "flows.cli", "shell", "--warehouse", str(sample_warehouse)],
        input="select verb from actions where verb = 'stop' limit 1;\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "stop" in out.stdout


WRITES = [
    "copy (select 1) to '{out}/out.csv'",
    "copy articles to '{out}/articles.parquet' (format parquet)",
    "export database '{out}/export'",
    "attach '{out}/other.duckdb' as other",
    "install httpfs",
    "select * from read_csv('{out}/../../etc/passwd')",
    "set enable_external_access = true",
    "reset enable_external_access",
]


@pytest.mark.parametrize("sql", WRITES)
def test_the_shell_refuses_statements_that_reach_files(sample_warehouse, tmp_path, sql):
    out = tmp_path / "w"
    out.mkdir()
    stmt = sql.format(out=out)
    printed, said = session(sample_warehouse, [stmt + ";", "select count(*) from articles;"])
    assert any(s.startswith("error:") for s in said), said
    assert list(out.iterdir()) == []  # nothing written
    assert printed == [(["count_star()"], [(13,)])]  # and the session goes on


@pytest.mark.parametrize("sql", WRITES)
def test_query_refuses_statements_that_reach_files(sample_warehouse, tmp_path, sql):
    import duckdb

    from warehouse.db import query

    out = tmp_path / "w"
    out.mkdir()
    with pytest.raises(duckdb.Error):
        query(sample_warehouse, sql.format(out=out))
    assert list(out.iterdir()) == []
    assert query(sample_warehouse, "select count(*) from articles")[1] == [(13,)]


@pytest.mark.parametrize("sql", ["", "   ", "\n\t", ";", " ; "])
def test_query_of_empty_sql_is_a_clear_error(sample_warehouse, sql):
    from warehouse.db import query

    with pytest.raises(ValueError, match="no SQL given"):
        query(sample_warehouse, sql)


def test_the_search_macro_answers_in_the_shell_with_stem_loaded(tmp_path):
    from tests.warehouse.search_batches import action, article, load
    from warehouse.db import Warehouse

    wh = tmp_path / "w.duckdb"
    with Warehouse(wh) as w:
        load(
            w,
            [
                article("a1", "Face recognition", "Police recognised faces."),
                article("a2", "Rain", "Wet week."),
            ],
            [action("a1", 1, "Police recognised faces.", "recognise")],
        )
        w.publish()
    printed, said = session(
        wh,
        [
            "select kind, article_id from search_news('recognised faces')",
            "order by kind, score desc;",
            "select kind, article_id from search_news('recognises') order by kind;",  # a form never indexed
            "select kind, article_id from search_news('recognises', stems := [stem('recognises', 'porter')])",
            "order by kind;",
        ],
    )
    assert not said, said
    assert printed[0][1] == [("action", "a1"), ("article", "a1")]
    assert printed[1][1] == []
    assert printed[2][1] == [("action", "a1"), ("article", "a1")]  # recognis, as 'recognised' is
