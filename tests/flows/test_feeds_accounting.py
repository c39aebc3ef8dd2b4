"""Feed entries all accounted for, against a real HTTP server on 127.0.0.1: entries without
guid or link, repeated guids, entries that carry only their content, links that cannot be
fetched, untitled feeds on one host; the page's metadata wins over the feed's; a dripping
page costs the deadline; pages are handed to the run as they arrive."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import feedparser
import pytest

from tests.conftest import QuietHTTPServer, query, run_nightly_flow


class _Server(QuietHTTPServer, ThreadingHTTPServer):
    pass


def page(title: str, body: str, head: str = "") -> str:
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head><body><article><h1>{title}</h1>"
        f"<p>{body}</p><p>Analysts said the move had been expected by the market for some weeks.</p>"
        "</article></body></html>"
    )


AUTHORED = page(
    "Acme buys Beta",
    "Acme Corp said on Monday it had agreed to buy Beta Inc for $2 billion in cash.",
    '<meta name="author" content="Jo Writer">'
    '<meta property="article:published_time" content="2026-11-20">'
    '<meta property="article:section" content="Markets">',
)
PAGES = {
    "/p/acme.html": AUTHORED,
    "/p/plain.html": page("Lumen cuts jobs", "Lumen Arcade said it would cut 400 jobs in its games unit."),
    "/p/dup1.html": page("Corvex opens plant", "Corvex Energy opened a battery plant in Norlund on Tuesday."),
    "/p/dup2.html": page(
        "Veloria sells stake", "Veloria sold its stake in Kestrel Shipping to a rival fund."
    ),
}


def content(text: str) -> str:
    return f"<content:encoded><![CDATA[<p>{text}</p><p>The figures were published late on Friday.</p>]]></content:encoded>"


MIXED = (
    '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
    "<channel><link>http://example.invalid/</link>"  # no <title>: the feed's URL names it
    # 1 a page (relative link, resolved against the feed's URL); its author, date, section win
    "<item><title>Acme buys Beta</title><guid>urn:page</guid><link>/p/acme.html</link>"
    "<author>desk@example.com (News Desk)</author><category>feed-cat</category>"
    "<pubDate>Fri, 20 Nov 2026 08:30:00 GMT</pubDate></item>"
    # 2 a page without author or section: the feed's fill them
    "<item><title>Lumen cuts jobs</title><guid>urn:plain</guid><link>/p/plain.html</link>"
    "<author>feed.person@example.com (Feed Person)</author><category>deals</category></item>"
    # 3 neither guid nor link, full content
    "<item><title>Stanza recalls cars</title>"
    + content("Stanza Auto recalled 2,000 cars on Friday after a brake fault was found.")
    + "</item>"
    # 4 neither guid nor link, nothing but a title
    "<item><title>Just a headline</title></item>"
    # 5, 6 one guid, two different stories
    "<item><title>Corvex opens plant</title><guid>urn:dup</guid><link>/p/dup1.html</link></item>"
    "<item><title>Veloria sells stake</title><guid>urn:dup</guid><link>/p/dup2.html</link></item>"
    # 7 a guid, no link, full content
    "<item><title>Orbis hires</title><guid>urn:content-only</guid>"
    + content("Orbis Labs hired 300 engineers for its new research centre in Halden.")
    + "</item>"
    # 8 a page that is gone, but the entry carries its full content
    "<item><title>Kestrel results</title><guid>urn:gone</guid><link>/p/missing.html</link>"
    + content("Kestrel Shipping reported a 12% rise in quarterly revenue on Thursday.")
    + "</item>"
    # 9 a page that is gone, and nothing else
    "<item><title>Lost story</title><guid>urn:gone2</guid><link>/p/missing2.html</link></item>"
    # 10 an exact repeat of entry 1
    "<item><title>Acme buys Beta</title><guid>urn:page</guid><link>/p/acme.html</link>"
    "<author>desk@example.com (News Desk)</author><category>feed-cat</category>"
    "<pubDate>Fri, 20 Nov 2026 08:30:00 GMT</pubDate></item>"
    # 11 an ftp link (never fetched) and a description
    "<item><title>Halden port</title><guid>urn:ftp</guid><link>ftp://127.0.0.1/halden.txt</link>"
    "<description>The port of Halden will close for two weeks of repairs in March.</description></item>"
    # 12 a file:// link and nothing else
    "<item><title>Local file</title><guid>urn:file</guid><link>file:///etc/hostname</link></item>"
    "</channel></rss>"
)


def untitled(story: str) -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><item><title>{story[:20]}</title><guid>urn:1</guid>{content(story)}</item></channel></rss>"
    )


class Site:
    def __init__(self):
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.page_delay = 0.0
        self.served: list[tuple[str, float]] = []
        self.growing = 3  # entries of /growing.xml and /etag.xml


def make_handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def send(self, status, body="", ctype="text/html; charset=utf-8"):
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def do_GET(self):
            p = self.path
            with site.lock:
                site.hits[p] = site.hits.get(p, 0) + 1
            if p == "/mixed.xml":
                return self.send(200, MIXED, "application/rss+xml")
            if p == "/untitled-a.xml":
                return self.send(
                    200, untitled("Norlund Bank raised its dividend by a fifth on Monday."), "text/xml"
                )
            if p == "/untitled-b.xml":
                return self.send(
                    200, untitled("Halden Mining closed its oldest pit after forty years."), "text/xml"
                )
            if p in ("/growing.xml", "/etag.xml"):
                items = "".join(
                    f"<item><title>Story {i}</title><guid>urn:many:{i}</guid><link>/many/{i}.html</link></item>"
                    for i in range(site.growing)
                )
                rss = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
                if p == "/etag.xml":
                    tag = f'"v{site.growing}"'
                    if self.headers.get("If-None-Match") == tag:
                        self.send_response(304)
                        self.send_header("ETag", tag)
                        self.end_headers()
                        return None
                    data = rss.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("ETag", tag)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return None
                return self.send(200, rss, "application/rss+xml")
            if p.startswith("/many/") and p.endswith(".xml"):
                n = int(p.removeprefix("/many/").removesuffix(".xml"))
                items = "".join(
                    f"<item><title>Story {i}</title><guid>urn:many:{i}</guid><link>/many/{i}.html</link></item>"
                    for i in range(n)
                )
                rss = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
                return self.send(200, rss, "application/rss+xml")
            if p.startswith("/many/"):
                time.sleep(site.page_delay)
                i = p.removeprefix("/many/").removesuffix(".html")
                with site.lock:
                    site.served.append((p, time.monotonic()))
                return self.send(
                    200, page(f"Story {i}", f"Company {i} Holdings hired {i}00 engineers in Halden.")
                )
            if p == "/drip.xml":
                items = "".join(
                    f"<item><title>{t}</title><guid>urn:{t}</guid><link>/{t}.html</link></item>"
                    for t in ("drip", "fine")
                )
                rss = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
                return self.send(200, rss, "application/rss+xml")
            if p == "/drip.html":  # headers, then a byte every 0.5 s: never a read timeout
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "200")
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    for _ in range(200):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(0.5)
                return None
            if p == "/fine.html":
                return self.send(200, PAGES["/p/plain.html"])
            if p in PAGES:
                return self.send(200, PAGES[p])
            return self.send(404, "not found")

    return Handler


@pytest.fixture
def site(monkeypatch):
    s = Site()
    server = _Server(("127.0.0.1", 0), make_handler(s))
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for k, v in {
        "NEWSETL_HTTP_READ_TIMEOUT": "5",
        "NEWSETL_HTTP_RETRIES": "2",
        "NEWSETL_HTTP_BACKOFF": "0.05",
        "NEWSETL_HTTP_HOST_DELAY": "0",
        "NEWSETL_HTTP_DEADLINE": "2",
    }.items():
        monkeypatch.setenv(k, v)
    yield s
    server.shutdown()
    server.server_close()


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

    from flows.nightly import PLAIN_STEPS, _Run
    from flows.settings import Settings
    from flows.sources import AlreadyLoaded

    settings = Settings(data_docs=False, since=date(2026, 1, 1), until=date(2026, 12, 31))
    run = _Run(settings, wh=None, run_id="r", progress=lambda n: None, steps=PLAIN_STEPS)
    run.current_source = "feed"
    for published in (datetime(2026, 3, 1, 8, 30), None, datetime(2025, 12, 31)):
        run.add(AlreadyLoaded("https://x.example/rss", "urn:1", "feed", published))
    c = run.counts
    assert (c.articles_seen, c.articles_skipped, c.articles_out_of_range) == (1, 1, 2)
    assert run.source_counts["feed"]["skipped"] == 1 and run.unreconciled() == []


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
