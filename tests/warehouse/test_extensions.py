"""DuckDB extensions come from their PyPI packages: fts loads from its package with no
network (BM25 answers), signatures are checked, and our connections never download one."""

from __future__ import annotations

import duckdb
import pytest

from warehouse import extensions
from warehouse.connection import connect, reader
from warehouse.extensions import ExtensionUnavailable, extension_path, load, offline

DOCS = [
    (1, "Amazon sold its facial recognition software to police departments"),
    (2, "The weather was fine and the harvest was early"),
    (3, "Cameras that recognise faces: recognition of facial features in crowds"),
    (4, "IBM stopped selling facial recognition"),
]


@pytest.fixture
def no_network(tmp_path):
    """A connection on which any download would fail: an empty extension folder and an
    extension repository on a closed local port (there is no internet here either)."""
    con = duckdb.connect()
    (tmp_path / "extensions").mkdir()
    con.execute(f"SET extension_directory = '{tmp_path / 'extensions'}'")
    con.execute("SET custom_extension_repository = 'http://127.0.0.1:9/'")
    offline(con)
    yield con
    con.close()
    assert list((tmp_path / "extensions").iterdir()) == []  # nothing was installed


@pytest.mark.parametrize("name", ["fts", "ducklake", "sqlite", "postgres"])
def test_each_pinned_extension_is_found_in_its_package_for_this_duckdb(name):
    path = extension_path(name)
    assert path.is_file() and path.name == f"{name}.duckdb_extension"
    assert f"v{duckdb.__version__}" in path.parts and "site-packages" in path.parts


@pytest.mark.parametrize(
    ("name", "loaded_as"),
    [("ducklake", "ducklake"), ("sqlite", "sqlite_scanner"), ("postgres", "postgres_scanner")],
)
def test_each_lake_extension_loads_from_its_package_offline(no_network, name, loaded_as):
    """sqlite and postgres ship as NAME.duckdb_extension, but their entry point is
    NAME_scanner's: they load through a link of that name to the package's file."""
    load(no_network, name)
    assert no_network.execute(
        "SELECT loaded, installed FROM duckdb_extensions() WHERE extension_name = ?", [loaded_as]
    ).fetchall() == [(True, False)]


def test_fts_loads_from_its_package_offline_and_ranks_with_bm25(no_network):
    con = no_network
    with pytest.raises(duckdb.Error):  # not there before it is loaded, and not fetched
        con.execute("PRAGMA create_fts_index('docs', 'id', 'body')")
    load(con, "fts")
    assert con.execute(
        "SELECT loaded, installed FROM duckdb_extensions() WHERE extension_name = 'fts'"
    ).fetchall() == [(True, False)]
    con.execute("CREATE TABLE docs (id INTEGER, body VARCHAR)")
    con.executemany("INSERT INTO docs VALUES (?, ?)", DOCS)
    con.execute("PRAGMA create_fts_index('docs', 'id', 'body')")
    rows = con.execute(
        """SELECT id FROM (SELECT id, fts_main_docs.match_bm25(id, ?) AS score FROM docs)
           WHERE score IS NOT NULL ORDER BY score DESC, id""",
        ["facial recognition software"],
    ).fetchall()
    assert rows[0] == (1,) and {r[0] for r in rows} == {1, 3, 4}  # the weather is no match


def test_a_file_without_duckdb_s_signature_is_refused(no_network, tmp_path, monkeypatch):
    data = bytearray(extension_path("fts").read_bytes())
    data[len(data) // 2] ^= 0xFF
    tampered = tmp_path / "fts.duckdb_extension"
    tampered.write_bytes(bytes(data))
    monkeypatch.setattr(extensions, "extension_path", lambda name: tampered)
    with pytest.raises(duckdb.IOException, match="signature"):
        load(no_network, "fts")


def test_a_package_built_for_another_duckdb_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(duckdb, "__version__", "1.9.0")
    with pytest.raises(ExtensionUnavailable, match=r"no build for DuckDB v1\.9\.0 \(it has: v1\.5\.5\)"):
        extension_path("fts")
    with pytest.raises(ExtensionUnavailable, match="duckdb-extension-nosuch is not installed"):
        extension_path("nosuch")


@pytest.mark.parametrize("opening", ["writable", "read-only", "reader"])
def test_the_warehouse_connections_never_install_or_load_an_extension_by_themselves(tmp_path, opening):
    """Only a writable connection has fts (the search index: warehouse/search_index.py),
    loaded from its package, never installed; no other extension comes by itself."""
    wh = tmp_path / "w.duckdb"
    connect(wh).close()
    opens = {"writable": connect, "read-only": lambda p: connect(p, read_only=True), "reader": reader}
    con = opens[opening](wh)
    try:
        assert con.execute(
            "SELECT current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions')"
        ).fetchall() == [(False, False)]
        # a function of a known extension that is not loaded: no attempt to install it
        with pytest.raises(duckdb.CatalogException, match="not in the catalog, but it exists in the sqlite"):
            con.execute("SELECT * FROM sqlite_scan('x.db', 't')")
        if opening == "writable":
            assert con.execute("SELECT stem('running', 'porter')").fetchone() == ("run",)
            assert con.execute(
                "SELECT installed FROM duckdb_extensions() WHERE extension_name = 'fts'"
            ).fetchone() == (False,)
        else:
            with pytest.raises(duckdb.CatalogException, match="not in the catalog, but it exists in the fts"):
                con.execute("SELECT stem('running', 'porter')")
    finally:
        con.close()


def test_a_reader_loads_the_extensions_it_is_given_before_locking(tmp_path):
    wh = tmp_path / "w.duckdb"
    connect(wh).close()
    con = reader(wh, extensions=("fts",))
    try:
        assert con.execute("SELECT stem('recognises', 'porter')").fetchone() == ("recognis",)
        with pytest.raises(duckdb.Error, match="locked"):
            con.execute("SET enable_external_access = true")
    finally:
        con.close()


def test_a_connection_opens_beside_a_reader_that_locked_the_configuration(tmp_path):
    wh = tmp_path / "w.duckdb"
    connect(wh).close()
    locked = reader(wh)
    try:
        con = connect(wh, read_only=True)  # the same database in this process: its settings
        assert con.execute("SELECT current_setting('autoload_known_extensions')").fetchone() == (False,)
        con.close()
    finally:
        locked.close()
