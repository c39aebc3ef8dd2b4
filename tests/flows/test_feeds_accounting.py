"""Feed entries all accounted for, against a real HTTP server on 127.0.0.1
(tests/flows/feed_server.py): entries without guid or link, repeated guids, entries that
carry only their content, links that cannot be fetched, untitled feeds on one host; the
page's metadata wins over the feed's; a dripping page costs the deadline; pages are handed
to the run as they arrive."""

import json
import time

import feedparser
import pytest

from tests.conftest import query, run_nightly_flow
from tests.flows.feed_server import MIXED, serve


@pytest.fixture
def site(monkeypatch):
    yield from serve(monkeypatch)


def run(sources, wh):
    return run_nightly_flow(sources, wh)


def test_every_feed_entry_is_loaded_skipped_or_quarantined(site, prefect_harness, tmp_path):
    wh = tmp_path / "w.duckdb"
    feed_url = f"{site.base}/mixed.xml"
    res = run([feed_url], wh)
    assert res["status"] == "succeeded", res["errors"]
    c = res["counts"]
    n_entries = len(feedparser.parse(MIXED.encode()).entries)
    assert n_entries == 12
    assert c["articles_seen"] == n_entries  # none missing
    assert (c["articles_loaded"], c["articles_skipped"], c["articles_quarantined"]) == (8, 1, 3)

    rows = query(wh, "select external_id, source, title, published_at, url, metadata, warnings from articles")
    by_title = {r[2]: r for r in rows}
    assert {r[1] for r in rows} == {feed_url}  # an untitled feed: its URL is the namespace
    # the two stories sharing guid urn:dup are both there, told apart
    dup_ids = {by_title["Corvex opens plant"][0], by_title["Veloria sells stake"][0]}
    assert len(dup_ids) == 2 and "urn:dup" in dup_ids
    assert all(i.startswith("urn:dup") for i in dup_ids)
    # loaded from the entry's own content
    stanza = by_title["Stanza recalls cars"]
    assert stanza[0].startswith("urn:newsetl:entry:") and json.loads(stanza[5])["body_from"] == "feed content"
    assert json.loads(by_title["Orbis hires"][5])["body_from"] == "feed content"
    assert by_title["Orbis hires"][0] == "urn:content-only"
    kestrel = by_title["Kestrel results"]
    assert json.loads(kestrel[5])["body_from"] == "feed content" and "HTTP 404" in str(kestrel[6])
    halden = by_title["Halden port"]
    assert json.loads(halden[5])["body_from"] == "feed summary" and halden[4] == "ftp://127.0.0.1/halden.txt"
    # the page wins for author, categories, and the date when as precise; the feed fills the rest
    acme = by_title["Acme buys Beta"]
    meta = json.loads(acme[5])
    assert meta["author"] == "Jo Writer" and meta["categories"] == ["Markets"]
    assert acme[4] == f"{site.base}/p/acme.html"  # the relative link resolved against the feed URL
    assert str(acme[3]).startswith("2026-11-20 08:30")  # the page's bare date kept the feed's time
    lumen = json.loads(by_title["Lumen cuts jobs"][5])
    assert lumen["author"] == "Feed Person" and lumen["categories"] == ["deals"]

    reasons = dict(query(wh, "select coalesce(external_id, '?'), reason from quarantine"))
    assert len(reasons) == 3
    assert "HTTP 404" in reasons["urn:gone2"]
    assert "not an http(s) URL" in reasons["urn:file"]
    (headline,) = [r for i, r in reasons.items() if i.startswith("urn:newsetl:entry:")]
    assert "no link" in headline and "no text of its own" in headline
    assert site.hits["/p/acme.html"] == 1  # the repeated entry's page fetched once
    assert site.hits["/p/missing2.html"] == 1  # a 404 is not retried

    again = run([feed_url], wh)  # pages already loaded are not fetched again
    assert again["counts"]["articles_loaded"] == 0 and site.hits["/p/acme.html"] == 1
    c2 = again["counts"]
    # every entry seen again: the loaded ones (also those whose pages are not fetched) are
    # skipped as unchanged, the two quarantined ones quarantined again (one 404 refetched)
    assert (c2["articles_seen"], c2["articles_skipped"], c2["articles_quarantined"]) == (12, 9, 3)
    assert site.hits["/p/missing2.html"] == 2


def per_source(wh, run_id):
    (counts,) = query(wh, "select source_counts from pipeline_runs where run_id = ?", [run_id])[0]
    return json.loads(counts)


def test_a_second_night_counts_every_entry_seen_and_skipped(site, prefect_harness, tmp_path):
    """Entries already loaded are not fetched again, and still counted: seen and skipped as
    unchanged, in the run's totals and in its source's counts; a new entry is seen and
    loaded, the others skipped."""
    wh = tmp_path / "w.duckdb"
    url = f"{site.base}/growing.xml"
    first = run([url], wh)
    assert first["status"] == "succeeded"
    assert (first["counts"]["articles_seen"], first["counts"]["articles_loaded"]) == (3, 3)
    pages = {p: n for p, n in site.hits.items() if p.endswith(".html")}

    second = run([url], wh)
    c = second["counts"]
    assert second["status"] == "succeeded", second["errors"]
    assert (c["articles_seen"], c["articles_loaded"], c["articles_skipped"], c["articles_quarantined"]) == (
        3,
        0,
        3,
        0,
    )
    assert {p: n for p, n in site.hits.items() if p.endswith(".html")} == pages  # no page fetched
    assert per_source(wh, second["run_id"]) == {
        url: {"seen": 3, "loaded": 0, "skipped": 3, "quarantined": 0, "duplicates": 0}
    }
    row = query(
        wh,
        "select articles_seen, articles_loaded, articles_skipped, articles_quarantined, status "
        "from pipeline_runs where run_id = ?",
        [second["run_id"]],
    )[0]
    assert row == (3, 0, 3, 0, "succeeded")

    site.growing = 4  # the feed gains one entry
    third = run([url], wh)
    c = third["counts"]
    assert (c["articles_seen"], c["articles_loaded"], c["articles_skipped"], c["articles_quarantined"]) == (
        4,
        1,
        3,
        0,
    )
    assert site.hits["/many/3.html"] == 1 and all(site.hits[p] == 1 for p in pages)
    assert per_source(wh, third["run_id"]) == {
        url: {"seen": 4, "loaded": 1, "skipped": 3, "quarantined": 0, "duplicates": 0}
    }
    assert third["validation"]["pipeline_runs"]["failed"] == []  # the suite agrees: it reconciles


def test_an_unchanged_feed_answered_304_lists_no_entries(site, prefect_harness, tmp_path):
    """304 Not Modified: the feed was fetched and is unchanged, its entries were not listed,
    so none is counted: the source is in the counts with zeros, fetch_state says 304."""
    wh = tmp_path / "w.duckdb"
    url = f"{site.base}/etag.xml"
    assert run([url], wh)["counts"]["articles_loaded"] == 3
    again = run([url], wh)
    c = again["counts"]
    assert again["status"] == "succeeded"
    assert (c["articles_seen"], c["articles_loaded"], c["articles_skipped"]) == (0, 0, 0)
    assert per_source(wh, again["run_id"]) == {
        url: {"seen": 0, "loaded": 0, "skipped": 0, "quarantined": 0, "duplicates": 0}
    }
    assert query(wh, "select status, etag from fetch_state") == [(304, '"v3"')]
    v = again["validation"]
    assert v["fetch_state"]["rows"] == 1 and v["fetch_state"]["failed"] == []  # the row it saves


def test_untitled_feeds_on_one_host_do_not_share_ids(site, prefect_harness, tmp_path):
    wh = tmp_path / "w.duckdb"
    res = run([f"{site.base}/untitled-a.xml", f"{site.base}/untitled-b.xml"], wh)
    c = res["counts"]
    assert (c["articles_seen"], c["articles_loaded"], c["articles_quarantined"]) == (2, 2, 0)
    assert query(wh, "select count(distinct source), count(*) from articles where external_id = 'urn:1'") == [
        (2, 2)
    ]


def test_a_local_feed_with_relative_links_does_not_try_them(site, prefect_harness, tmp_path):
    feed = tmp_path / "local.xml"
    feed.write_text(MIXED, encoding="utf-8")
    wh = tmp_path / "w.duckdb"
    t = time.monotonic()
    res = run([feed], wh)
    c = res["counts"]
    assert c["articles_seen"] == 12 and not site.hits  # nothing was requested at all
    assert c["articles_loaded"] + c["articles_skipped"] + c["articles_quarantined"] == 12
    reasons = [r for (r,) in query(wh, "select reason from quarantine")]
    # the six entries with a relative link and no text of their own (acme twice, plain,
    # dup1, dup2, missing2); the others are loaded from their content or summary
    assert sum("relative" in r and "no text of its own" in r for r in reasons) == 6
    assert time.monotonic() - t < 60


def test_a_dripping_page_costs_at_most_the_deadline(site, prefect_harness, tmp_path):
    wh = tmp_path / "w.duckdb"
    res = run([f"{site.base}/drip.xml"], wh)
    c = res["counts"]
    assert (c["articles_loaded"], c["articles_quarantined"]) == (1, 1)
    (reason,) = query(wh, "select reason from quarantine where external_id = 'urn:drip'")[0]
    assert "deadline" in reason and "2 s" in reason
    assert site.hits["/drip.html"] == 1
    assert res["stage_seconds"]["read"] < 2 + 3  # the deadline (2 s) plus slack, not 100 s


@pytest.mark.slow
def test_pages_are_handed_over_as_they_arrive(site, tmp_path):
    """The source's first read returns before the feed's last page is fetched."""
    from flows.sources import Fetcher, HttpOptions, WebState, web_source

    site.page_delay = 0.3
    n = 8
    state = WebState(Fetcher(HttpOptions(per_host=1, host_delay=0)))
    src = web_source(f"{site.base}/many/{n}.xml", kind="feed", state=state)
    (ref,) = src.chunks()
    reads, got = [], []
    t = time.monotonic()
    while ref is not None and len(reads) < 4 * n:  # bounded
        items, ref = src.read(ref)
        reads.append((time.monotonic() - t, len(items)))
        got += items
    state.fetcher.close()
    assert sorted(i.external_id for i in got) == sorted(f"urn:many:{i}" for i in range(n))
    assert len(reads) >= 2
    first_at, first_n = reads[0]
    assert 1 <= first_n < n and first_at < n * 0.3  # before all pages (one at a time, 0.3 s each)


def test_an_entry_already_loaded_is_dated_by_its_stored_article():
    """With --since/--until, an entry loaded before (its page not fetched) is in the window
    by the stored article's date, like a read record: else out of range, not seen."""
    from datetime import date, datetime

    from flows.batch import Batches
    from flows.settings import Settings
    from flows.sources import AlreadyLoaded
    from flows.state import RunState

    settings = Settings(data_docs=False, since=date(2026, 1, 1), until=date(2026, 12, 31))
    state = RunState(settings, wh=None, run_id="r", executor=None)
    state.tally.start_source("feed")
    batches = Batches(state)
    for published in (datetime(2026, 3, 1, 8, 30), None, datetime(2025, 12, 31)):
        batches.add(AlreadyLoaded("https://x.example/rss", "urn:1", "feed", published))
    c = state.tally.counts
    assert (c.articles_seen, c.articles_skipped, c.articles_out_of_range) == (1, 1, 2)
    assert state.tally.source_counts["feed"]["skipped"] == 1 and state.tally.unreconciled() == []
    assert batches.open == []  # nothing to fetch, nothing to load


def test_a_slow_feed_loads_in_batches_as_its_pages_arrive(site, prefect_harness, tmp_path, monkeypatch):
    """Pages that come slowly close a batch after NEWSETL_BATCH_SECONDS, not only after
    `batch_size` articles: the feed loads in several batches as its pages come in, and the
    counts still reconcile. The same entries from a file make one batch (by count only)."""
    site.page_delay = 0.3
    n = 8
    monkeypatch.setenv("NEWSETL_HTTP_PER_HOST", "1")
    monkeypatch.setenv("NEWSETL_HTTP_HOST_DELAY", "0")
    monkeypatch.setenv("NEWSETL_BATCH_SECONDS", "0.5")
    res = run([f"{site.base}/many/{n}.xml"], tmp_path / "w.duckdb")
    c = res["counts"]
    assert res["status"] == "succeeded", res["errors"]
    assert (c["articles_seen"], c["articles_loaded"]) == (n, n)
    assert c["batches"] >= 2  # batch_size is 500: without the time limit, one batch at the end

    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "a.jsonl").write_text(
        "".join(
            json.dumps({"id": f"f{i}", "text": f"Acme Corp hired {i} workers in Ohio."}) + "\n"
            for i in range(n)
        )
    )
    res = run([folder], tmp_path / "w2.duckdb")
    assert res["status"] == "succeeded" and res["counts"]["batches"] == 1
