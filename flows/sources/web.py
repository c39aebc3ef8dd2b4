"""Web sources: RSS/Atom feeds and article pages, fetched over HTTP
(flows/sources/fetching.py) and parsed by transforms/web.py; `web_source` makes one.

- `FeedSource` (kind `feed`, flows/sources/feeds.py): a feed by URL or file. One
  conditional GET for the feed (an unchanged feed is answered 304 and costs nothing
  more); entries already in the warehouse are not fetched again; each new entry's link is
  fetched and its page parsed (the page's title, date, author and categories win, the
  feed's fill what the page lacks). An entry without a usable page is loaded from its own
  text (content:encoded / Atom content, else its summary when it has no link at all),
  else quarantined; an entry already loaded is an `AlreadyLoaded` item (counted seen and
  skipped, its page not fetched): every entry feedparser returns is an item. Pages are
  fetched concurrently across hosts and handed to the run as they arrive (each `read`
  returns what has come in, and a continuation `ChunkRef` while pages are still under way).
- `PageSource` (kind `page`, here): one article URL (conditional GET as well). A folder of
  saved `.html` files is a plain folder source (flows/sources/files.py).
- `WebSource` (kind `web`, here): a URL given without a kind, a feed or a page by its
  response.

Every failure (HTTP status, timeout, oversized or non-HTML response, unparseable feed or
page) is a `Rejected` item, so a quarantine row with the URL, the status or error and the
stage; the run goes on. What they share (`WebState`, `AlreadyLoaded`, the `UrlSource`
base) is flows/sources/webstate.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flows.sources.feeds import FeedSource
from flows.sources.fetching import Fetcher, Response
from flows.sources.records import ChunkRef, Item, RawRecord, Rejected
from flows.sources.webstate import FEED_ACCEPT, PAGE_ACCEPT, UrlSource, WebState, page_of
from transforms.web import looks_like_html


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.") or "web"


class PageSource(UrlSource):
    kind = "page"

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        resp = self._fetch(self.location, PAGE_ACCEPT)
        if resp is None:
            return [], None
        return [resp if isinstance(resp, Rejected) else self.item(resp)], None

    def item(self, resp: Response) -> Item:
        url = self.location  # the configured URL keys the article (canonical URLs may change)
        page = page_of(resp, url, url)
        if isinstance(page, Rejected):
            return page
        if page is None:
            return Rejected(url, url, "parse", f"{url}: no article text found on the page")
        meta = {k: v for k, v in (("author", page.author), ("sitename", page.sitename)) if v}
        source = self.name or page.sitename or _host(resp.url)
        return RawRecord(url, url, page.title, page.text, page.published, source, page.url or resp.url, meta)


class WebSource(UrlSource):
    """A URL given without a kind: a feed or a page, told apart by the response."""

    def __init__(self, location: str, *, state: WebState, name: str | None = None):
        super().__init__(location, state=state, name=name)
        self._feed: FeedSource | None = None

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        if ref.offset and self._feed is not None:
            return self._feed.read(ref)  # a feed's pages still arriving
        if self._feed is not None:
            self._feed.stop()  # a retried first read starts over
        resp = self._fetch(self.location, f"{FEED_ACCEPT}, text/html")
        if resp is None:
            return [], None
        if isinstance(resp, Rejected):
            return [resp], None
        if looks_like_html(resp.content_type, resp.content):
            return [PageSource(self.location, state=self.state, name=self.name).item(resp)], None
        self._feed = FeedSource(self.location, state=self.state, name=self.name)
        return self._feed.start(resp, ref)


def web_source(
    location: str, *, kind: str | None, state: WebState | None = None, name: str | None = None, **options
):
    """The web source for a location: `kind` 'feed' or 'page', or None for a URL told by
    its response."""
    if options:
        raise ValueError(f"unknown options for a {kind or 'web'} source: {', '.join(sorted(options))}")
    state = state or WebState(Fetcher())
    if kind == "feed":
        return FeedSource(location, state=state, name=name)
    if kind == "page":
        return PageSource(location, state=state, name=name)
    return WebSource(location, state=state, name=name)
