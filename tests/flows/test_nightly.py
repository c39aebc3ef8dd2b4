"""The nightly flow end to end, with the real Prefect, spaCy, Great Expectations and DuckDB."""

import json
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, query

q = query


def counts(wh):
    return {
        t: q(wh, f"select count(*) from {t}")[0][0]
        for t in ("articles", "entities", "entity_mentions", "actions")
    }


@pytest.fixture(scope="module")
def sample_wh(prefect_harness, tmp_path_factory):
    from flows.nightly import run_nightly

    wh = tmp_path_factory.mktemp("sample") / "news.duckdb"
    first = run_nightly(sources=[str(SAMPLE)], warehouse=str(wh))
    return wh, first


def test_sample_run_loads_everything(sample_wh):
    wh, result = sample_wh
    c = result["counts"]
    assert result["status"] == "succeeded"
    assert c["articles_seen"] == c["articles_loaded"] >= 11
    assert c["articles_quarantined"] == 0
    assert q(wh, "select count(*) from actions")[0][0] > 0
    run = q(
        wh, "select status, articles_seen, articles_loaded, stage_seconds, validation from pipeline_runs"
    )[0]
    assert run[0] == "succeeded" and run[1] == run[2] == c["articles_seen"]
    assert "parse_extract" in json.loads(run[3]) and "actions" in json.loads(run[4])
    docs = Path(json.loads(run[4])["data_docs"])
    assert docs.name == "index.html" and docs.exists() and str(docs).startswith(str(wh) + ".gx")
    assert "actions" in docs.read_text() or any(docs.parent.joinpath("validations").rglob("*.html"))


def test_amazon_article(sample_wh):
    wh, _ = sample_wh
    rows = q(
        wh,
        """select e.name, a.verb, a.target_text, a.negated from actions a
           join articles r using (article_id) join entities e on e.entity_id = a.actor_entity_id
           where r.external_id = ?""",
        ["fool-amazon-rekognition-moratorium"],
    )
    got = {(n, v) for n, v, _, _ in rows}
    assert {("Amazon", "place"), ("Amazon", "stop"), ("IBM", "get"), ("Microsoft", "divest")} <= got
    assert any(n == "Microsoft" and v == "make" and neg for n, v, _, neg in rows)
    tickers = dict(q(wh, "select name, ticker from entities where name in ('Amazon', 'IBM', 'Microsoft')"))
    assert tickers == {"Amazon": "AMZN", "IBM": "IBM", "Microsoft": "MSFT"}
    assert not q(wh, "select * from entity_mentions where text like '%NASDAQ%'")
    body = q(
        wh,
        "select body, published_at, source from articles where external_id = ?",
        ["fool-amazon-rekognition-moratorium"],
    )[0]
    assert "This article represents the opinion" not in body[0]
    assert "A camera using facial recognition" not in body[0]
    assert str(body[1]).startswith("2020-06-11") and body[2] == "fool"


def test_offsets_refer_to_stored_text(sample_wh):
    wh, _ = sample_wh
    bad = q(
        wh,
        """select m.text, m.field from entity_mentions m join articles a using (article_id)
           where substr(case m.field when 'title' then a.title else a.body end, m.start_char + 1,
                        m.end_char - m.start_char) <> m.text""",
    )
    assert bad == []
    bad = q(
        wh,
        """select x.verb_text from actions x join articles a using (article_id)
           where substr(case x.field when 'title' then a.title else a.body end, x.start_char + 1,
                        x.end_char - x.start_char) <> x.verb_text""",
    )
    assert bad == []


def test_rerun_is_idempotent_and_skips(sample_wh):
    from flows.nightly import run_nightly

    wh, first = sample_wh
    before = counts(wh)
    again = run_nightly(sources=[str(SAMPLE)], warehouse=str(wh))
    assert counts(wh) == before
    c = again["counts"]
    assert c["articles_skipped"] == c["articles_seen"] and c["articles_loaded"] == 0
    # nothing to parse: every suite still runs, the run tables' without Great Expectations
    from expectations.runner import RUN_TABLES, suite_names

    v = again["validation"]
    assert set(v) == set(suite_names()) and again["status"] == "succeeded"
    assert {v[t]["engine"] for t in RUN_TABLES} == {"builtin"}
    assert v["pipeline_runs"]["rows"] == 1 and v["companies"]["rows"] > 400


def test_a_run_validates_every_suite(sample_wh):
    """Every suite in expectations/suites runs in the run: the extraction tables' per batch,
    the run tables' (its own row, its quarantine and fetch_state rows, companies) at its end;
    all in the run's validation summary, those with rows in its Data Docs."""
    from expectations.runner import RUN_TABLES, SUITES_DIR

    wh, result = sample_wh
    suites = {p.stem for p in SUITES_DIR.glob("*.json")}
    validated = {t for t in result["validation"] if t != "data_docs"}
    assert validated == suites
    (stored,) = q(wh, "select validation from pipeline_runs where run_id = ?", [result["run_id"]])[0]
    assert set(json.loads(stored)) - {"data_docs"} == suites
    v = result["validation"]
    assert all(v[t]["engine"] == "great_expectations" and v[t]["failed"] == [] for t in RUN_TABLES)
    assert v["pipeline_runs"]["rows"] == 1 and v["pipeline_runs"]["expectations"] > 10
    docs = Path(v["data_docs"]).parent.parent.parent / "validations"
    with_rows = {t for t in suites if v[t]["rows"]}
    assert {"pipeline_runs", "companies", "articles"} <= with_rows
    assert {d.name for d in docs.iterdir() if d.is_dir()} == with_rows
    assert any((docs / "pipeline_runs" / result["run_id"]).rglob("run.json"))


def test_changed_article_replaces_its_rows(run_flow, tmp_path):
    src = tmp_path / "in.jsonl"
    wh = tmp_path / "w.duckdb"
    rec = {
        "id": "x1",
        "title": "Acme buys Beta",
        "text": "Acme Corp said it would buy Beta Inc for $5 million.",
    }
    src.write_text(json.dumps(rec) + "\n")
    run_flow([src], wh)
    n1 = q(wh, "select count(*) from actions")[0][0]
    rec["text"] = "Acme Corp said it would not buy Beta Inc. Acme Corp said it would sell Gamma Ltd instead."
    src.write_text(json.dumps(rec) + "\n")
    res = run_flow([src], wh)
    assert res["counts"]["articles_loaded"] == 1
    assert q(wh, "select count(*) from articles")[0][0] == 1
    assert q(wh, "select body from articles")[0][0].startswith("Acme Corp said it would not buy")
    verbs = {v for (v,) in q(wh, "select verb from actions")}
    assert "sell" in verbs and q(wh, "select count(*) from actions")[0][0] != n1
    # entities no longer mentioned anywhere are gone; counts match mentions
    assert (
        q(
            wh,
            "select count(*) from entities e where mention_count <> (select count(*) from entity_mentions m where m.entity_id = e.entity_id)",
        )[0][0]
        == 0
    )


def test_bad_inputs_are_quarantined_and_the_rest_loads(run_flow, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    good = {
        "id": "g1",
        "title": "Acme buys Beta",
        "text": "Acme Corp said it would buy Beta Inc.",
        "published_at": "2021-01-02",
    }
    (src / "empty.jsonl").write_bytes(b"")
    (src / "binary.json").write_bytes(b"\x89PNG\x00\x00\x01")
    lines = [
        json.dumps(good),
        '{"id": "broken", "text": ',
        json.dumps({"id": "blank", "title": "Nothing", "text": "   \n "}),
        json.dumps({"id": "notext", "title": "No text"}),
        json.dumps(
            {
                "id": "baddate",
                "title": "Acme",
                "text": "Acme Corp hired a new chief.",
                "published_at": "the day after",
            }
        ),
        json.dumps({"id": "dup", "text": "Beta Inc sold a plant."}),
        json.dumps({"id": "dup", "text": "Beta Inc sold two plants."}),
        json.dumps(
            {
                "id": "html",
                "title": "Markup",
                "text": "<p>Gamma Ltd opened a store.</p><script>steal()</script>",
            }
        ),
    ]
    (src / "mixed.jsonl").write_text("\n".join(lines) + "\n")
    (src / "latin1.jsonl").write_bytes(
        json.dumps({"id": "enc", "text": "Delta Corp said café sales rose."}, ensure_ascii=False).encode(
            "cp1252"
        )
        + b"\n"
    )
    wh = tmp_path / "w.duckdb"
    res = run_flow([src], wh)
    c = res["counts"]
    assert c["articles_seen"] == c["articles_loaded"] + c["articles_skipped"] + c["articles_quarantined"]
    loaded = {r[0] for r in q(wh, "select external_id from articles")}
    assert loaded == {"g1", "baddate", "dup", "html", "enc"}
    reasons = q(wh, "select stage, reason, external_id from quarantine order by reason")
    text = " | ".join(r[1] for r in reasons)
    for expected in ("empty file", "binary file", "invalid JSON", "no text", "duplicate id 'dup'"):
        assert expected in text, expected
    assert len(reasons) == c["articles_quarantined"] == 6
    (warn,) = q(wh, "select warnings from articles where external_id = 'baddate'")[0]
    assert any("unparseable date" in w for w in warn)
    assert q(wh, "select published_at from articles where external_id = 'baddate'")[0][0] is None
    html_body = q(wh, "select body from articles where external_id = 'html'")[0][0]
    assert "steal" not in html_body and "<" not in html_body
    (enc_warn,) = q(wh, "select warnings from articles where external_id = 'enc'")[0]
    assert any("cp1252" in w for w in enc_warn)
    run = q(
        wh, "select articles_seen, articles_loaded, articles_skipped, articles_quarantined from pipeline_runs"
    )[0]
    assert run[0] == run[1] + run[2] + run[3]


def test_amazon_article_actions_detail_and_quotes(sample_wh):
    wh, _ = sample_wh
    aid = q(wh, "select article_id from articles where external_id = 'fool-amazon-rekognition-moratorium'")[
        0
    ][0]

    def acts(name, verb):
        return q(
            wh,
            """select a.target_text, a.arguments, a.negated, a.action_type, a.event_period, a.modality
               from actions a join entities e on e.entity_id = a.actor_entity_id
               where a.article_id = ? and e.name = ? and a.verb = ?""",
            [aid, name, verb],
        )

    place = acts("Amazon", "place")
    assert any(
        "moratorium" in t
        and any(arg["text"].startswith("police use") and arg["prep"] == "on" for arg in args)
        for t, args, *_ in place
    )
    assert all(r[3] == "HALT" for r in place)
    assert acts("Amazon", "stop")
    get = acts("IBM", "get")
    assert get and "business" in get[0][0] and get[0][3] == "EXIT" and get[0][4] == "2020-W24"
    divest = acts("Microsoft", "divest")
    assert divest and "stake" in divest[0][0] and divest[0][4] == "2020-03"
    make = acts("Microsoft", "make")
    assert make and make[0][2] is True and "minority investments" in make[0][0]
    quotes = q(
        wh,
        """select e.name, x.cue_verb, x.content from quotes x join entities e on e.entity_id = x.speaker_entity_id
           where x.article_id = ? and x.direct""",
        [aid],
    )
    assert any(n == "Amazon" and v == "write" and c.startswith("We've advocated") for n, v, c in quotes)
    assert any(n == "Amazon" and c.startswith("We hope this one-year moratorium") for n, _, c in quotes)


def test_events_view_counts_each_event_once(run_flow, tmp_path):
    src = tmp_path / "wire.jsonl"
    recs = [
        {
            "id": "a1",
            "source": "wire-a",
            "title": "Deal news",
            "published_at": "2021-03-10",
            "text": "Microsoft said on Monday it had bought Nuance Communications for $16 billion.",
        },
        {
            "id": "b1",
            "source": "wire-b",
            "title": "Technology",
            "published_at": "2021-03-10",
            "text": "On Monday, Microsoft bought Nuance Communications. The price was $16 billion.",
        },
    ]
    src.write_text("\n".join(json.dumps(r) for r in recs) + "\n")
    wh = tmp_path / "w.duckdb"
    run_flow([src], wh)
    rows = q(
        wh,
        "select actor_name, action_type, articles, sources, event_period from events where action_type = 'ACQUIRE'",
    )
    assert rows == [("Microsoft", "ACQUIRE", 2, 2, "2021-03-08")]


def test_analyst_views(sample_wh):
    wh, _ = sample_wh
    rows = q(
        wh,
        """select actor_name, action_type, verb, event_period, article_date, evidence from company_actions
           where action_type in ('HALT', 'EXIT', 'DIVEST') and evidence ilike '%facial recognition%'
           order by actor_name""",
    )
    assert {r[0] for r in rows} >= {"Amazon", "IBM", "Microsoft"}
    assert all(r[4] is not None and r[5] for r in rows)
    assert q(wh, "select count(*) from entity_mentions_daily where name = 'Amazon'")[0][0] >= 1
    pairs = q(
        wh,
        "select articles from cooccurrence where 'Microsoft' in (name_a, name_b) and 'IBM' in (name_a, name_b)",
    )
    assert pairs and pairs[0][0] >= 1


def test_cleaning_removals_reach_the_warehouse_scoped_to_the_publisher(run_flow, tmp_path):
    body = (
        "Acme Corp said on Monday it would buy Beta Inc for $2 billion.\n\n"
        "A camera using facial recognition tech to scan a face.\n\n"
        "The deal is expected to close in March, Acme said.\n\n"
        "Beta shares rose 5% on the news.\n\n"
        "This article represents the opinion of the writer, who may disagree with the official position."
    )
    src = tmp_path / "in.jsonl"
    src.write_text(
        "\n".join(
            json.dumps({"id": i, "title": "Acme buys Beta", "text": body, "source": s})
            for i, s in (("f", "fool"), ("w", "wire"))
        )
        + "\n",
        encoding="utf-8",
    )
    wh = tmp_path / "news.duckdb"
    assert run_flow([src], warehouse=wh)["status"] == "succeeded"
    rows = dict(q(wh, "select external_id, cleaning_removed from articles"))
    fool = json.loads(rows["f"])
    assert [(r["rule"], r["paragraphs"]) for r in fool] == [
        ("stock-photo-caption", 1),
        ("fool-disclaimer", 1),
    ]
    assert fool[0]["text"] == "A camera using facial recognition tech to scan a face."
    assert fool[1]["chars"] == len(body.rsplit("\n\n", 1)[1])
    assert json.loads(rows["w"]) == []
    (wire_body,) = q(wh, "select body from articles where external_id = 'w'")[0]
    assert "This article represents the opinion" in wire_body and "A camera using" in wire_body
