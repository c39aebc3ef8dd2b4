import json

import pytest
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()


def test_run_sql_and_runs(prefect_harness, tmp_path, monkeypatch):
    src = tmp_path / "a.jsonl"
    src.write_text(
        json.dumps({"id": "1", "title": "Acme buys Beta", "text": "Acme Corp said it would buy Beta Inc."})
        + "\n"
    )
    wh = tmp_path / "cli.duckdb"
    res = runner.invoke(app, ["run", "--source", str(src), "--warehouse", str(wh), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "succeeded" in res.output
    res = runner.invoke(app, ["sql", "select count(*) as n from articles", "--warehouse", str(wh), "--json"])
    assert res.exit_code == 0 and json.loads(res.output.strip()) == {"n": 1}
    res = runner.invoke(app, ["sql", "select verb from actions order by verb", "--warehouse", str(wh)])
    assert res.exit_code == 0 and "buy" in res.output
    res = runner.invoke(app, ["runs", "--warehouse", str(wh), "--json"])
    assert res.exit_code == 0 and json.loads(res.output.splitlines()[0])["status"] == "succeeded"
    res = runner.invoke(app, ["runs", "--warehouse", str(wh)])
    assert res.exit_code == 0 and "recent runs" in res.output
    # env var default for the warehouse
    monkeypatch.setenv("NEWSETL_WAREHOUSE", str(wh))
    res = runner.invoke(app, ["sql", "select 1 as one from articles", "--json"])
    assert res.exit_code == 0 and '"one": 1' in res.output


def test_sql_is_read_only(tmp_path):
    from warehouse.db import connect

    wh = tmp_path / "ro.duckdb"
    connect(wh).close()
    res = runner.invoke(app, ["sql", "delete from articles", "--warehouse", str(wh)])
    assert res.exit_code == 1 and "read-only" in res.output.lower()


def test_errors_are_clear(tmp_path):
    res = runner.invoke(app, ["sql", "select 1", "--warehouse", str(tmp_path / "none.duckdb")])
    assert res.exit_code == 2 and "no warehouse" in res.output
    res = runner.invoke(
        app, ["run", "--source", str(tmp_path / "missing.jsonl"), "--warehouse", str(tmp_path / "w.duckdb")]
    )
    assert res.exit_code == 2 and "does not exist" in res.output


def test_second_writer_gets_exit_code_3(prefect_harness, tmp_path):
    from warehouse.db import Warehouse

    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id": "1", "text": "Acme Corp said it would buy Beta Inc."}) + "\n")
    wh = tmp_path / "busy.duckdb"
    with Warehouse(wh):
        res = runner.invoke(app, ["run", "--source", str(src), "--warehouse", str(wh), "--no-progress"])
    assert res.exit_code == 3 and "another newsetl run" in res.output


def test_docs_writes_the_data_dictionary(tmp_path):
    from warehouse.db import connect

    wh = tmp_path / "d.duckdb"
    connect(wh).close()
    out = tmp_path / "schema.md"
    res = runner.invoke(app, ["docs", "--warehouse", str(wh), "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    for name in (
        "articles (table)",
        "actions (table)",
        "quotes (table)",
        "events (view)",
        "company_actions (view)",
    ):
        assert f"## {name}" in text
    assert "(no comment)" not in text
    assert "| action_id | VARCHAR | PK |" in text


def test_broken_sources_yaml_is_a_clear_error_before_any_run(tmp_path):
    cfg = tmp_path / "sources.yaml"
    cfg.write_text("sources:\n  - {name: wire}\n", encoding="utf-8")
    wh = tmp_path / "w.duckdb"
    res = runner.invoke(app, ["run", "--source", str(cfg), "--warehouse", str(wh)])
    assert res.exit_code == 2 and "needs at least a 'location'" in res.output
    assert not wh.exists()  # no run was started
    res = runner.invoke(app, ["sources", "--config", str(cfg)])
    assert res.exit_code == 2 and "needs at least a 'location'" in res.output


def test_unknown_source_kind_option_is_a_clear_error(tmp_path):
    from flows.sources import open_source

    with pytest.raises(ValueError, match="unknown options for a file source: colour"):
        open_source(tmp_path, options={"colour": "red"})
    with pytest.raises(ValueError, match="unknown options for a feed source: depth"):
        open_source("feed:https://example.com/rss.xml", options={"depth": 2})


@pytest.mark.parametrize(
    ("args", "code", "says", "n_lines"),
    [
        (["sql", "   "], 2, "no SQL given", 1),
        # DuckDB's own context (candidate columns, a caret under the mistake) follows
        (["sql", "select nope from articles"], 1, "SQL error: Binder Error", None),
        (["run", "--batch-size", "0"], 2, "batch_size", 1),
    ],
)
def test_bad_arguments_are_one_line_errors(tmp_path, args, code, says, n_lines):
    from warehouse.db import connect

    wh = tmp_path / "w.duckdb"
    connect(wh).close()
    res = runner.invoke(app, [*args, "--warehouse", str(wh)])
    assert res.exit_code == code, res.output
    lines = [x for x in res.output.splitlines() if x.strip()]
    assert lines[0].startswith("error: ") and says in lines[0], res.output
    assert n_lines is None or len(lines) == n_lines, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


HOSTILE_CELLS = ["[/x]", "[bold red]loud[/bold red]", "[link=http://evil.example]click[/link]", "a\x1b[2Jb"]


def test_sql_and_runs_print_values_as_text_not_markup(tmp_path):
    """Rich markup in data is printed literally (never read, never a MarkupError) and
    escape sequences are shown escaped, in `newsetl sql` and `newsetl runs`."""
    import duckdb

    from warehouse.db import connect

    wh = tmp_path / "w.duckdb"
    connect(wh).close()
    con = duckdb.connect(str(wh))
    counters = [
        c
        for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'pipeline_runs' "
            "AND NOT is_nullable AND column_default IS NULL AND data_type = 'INTEGER'"
        ).fetchall()
    ]
    con.execute(
        f"INSERT INTO pipeline_runs (run_id, status, started_at, error, {', '.join(counters)}) "
        f"VALUES (?, 'failed', now(), ?{', 0' * len(counters)})",
        [HOSTILE_CELLS[0], " ".join(HOSTILE_CELLS[1:])],
    )
    con.close()
    for cell, shown in zip(HOSTILE_CELLS, [*HOSTILE_CELLS[:3], "a\\x1b[2Jb"], strict=True):
        res = runner.invoke(app, ["sql", f"select '{cell}' as c", "--warehouse", str(wh)])
        assert res.exit_code == 0, res.output
        assert shown in res.output and "\x1b" not in res.output, res.output
    res = runner.invoke(app, ["runs", "--warehouse", str(wh), "--limit", "1"])
    assert res.exit_code == 0, res.output
    flat = "".join(line.strip(" │┃") for line in res.output.splitlines())
    assert "[/x]" in flat and "\x1b" not in res.output, res.output


COMMANDS = ["run", "sql", "search", "runs", "sources", "report", "shell", "docs", "serve", "server"]


def test_help_lists_every_command_in_order_with_its_summary():
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0, res.output
    rows = res.output.split("Commands:")[1].splitlines()
    assert [r.split()[0] for r in rows if r.startswith("  ") and r[2] != " "] == COMMANDS
    for name in COMMANDS:
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0 and f" {name} [OPTIONS]" in res.output, res.output


@pytest.mark.slow  # starts the console script's process: main() ends it with os._exit
@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "Usage: "),  # no command: the help, as a usage error
        (["bogus"], "No such command 'bogus'"),
        (["runs", "--bogus"], "No such option: --bogus"),
        (["sql"], "Missing argument 'SQL'"),
    ],
)
def test_usage_errors_exit_2_without_a_traceback(args, says):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", *args], capture_output=True, text=True, timeout=120
    )
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert says in out and "Traceback" not in out
