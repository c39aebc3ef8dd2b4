"""The DuckDB CLI of the pinned `duckdb-cli` package, for analysts and `newsetl shell --cli`.

The package installs the CLI binary (`duckdb_cli/duckdb`) and a console script `duckdb`
(a Python wrapper that runs the binary) into the environment: `duckdb -readonly
data/news.duckdb` is what analysts type. `newsetl shell --cli` runs the binary itself, in
read-only and safe mode: the wrapper ends the whole session on Ctrl-C (a traceback)
where DuckDB's own CLI only cancels the running query.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
import sysconfig
from pathlib import Path

PACKAGE = "duckdb-cli"


class CliUnavailable(RuntimeError):
    """The duckdb-cli package (or its binary) is not installed in this environment."""


def _files() -> list[importlib.metadata.PackagePath]:
    try:
        return list(importlib.metadata.files(PACKAGE) or [])
    except importlib.metadata.PackageNotFoundError as exc:
        raise CliUnavailable(f"the DuckDB CLI is not installed: package {PACKAGE} is missing") from exc


def binary() -> Path:
    """The CLI executable inside the installed duckdb-cli package."""
    for f in _files():
        if f.name == "duckdb" and f.parent.name == "duckdb_cli":
            p = Path(str(f.locate()))
            if os.access(p, os.X_OK):
                return p
    raise CliUnavailable(f"the DuckDB CLI binary is missing from package {PACKAGE}: reinstall it")


def script() -> Path:
    """The `duckdb` console script of the duckdb-cli package, as analysts run it: in this
    environment's scripts folder (the venv's bin), else beside the running Python."""
    _files()  # the package is installed
    dist = importlib.metadata.distribution(PACKAGE)
    names = sorted(ep.name for ep in dist.entry_points if ep.group == "console_scripts")
    for folder in (Path(sysconfig.get_path("scripts")), Path(sys.executable).parent):
        for name in names:
            if (folder / name).is_file():
                return folder / name
    raise CliUnavailable(f"the console script of package {PACKAGE} ({', '.join(names)}) is missing")


def readonly_argv(cli: str | os.PathLike[str], warehouse: str | os.PathLike[str]) -> list[str]:
    """The command line that opens `warehouse` read-only in safe mode: no writes to it, and
    no other file reached (COPY ... TO, ATTACH, .output, .shell refused), as `newsetl shell`."""
    return [str(cli), "-readonly", "-safe", str(warehouse)]
