"""Reading a run's sources: each source's items go to the batches. A source that cannot
be opened or read (after the read tasks' retries) becomes a quarantine row and a run
error; the other sources still land."""

from flows import stops
from flows.batch import Batches
from flows.config import SourceSpec
from flows.settings import Settings
from flows.sources import ChunkRef, Fetcher, HttpOptions, Rejected, WebState, open_source, path_text
from warehouse.db import Warehouse


def web_state(settings: Settings, wh: Warehouse) -> WebState:
    """HTTP client and what the warehouse knows (validators, loaded ids) for web sources."""
    return WebState(
        Fetcher(HttpOptions.from_settings(settings)),
        validators=wh.fetch_validators(),
        known=wh.loaded_entries,
    )


def read_source(batches: Batches, spec: SourceSpec) -> None:
    """Feed one source's items to the run's batches."""
    state = batches.state
    loc = spec.location
    state.tally.start_source(path_text(spec.label))  # per-source counts are JSON: valid UTF-8
    try:
        source = open_source(
            loc,
            chunk_records=state.settings.read_chunk_records,
            kind=spec.kind,
            options=spec.options,
            name=spec.name,
            web=state.web,
        )
        state.streaming = bool(getattr(source, "streams", False))
        with state.timed("read"):
            refs = state.executor.list_chunks(source)
    except Exception as exc:  # noqa: BLE001  (recorded as quarantine + run error)
        source_failed(batches, loc, exc)
        return
    for ref in refs:
        nxt: ChunkRef | None = ref
        while nxt is not None:
            try:
                with state.timed("read"):
                    items, nxt = state.executor.read_chunk(source, nxt)
            except Exception as exc:  # noqa: BLE001
                source_failed(batches, f"{loc} ({ref.path})", exc)
                break
            for item in items:
                batches.add(item)


def source_failed(batches: Batches, where: str, exc: BaseException) -> None:
    if stops.requested() is not None:  # not the source's fault: the run is stopping
        raise KeyboardInterrupt(stops.requested()) from exc
    where = path_text(where)
    msg = path_text(f"source {where} could not be read: {type(exc).__name__}: {exc}")
    batches.state.errors.append(msg)
    batches.add(Rejected(source_path=where, external_id=None, stage="read", reason=msg))
