"""The search index: tokens and scores are the fts extension's, ranking follows BM25 and
the stems, --since filters, a reloaded article's old terms are gone, copies are not indexed,
the counts reconcile, and migration 11 indexes a warehouse written before it."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from tests.warehouse.search_batches import action, article, load
from warehouse import migrations
from warehouse.connection import connect
from warehouse.db import Warehouse
from warehouse.extensions import load as load_extension
from warehouse.search import search, stems

DOCS = [
    article(
        "a1",
        "Facial recognition halted",
        "Amazon halted sales of facial recognition to police.",
        datetime(2020, 6, 10),
    ),
    article("a2", "Harvest", "The weather was fine and the harvest was early.", datetime(2020, 6, 1)),
    article(
        "a3",
        "Faces",
        "Cameras recognised faces; recognition of faces in crowds is hard.",
        datetime(2019, 1, 5),
    ),
    article("a4", "IBM", "IBM said it would stop selling facial analysis software.", datetime(2020, 6, 8)),
    article("a5", "Police", "Police recognised the danger of the new software.", None),
]
ACTIONS = [
    action("a1", 1, "Amazon halted sales of facial recognition to police.", "halt"),
    action("a4", 1, "IBM said it would stop selling facial analysis software.", "stop"),
]


@pytest.fixture
def wh_path(tmp_path):
    path = tmp_path / "w.duckdb"
    with Warehouse(path) as wh:
        load(wh, DOCS, ACTIONS)
        wh.publish()
    return path


def ranked(path, q, kind="article", **kw) -> list[str]:
    hits = search(path, q, **kw)
    rows = hits.articles if kind == "article" else hits.actions
    return [r[0] for r in rows]


@pytest.mark.parametrize(
    "text",
    [
        "Facial recognition, halted!",
        "  leading space and trailing ",
        "Café déjà-vu: naïve 3D/AI e-mail it's O'Neil's \"quoted\" [x] {y} a_b #1 50%",
        "MULTI\nLINE\ttext — with dashes – and “curly” quotes",
    ],
)
def test_tokens_are_the_fts_extension_s(text):
    con = duckdb.connect()
    load_extension(con, "fts")
    con.execute("CREATE TABLE d (id INTEGER, t VARCHAR)")
    con.execute("PRAGMA create_fts_index('d', 'id', 't')")
    from warehouse.search_index import tokens

    ours = con.execute(f"SELECT {tokens('?')}", [text]).fetchone()
    theirs = con.execute("SELECT fts_main_d.tokenize(?)", [text]).fetchone()
    assert ours == theirs


def test_scores_are_the_fts_extension_s_match_bm25(wh_path):
    """The articles' scores equal match_bm25 of an fts index built (stopwords, Porter) over
    the same texts: the incremental index ranks as PRAGMA create_fts_index would."""
    con = duckdb.connect()
    load_extension(con, "fts")
    con.execute("CREATE TABLE d (id VARCHAR, t VARCHAR)")
    con.executemany(
        "INSERT INTO d VALUES (?, ?)", [(d["article_id"], f"{d['title']} {d['body']}") for d in DOCS]
    )
    con.execute("PRAGMA create_fts_index('d', 'id', 't')")
    for q in ("facial recognition", "recognised police software", "weather"):
        theirs = con.execute(
            """SELECT id, round(score, 3) FROM (SELECT id, fts_main_d.match_bm25(id, ?) AS score FROM d)
               WHERE score IS NOT NULL ORDER BY score DESC, id""",
            [q],
        ).fetchall()
        hits = search(wh_path, q)
        assert [(r[0], r[-1]) for r in hits.articles] == theirs, q


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("facial recognition", ["a1", "a4", "a3"]),  # both words first; then the shorter text
        ("recognises", ["a5", "a3"]),  # recognis: recognised, not recognition (recognit)
        ("recognitions", ["a1", "a3"]),  # recognit: twice in a1 (title and body)
        ("the of and", []),  # stopwords only
        ("zanzibar", []),
    ],
)
def test_ranking_follows_bm25_and_the_stems(wh_path, query, expected):
    assert ranked(wh_path, query) == expected


def test_porter_stems_as_the_index_has_them(wh_path):
    from warehouse.connection import reader

    con = reader(wh_path, extensions=("fts",))
    try:
        assert sorted(stems(con, "Recognises recognition, recognised!")) == ["recognis", "recognit"]
    finally:
        con.close()


def test_actions_are_found_by_their_evidence(wh_path):
    hits = search(wh_path, "facial recognition")
    assert [(r[0], r[3]) for r in hits.actions] == [("a1", "halt"), ("a4", "stop")]
    assert hits.actions[0][4] == "Amazon halted sales of facial recognition to police."


def test_since_filters_on_publication_else_load_day(wh_path):
    assert ranked(wh_path, "facial recognition", since=date(2020, 6, 9)) == ["a1"]
    assert ranked(wh_path, "recognised", since=date(2020, 1, 1)) == ["a5"]  # no date: its load day
    assert ranked(wh_path, "facial", kind="action", since=date(2020, 6, 9)) == ["a1"]


def test_limit(wh_path):
    assert ranked(wh_path, "facial recognition", limit=1) == ["a1"]


def counts(path) -> dict[str, object]:
    con = connect(path, read_only=True)
    try:
        row = con.execute(
            """SELECT (SELECT count(*) FROM search_docs WHERE kind = 'article'),
                      (SELECT count(*) FROM articles WHERE duplicate_of IS NULL),
                      (SELECT count(*) FROM search_docs WHERE kind = 'action'),
                      (SELECT count(*) FROM actions),
                      (SELECT sum(length) FROM search_docs),
                      (SELECT sum(tf) FROM search_terms),
                      (SELECT count(*) FROM search_terms WHERE doc_id NOT IN (SELECT doc_id FROM search_docs)),
                      (SELECT count(*) FROM search_docs d JOIN articles a USING (article_id)
                       WHERE d.run_id <> a.run_id)"""
        ).fetchone()
    finally:
        con.close()
    assert row is not None
    keys = ("docs", "articles", "action_docs", "actions", "length", "tf", "orphans", "stale_runs")
    return dict(zip(keys, row, strict=True))


def test_counts_reconcile(wh_path):
    c = counts(wh_path)
    assert c["docs"] == c["articles"] == 5 and c["action_docs"] == c["actions"] == 2
    assert c["length"] == c["tf"] and c["orphans"] == c["stale_runs"] == 0


def test_a_reloaded_article_s_old_terms_are_gone(wh_path):
    changed = article("a1", "Weather report", "Rain all week in the valley.", datetime(2020, 6, 11))
    with Warehouse(wh_path) as wh:
        load(wh, [changed], [action("a1", 2, "Rain all week in the valley.", "rain")], run_id="run-2")
        wh.publish()
    assert "a1" not in ranked(wh_path, "facial recognition")
    assert ranked(wh_path, "facial recognition", kind="action") == ["a4"]
    assert ranked(wh_path, "valley") == ["a1"] and ranked(wh_path, "valley", kind="action") == ["a1"]
    c = counts(wh_path)
    assert c["docs"] == c["articles"] == 5 and c["action_docs"] == c["actions"] == 2
    assert c["length"] == c["tf"] and c["orphans"] == c["stale_runs"] == 0


def test_copies_are_not_indexed(tmp_path):
    path = tmp_path / "w.duckdb"
    copy = article("c1", "Facial recognition", "Copy of a story.", duplicate_of="a1", duplicate_kind="exact")
    with Warehouse(path) as wh:
        load(wh, [DOCS[0], copy], ACTIONS[:1])
        wh.publish()
    assert ranked(path, "facial recognition") == ["a1"]
    c = counts(path)
    assert c["docs"] == c["articles"] == 1


def test_migration_11_indexes_a_warehouse_written_before_it(tmp_path, monkeypatch):
    path = tmp_path / "old.duckdb"
    with monkeypatch.context() as m:  # a warehouse of migration 10, with articles and actions
        m.setattr(migrations, "MIGRATIONS", [x for x in migrations.MIGRATIONS if x[0] < 11])
        m.setattr(migrations, "refresh_macros", lambda con: 0)
        later = ("search_words", "search_docs", "search_terms", "article_bands")  # migrations 11, 12
        m.setattr(migrations, "TABLES", [t for t in migrations.TABLES if t.name not in later])
        con = connect(path)
        for row in DOCS:
            cols = [k for k, v in row.items() if v is not None]
            con.execute(
                f"INSERT INTO articles ({', '.join(cols)}, run_id, loaded_at) "
                f"VALUES ({', '.join('?' * len(cols))}, 'run-0', now())",
                [row[k] for k in cols],
            )
        for row in ACTIONS:
            cols = [k for k, v in row.items() if v is not None]
            con.execute(
                f"INSERT INTO actions ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                [row[k] for k in cols],
            )
        assert "search_docs" not in {r[0] for r in con.execute("SHOW TABLES").fetchall()}
        con.close()
    connect(path).close()  # migrates
    assert ranked(path, "facial recognition") == ["a1", "a4", "a3"]
    assert ranked(path, "facial recognition", kind="action") == ["a1", "a4"]
    c = counts(path)
    assert c["docs"] == c["articles"] == 5 and c["action_docs"] == c["actions"] == 2
    assert c["length"] == c["tf"] and c["orphans"] == c["stale_runs"] == 0


def test_the_macro_answers_without_the_extension(wh_path):
    """search_news stems through the vocabulary: a plain read-only connection, with no
    extension loaded, ranks as `newsetl search` does for words the warehouse has seen."""
    con = connect(wh_path, read_only=True)
    try:
        with pytest.raises(duckdb.CatalogException):
            con.execute("SELECT stem('x', 'porter')")
        rows = con.execute(
            """SELECT article_id FROM search_news('facial recognition') WHERE kind = 'article'
               ORDER BY score DESC, article_id"""
        ).fetchall()
    finally:
        con.close()
    assert [r[0] for r in rows] == ranked(wh_path, "facial recognition")


def test_a_backfill_in_chunks_ranks_as_the_batches_did(wh_path, tmp_path):
    """The index kept batch by batch and the one migration 11 builds (here 2 articles at a
    time) give the same scores."""
    from warehouse.search_index import backfill

    before = {q: search(wh_path, q) for q in ("facial recognition", "recognised police software")}
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(wh_path.read_bytes())
    con = connect(copy)
    con.execute("DELETE FROM search_terms")
    con.execute("DELETE FROM search_docs")
    assert backfill(con, chunk=2) == 7
    con.close()
    assert {q: search(copy, q) for q in before} == before
    assert counts(copy)["orphans"] == 0


def test_macros_are_refreshed_only_when_they_differ(tmp_path):
    from warehouse.macros import refresh_macros

    con = connect(tmp_path / "w.duckdb")
    try:
        assert refresh_macros(con) == 0
        con.execute("CREATE OR REPLACE MACRO search_tokens(text) AS ['stale']")
        assert refresh_macros(con) == 1
        assert con.execute("SELECT search_tokens('Two words')").fetchone() == (["two", "words"],)
    finally:
        con.close()
