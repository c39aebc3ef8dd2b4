"""What the web sources share: `WebState` (the run's HTTP client, and what the warehouse
knows and learns: validators, loaded ids, fetch state), `AlreadyLoaded` (a feed entry not
fetched again), and `UrlSource`, the base of a source read from one location over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flows.sources.fetching import Fetcher, FetchError, Response
from flows.sources.records import ChunkRef, Rejected
from transforms.web import FEED_TYPES, Page, looks_like_html, parse_page

FEED_ACCEPT = ", ".join((*FEED_TYPES, "*/*;q=0.5"))
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True)
class AlreadyLoaded:
    """A feed entry whose article is already in the warehouse (same source and entry id):
    its page is not fetched again, and the run counts it as seen and skipped as unchanged.
    `published_at`: the stored article's (for the run's --since/--until window)."""

    source_path: str
    external_id: str
    source: str
    published_at: object = None


@dataclass
class WebState:
    """What web sources need from the warehouse, and what they learn for it.

    `validators`: url -> (etag, last_modified) of the last successful fetch (conditional GET);
    `known(source, external_ids)`: the ids already loaded (their pages are not fetched), a
    set, or a mapping id -> stored published_at (Warehouse.loaded_entries);
    `fetched`: url -> {etag, last_modified, status}, written to `fetch_state` at the end of
    a successful run (so a failed run never makes the next one skip an entry)."""

    fetcher: Fetcher
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    known: Callable[[str, list[str]], set[str] | dict[str, object]] = lambda source, ids: set()
    fetched: dict[str, dict] = field(default_factory=dict)

    def remember(self, url: str, resp) -> None:
        prev = self.validators.get(url, (None, None))
        if resp.not_modified:
            etag, lm = prev
        else:
            etag, lm = resp.headers.get("etag"), resp.headers.get("last-modified")
        self.fetched[url] = {"etag": etag, "last_modified": lm, "status": resp.status}


class UrlSource:
    """One location, one read task; subclasses say what the response is."""

    kind = "web"
    # items come as pages arrive over the network: the run closes a batch after
    # `batch_seconds` too (a file source's batches close by count only, so the same files
    # always make the same batches)
    streams = True

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


def page_of(resp: Response, where: str, key: str | None) -> Page | Rejected | None:
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
