"""Fetching: slow servers, many hosts, and pages handed to the run as they arrive.

Prints numbers (no pass/fail) for three cases, against HTTP servers on 127.0.0.1 that run
in a separate process (so they do not share this process's GIL), through newsetl's own
code: `flows.sources.Fetcher` built from the settings, the web source a run opens for a
URL (`flows.sources.open_source`, read chunk by chunk as the run's read task does) and the
nightly flow itself (`flows.nightly.nightly`, on a temporary Prefect test server).

  drip   a page that sends one byte a second, headers and body (and one that sends its
         headers at once, then its body a byte a second), fetched alone: at most the total
         deadline (`--deadline`, else NEWSETL_HTTP_DEADLINE, else 10 s); then a feed whose
         four entries are that page and 3 normal pages on the same host: when each is
         handed to the run, and the nightly run of that feed.
  hosts  a feed of `--pages` entries whose pages live on `--hosts` servers (one port each:
         the per-host limit is keyed by host:port), read as a run reads it, against the same
         pages on one host fetched one at a time (the feed source with one fetching
         thread, and a plain loop of `Fetcher.get`). Each page answers after
         `--server-delay` (50 ms). Per-host limit and delay: the settings (2, 0.2 s) unless
         NEWSETL_HTTP_PER_HOST / NEWSETL_HTTP_HOST_DELAY or `--host-delay` say otherwise.
  flow   the same feed through the nightly flow, once per `--batch-sizes`: when the run
         logged "batch N loaded" against when the server sent the first and the last page.

    .venv/bin/python benchmarks/fetching.py                       # all three
    .venv/bin/python benchmarks/fetching.py drip --deadline 60
    .venv/bin/python benchmarks/fetching.py hosts --host-delay 0  # no politeness delay
    .venv/bin/python benchmarks/fetching.py flow --batch-sizes 500,100

Everything binds 127.0.0.1; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path

from fetching_servers import Servers  # beside this script: its servers, in their own process

CASES = ("drip", "hosts", "flow")

# ---- newsetl's code paths --------------------------------------------------------------


def settings(args, **overrides):
    """The run's settings: from the environment, which main() set from --deadline and
    --host-delay (so the nightly flow, which reads its settings there, gets the same)."""
    from flows.settings import Settings

    return Settings(**overrides)


def fetcher(args, workers: int | None = None):
    from flows.sources import Fetcher, HttpOptions

    opts = HttpOptions.from_settings(settings(args))
    if workers is not None:
        opts = dataclasses.replace(opts, workers=workers)
    return Fetcher(opts)


def read_url(url: str, f) -> tuple[list[tuple[float, object]], float]:
    """A URL read as a run reads a --source URL: the source `open_source` gives, chunk by
    chunk (what the read task calls). Returns (seconds since the start, item) for every item
    and the total seconds."""
    from flows.sources import WebState, open_source

    source = open_source(url, web=WebState(f))
    out: list[tuple[float, object]] = []
    t0 = time.monotonic()
    for ref in source.chunks():
        nxt = ref
        while nxt is not None:
            items, nxt = source.read(nxt)
            t = time.monotonic() - t0
            out += [(t, item) for item in items]
    return out, time.monotonic() - t0


def loaded_or_not(items) -> tuple[int, int]:
    from flows.sources import RawRecord

    good = sum(isinstance(i, RawRecord) for _, i in items)
    return good, len(items) - good


# ---- the cases ---------------------------------------------------------------------------


def table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n{title}")
    print("-" * len(title))
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    sys.stdout.flush()


def case_drip(args, srv: Servers) -> dict:
    from flows.sources import FetchError

    s = settings(args)
    deadline = s.http_deadline
    rows = [
        ("deadline (http_deadline)", f"{deadline:g} s"),
        ("read timeout, retries", f"{s.http_read_timeout:g} s, {s.http_retries}"),
    ]
    out: dict = {"deadline": deadline}
    for name, path in (("headers and body", "/drip.html"), ("body only", "/drip-body.html")):
        with fetcher(args) as f:
            t = time.monotonic()
            try:
                f.get(f"{srv.base[0]}{path}")
                why = "fetched (!)"
            except FetchError as exc:
                why = exc.reason
            took = time.monotonic() - t
        out[f"one page, drip {name}"] = took
        rows.append((f"one page, drip {name}", f"{took:.2f} s  ({why})"))
    srv.served()
    with fetcher(args) as f:
        items, total = read_url(f"{srv.base[0]}/drip-feed.xml?tag=d", f)
    at = {i.external_id: t for t, i in items}
    normal = [at[f"urn:bench:d-{i}"] for i in range(3)]
    served = [fin for p, _, fin in srv.served() if p.startswith("/page/")]
    rows += [
        ("feed with drip + 3 pages, one host", ""),
        ("  3 normal pages handed to the run at", ", ".join(f"{x:.2f}" for x in sorted(normal)) + " s"),
        ("  dripping page (quarantined) handed at", f"{at['urn:bench:d-drip']:.2f} s"),
        ("  whole read", f"{total:.2f} s"),
        ("  normal pages served by the server", f"{len(served)}"),
    ]
    out.update(normal_pages=max(normal), drip_in_feed=at["urn:bench:d-drip"], feed_read=total)
    if args.flow_drip:
        res, took, _ = run_flow(args, f"{srv.base[0]}/drip-feed.xml?tag=flowdrip", batch_size=None)
        c = res["counts"]
        rows.append(
            (
                "  nightly run of that feed",
                f"{took:.2f} s wall, read stage {res['stage_seconds'].get('read', 0):.2f} s; "
                f"loaded {c['articles_loaded']}, quarantined {c['articles_quarantined']}",
            )
        )
        out["flow_drip"] = took
    table(f"1. a dripping page (one byte a second), deadline {deadline:g} s", rows)
    return out


def case_hosts(args, srv: Servers) -> dict:
    s = settings(args)
    n, hosts = args.pages, args.hosts
    rows = [
        ("pages, hosts", f"{n}, {hosts} (127.0.0.1, one port each)"),
        ("server delay per page", f"{args.server_delay * 1000:.0f} ms"),
        ("per-host limit, host delay", f"{s.http_per_host}, {s.http_host_delay:g} s"),
    ]
    out: dict = {}
    srv.served()
    with fetcher(args) as f:
        items, many = read_url(f"{srv.base[0]}/feed.xml?n={n}&hosts={hosts}&tag=many", f)
    good, bad = loaded_or_not(items)
    served = srv.served()
    rows.append((f"feed, {hosts} hosts (as a run reads it)", f"{many:.2f} s  ({good} pages, {bad} not)"))
    out["many_hosts"] = many
    rows.append(("  pages served", f"{sum(p.startswith('/page/') for p, _, _ in served)}"))
    if not args.skip_serial:
        with fetcher(args, workers=1) as f:
            items, serial_feed = read_url(f"{srv.base[0]}/feed.xml?n={n}&hosts=1&tag=serial", f)
        good, bad = loaded_or_not(items)
        rows.append(("feed, 1 host, one page at a time", f"{serial_feed:.2f} s  ({good} pages, {bad} not)"))
        urls = [f"{srv.base[0]}/page/get/{i}.html" for i in range(n)]
        with fetcher(args) as f:
            t = time.monotonic()
            for u in urls:
                f.get(u)
            serial_get = time.monotonic() - t
        rows.append(("Fetcher.get loop, 1 host (fetch only)", f"{serial_get:.2f} s"))
        rows.append(
            (
                f"{hosts} hosts / serial",
                f"{many / serial_feed:.3f} (feed) and {many / serial_get:.3f} (get loop); target <= 0.333",
            )
        )
        out.update(serial_feed=serial_feed, serial_get=serial_get)
    srv.served()
    table(f"2. {n} feed entries on {hosts} hosts vs one host, serially", rows)
    return out


class _Marks(logging.Handler):
    """When the run logs "batch N loaded", and when Prefect logs a clean_batch task run
    finished (a batch formed and cleaned: its parsing starts), on this process's
    monotonic clock."""

    LOADED = re.compile(r"batch (\d+) loaded: (\d+) articles")

    def __init__(self):
        super().__init__(logging.INFO)
        self.loaded: list[tuple[int, int, float]] = []
        self.cleaned: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        m = self.LOADED.match(msg)
        if m:
            self.loaded.append((int(m[1]), int(m[2]), time.monotonic()))
        elif str(getattr(record, "task_run_name", "")).startswith("clean_batch") and msg.startswith(
            "Finished"
        ):
            self.cleaned.append(time.monotonic())


_HARNESS: contextlib.ExitStack | None = None


def run_flow(args, url: str, batch_size: int | None) -> tuple[dict, float, _Marks]:
    """The nightly flow over one URL into a fresh warehouse, on a temporary Prefect test
    server (started once)."""
    global _HARNESS
    if _HARNESS is None:
        from prefect.testing.utilities import prefect_test_harness

        _HARNESS = contextlib.ExitStack()
        _HARNESS.enter_context(prefect_test_harness(server_startup_timeout=120))
    from flows.nightly import nightly

    marks = _Marks()
    loggers = [logging.getLogger("newsetl"), logging.getLogger("prefect.task_runs")]
    for lg in loggers:
        lg.setLevel(logging.INFO)
        lg.addHandler(marks)
    wh = Path(args.work) / f"flow-{len(os.listdir(args.work))}.duckdb"
    t0 = time.monotonic()
    try:
        res = nightly(sources=[url], warehouse=str(wh), batch_size=batch_size)
    finally:
        for lg in loggers:
            lg.removeHandler(marks)
    took = time.monotonic() - t0
    marks.t0 = t0
    return res, took, marks


def case_flow(args, srv: Servers) -> dict:
    s = settings(args)
    out: dict = {}
    rows = [
        ("feed", f"{args.pages} entries on {args.hosts} hosts, {args.server_delay * 1000:.0f} ms per page"),
        ("per-host limit, host delay", f"{s.http_per_host}, {s.http_host_delay:g} s"),
        ("worker processes", f"{s.processes}"),
    ]
    for bs in args.batch_sizes:
        srv.served()
        url = f"{srv.base[0]}/feed.xml?n={args.pages}&hosts={args.hosts}&tag=flow{bs}"
        res, took, marks = run_flow(args, url, batch_size=bs)
        t0 = marks.t0
        pages = sorted(fin - t0 for p, _, fin in srv.served() if p.startswith("/page/"))
        c = res["counts"]
        first = marks.loaded[0] if marks.loaded else None
        rows += [
            (
                f"batch size {bs}",
                f"run {res['status']} in {took:.2f} s, {c['batches']} batches, "
                f"loaded {c['articles_loaded']}, quarantined {c['articles_quarantined']}",
            ),
            ("  first page served", f"{pages[0]:.2f} s" if pages else "-"),
            ("  last page served", f"{pages[-1]:.2f} s" if pages else "-"),
            (
                "  batch 1 formed (cleaned; parsing starts)",
                f"{marks.cleaned[0] - t0:.2f} s" if marks.cleaned else "-",
            ),
            (
                "  batch 1 loaded",
                f"{first[2] - t0:.2f} s ({first[1]} articles)" if first else "never",
            ),
            ("  last batch loaded", f"{marks.loaded[-1][2] - t0:.2f} s" if marks.loaded else "never"),
            (
                "  first batch before last page",
                f"{'yes' if first and pages and first[2] - t0 < pages[-1] else 'NO'}"
                + (f" (by {pages[-1] - (first[2] - t0):.2f} s)" if first and pages else ""),
            ),
        ]
        if res["status"] != "succeeded":
            rows.append(("  errors", "; ".join(res["errors"])[:600]))
        out[f"batch_{bs}"] = {
            "first_formed": marks.cleaned[0] - t0 if marks.cleaned else None,
            "first_loaded": first[2] - t0 if first else None,
            "last_page": pages[-1] if pages else None,
            "run": took,
        }
    table("3. the nightly flow: first batch loaded vs last page served", rows)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="*", metavar="CASE", help=f"any of {', '.join(CASES)} (default: all)")
    ap.add_argument(
        "--deadline",
        type=float,
        default=float(os.environ.get("NEWSETL_HTTP_DEADLINE", 10)),
        help="total deadline per URL, s (default: NEWSETL_HTTP_DEADLINE, else 10; the setting's own default is 60)",
    )
    ap.add_argument("--host-delay", type=float, default=None, help="override NEWSETL_HTTP_HOST_DELAY (s)")
    ap.add_argument("--pages", type=int, default=500, help="feed entries (pages) for hosts and flow (500)")
    ap.add_argument("--hosts", type=int, default=5, help="servers the pages live on (5)")
    ap.add_argument(
        "--server-delay", type=float, default=0.05, help="seconds each page takes to answer (0.05)"
    )
    ap.add_argument("--skip-serial", action="store_true", help="hosts: skip the serial one-host baselines")
    ap.add_argument(
        "--batch-sizes",
        type=lambda v: [int(x) for x in v.split(",")],
        default=[500, 100, 50],
        help="flow: batch sizes to run the feed with, comma-separated (500,100,50)",
    )
    ap.add_argument(
        "--no-flow-drip", dest="flow_drip", action="store_false", help="drip: skip the nightly run"
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="show Prefect's console lines")
    ap.add_argument("--json", action="store_true", help="also print the numbers as one JSON line")
    args = ap.parse_args()
    cases = args.cases or list(CASES)
    if set(cases) - set(CASES):
        ap.error(f"unknown case(s) {', '.join(sorted(set(cases) - set(CASES)))}; known: {', '.join(CASES)}")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if not args.verbose:  # Prefect's console lines (one per task run) would bury the tables
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL", "CRITICAL")
    os.environ["NEWSETL_HTTP_DEADLINE"] = str(args.deadline)
    if args.host_delay is not None:
        os.environ["NEWSETL_HTTP_HOST_DELAY"] = str(args.host_delay)
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="newsetl-bench-fetching-") as work:
        args.work = work
        os.environ.setdefault("PREFECT_HOME", str(Path(work) / "prefect"))
        srv = Servers(max(args.hosts, 1), args.server_delay)
        try:
            print(
                f"cores {len(os.sched_getaffinity(0))}, load average {os.getloadavg()[0]:.2f}; "
                f"servers on ports {', '.join(map(str, srv.ports))}"
            )
            for case in CASES:
                if case in cases:
                    t = time.monotonic()
                    results[case] = globals()[f"case_{case}"](args, srv)
                    print(f"  ({case}: {time.monotonic() - t:.0f} s in all)")
        finally:
            if _HARNESS is not None:
                _HARNESS.close()
            srv.close()
    if args.json:
        print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
