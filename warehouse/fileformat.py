"""A DuckDB file's storage version and writer, read from its header without DuckDB, so a
warehouse written by a newer DuckDB is refused with what happened and how to convert it
(docs/operations.md, "DuckDB versions") instead of DuckDB's storage error.

The first 4096 bytes are DuckDB's main header: a checksum (8 bytes), b"DUCK" (4), the
storage version (uint64, little-endian, 8), four flags (32), then the version of the
DuckDB that created the file ("v1.5.5", 32 bytes, NUL-padded). Two database headers
follow (4096 bytes each; the one with the higher iteration count is current). DuckDB 2.0
and later write 999 as the main header's version and the real one (69 for 2.0) as the
database header's eighth uint64.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import duckdb

# the storage versions (main header) that DuckDB 1.5 reads: 64 (v0.9 to v1.1 formats, what
# 1.5.5 writes) to 68 (v1.5); tests/warehouse/test_fileformat.py checks them against DuckDB
READABLE = range(64, 69)
FROM_THE_DATABASE_HEADER = 999  # DuckDB >= 2.0: the version is in the database headers
HEADER_SIZE = 4096


@dataclass(frozen=True)
class Header:
    storage_version: int  # the real one: the database header's for a file of DuckDB >= 2.0
    main_version: int  # what the main header says (999 for DuckDB >= 2.0)
    created_by: str  # the DuckDB that created the file, e.g. "v2.0.1"; "" when not recorded


def read_header(path: str | os.PathLike[str]) -> Header | None:
    """The header of the DuckDB file at `path`; None when it is not one (too short, no
    magic bytes) or cannot be read."""
    try:
        with open(path, "rb") as f:
            head = f.read(3 * HEADER_SIZE)
    except OSError:
        return None
    if len(head) < HEADER_SIZE or head[8:12] != b"DUCK":
        return None
    (main,) = struct.unpack_from("<Q", head, 12)
    created_by = head[52:84].split(b"\0", 1)[0].decode("ascii", "replace")
    version = main
    if main == FROM_THE_DATABASE_HEADER and len(head) == 3 * HEADER_SIZE:
        # each database header: checksum, iteration, meta block, free list, block count,
        # block allocation size, vector size, storage version (uint64 each)
        headers = [struct.unpack_from("<8Q", head, off) for off in (HEADER_SIZE, 2 * HEADER_SIZE)]
        version = max(headers, key=lambda h: h[1])[7]
    return Header(version, main, created_by)


def unreadable_reason(path: str | os.PathLike[str]) -> str | None:
    """Why this DuckDB cannot open the DuckDB file at `path` (its storage version), or None
    when its header is readable or it is no DuckDB file (DuckDB says why then)."""
    h = read_header(path)
    if h is None or h.main_version in READABLE:
        return None
    by = f"DuckDB {h.created_by}" if h.created_by else "another DuckDB"
    lo, hi = READABLE[0], READABLE[-1]
    what = (
        f"{Path(path)} was created by {by} in storage version {h.storage_version}; newsetl's "
        f"DuckDB {duckdb.__version__} and the pinned duckdb CLI read storage versions {lo} to {hi}"
    )
    if h.storage_version > hi:
        how = "convert it once with DuckDB 2 (docs/operations.md, 'DuckDB versions')"
    else:
        how = f"export it with {by} (EXPORT DATABASE) and import it here (IMPORT DATABASE)"
    return f"{what}: {how}"
