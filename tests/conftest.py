"""Shared fixtures: one spaCy model per session, one Prefect test harness per session."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# one process: the tests parse a few articles; worker start-up would cost more than it saves
os.environ.setdefault("NEWSETL_N_PROCESS", "1")

import pytest  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "data" / "sample"


# fixtures that make a test an integration test: it runs the flow (and so needs Prefect)
INTEGRATION_FIXTURES = frozenset({"prefect_harness"})


def pytest_collection_modifyitems(config, items):
    """The test pyramid: a test is `integration` when it (through any fixture) needs the
    Prefect harness, or is marked so (it starts processes or servers); `model` when it
    needs the packaged spaCy model. `make test-fast` runs the others
    (-m 'not integration and not model'), `make test-model` the model ones."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & INTEGRATION_FIXTURES or item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.integration)
        if "nlp" in names:
            item.add_marker(pytest.mark.model)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # `make test` runs on pytest-xdist workers: hand out the long tests (processes,
        # servers, whole runs) first, so the last minutes are not one worker on one of them
        items.sort(key=lambda item: item.get_closest_marker("integration") is None)


@pytest.fixture(scope="session")
def nlp():
    from transforms.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def prefect_harness():
    """A temporary Prefect server/database for the whole session (started once)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def run_nightly_flow(sources, warehouse, **kw) -> dict:
    """The nightly flow over `sources` into `warehouse` (needs the `prefect_harness`)."""
    from flows.nightly import run_nightly

    return run_nightly(sources=[str(s) for s in sources], warehouse=str(warehouse), **kw)


@pytest.fixture
def run_flow(prefect_harness, tmp_path):
    """Run the nightly flow into a fresh warehouse (or a given one); returns the result."""

    def _run(sources, warehouse=None, **kw):
        return run_nightly_flow(sources, warehouse or tmp_path / "news.duckdb", **kw)

    return _run


def shared_path(*parts: str) -> Path:
    """A path under ../shared/, or skip the test when it is absent."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not available")
    return p


def query(wh, sql, params=None):
    """Rows of one read-only query against a warehouse file."""
    import duckdb

    con = duckdb.connect(str(wh), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="session")
def sample_warehouse(prefect_harness, tmp_path_factory) -> Path:
    """A warehouse built by the nightly flow from the bundled sample (read it, don't write)."""
    from flows.nightly import run_nightly

    wh = tmp_path_factory.mktemp("sample-warehouse") / "news.duckdb"
    result = run_nightly(sources=[str(SAMPLE)], warehouse=str(wh))
    assert result["status"] == "succeeded"
    return wh


class QuietHTTPServer:
    """Mixin for test HTTP servers: a client that gave up (timeout, size cap) is expected."""

    def handle_error(self, request, client_address):
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def install_plugin(tmp_path: Path, monkeypatch, module: str, code: str, entry_points: str) -> Path:
    """A plugin distribution (module + .dist-info with entry points) in a temp folder on
    sys.path, and on PYTHONPATH so that spawned worker processes find it too; nothing is
    installed."""
    import textwrap

    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    dist = module.replace("_", "-")
    info = site / f"{module}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points).lstrip(), encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    return site
