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

import atexit
import importlib.metadata
import os
import shutil
import tempfile
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


# DuckDB finds an extension's entry point by its file's name (`NAME_duckdb_cpp_init`);
# these packages ship the file under the short name, the entry point is the long one's
_ENTRY_NAMES = {"sqlite": "sqlite_scanner", "postgres": "postgres_scanner"}
_LINKS: list[Path] = []  # this process's folder of such links (made on first use)


def _loadable(name: str) -> Path:
    """The package's file, under the name its entry point needs: a symbolic link in a
    private folder of this process (removed at exit) when the names differ. The link points
    at the package's own file, and DuckDB checks the signature of what it reads."""
    path = extension_path(name)
    entry = _ENTRY_NAMES.get(name)
    if entry is None:
        return path
    if not _LINKS:
        folder = Path(tempfile.mkdtemp(prefix="newsetl-ext-"))
        atexit.register(shutil.rmtree, folder, True)
        _LINKS.append(folder)
    link = _LINKS[0] / f"{entry}.duckdb_extension"
    if not link.is_symlink() or Path(os.readlink(link)) != path:
        tmp = link.with_name(f"{link.name}.{os.getpid()}.tmp")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(path)
        os.replace(tmp, link)
    return link


def load(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load extension `name` from its PyPI package on `con` (signature checked by DuckDB).
    Call it before a connection turns external access off (`connection.reader`)."""
    path = str(_loadable(name))
    # LOAD takes no bound parameter; the path is the installed package's own, quoted here
    con.execute("LOAD '{}'".format(path.replace("'", "''")))
