"""Sources: everything that reads input. One small interface (`Source`), several kinds.

- `records`: the items a source yields (`RawRecord`, `Rejected`), `ChunkRef`, `Source`;
- `locations`: what a location is by its text (a URL, a file kind by its name);
- `files`: the file and folder source (JSONL, JSON, .txt, .html, feeds, .gz), with
  `folders` (what a folder holds) and `opening` (opening and sniffing a file safely);
- `memory`: the snapshot source for tests;
- `web` (feeds and pages over HTTP: `feeds`, `pump`, `webstate`), `fetching` (the HTTP
  client, with `deadline`);
- `registry`: the kinds (built in, registered in code, entry points) and `open_source`.

Import what you need from here. The HTTP names (`Fetcher`, `WebState`, ...) are loaded on
first use: they pull in httpx and transforms.web (about a second), which a configuration or
a file source used on its own never needs (a run imports them: any folder may hold a feed).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from flows.sources.files import FileSource
from flows.sources.locations import infer_kind, is_url
from flows.sources.memory import MemorySource
from flows.sources.records import ChunkRef, Item, RawRecord, Rejected, Source, path_text, record_from_dict
from flows.sources.registry import (
    BUILTIN_KINDS,
    SOURCES_ENTRY_POINT_GROUP,
    open_source,
    register_source_kind,
    source_kinds,
    split_kind,
)

if TYPE_CHECKING:
    from flows.sources.fetching import Fetcher, FetchError, HttpOptions, Response
    from flows.sources.web import web_source
    from flows.sources.webstate import AlreadyLoaded, WebState

_ON_FIRST_USE = {
    "AlreadyLoaded": "flows.sources.webstate",
    "WebState": "flows.sources.webstate",
    "web_source": "flows.sources.web",
    "Fetcher": "flows.sources.fetching",
    "FetchError": "flows.sources.fetching",
    "HttpOptions": "flows.sources.fetching",
    "Response": "flows.sources.fetching",
}


def __getattr__(name: str) -> object:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "BUILTIN_KINDS",
    "SOURCES_ENTRY_POINT_GROUP",
    "AlreadyLoaded",
    "ChunkRef",
    "FetchError",
    "Fetcher",
    "FileSource",
    "HttpOptions",
    "Item",
    "MemorySource",
    "RawRecord",
    "Rejected",
    "Response",
    "Source",
    "WebState",
    "infer_kind",
    "is_url",
    "open_source",
    "path_text",
    "record_from_dict",
    "register_source_kind",
    "source_kinds",
    "split_kind",
    "web_source",
]
