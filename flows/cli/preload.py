"""Work done while a temporary Prefect API starts, when the night probably has articles to
parse: the model in a worker process, Great Expectations and the duplicate index's library
imported in threads."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from flows.settings import Settings


def likely_new_work(settings: Settings, wh) -> bool:
    """Whether this night probably has articles to parse: not when every source is a local
    file or folder and nothing in them changed since the last successful run started. Only
    decides whether to preload the model and Great Expectations; the run itself checks
    every article's content hash."""
    from flows.sources import is_url

    last = wh.last_success_started()
    if last is None:
        return True
    since = last.replace(tzinfo=UTC).timestamp()
    budget = 20_000  # files looked at before assuming there is work
    for src in settings.sources:
        p = Path(str(src))
        if is_url(str(src)) or not p.exists() or p.suffix in (".yaml", ".yml"):
            return True
        try:
            for f in [p] if p.is_file() else p.rglob("*"):
                budget -= 1
                if budget < 0 or _mtime(f) >= since:
                    return True
        except OSError:  # a folder that cannot be listed: the run reports it
            return True
    return False


def _mtime(f: Path) -> float:
    """A file's (or its link target's) modification time; a broken link's own."""
    try:
        return f.stat().st_mtime
    except OSError:
        return f.lstat().st_mtime


def preload(settings: Settings) -> None:
    """While a temporary Prefect API starts (seconds in which this process would only
    wait): one worker process loads the model, and a thread imports Great Expectations
    (4-8 s) and builds the suites. With a running server the run does this itself, once a
    batch has something to parse."""
    import importlib
    import threading

    from expectations.runner import preload_in_background

    if settings.dedup:  # the duplicate index's MinHash library (numpy, scipy) imports meanwhile
        threading.Thread(target=importlib.import_module, args=("datasketch",), daemon=True).start()
    if not settings.dask_address:
        from flows import workers

        workers.warm_workers(settings.nlp_spec, settings.processes, count=1)
    preload_in_background()
