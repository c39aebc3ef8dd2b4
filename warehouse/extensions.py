"""DuckDB extensions from their PyPI packages, loaded without a download.

The signed extension files ship inside the `duckdb-extension-NAME` packages pinned in
requirements.lock (`duckdb_extension_fts/extensions/v1.5.5/fts.duckdb_extension`), built
for exactly one DuckDB version. `extension_path` finds a file through the package's
installed metadata; `load` LOADs it by that path. `offline` turns off DuckDB's automatic
install and load of known extensions on a connection, so nothing is ever fetched from
DuckDB's repository (every connection `warehouse.connection` opens is offline).

Signature checks stay on: `allow_unsigned_extensions` is never set, so DuckDB refuses a
file that is not the signed build. The file is LOADed from the package rather than
INSTALLed: INSTALL would copy it into `~/.duckdb/extensions`, and a later `LOAD fts` by
name would load whatever file is there.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import duckdb


class ExtensionUnavailable(RuntimeError):
    """The extension's package is not installed, or is built for another DuckDB version."""


def extension_path(name: str) -> Path:
    """The extension file `NAME.duckdb_extension` for this DuckDB inside the installed
    package `duckdb-extension-NAME`."""
    package = f"duckdb-extension-{name}"
    try:
        files = importlib.metadata.files(package) or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise ExtensionUnavailable(f"DuckDB extension {name}: package {package} is not installed") from exc
    builds = [f for f in files if f.name == f"{name}.duckdb_extension"]
    want = f"v{duckdb.__version__}"
    for f in builds:
        if want in f.parts:
            return Path(str(f.locate()))
    found = ", ".join(sorted(p for f in builds for p in f.parts if p.startswith("v"))) or "none"
    raise ExtensionUnavailable(
        f"DuckDB extension {name}: {package} has no build for DuckDB {want} (it has: {found}); "
        "pin the package and duckdb to the same version"
    )


def offline(con: duckdb.DuckDBPyConnection) -> None:
    """No automatic install or load of known extensions on this connection's database:
    an extension is there only when `load` loaded it from its package. Connections to one
    file in a process share its settings: those already off are left alone, so this works
    beside a reader that has locked the configuration (`connection.reader`)."""
    for setting in ("autoinstall_known_extensions", "autoload_known_extensions"):
        row = con.execute("SELECT current_setting(?)", [setting]).fetchone()
        if row is None or row[0]:
            con.execute(f"SET {setting} = false")  # names: the two above


def load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load extension `name` from its PyPI package on `con` (signature checked by DuckDB).
    Call it before a connection turns external access off (`connection.reader`)."""
    path = str(extension_path(name))
    # LOAD takes no bound parameter; the path is the installed package's own, quoted here
    con.execute("LOAD '{}'".format(path.replace("'", "''")))
