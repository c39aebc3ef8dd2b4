"""DuckDB files whose header says what a test needs (another storage version, another
DuckDB that created them), made from a real file by rewriting header fields and their
checksums as DuckDB computes them, so DuckDB itself reads the header as forged."""

from __future__ import annotations

import struct
from pathlib import Path

import duckdb

BLOCK = 4096  # the main header, then two database headers, each with its checksum first


def _checksum(block: bytes) -> int:
    """DuckDB's checksum of a header block's bytes after its first 8."""
    result = 5381
    for (word,) in struct.iter_unpack("<Q", block[8:]):
        result ^= (word * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    return result


def forged(
    path: Path, main_version: int, *, storage_version: int | None = None, created_by: str | None = None
) -> Path:
    """A small real DuckDB file at `path` (table t, 3 rows) whose main header says
    `main_version`, its database headers `storage_version` and its creator `created_by`."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT range AS i FROM range(3)")
    con.close()
    data = bytearray(path.read_bytes())
    struct.pack_into("<Q", data, 12, main_version)
    if created_by is not None:
        data[52:84] = created_by.encode().ljust(32, b"\0")
    for off in (BLOCK, 2 * BLOCK):
        if storage_version is not None:
            struct.pack_into("<Q", data, off + 56, storage_version)
    for off in (0, BLOCK, 2 * BLOCK):
        struct.pack_into("<Q", data, off, _checksum(bytes(data[off : off + BLOCK])))
    path.write_bytes(bytes(data))
    return path
