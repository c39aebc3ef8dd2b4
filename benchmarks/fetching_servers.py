"""The HTTP servers of benchmarks/fetching.py, in a process of their own (so they do not
share the benchmark's GIL): n servers on 127.0.0.1, one a port, serving feeds of n entries
whose pages are spread round-robin over the hosts, article pages (after a delay), a page
that drips a byte a second (headers and body, or the body only), and the log of what they
served (`/_served`)."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import random
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

_WORDS = {
    "who": ["Acme Corp", "Lumen Arcade", "Corvex Energy", "Veloria", "Kestrel Shipping", "Orbis Labs"],
    "did": ["bought", "sold", "opened", "closed", "hired", "sued", "fined", "backed", "joined"],
    "what": ["a battery plant", "its games unit", "a rival fund", "300 engineers", "the port authority"],
    "where": ["in Halden", "in Norlund", "near the coast", "abroad", "at home", "in the capital"],
    "when": ["on Monday", "on Tuesday", "last week", "in March", "this year", "after the vote"],
}


def article_html(key: str) -> str:
    """A small article page (about 2 KB, 300 words) with navigation and a footer, different for each key."""
    rng = random.Random(key)

    def sentence() -> str:
        w = {k: rng.choice(v) for k, v in _WORDS.items()}
        n = rng.randint(2, 900)
        return f"{w['who']} {w['did']} {w['what']} {w['where']} {w['when']}, a deal worth {n} million."

    paras = "".join(f"<p>{' '.join(sentence() for _ in range(4))}</p>" for _ in range(5))
    title = f"Story {key}: {sentence()[:60]}"
    return (
        f"<!doctype html><html><head><title>{title}</title>"
        '<meta property="article:published_time" content="2026-11-20"></head><body>'
        '<nav><a href="/">Home</a> <a href="/markets">Markets</a> <a href="/tech">Tech</a></nav>'
        f"<article><h1>{title}</h1>{paras}</article>"
        "<footer>Copyright 2026 Example News. All rights reserved.</footer></body></html>"
    )


def _rss(items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><guid>urn:bench:{t}</guid><link>{link}</link></item>" for t, link in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>{body}</channel></rss>'


class _Site:
    def __init__(self, ports: list[int], delay: float):
        self.ports = ports
        self.delay = delay
        self.lock = threading.Lock()
        self.served: list[tuple[str, float, float]] = []  # path, started, finished (monotonic)


def _handler(site: _Site):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers
        # headers and body leave at once (TCP_NODELAY), as from a real server: with Nagle's
        # algorithm the body waits for the client's delayed ACK, 40 ms a response
        disable_nagle_algorithm = True

        def log_message(self, *args):
            pass

        def send(self, status: int, body: str | bytes, ctype: str = "text/html; charset=utf-8") -> None:
            data = body.encode() if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def drip(self, data: bytes) -> None:
            """One byte a second until the client gives up."""
            self.close_connection = True
            with contextlib.suppress(BrokenPipeError, ConnectionResetError, OSError):
                for b in data:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(1.0)

        def do_GET(self):  # noqa: N802  (http.server's name)
            started = time.monotonic()
            path, _, query = self.path.partition("?")
            q = {k: v[0] for k, v in parse_qs(query).items()}
            me = f"http://127.0.0.1:{self.server.server_address[1]}"
            if path == "/_served":  # the log of pages served (and cleared)
                with site.lock:
                    log, site.served[:] = list(site.served), []
                return self.send(200, json.dumps(log), "application/json")
            if path == "/feed.xml":  # ?n=500&hosts=5&tag=x: n entries, pages round-robin on hosts
                n, hosts, tag = int(q["n"]), int(q.get("hosts", 1)), q.get("tag", "x")
                links = [
                    (f"{tag}-{i}", f"http://127.0.0.1:{site.ports[i % hosts]}/page/{tag}/{i}.html")
                    for i in range(n)
                ]
                return self.send(200, _rss(links), "application/rss+xml")
            if path == "/drip-feed.xml":  # the dripping page and 3 normal pages, one host
                tag = q.get("tag", "d")
                links = [(f"{tag}-drip", f"{me}/drip.html?tag={tag}")]
                links += [(f"{tag}-{i}", f"{me}/page/{tag}/{i}.html") for i in range(3)]
                return self.send(200, _rss(links), "application/rss+xml")
            if path.startswith("/page/"):
                time.sleep(site.delay)
                self.send(200, article_html(path))
            elif path == "/drip.html":  # the whole response a byte a second: status line, headers, body
                body = article_html(path).encode()
                head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
                self.drip(head.encode() + body)
            elif path == "/drip-body.html":  # headers at once, then the body a byte a second
                body = article_html(path).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.flush()
                self.drip(body)
            else:
                self.send(404, "not found")
            with site.lock:
                site.served.append((path, started, time.monotonic()))
            return None

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request, client_address):  # a client that gave up is expected
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def _serve(conn, n: int, delay: float) -> None:
    """Server process: n servers on 127.0.0.1 (one per port), until told to stop."""
    ports: list[int] = []
    site = _Site(ports, delay)
    servers = [_Server(("127.0.0.1", 0), _handler(site)) for _ in range(n)]
    ports += [s.server_address[1] for s in servers]
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    conn.send(ports)
    with contextlib.suppress(EOFError):
        conn.recv()
    for s in servers:
        s.shutdown()


class Servers:
    """The server process and what it served."""

    def __init__(self, n: int, delay: float):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, n, delay), daemon=True)
        self.proc.start()
        self.ports: list[int] = self.conn.recv()
        self.base = [f"http://127.0.0.1:{p}" for p in self.ports]

    def served(self) -> list[tuple[str, float, float]]:
        """Pages served since the last call: (path, started, finished), monotonic clock
        (one clock for the whole machine on Linux, so comparable with this process's)."""
        with urllib.request.urlopen(f"{self.base[0]}/_served", timeout=10) as r:
            return [tuple(x) for x in json.loads(r.read())]

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send("stop")
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.terminate()
