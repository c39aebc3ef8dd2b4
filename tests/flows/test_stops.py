"""flows.stops: a SIGTERM is recorded even when Prefect's bridge replaced newsetl's handler
(so that DuckDB's "Query interrupted" is read as a stop, not a failure)."""

from __future__ import annotations

import signal

from flows import stops


def test_a_replaced_handler_still_records_the_stop(monkeypatch):
    monkeypatch.setattr(stops, "SIGNALLED", [])
    seen = []

    def prefect_bridge(signum, frame):  # stands for Prefect's handler: raises its own signal
        seen.append(signum)

    before = signal.signal(signal.SIGTERM, prefect_bridge)
    try:
        stops.keep_recording()
        stops.keep_recording()  # once is enough: the wrapper is not wrapped again
        signal.raise_signal(signal.SIGTERM)
        assert stops.requested() == "SIGTERM"
        assert seen == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_default_handler_is_left_alone():
    before = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        stops.keep_recording()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, before)
