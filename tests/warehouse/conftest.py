"""Fixtures of the warehouse tests: the backend to run a test on, a PostgreSQL server."""

from __future__ import annotations

import itertools

import pytest

from tests.warehouse.backends import BACKENDS, warehouse_at


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """The backend a parametrised test runs on: 'file' (DuckDB) or 'lake' (DuckLake, SQLite catalog)."""
    return str(request.param)


@pytest.fixture
def wh_path(backend, tmp_path) -> str:
    """A fresh warehouse setting of the test's backend."""
    return warehouse_at(backend, tmp_path)


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server (127.0.0.1, a free port) for this test process."""
    from tests.warehouse.pgserver import postgres_server

    with postgres_server() as server:
        yield server


_DB_NUMBERS = itertools.count(1)


@pytest.fixture
def postgres_lake(postgres, tmp_path, monkeypatch) -> str:
    """A new DuckLake setting on its own PostgreSQL database; data and report beside tmp_path."""
    dsn = postgres.createdb(f"lake{next(_DB_NUMBERS)}")
    monkeypatch.setenv("NEWSETL_LAKE_DATA_PATH", str(tmp_path / "lake-files"))
    monkeypatch.setenv("NEWSETL_LAKE_HOME", str(tmp_path))
    return f"ducklake:postgres:{dsn}"
