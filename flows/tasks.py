"""The run's steps as Prefect tasks (flows.executors runs them as tasks or as plain
functions). Tasks take frames and other large values: NO_CACHE keeps Prefect from
hashing them. Only reads are retried."""

from prefect import task
from prefect.cache_policies import NO_CACHE

from expectations.runner import validate_frames
from flows import workers
from flows.settings import Settings
from flows.sources import ChunkRef, RawRecord, Source
from transforms.preparation import Prepared, prepare
from warehouse.db import Warehouse


@task(retries=2, retry_delay_seconds=[1, 4], cache_policy=NO_CACHE)
def list_chunks(source: Source) -> list[ChunkRef]:
    """Where to read (files of a folder): I/O, so retried."""
    return source.chunks()


@task(retries=2, retry_delay_seconds=[1, 4], cache_policy=NO_CACHE)
def read_chunk(source: Source, ref: ChunkRef) -> tuple[list, ChunkRef | None]:
    """Read one chunk of a source: I/O, so retried."""
    return source.read(ref)


@task(cache_policy=NO_CACHE)
def clean_batch(records: list[tuple[RawRecord, str, str]], max_article_chars: int = 1_000_000) -> Prepared:
    return prepare(records, max_article_chars)


@task(cache_policy=NO_CACHE)
def extract_batch(articles: list, settings: Settings, n_process: int | None = None) -> workers.Extracted:
    """Parse and extract a batch (or a piece of one, on a Dask worker): its frames."""
    return workers.extract(
        articles,
        model=settings.nlp_spec,
        nlp_batch_size=settings.nlp_batch_size,
        n_process=settings.processes if n_process is None else n_process,
        max_segment_chars=settings.max_segment_chars,
        max_article_chars=settings.max_article_chars,
    )


@task(cache_policy=NO_CACHE)
def validate_batch(frames, run_id: str, max_raw: int):
    return validate_frames(frames, run_id, max_raw=max_raw)


@task(cache_policy=NO_CACHE)
def load_batch(wh: Warehouse, run_id: str, checked, quarantine: list[dict]) -> None:
    wh.load_batch(
        run_id,
        checked.articles,
        checked.entities,
        checked.entity_mentions,
        checked.actions,
        checked.quotes,
        checked.action_amounts,
        checked.main_events,
        quarantine,
    )
