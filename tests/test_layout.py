"""The packages' layout: no module may shadow a standard-library module, since a flows/
folder on sys.path (a Prefect worker, `prefect deploy` pulling the project) would then
import `http.py` for `http` and break httpx, urllib and every client."""

from __future__ import annotations

import sys

from tests.conftest import ROOT

PACKAGES = ("flows", "transforms", "expectations", "warehouse", "benchmarks", "training", "tests")


def test_no_module_shadows_the_standard_library():
    shadows = [
        str(p.relative_to(ROOT))
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*")
        if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))
        and p.stem in sys.stdlib_module_names
    ]
    assert shadows == []


def test_the_fast_loop_has_no_flow_prefect_or_slow_test(request):
    """`make test-fast` (-m 'not integration and not model') leaves out every test that needs Prefect
    (through any fixture) or is marked slow: they are marked `integration` at collection."""
    items = request.session.items
    fast = [i for i in items if not i.get_closest_marker("integration")]
    for item in items:
        if "prefect_harness" in item.fixturenames or item.get_closest_marker("slow"):
            assert item.get_closest_marker("integration"), item.nodeid
    assert not any("prefect_harness" in i.fixturenames for i in fast)
    if len(items) > 100:  # the whole suite was collected: the fast loop is most of it
        assert len(fast) > len(items) / 2
