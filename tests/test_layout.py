"""The packages' layout: no module may shadow a standard-library module, since a flows/
folder on sys.path (a Prefect worker, `prefect deploy` pulling the project) would then
import `http.py` for `http` and break httpx, urllib and every client."""

from __future__ import annotations

import sys

from tests.conftest import ROOT

PACKAGES = ("flows", "transforms", "expectations", "warehouse", "benchmarks", "tests")


def test_no_module_shadows_the_standard_library():
    shadows = [
        str(p.relative_to(ROOT))
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*")
        if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))
        and p.stem in sys.stdlib_module_names
    ]
    assert shadows == []
