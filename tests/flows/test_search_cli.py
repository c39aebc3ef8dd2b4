"""`newsetl search`: ranked articles and actions with their evidence, --since, --limit,
--json; an empty answer says why (stopwords, words in no text, --since); a warehouse
without the index, a missing one and an empty query are one line; an
article a run quarantined is not found, its loaded neighbour is."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.warehouse.search_batches import action, article, load

runner = CliRunner()


@pytest.fixture
def wh(tmp_path):
    from warehouse.db import Warehouse

    path = tmp_path / "w.duckdb"
    with Warehouse(path) as w:
        load(
            w,
            [
                article(
                    "a1",
                    "Facial recognition halted",
                    "Amazon halted facial recognition sales.",
                    datetime(2020, 6, 10),
                ),
                article("a2", "Faces", "Recognition of faces is hard.", datetime(2019, 1, 5)),
                article("a3", "Harvest", "The harvest was early.", datetime(2020, 6, 1)),
            ],
            [action("a1", 1, "Amazon halted facial recognition sales.", "halt")],
        )
        w.publish()
    return path


def search(*args: str):
    return runner.invoke(app, ["search", *args])


def test_prints_ranked_articles_then_actions_with_their_evidence(wh):
    res = search("facial recognition", "-w", str(wh))
    assert res.exit_code == 0, res.output
    articles, actions = res.output.split("actions matching")
    assert articles.index("a1") < articles.index("a2") and "a3" not in articles
    assert "Facial recognition halted" in articles and "2020-06-10" in articles
    assert "halt" in actions and "Amazon halted facial" in actions


def test_json_since_and_limit(wh):
    res = search("facial recognition", "-w", str(wh), "--json")
    rows = [json.loads(line) for line in res.output.splitlines()]
    assert [(r["kind"], r["article_id"]) for r in rows] == [
        ("article", "a1"),
        ("article", "a2"),
        ("action", "a1"),
    ]
    assert rows[0]["score"] > rows[1]["score"] > 0 and rows[2]["evidence"].startswith("Amazon")
    res = search("facial recognition", "-w", str(wh), "--json", "--since", "2020-01-01")
    assert [json.loads(line)["article_id"] for line in res.output.splitlines()] == ["a1", "a1"]
    res = search("recognition", "-w", str(wh), "--json", "--limit", "1")
    assert [json.loads(line)["kind"] for line in res.output.splitlines()] == ["article", "action"]


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["  "], 2, "no query given"),
        (["x", "--limit", "0"], 2, "--limit must be at least 1"),
        (["x", "--since", "June"], 2, "Invalid value for '--since'"),
    ],
)
def test_bad_arguments(wh, args, code, says):
    res = search(*args, "-w", str(wh))
    assert res.exit_code == code and says in res.output, res.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["the of and"], "nothing found; stopwords, never indexed: and, of, the"),
        (["zanzibar harvest"], None),  # one word is enough: a3 is found
        (["zanzibar quokka"], "nothing found; in no indexed text: quokka, zanzibar"),
        (["the zanzibar"], "nothing found; stopwords, never indexed: the; in no indexed text: zanzibar"),
        (["harvest", "--since", "2021-01-01"], "no article or action matches (with --since"),
    ],
)
def test_an_empty_answer_says_why(wh, args, says):
    res = search(*args, "-w", str(wh))
    assert res.exit_code == 0, res.output
    if says is None:
        assert "a3" in res.output and "nothing found" not in res.output
    else:
        assert says in res.output


def test_a_warehouse_without_the_index_or_none_at_all(tmp_path):
    import duckdb

    old = tmp_path / "old.duckdb"
    duckdb.connect(str(old)).execute("CREATE TABLE articles (article_id VARCHAR)").close()
    res = search("x", "-w", str(old))
    assert res.exit_code == 1 and "has no search index yet: a run (newsetl run) adds it" in res.output
    res = search("x", "-w", str(tmp_path / "none.duckdb"))
    assert res.exit_code == 2 and "no warehouse at" in res.output


def test_a_quarantined_article_is_not_found(prefect_harness, tmp_path):
    src = tmp_path / "a.jsonl"
    records = [
        {"id": "1", "title": "Acme buys Beta", "text": "Acme Corp said it would buy Beta Inc."},
        {"id": "2", "title": "Zanzibarian summit", "text": "<p> </p>"},  # nothing left after cleaning
    ]
    src.write_text("".join(json.dumps(r) + "\n" for r in records))
    wh = tmp_path / "w.duckdb"
    res = runner.invoke(app, ["run", "--source", str(src), "--warehouse", str(wh), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "quarantined 1" in res.output
    res = search("zanzibarian summit", "-w", str(wh), "--json")
    assert res.exit_code == 0 and res.output == ""
    res = search("Acme buys", "-w", str(wh), "--json")
    kinds = [json.loads(line)["kind"] for line in res.output.splitlines()]
    assert kinds[0] == "article" and "action" in kinds
