"""Feeds and pages served by a real HTTP server on 127.0.0.1 (no mocks): RSS and Atom,
boilerplate removal, retries, timeouts, redirects, size cap, non-HTML, a feed that changes
between runs, and conditional GET answered 304."""

import contextlib
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import QuietHTTPServer, query, run_nightly_flow


class _Server(QuietHTTPServer, ThreadingHTTPServer):
    pass


BOILERPLATE_PAGE = """<!doctype html><html><head><title>Acme buys Beta | Example News</title>
<link rel="canonical" href="{base}/news/acme-buys-beta"/>
<meta property="og:site_name" content="Example News">
<script>var tracking = "SCRIPT-MARKER"; function ads() {{}}</script>
<style>.ad {{ color: red }} STYLE-MARKER</style></head>
<body><nav><a href="/">Home</a> | <a href="/business">Business</a> | <a href="/tech">NAV-MARKER Tech</a></nav>
<div class="advert">BUY NOW: cheap loans, AD-MARKER</div>
<article><h1>Acme buys Beta</h1>
<p>Acme Corp said on Monday it had agreed to buy Beta Inc for $2 billion in cash, its largest deal in a decade.</p>
<p>The deal is expected to close next year, Acme's chief executive said in a statement to investors.</p>
<p>Beta makes industrial sensors and employs about 3,000 people in Europe and Asia.</p></article>
<section class="comments"><h3>Comments</h3><p>COMMENT-MARKER Great article!! first</p></section>
<footer>Copyright 2026 Example News. FOOTER-MARKER All rights reserved.</footer></body></html>"""

PLAIN_PAGE = """<!doctype html><html><head><title>{title}</title>
<meta name="author" content="Jo Writer"></head><body><article><h1>{title}</h1>
<p>{body}</p><p>Analysts said the move was widely expected by the market and by rivals.</p>
</article></body></html>"""


def rss(base: str, items: list[tuple[str, str, str]]) -> str:
    entries = "".join(
        f"<item><title>{t}</title><link>{base}{link}</link><guid>{base}{link}</guid>"
        f"<pubDate>{d}</pubDate><category>business</category><author>desk@example.com (News Desk)</author></item>"
        for t, link, d in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example Business</title><link>{base}/</link>{entries}</channel></rss>'


def atom(base: str) -> str:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Tech</title><id>{base}/atom</id>
<updated>2026-11-20T10:00:00Z</updated>
<entry><title>Corvex opens plant</title><id>tag:example.com,2026:corvex</id><link href="{base}/articles/corvex.html"/>
<updated>2026-11-19T09:30:00Z</updated><author><name>Tech Desk</name></author></entry></feed>"""


class Site:
    """The test server's content and what it saw."""

    def __init__(self):
        self.hits: dict[str, int] = {}
        self.changing_items = 2
        self.lock = threading.Lock()
        self.base = ""

    def hit(self, path: str) -> int:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1
            return self.hits[path]


class Handler(BaseHTTPRequestHandler):
    site: Site  # set by the fixture

    def log_message(self, *args):  # quiet
        pass

    def send(self, status, body=b"", ctype="text/html; charset=utf-8", headers=None):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if data:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

    def do_GET(self):
        n = self.site.hit(self.path)
        reply = route(self.path)
        self.send(*reply(self.site, self.path, n, self.headers))


#: what a path answers: (site, path, nth request of it, request headers) -> send()'s arguments
Reply = Callable[[Site, str, int, Any], tuple]


def _rss(site: Site, p: str, n: int, headers) -> tuple:
    etag = '"rss-v1"'
    if headers.get("If-None-Match") == etag:
        return (304,)
    items = [
        ("Acme buys Beta", "/articles/acme.html", "Mon, 16 Nov 2026 08:00:00 GMT"),
        ("Lumen cuts jobs", "/articles/lumen.html", "Tue, 17 Nov 2026 09:00:00 GMT"),
    ]
    return 200, rss(site.base, items), "application/rss+xml", {"ETag": etag}


def _changing(site: Site, p: str, n: int, headers) -> tuple:
    items = [
        (f"Story {i}", f"/articles/story{i}.html", f"Wed, {10 + i} Nov 2026 08:00:00 GMT")
        for i in range(1, site.changing_items + 1)
    ]
    return 200, rss(site.base, items), "application/rss+xml", {"ETag": f'"v{site.changing_items}"'}


def _plain(title: str, body: str) -> Reply:
    return lambda site, p, n, headers: (200, PLAIN_PAGE.format(title=title, body=body))


def _story(site: Site, p: str, n: int, headers) -> tuple:
    i = p.removeprefix("/articles/story").removesuffix(".html")
    return 200, PLAIN_PAGE.format(title=f"Story {i}", body=f"Company {i} Holdings hired {i}00 engineers.")


def _flaky(site: Site, p: str, n: int, headers) -> tuple:
    if n == 1:
        return 500, "server error"
    return 200, PLAIN_PAGE.format(title="Flaky works", body="Stanza Auto recalled 2,000 cars on Friday.")


def _slow(site: Site, p: str, n: int, headers) -> tuple:
    time.sleep(3)
    return 200, PLAIN_PAGE.format(title="Too slow", body="Never read.")


def _etag_page(site: Site, p: str, n: int, headers) -> tuple:
    if headers.get("If-None-Match") == '"p1"':
        return (304,)
    body = PLAIN_PAGE.format(title="Veloria sells stake", body="Veloria sold its stake in Kestrel Shipping.")
    return 200, body, "text/html; charset=utf-8", {"ETag": '"p1"'}


def _redirect(status: int, to: str) -> Reply:
    return lambda site, p, n, headers: (
        status,
        "",
        "text/html; charset=utf-8",
        {"Location": f"{site.base}{to}"},
    )


ROUTES: dict[str, Reply] = {
    "/rss.xml": _rss,
    "/atom.xml": lambda site, p, n, headers: (200, atom(site.base), "application/atom+xml"),
    "/changing.xml": _changing,
    "/articles/acme.html": lambda site, p, n, headers: (200, BOILERPLATE_PAGE.format(base=site.base)),
    "/articles/lumen.html": _plain("Lumen cuts jobs", "Lumen Arcade said it would cut 400 jobs."),
    "/articles/corvex.html": _plain("Corvex opens plant", "Corvex Energy opened a battery plant in Norlund."),
    "/flaky.html": _flaky,
    "/slow.html": _slow,
    "/old-url": _redirect(301, "/articles/lumen.html"),
    "/loop": _redirect(302, "/loop"),
    "/big.html": lambda site, p, n, headers: (
        200,
        "<html><body><p>" + "word " * 100_000 + "</p></body></html>",
    ),
    "/report.pdf": lambda site, p, n, headers: (200, b"%PDF-1.4 binary", "application/pdf"),
    "/etag-page.html": _etag_page,
}


def route(path: str) -> Reply:
    if path in ROUTES:
        return ROUTES[path]
    if path.startswith("/articles/story"):
        return _story
    return lambda site, p, n, headers: (404, "not found")


@pytest.fixture
def site(monkeypatch):
    s = Site()
    server = _Server(("127.0.0.1", 0), type("SiteHandler", (Handler,), {"site": s}))
    s.base = f"http://127.0.0.1:{server.server_address[1]}"
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    for k, v in {
        "NEWSETL_HTTP_READ_TIMEOUT": "1",
        "NEWSETL_HTTP_RETRIES": "1",
        "NEWSETL_HTTP_BACKOFF": "0.05",
        "NEWSETL_HTTP_HOST_DELAY": "0",
        "NEWSETL_HTTP_MAX_BYTES": "200000",
    }.items():
        monkeypatch.setenv(k, v)
    yield s
    server.shutdown()
    server.server_close()


def run(sources, wh):
    return run_nightly_flow(sources, wh)


def test_rss_and_atom_feeds_fetch_and_parse_their_pages(site, prefect_harness, tmp_path):
    wh = tmp_path / "w.duckdb"
    res = run([f"{site.base}/rss.xml", f"{site.base}/atom.xml"], wh)
    assert res["status"] == "succeeded", res["errors"]
    assert res["counts"]["articles_loaded"] == 3
    rows = query(
        wh,
        "select external_id, source, title, body, url, published_at, metadata from articles order by title",
    )
    by_title = {r[2]: r for r in rows}
    acme = by_title["Acme buys Beta"]
    assert acme[1] == f"{site.base}/rss.xml"  # an unnamed feed's URL is its id namespace
    assert acme[4] == f"{site.base}/news/acme-buys-beta"  # the page's canonical URL
    assert "Acme Corp said on Monday" in acme[3] and "3,000 people" in acme[3]
    for marker in (
        "SCRIPT-MARKER",
        "STYLE-MARKER",
        "NAV-MARKER",
        "AD-MARKER",
        "COMMENT-MARKER",
        "FOOTER-MARKER",
    ):
        assert marker not in acme[3], marker
    assert str(acme[5]).startswith("2026-11-16")  # the page has no date: the feed's fills it
    meta = json.loads(acme[6])
    assert meta["categories"] == ["business"] and meta["sitename"] == "Example News"
    assert meta["feed_title"] == "Example Business"
    corvex = by_title["Corvex opens plant"]
    assert corvex[1] == f"{site.base}/atom.xml" and corvex[0] == "tag:example.com,2026:corvex"
    assert query(wh, "select count(*) from actions")[0][0] > 0  # and they were extracted


def test_unchanged_feed_costs_one_request_answered_304(site, prefect_harness, tmp_path):
    wh = tmp_path / "w.duckdb"
    assert run([f"{site.base}/rss.xml"], wh)["counts"]["articles_loaded"] == 2
    before = dict(site.hits)
    res = run([f"{site.base}/rss.xml"], wh)
    assert res["status"] == "succeeded" and res["counts"]["articles_seen"] == 0
    new_hits = {p: n - before.get(p, 0) for p, n in site.hits.items() if n != before.get(p, 0)}
    assert new_hits == {"/rss.xml": 1}
    assert query(wh, "select status, etag from fetch_state where url like '%rss.xml'") == [(304, '"rss-v1"')]


def test_a_changed_feed_fetches_only_its_new_entries(site, prefect_harness, tmp_path):
    wh = tmp_path / "w.duckdb"
    assert run([f"{site.base}/changing.xml"], wh)["counts"]["articles_loaded"] == 2
    site.changing_items = 3
    before = dict(site.hits)
    res = run([f"{site.base}/changing.xml"], wh)
    assert res["counts"]["articles_loaded"] == 1
    fetched_pages = {p for p, n in site.hits.items() if p.startswith("/articles/") and n != before.get(p, 0)}
    assert fetched_pages == {"/articles/story3.html"}
    assert query(wh, "select count(*) from articles")[0][0] == 3


def test_every_fetch_failure_is_a_quarantine_row(site, prefect_harness, tmp_path):
    wh = tmp_path / "w.duckdb"
    b = site.base
    urls = [
        f"{b}/flaky.html",
        f"{b}/slow.html",
        f"{b}/old-url",
        f"{b}/loop",
        f"{b}/big.html",
        f"{b}/report.pdf",
    ]
    srcs = [f"page:{u}" for u in urls] + [f"page:{b}/missing.html"]
    res = run(srcs, wh)
    c = res["counts"]
    assert res["status"] == "succeeded"  # failures are rows, not a crashed run
    assert c["articles_loaded"] == 2 and c["articles_quarantined"] == 5
    assert c["articles_seen"] == c["articles_loaded"] + c["articles_skipped"] + c["articles_quarantined"]
    assert site.hits["/flaky.html"] == 2  # a 500, then the retry succeeded
    loaded = dict(query(wh, "select external_id, url from articles"))
    assert loaded[f"{b}/old-url"] == f"{b}/articles/lumen.html"  # redirect followed
    reasons = dict(query(wh, "select source_path, reason from quarantine"))
    assert "timed out" in reasons[f"{b}/slow.html"]
    assert "redirects" in reasons[f"{b}/loop"]
    assert "cap" in reasons[f"{b}/big.html"]
    assert (
        "not an HTML page" in reasons[f"{b}/report.pdf"] and "application/pdf" in reasons[f"{b}/report.pdf"]
    )
    assert "HTTP 404" in reasons[f"{b}/missing.html"]
    stages = {s for (s,) in query(wh, "select stage from quarantine")}
    assert stages == {"fetch"}


def test_page_url_uses_conditional_get(site, prefect_harness, tmp_path):
    wh = tmp_path / "w.duckdb"
    url = f"{site.base}/etag-page.html"
    assert run([url], wh)["counts"]["articles_loaded"] == 1
    res = run([url], wh)
    assert res["counts"]["articles_seen"] == 0 and site.hits["/etag-page.html"] == 2
    assert query(wh, "select status from fetch_state")[0][0] == 304


def test_folder_of_saved_html_pages(prefect_harness, tmp_path):
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "acme.html").write_text(
        BOILERPLATE_PAGE.format(base="https://news.example.com"), encoding="utf-8"
    )
    (folder / "empty.html").write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    wh = tmp_path / "w.duckdb"
    res = run([folder], wh)
    assert res["counts"]["articles_loaded"] == 1 and res["counts"]["articles_quarantined"] == 1
    (body, url) = query(wh, "select body, url from articles")[0]
    assert "SCRIPT-MARKER" not in body and "AD-MARKER" not in body and "Beta Inc" in body
    assert url == "https://news.example.com/news/acme-buys-beta"
    assert query(wh, "select stage from quarantine")[0][0] == "parse"


def test_sources_yaml_names_sources_and_counts_them(site, prefect_harness, tmp_path):
    from typer.testing import CliRunner

    from flows.cli import app
    from tests.conftest import SAMPLE

    cfg = tmp_path / "sources.yaml"
    cfg.write_text(
        f"""sources:
  - name: example-business
    kind: feed
    location: {site.base}/rss.xml
    schedule: nightly
  - name: sample-wire
    kind: folder
    location: {SAMPLE / "wire"}
""",
        encoding="utf-8",
    )
    wh = tmp_path / "w.duckdb"
    res = run([cfg], wh)
    assert res["status"] == "succeeded"
    sources = dict(query(wh, "select source, count(*) from articles group by all"))
    assert sources == {"example-business": 2, "sample-wire": 1}
    counts = json.loads(query(wh, "select source_counts from pipeline_runs")[0][0])
    assert counts["example-business"]["loaded"] == 2 and counts["sample-wire"]["seen"] == 1
    out = CliRunner().invoke(app, ["sources", "--warehouse", str(wh), "--config", str(cfg), "--json"])
    assert out.exit_code == 0, out.output
    listed = {d["name"]: d for d in map(json.loads, out.output.splitlines())}
    assert listed["example-business"]["kind"] == "feed" and listed["example-business"]["loaded"] == 2
    assert listed["sample-wire"]["loaded"] == 1 and listed["sample-wire"]["schedule"] == ""
