"""Faults around the run (issue 14): each is one line with its exit code, and the warehouse
is left as it was (no warehouse, staging copy or report made)."""

from __future__ import annotations

import json

import pytest

from tests.flows.hostile_inputs import story


def _folder(p):
    p.mkdir()


def _not_duckdb(p):
    p.write_bytes(b"this is not a DuckDB file\n" * 100)


def _duckdb_2(p):
    from tests.warehouse.duckdb_files import forged

    forged(p, 999, storage_version=69, created_by="v2.0.1")  # as DuckDB 2.0.1 writes one


def _under_a_file(p):
    return p.parent / "plain.txt" / "w.duckdb"  # its folder would be a regular file


FAULTS = [
    # (case, command, make the warehouse path, exit code, what the one line says)
    ("warehouse is a folder", "run", _folder, 2, "is a folder, not a DuckDB file"),
    ("warehouse is not DuckDB", "run", _not_duckdb, 1, "cannot be opened"),
    ("warehouse folder is a file", "run", _under_a_file, 2, "cannot be written"),
    ("warehouse of DuckDB 2", "run", _duckdb_2, 1, "in storage version 69"),
    ("batch size 0", "run --batch-size 0", None, 2, "batch_size"),
    ("source missing", "run --source {tmp}/missing.jsonl", None, 2, "does not exist"),
    *[
        (f"{cmd}: warehouse is a folder", cmd, _folder, 2, "is a folder")
        for cmd in ("sql", "runs", "docs", "report", "shell", "sources")
    ],
    *[
        (f"{cmd}: warehouse is not DuckDB", cmd, _not_duckdb, 1, "cannot be opened")
        for cmd in ("sql", "runs", "docs", "report", "shell", "sources")
    ],
    *[
        (f"{cmd}: warehouse of DuckDB 2", cmd, _duckdb_2, 1, "convert it once with DuckDB 2")
        for cmd in ("sql", "runs", "docs", "report", "shell", "sources")
    ],
    *[
        (f"{cmd}: no warehouse", cmd, None, 2, "no warehouse at")
        for cmd in ("sql", "runs", "docs", "report", "shell")
    ],
]


@pytest.mark.parametrize(("case", "command", "make", "code", "says"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_fault_is_one_line_with_its_exit_code_and_the_warehouse_is_unchanged(
    prefect_harness, tmp_path, case, command, make, code, says
):
    from typer.testing import CliRunner

    from flows.cli import app

    (tmp_path / "plain.txt").write_text("a file\n")
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id": "1", "text": story(1)}) + "\n")
    wh = tmp_path / "w.duckdb"
    wh = (make(wh) or wh) if make else wh
    before = sorted(p.name for p in tmp_path.iterdir())
    content = wh.read_bytes() if wh.is_file() else None
    args = command.format(tmp=tmp_path).split()
    if args[0] == "run" and "--source" not in args:
        args += ["--source", str(src)]
    args += {"sql": ["select 1"]}.get(args[0], [])
    args += ["--warehouse", str(wh), *(["--no-progress"] if args[0] == "run" else [])]
    res = CliRunner().invoke(app, args, input="")
    assert res.exit_code == code, res.output
    lines = [x for x in res.output.splitlines() if x.strip()]
    if args[0] == "sources":  # it lists the sources first, then says why it has no counts
        lines = lines[-1:]
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert (wh.read_bytes() if wh.is_file() else None) == content  # left as it was
    made = set(sorted(p.name for p in tmp_path.iterdir())) - set(before)
    assert made <= {"w.duckdb.lock", "w.log"}, made  # no warehouse, staging copy or report made
