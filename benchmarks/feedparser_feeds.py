"""feedparser's own test feeds through newsetl: entries feedparser returns vs entries the
run accounts for (loaded + skipped + quarantined).

feedparser's test feeds are not part of newsetl and are never copied into it: export them
from feedparser's repository (https://github.com/kurtmckee/feedparser) to a folder outside
this one and give the path of its `tests` folder:

    git clone https://github.com/kurtmckee/feedparser /tmp/feedparser-src
    mkdir -p /tmp/fp && git -C /tmp/feedparser-src archive HEAD tests | tar -x -C /tmp/fp
    .venv/bin/python benchmarks/feedparser_feeds.py /tmp/fp/tests

Every feed file under it (`*.xml`, `*.json`) is served on 127.0.0.1 with the HTTP headers
its comments declare (`Header: Content-type: ...`, as feedparser's harness serves its http
tests; otherwise application/xml, or application/json for JSON Feed) and its URL is given
to one nightly run as a --source, as `newsetl run --source URL` reads a feed URL (kind told
by the response, the feed fetched, each entry's page fetched). Entry links are never
requested from the internet and no host name is looked up: in this process every name
(example.com, ..., and feedparser's own harness address 127.0.0.1:8097) resolves to the
same server, which answers any other host than itself 404, so entries fall back to their
own text or are quarantined. (Not HTTP_PROXY: newsetl's Fetcher gives httpx its own
transport, and httpx then ignores proxies from the environment.) Per feed, feedparser's entries (the same bytes and headers) are compared
with the run's per-source counts (pipeline_runs.source_counts) less the feed-level
quarantine rows (a feed that could not be read at all). `--no-flow` reads the feeds with
the source alone (as the run's read task does) and counts its items instead.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

HEADER = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)  # feedparser's test-header comments


def feed_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".xml", ".json"))


def served_headers(path: Path, data: bytes) -> dict[str, str]:
    """The headers a feed file is served with: those its comments declare, else a neutral type."""
    declared = {k.strip(): v.strip() for k, v in HEADER.findall(data.decode("utf-8", "ignore"))}
    headers = {k: v for k, v in declared.items() if k.lower() != "content-type"}
    ctype = next((v for k, v in declared.items() if k.lower() == "content-type"), None)
    if ctype is None:
        ctype = "application/json" if path.suffix.lower() == ".json" else "application/xml"
    headers["Content-Type"] = ctype
    return headers


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body leave at once (TCP_NODELAY), as from a real server: with Nagle's
    # algorithm the body waits for the client's delayed ACK, 40 ms a response
    disable_nagle_algorithm = True
    root: Path
    me: str  # host:port of this server
    foreign: list[str]  # requests for other hosts (entry links), answered 404

    def log_message(self, *args):
        pass

    def send(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)

    def do_GET(self):  # noqa: N802  (http.server's name)
        parts = urlsplit(self.path)
        host = self.headers.get("Host", "")
        if host != self.me:  # an entry link to another host, resolved here
            self.foreign.append(f"{host}{self.path}")
            return self.send(404, b"not fetched: offline benchmark", {"Content-Type": "text/plain"})
        file = (self.root / unquote(parts.path).lstrip("/")).resolve()
        if not file.is_relative_to(self.root) or not file.is_file():
            return self.send(404, b"not found", {"Content-Type": "text/plain"})
        data = file.read_bytes()
        return self.send(200, data, served_headers(file, data))


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):  # a client closing a kept-alive connection
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def start_server(root: Path) -> tuple[Server, str]:
    handler = type("FeedHandler", (Handler,), {"root": root.resolve(), "foreign": []})
    server = Server(("127.0.0.1", 0), handler)
    handler.me = f"127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{handler.me}"


HARNESS_ADDRESS = ("127.0.0.1", 8097)  # where feedparser's tests say they are served


def resolve_here(port: int) -> None:
    """Every host name, and feedparser's harness address, resolves to 127.0.0.1:`port` in
    this process: nothing is looked up or requested elsewhere. 127.0.0.1 and localhost at
    other ports stay as they are (the Prefect API the run reports to)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port_, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        local = name in ("127.0.0.1", "localhost", "::1")
        if local and (name, int(port_ or 0)) != HARNESS_ADDRESS:
            return real(host, port_, *args, **kwargs)
        return real("127.0.0.1", port, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def feedparser_counts(root: Path, files: list[Path]) -> dict[str, tuple[int, int]]:
    """Per file: entries feedparser returns for the bytes and headers served, and for the
    file read locally."""
    import feedparser

    out = {}
    for f in files:
        data = f.read_bytes()
        headers = {k.lower(): v for k, v in served_headers(f, data).items()}
        served = len(feedparser.parse(data, response_headers=headers).entries)
        local = len(feedparser.parse(str(f)).entries)
        out[f.relative_to(root).as_posix()] = (served, local)
    return out


def run_flow(urls: list[str], work: Path) -> tuple[dict, dict[str, int], dict, float]:
    """One nightly run over every URL: its result, accounted entries per URL, feed-level
    quarantine rows per URL, seconds."""
    import duckdb
    from prefect.testing.utilities import prefect_test_harness

    from flows.nightly import nightly

    wh = work / "feeds.duckdb"
    with prefect_test_harness(server_startup_timeout=120):
        t = time.monotonic()
        res = nightly(sources=urls, warehouse=str(wh))
        took = time.monotonic() - t
    con = duckdb.connect(str(wh), read_only=True)
    try:
        (counts,) = con.execute(
            "select source_counts from pipeline_runs order by started_at desc limit 1"
        ).fetchone()
        feed_level = dict(
            con.execute(
                "select source_path, count(*) from quarantine where external_id is null group by 1"
            ).fetchall()
        )
        reasons = dict(
            con.execute(
                "select source_path, any_value(reason) from quarantine where external_id is null group by 1"
            ).fetchall()
        )
    finally:
        con.close()
    counts = json.loads(counts) if isinstance(counts, str) else counts
    accounted = {
        u: n.get("loaded", 0) + n.get("skipped", 0) + n.get("quarantined", 0) - feed_level.get(u, 0)
        for u, n in counts.items()
    }
    totals = {
        k: sum(n.get(k, 0) for n in counts.values()) for k in ("seen", "loaded", "skipped", "quarantined")
    }
    return {**res, "totals": totals, "feed_level": feed_level, "reasons": reasons}, accounted, counts, took


def read_sources(urls: list[str]) -> tuple[dict[str, int], dict[str, int], dict[str, str], float]:
    """Each URL read as a run's read task reads it (open_source, chunk by chunk): entry
    items per URL, feed-level rejections per URL and their reasons, seconds."""
    from flows.settings import Settings
    from flows.sources import Fetcher, HttpOptions, WebState, open_source

    items: dict[str, int] = {}
    feed_level: dict[str, int] = {}
    reasons: dict[str, str] = {}
    t = time.monotonic()
    with Fetcher(HttpOptions.from_settings(Settings())) as f:
        state = WebState(f)
        for u in urls:
            source = open_source(u, web=state)
            n = bad = 0
            for ref in source.chunks():
                nxt = ref
                while nxt is not None:
                    got, nxt = source.read(nxt)
                    n += len(got)
                    for i in got:
                        if getattr(i, "external_id", "") is None:
                            bad += 1
                            reasons.setdefault(u, i.reason)
            items[u], feed_level[u] = n - bad, bad
    return items, feed_level, reasons, time.monotonic() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "tests",
        type=Path,
        help="path of feedparser's `tests` folder, exported from its repository (see above); never this repo",
    )
    ap.add_argument(
        "--host-delay",
        type=float,
        default=0.0,
        help="NEWSETL_HTTP_HOST_DELAY for the run (default 0: every feed comes from one local server, "
        "and 0.2 s between its requests would add 7 minutes, not what is measured)",
    )
    ap.add_argument(
        "--no-flow", action="store_true", help="read the feeds with the source only, no nightly run"
    )
    ap.add_argument("--limit", type=int, default=None, help="only the first N feed files (a quick look)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show Prefect's console lines")
    args = ap.parse_args()
    root = args.tests.resolve()
    if not root.is_dir():
        ap.error(f"{root} is not a folder")
    if Path(__file__).resolve().parents[1] in (root, *root.parents):
        ap.error("the tests folder must be outside this repository (feedparser's files are never committed)")
    files = feed_files(root)[: args.limit]
    if not files:
        ap.error(f"no feed files (*.xml, *.json) under {root}")

    server, base = start_server(root)
    resolve_here(server.server_address[1])  # nothing leaves the machine
    os.environ["NEWSETL_HTTP_HOST_DELAY"] = str(args.host_delay)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if not args.verbose:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL", "CRITICAL")
    rel = [f.relative_to(root).as_posix() for f in files]
    urls = {r: f"{base}/{quote(r)}" for r in rel}
    fp = feedparser_counts(root, files)
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-feeds-") as work:
        os.environ.setdefault("PREFECT_HOME", str(Path(work) / "prefect"))
        if args.no_flow:
            accounted_by_url, feed_level, reasons, took = read_sources(list(urls.values()))
            res = None
        else:
            res, accounted_by_url, _, took = run_flow(list(urls.values()), Path(work))
            feed_level, reasons = res["feed_level"], res["reasons"]
    server.shutdown()

    returned = sum(fp[r][0] for r in rel)
    local = sum(fp[r][1] for r in rel)
    accounted = sum(accounted_by_url.get(urls[r], 0) for r in rel)
    differ = [
        (r, fp[r][0], accounted_by_url.get(urls[r], 0))
        for r in rel
        if fp[r][0] != accounted_by_url.get(urls[r], 0)
    ]
    with_entries = sum(fp[r][0] > 0 for r in rel)
    rows = [
        ("feed files", f"{len(files):,} ({with_entries:,} with entries)"),
        ("entries feedparser returns (as served)", f"{returned:,}"),
        ("entries feedparser returns (local files)", f"{local:,}"),
        ("entries accounted for by the run" if res else "entry items from the source", f"{accounted:,}"),
        ("feeds not read at all (feed-level row)", f"{sum(1 for r in rel if feed_level.get(urls[r]))}"),
        ("feeds whose counts differ", f"{len(differ)}"),
        (
            "entry links asked of other hosts (404)",
            f"{len(server.RequestHandlerClass.foreign):,}",
        ),
        ("seconds", f"{took:.1f}"),
    ]
    if res:
        t = res["totals"]
        rows.insert(
            4,
            (
                "  loaded + skipped + quarantined",
                f"{t['loaded']:,} + {t['skipped']:,} + {t['quarantined']:,} (seen {t['seen']:,}; run {res['status']})",
            ),
        )
    width = max(len(k) for k, _ in rows)
    title = "feedparser's test feeds through newsetl's feed source"
    print(f"{title}\n{'-' * len(title)}")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    for r in rel:
        if feed_level.get(urls[r]):
            print(f"  not read: {r} (feedparser: {fp[r][0]} entries): {reasons.get(urls[r], '')[:110]}")
    for r, a, b in differ[:50]:
        print(f"  differs: {r}: feedparser {a}, accounted {b} {reasons.get(urls[r], '')[:110]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
