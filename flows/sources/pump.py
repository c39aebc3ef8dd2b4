"""Entry items made on a background thread (a feed's pages fetched by
`Fetcher.iter_many`), handed to the run as they arrive."""

from __future__ import annotations

import queue
import threading
import time

from flows.sources.fetching import Fetcher
from flows.sources.records import Item
from transforms.web import Entry

READ_MAX_ITEMS = 200  # items one read hands to the run at most
READ_GATHER_SECONDS = 0.5  # after the first item, how long a read collects more


class Pump:
    """Entry items made on a background thread (pages fetched by `Fetcher.iter_many`),
    handed over as they arrive. Every job yields its items exactly once: when making one
    fails unexpectedly, or the pump itself breaks, the job's entries are quarantined."""

    _DONE = object()

    def __init__(self, fetcher: Fetcher, jobs: list[tuple[str, list[Entry]]], make, broken):
        self.jobs = jobs
        self.make = make  # (entry, link) -> Item
        self.broken = broken  # (entry, link, reason) -> Rejected
        self.q: queue.Queue = queue.Queue()
        self.finished = False
        self.stopped = False
        self.thread = threading.Thread(target=self._run, args=(fetcher,), daemon=True, name="newsetl-feed")
        self.thread.start()

    def stop(self) -> None:
        """Fetch nothing more (a read started over); what is under way finishes."""
        self.stopped = True

    def _job(self, i: int) -> Item:
        link, entries = self.jobs[i]
        if self.stopped:
            return self.broken(entries[0], link, "not fetched: the feed's read was started over")
        try:
            return self.make(entries[0], link)
        except Exception as exc:  # noqa: BLE001  (one entry's bug must not lose the others)
            return self.broken(entries[0], link, f"unexpected error: {type(exc).__name__}: {exc}")

    def _run(self, fetcher: Fetcher) -> None:
        done: set[int] = set()
        try:
            for i, item in fetcher.iter_many([link for link, _ in self.jobs], self._job):
                done.add(i)
                for _ in self.jobs[i][1]:  # an exact repeat of an entry gets the same item
                    self.q.put(item)
        except BaseException as exc:  # noqa: BLE001  (accounted for below, then re-raised)
            for i, (link, entries) in enumerate(self.jobs):
                if i not in done:
                    for e in entries:
                        self.q.put(
                            self.broken(e, link, f"page fetching stopped: {type(exc).__name__}: {exc}")
                        )
            if not isinstance(exc, Exception):
                raise
        finally:
            self.q.put(self._DONE)

    def take(self, wait_first: bool) -> list[Item]:
        """What has arrived: blocks for the first item when `wait_first`, then collects for
        up to READ_GATHER_SECONDS (at most READ_MAX_ITEMS)."""
        items: list[Item] = []
        until = None if wait_first else time.monotonic() + READ_GATHER_SECONDS
        while not self.finished and len(items) < READ_MAX_ITEMS:
            if until is None:
                timeout = 1.0  # waiting for the first item (a page is bounded by the deadline)
            else:
                timeout = until - time.monotonic()
                if timeout <= 0:
                    break
            try:
                x = self.q.get(timeout=timeout)
            except queue.Empty:
                continue
            if x is self._DONE:
                self.finished = True
                break
            items.append(x)
            if until is None:
                until = time.monotonic() + READ_GATHER_SECONDS
        return items
