"""`newsetl shell`: statements over several lines, dot commands, and no writes."""

import subprocess
import sys
from pathlib import Path

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
