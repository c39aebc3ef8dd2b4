"""HTTP for feeds and pages, done properly (httpx).

- connect and read timeouts; a size cap per response (Content-Length checked first, then
  the streamed bytes counted, so a lying or missing header cannot blow memory);
- a per-host concurrency limit and a minimum delay between requests to the same host;
- retries with exponential backoff on 5xx, 429 and timeouts / connection errors (never on
  other 4xx); redirects followed up to a cap;
- conditional GET: pass the validators of the last response (ETag, Last-Modified) and a
  304 comes back as `Response.not_modified`;
- a descriptive User-Agent.

Every failure raises `FetchError` with a readable reason and the status when there was
one; sources turn it into a quarantine row.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

from flows.settings import USER_AGENT, Settings

_FIELDS = Settings.model_fields


def _default(name: str):
    """The default of the matching NEWSETL_HTTP_* setting (one place for each default)."""
    return _FIELDS[f"http_{name}"].default


@dataclass(frozen=True)
class HttpOptions:
    connect_timeout: float = _default("connect_timeout")
    read_timeout: float = _default("read_timeout")
    max_bytes: int = _default("max_bytes")
    per_host: int = _default("per_host")
    host_delay: float = _default("host_delay")
    retries: int = _default("retries")
    backoff: float = _default("backoff")
    user_agent: str = USER_AGENT
    max_redirects: int = 5
    workers: int = 8  # pages fetched at once, over all hosts

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpOptions:
        return cls(**{f: getattr(settings, f"http_{f}") for f in _FIELDS_OF_SETTINGS})


_FIELDS_OF_SETTINGS = [f for f in HttpOptions.__dataclass_fields__ if f"http_{f}" in _FIELDS]


class FetchError(Exception):
    def __init__(self, url: str, reason: str, status: int | None = None):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status


@dataclass
class Response:
    url: str  # final URL, after redirects
    status: int
    headers: dict[str, str]
    content: bytes

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass
class _Host:
    slots: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = 0.0


class Fetcher:
    """A pooled HTTP client with per-host politeness; safe to use from several threads."""

    def __init__(self, options: HttpOptions | None = None, transport: httpx.BaseTransport | None = None):
        self.options = o = options or HttpOptions()
        self.client = httpx.Client(
            timeout=httpx.Timeout(o.read_timeout, connect=o.connect_timeout),
            follow_redirects=True,
            max_redirects=o.max_redirects,
            headers={"User-Agent": o.user_agent, "Accept-Encoding": "gzip, deflate"},
            transport=transport,
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            h = self._hosts.get(key)
            if h is None:
                h = self._hosts[key] = _Host(threading.Semaphore(self.options.per_host))
            return h

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> Response:
        """GET with retries; raises FetchError."""
        o = self.options
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        last_error = "no attempt made"
        status: int | None = None
        for attempt in range(o.retries + 1):
            if attempt:
                time.sleep(o.backoff * 2 ** (attempt - 1))
            try:
                resp = self._once(url, headers)
            except _Retry as r:
                last_error, status = r.reason, r.status
                continue
            return resp
        raise FetchError(url, f"{last_error} (after {o.retries + 1} attempts)", status)

    def _once(self, url: str, headers: dict[str, str]) -> Response:
        o = self.options
        host = self._host(url)
        with host.slots:
            with host.lock:
                wait = host.last + o.host_delay - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                host.last = time.monotonic()
            try:
                with self.client.stream("GET", url, headers=headers) as r:
                    if r.status_code >= 500 or r.status_code == 429:
                        raise _Retry(f"HTTP {r.status_code}", r.status_code)
                    if r.status_code >= 400:
                        raise FetchError(url, f"HTTP {r.status_code}", r.status_code)
                    declared = r.headers.get("content-length")
                    if declared and declared.isdigit() and int(declared) > o.max_bytes:
                        raise FetchError(
                            url,
                            f"response of {int(declared):,} bytes exceeds the {o.max_bytes:,}-byte cap",
                            r.status_code,
                        )
                    body = bytearray()
                    for chunk in r.iter_bytes():
                        body += chunk
                        if len(body) > o.max_bytes:
                            raise FetchError(
                                url,
                                f"response exceeds the {o.max_bytes:,}-byte cap (stopped reading)",
                                r.status_code,
                            )
                    return Response(
                        url=str(r.url),
                        status=r.status_code,
                        headers={k.lower(): v for k, v in r.headers.items()},
                        content=bytes(body),
                    )
            except httpx.TooManyRedirects as exc:
                raise FetchError(url, f"more than {o.max_redirects} redirects") from exc
            except httpx.TimeoutException as exc:
                raise _Retry(f"timed out ({type(exc).__name__})") from exc
            except httpx.TransportError as exc:
                raise _Retry(f"connection failed ({type(exc).__name__}: {exc})") from exc
            except httpx.InvalidURL as exc:
                raise FetchError(url, f"invalid URL: {exc}") from exc

    def get_many(self, urls: Iterable[str], fn: Callable[[str], object]) -> list[object]:
        """fn(url) for each URL on a small thread pool (per-host limits still apply), in order."""
        urls = list(urls)
        if len(urls) <= 1:
            return [fn(u) for u in urls]
        with ThreadPoolExecutor(
            min(self.options.workers, len(urls)), thread_name_prefix="newsetl-http"
        ) as ex:
            return list(ex.map(fn, urls))


class _Retry(Exception):
    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.status = status
