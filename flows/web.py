"""Web sources: RSS/Atom feeds and article pages, fetched over HTTP (flows/fetching.py) and
parsed by transforms/web.py.

- `FeedSource` (kind `feed`): a feed by URL or file. One conditional GET for the feed (an
  unchanged feed is answered 304 and costs nothing more); entries already in the
  warehouse are not fetched again; each new entry's link is fetched and its page parsed,
  the feed's title, date, author and categories filling what the page lacks.
- `PageSource` (kind `page`): one article URL (conditional GET as well). A folder of saved
  `.html` files is a plain folder source (flows/sources.py).

Every failure (HTTP status, timeout, oversized or non-HTML response, unparseable feed or
page) is a `Rejected` item, so a quarantine row with the URL, the status or error and the
stage; the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from flows.fetching import Fetcher, FetchError, Response
from flows.sources import ChunkRef, Item, RawRecord, Rejected, is_url
from transforms.web import FEED_TYPES, Entry, Page, looks_like_html, parse_feed, parse_page

FEED_ACCEPT = ", ".join((*FEED_TYPES, "*/*;q=0.5"))
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass
class WebState:
    """What web sources need from the warehouse, and what they learn for it.

    `validators`: url -> (etag, last_modified) of the last successful fetch (conditional GET);
    `known(source, external_ids)`: the ids already loaded (their pages are not fetched);
    `fetched`: url -> {etag, last_modified, status}, written to `fetch_state` at the end of
    a successful run (so a failed run never makes the next one skip an entry)."""

    fetcher: Fetcher
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    known: Callable[[str, list[str]], set[str]] = lambda source, ids: set()
    fetched: dict[str, dict] = field(default_factory=dict)

    def remember(self, url: str, resp) -> None:
        prev = self.validators.get(url, (None, None))
        if resp.not_modified:
            etag, lm = prev
        else:
            etag, lm = resp.headers.get("etag"), resp.headers.get("last-modified")
        self.fetched[url] = {"etag": etag, "last_modified": lm, "status": resp.status}


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower().removeprefix("www.") or "web"


class _UrlSource:
    """One location, one read task; subclasses say what the response is."""

    kind = "web"

    def __init__(self, location: str, *, state: WebState, name: str | None = None):
        self.location = str(location)
        self.state = state
        self.name = name

    def estimate(self) -> int:
        return 1

    def chunks(self) -> list[ChunkRef]:
        return [ChunkRef(self.location, self.location, self.kind)]

    def _fetch(self, url: str, accept: str) -> Response | Rejected | None:
        """Conditional GET of `url`: the response, a Rejected, or None when unchanged (304)."""
        etag, lm = self.state.validators.get(url, (None, None))
        try:
            resp = self.state.fetcher.get(url, etag=etag, last_modified=lm, accept=accept)
        except FetchError as exc:
            return Rejected(self.location, None, "fetch", str(exc))
        self.state.remember(url, resp)
        return None if resp.not_modified else resp


def _page(resp: Response, where: str, key: str | None) -> Page | Rejected | None:
    """The article of an HTML response; Rejected when it is not HTML or can't be parsed;
    None when it has no main text."""
    if not looks_like_html(resp.content_type, resp.content):
        return Rejected(
            where, key, "fetch", f"{resp.url}: not an HTML page (content-type {resp.content_type or 'none'})"
        )
    try:
        return parse_page(resp.content, resp.url)
    except Exception as exc:  # noqa: BLE001  (lxml/trafilatura on malformed input)
        return Rejected(where, key, "parse", f"{resp.url}: HTML could not be parsed: {exc}")


class FeedSource(_UrlSource):
    kind = "feed"

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        where = self.location
        if is_url(where):
            resp = self._fetch(where, FEED_ACCEPT)
            if resp is None:
                return [], None  # unchanged since the last run: one request, nothing to do
            if isinstance(resp, Rejected):
                return [resp], None
            return self.items(resp.content, resp.url), None
        try:
            content = Path(where).read_bytes()
        except OSError as exc:
            return [Rejected(where, None, "read", f"feed file could not be read: {exc}")], None
        return self.items(content, None), None

    def items(self, content: bytes, base: str | None) -> list[Item]:
        """The feed's new entries, fetched and parsed (in the feed's order)."""
        where = self.location
        try:
            feed = parse_feed(content)
        except ValueError as exc:
            return [Rejected(where, None, "parse", str(exc), content[:20000].decode("utf-8", "replace"))]
        source = self.name or feed.title or _host(base or feed.link or where)
        ids = [e.id for e in feed.entries]
        known = self.state.known(source, ids) if ids else set()
        todo = {e.id: e for e in feed.entries if e.id not in known}  # first of repeated ids
        return self.state.fetcher.get_many(list(todo), lambda eid: self._entry(todo[eid], source, base))

    def _entry(self, e: Entry, source: str, base: str | None) -> Item:
        where = self.location
        if not e.link:
            return Rejected(where, e.id, "fetch", "feed entry has no link to fetch")
        link = urljoin(base, e.link) if base else e.link
        meta = {
            "feed": self.location,
            "feed_entry_link": link,
            **({"author": e.author} if e.author else {}),
            **({"categories": list(e.categories)} if e.categories else {}),
        }
        try:
            resp = self.state.fetcher.get(link, accept=PAGE_ACCEPT)
        except FetchError as exc:
            return Rejected(where, e.id, "fetch", str(exc))
        page = _page(resp, where, e.id)
        if isinstance(page, Rejected):
            return page
        if page is None:
            if e.summary:  # a page without main text: the feed's summary is the article
                meta["body_from"] = "feed summary"
                return RawRecord(where, e.id, e.title, e.summary, e.published, source, link, meta)
            return Rejected(where, e.id, "parse", f"{link}: no article text found on the page")
        if page.author:
            meta.setdefault("author", page.author)
        if page.sitename:
            meta["sitename"] = page.sitename
        if page.categories:
            meta.setdefault("categories", list(page.categories))
        return RawRecord(
            where,
            e.id,
            page.title or e.title,  # feed metadata fills what the page lacks
            page.text,
            page.published or e.published,
            source,
            page.url or resp.url,
            meta,
        )


class PageSource(_UrlSource):
    kind = "page"

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        resp = self._fetch(self.location, PAGE_ACCEPT)
        if resp is None:
            return [], None
        return [resp if isinstance(resp, Rejected) else self.item(resp)], None

    def item(self, resp: Response) -> Item:
        url = self.location  # the configured URL keys the article (canonical URLs may change)
        page = _page(resp, url, url)
        if isinstance(page, Rejected):
            return page
        if page is None:
            return Rejected(url, url, "parse", f"{url}: no article text found on the page")
        meta = {k: v for k, v in (("author", page.author), ("sitename", page.sitename)) if v}
        source = self.name or page.sitename or _host(resp.url)
        return RawRecord(url, url, page.title, page.text, page.published, source, page.url or resp.url, meta)


class WebSource(_UrlSource):
    """A URL given without a kind: a feed or a page, told apart by the response."""

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        resp = self._fetch(self.location, f"{FEED_ACCEPT}, text/html")
        if resp is None:
            return [], None
        if isinstance(resp, Rejected):
            return [resp], None
        if looks_like_html(resp.content_type, resp.content):
            return [PageSource(self.location, state=self.state, name=self.name).item(resp)], None
        return FeedSource(self.location, state=self.state, name=self.name).items(resp.content, resp.url), None


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
