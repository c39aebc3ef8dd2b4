"""The test site of tests/flows/test_feeds_accounting.py: a real HTTP server on 127.0.0.1
serving feeds whose entries have or lack guids, links and content, pages (one dripping a
byte every 0.5 s, some slow on request), and feeds that grow or answer 304. `serve` starts
it with the HTTP settings the tests run under."""

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import QuietHTTPServer


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
        self.base = ""


def many(n: int) -> str:
    """A feed of `n` entries whose pages are /many/<i>.html."""
    items = "".join(
        f"<item><title>Story {i}</title><guid>urn:many:{i}</guid><link>/many/{i}.html</link></item>"
        for i in range(n)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'


class Handler(BaseHTTPRequestHandler):
    site: Site  # set by `serve`

    def log_message(self, *args):
        pass

    def send(self, status, body="", ctype="text/html; charset=utf-8", headers=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def do_GET(self):
        p = self.path
        with self.site.lock:
            self.site.hits[p] = self.site.hits.get(p, 0) + 1
        route(p)(self, p)


Route = Callable[[Handler, str], None]


def _feed(body: str, ctype: str = "application/rss+xml") -> Route:
    return lambda h, p: h.send(200, body, ctype)


def _page(path: str) -> Route:
    return lambda h, p: h.send(200, PAGES[path])


def _growing(h: Handler, p: str) -> None:
    h.send(200, many(h.site.growing), "application/rss+xml")


def _etag(h: Handler, p: str) -> None:
    """The growing feed with an ETag: 304 (with the ETag, no body) when unchanged."""
    tag = f'"v{h.site.growing}"'
    if h.headers.get("If-None-Match") == tag:
        h.send_response(304)
        h.send_header("ETag", tag)
        h.end_headers()
        return
    h.send(200, many(h.site.growing), "application/rss+xml", {"ETag": tag})


def _many_feed(h: Handler, p: str) -> None:
    h.send(200, many(int(p.removeprefix("/many/").removesuffix(".xml"))), "application/rss+xml")


def _many_page(h: Handler, p: str) -> None:
    time.sleep(h.site.page_delay)
    i = p.removeprefix("/many/").removesuffix(".html")
    with h.site.lock:
        h.site.served.append((p, time.monotonic()))
    h.send(200, page(f"Story {i}", f"Company {i} Holdings hired {i}00 engineers in Halden."))


def _drip(h: Handler, p: str) -> None:
    """Headers, then a byte every 0.5 s: never a read timeout."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "200")
    h.end_headers()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        for _ in range(200):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.5)


DRIP_FEED = "".join(
    f"<item><title>{t}</title><guid>urn:{t}</guid><link>/{t}.html</link></item>" for t in ("drip", "fine")
)

ROUTES: dict[str, Route] = {
    "/mixed.xml": _feed(MIXED),
    "/untitled-a.xml": _feed(untitled("Norlund Bank raised its dividend by a fifth on Monday."), "text/xml"),
    "/untitled-b.xml": _feed(untitled("Halden Mining closed its oldest pit after forty years."), "text/xml"),
    "/growing.xml": _growing,
    "/etag.xml": _etag,
    "/drip.xml": _feed(f'<?xml version="1.0"?><rss version="2.0"><channel>{DRIP_FEED}</channel></rss>'),
    "/drip.html": _drip,
    "/fine.html": _page("/p/plain.html"),
    **{path: _page(path) for path in PAGES},
}


def route(path: str) -> Route:
    if path in ROUTES:
        return ROUTES[path]
    if path.startswith("/many/"):
        return _many_feed if path.endswith(".xml") else _many_page
    return lambda h, p: h.send(404, "not found")


def serve(monkeypatch) -> Iterator[Site]:
    """The site on a free port for one test, under short HTTP settings."""
    site = Site()
    handler = type("SiteHandler", (Handler,), {"site": site})
    server = _Server(("127.0.0.1", 0), handler)
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for k, v in {
        "NEWSETL_HTTP_READ_TIMEOUT": "5",
        "NEWSETL_HTTP_RETRIES": "2",
        "NEWSETL_HTTP_BACKOFF": "0.05",
        "NEWSETL_HTTP_HOST_DELAY": "0",
        "NEWSETL_HTTP_DEADLINE": "2",
    }.items():
        monkeypatch.setenv(k, v)
    yield site
    server.shutdown()
    server.server_close()
