"""A warehouse in a storage version this DuckDB cannot read (written by DuckDB 2) is refused
on open with what happened and how to convert it, and is left as it was."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from tests.conftest import ROOT
from tests.warehouse.duckdb_files import forged
from warehouse.connection import connect, reader
from warehouse.db import Warehouse
from warehouse.errors import WarehouseTooNew
from warehouse.fileformat import READABLE, read_header


@pytest.mark.parametrize("version", [63, 64, 68, 69])
def test_the_readable_storage_versions_are_the_ones_duckdb_opens(tmp_path, version):
    wh = forged(tmp_path / "w.duckdb", version)
    try:
        duckdb.connect(str(wh), read_only=True).close()
        opened = True
    except duckdb.IOException as exc:
        assert "version number" in str(exc)
        opened = False
    assert opened == (version in READABLE)


def test_a_file_this_duckdb_writes_is_readable(tmp_path):
    connect(tmp_path / "w.duckdb").close()
    h = read_header(tmp_path / "w.duckdb")
    assert h is not None and h.main_version in READABLE and h.created_by == f"v{duckdb.__version__}"


def _duckdb_2(path: Path) -> Path:
    """As DuckDB 2.0.1 writes a file: 999 in the main header, 69 in the database headers."""
    return forged(path, 999, storage_version=69, created_by="v2.0.1")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda p: forged(p, 69), "created by DuckDB v1.5.5 in storage version 69"),
        (_duckdb_2, "created by DuckDB v2.0.1 in storage version 69"),
    ],
    ids=["header 69", "as DuckDB 2.0.1 writes"],
)
@pytest.mark.parametrize("opening", ["read-only", "reader", "writable", "a run"])
def test_a_newer_storage_version_is_refused_with_how_to_convert_it(tmp_path, make, says, opening):
    wh = make(tmp_path / "w.duckdb")
    with pytest.raises(duckdb.IOException, match="version number"):  # DuckDB refuses it too
        duckdb.connect(str(wh), read_only=True)
    before = wh.read_bytes()
    open_it = {
        "read-only": lambda: connect(wh, read_only=True),
        "reader": lambda: reader(wh),
        "writable": lambda: connect(wh),
        "a run": lambda: Warehouse(wh),
    }[opening]
    with pytest.raises(WarehouseTooNew) as caught:
        open_it()
    message = str(caught.value)
    assert says in message and "read storage versions 64 to 68" in message
    assert "convert it once with DuckDB 2" in message and "docs/operations.md" in message
    assert "\n" not in message
    assert wh.read_bytes() == before
    made = {p.name for p in tmp_path.iterdir()} - {"w.duckdb"}
    assert made == ({"w.duckdb.lock"} if opening == "a run" else set())  # no staging copy


def test_the_message_names_a_section_of_operations_md_that_says_how_to_convert(tmp_path):
    wh = _duckdb_2(tmp_path / "w.duckdb")
    with pytest.raises(WarehouseTooNew) as caught:
        connect(wh, read_only=True)
    section = re.search(r"docs/operations.md, '([^']+)'", str(caught.value)).group(1)
    doc = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    body = doc.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    assert "duckdb==2.0.1" in body and "COPY FROM DATABASE" in body and "STORAGE_VERSION 'v1.5.0'" in body
    assert "EXPORT DATABASE" in body and "IMPORT DATABASE" in body


def test_a_file_that_is_no_duckdb_file_is_left_to_duckdb(tmp_path):
    junk = tmp_path / "w.duckdb"
    junk.write_bytes(b"not DuckDB\n" * 1000)
    assert read_header(junk) is None
    with pytest.raises(Exception, match="cannot be opened") as caught:
        connect(junk, read_only=True)
    assert not isinstance(caught.value, WarehouseTooNew)
