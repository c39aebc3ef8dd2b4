"""Source kinds: built in, registered in code, or added by installed packages through the
`newsetl.sources` entry-point group; `open_source` turns a --source argument or a
configured source into a `Source`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable

from flows.sources.files import FileSource
from flows.sources.locations import infer_kind
from flows.sources.records import Source

#: Entry-point group through which packages add source kinds: `name = "module:factory"`,
#: where `factory(location: str, **options) -> Source`.
SOURCES_ENTRY_POINT_GROUP = "newsetl.sources"

SourceFactory = Callable[..., Source]
_REGISTERED: dict[str, SourceFactory] = {}


def _file_source(
    location: str, *, chunk_records: int = 2000, name: str | None = None, web=None, **options: object
) -> Source:
    if options:
        raise ValueError(f"unknown options for a file source: {', '.join(sorted(options))}")
    return FileSource(location, chunk_records=chunk_records, name=name, web=web)


def _web_kind(kind: str | None) -> SourceFactory:
    def factory(location: str, *, chunk_records: int = 0, name: str | None = None, web=None, **options):
        from flows.sources.web import web_source

        return web_source(location, kind=kind, state=web, name=name, **options)

    return factory


#: Built-in kinds (a plugin cannot replace them). Their factories also take the run's
#: `chunk_records`, the source's configured `name` and `web` (flows.sources.webstate.WebState).
BUILTIN_KINDS: dict[str, SourceFactory] = {
    "file": _file_source,
    "folder": _file_source,
    "jsonl": _file_source,
    "feed": _web_kind("feed"),
    "page": _web_kind("page"),
    "web": _web_kind(None),  # a URL: a feed or a page, told by the response
}


def register_source_kind(name: str, factory: SourceFactory) -> None:
    """Add a source kind in code (a notebook, a test); packages use the entry point."""
    _REGISTERED[name] = factory


def source_kinds() -> dict[str, SourceFactory]:
    """Every source kind: installed packages' entry points, kinds registered in code (which
    win over entry points of the same name), and the built-in kinds (which win over both)."""
    from importlib.metadata import entry_points

    kinds = {ep.name: _lazy(ep) for ep in entry_points(group=SOURCES_ENTRY_POINT_GROUP)}
    return kinds | _REGISTERED | BUILTIN_KINDS


def _lazy(ep) -> SourceFactory:
    """Load an entry point when it is used (a broken extension breaks only its own kind)."""

    def factory(location: str, **options: object) -> Source:
        try:
            target = ep.load()
        except Exception as exc:  # noqa: BLE001  (re-raised with the entry point named)
            raise ValueError(f"source kind {ep.name!r} ({ep.value}) failed to load: {exc}") from exc
        return target(location, **options)

    return factory


def split_kind(location: str, kinds: Iterable[str]) -> tuple[str | None, str]:
    """'mykind:where' -> ('mykind', 'where') when mykind is a known kind; else no kind."""
    head, sep, rest = str(location).partition(":")
    if sep and head in set(kinds) and len(head) > 1:  # 'C:\\...' is a drive, not a kind
        return head, rest
    return None, str(location)


def open_source(
    location: str | os.PathLike[str],
    *,
    chunk_records: int = 2000,
    kind: str | None = None,
    options: dict | None = None,
    name: str | None = None,
    web=None,
) -> Source:
    """The source for a --source argument or a configured source: `KIND:LOCATION` (or
    `kind`) for a registered kind; else by the location: a URL (feed or page), a
    .xml/.rss/.atom file (feed), a file or folder (read by extension). `web`: the run's
    flows.sources.webstate.WebState (HTTP client, validators, loaded ids)."""
    kinds = source_kinds()
    location = str(location)
    if kind is None:
        kind, location = split_kind(location, kinds)
    kind = kind or infer_kind(location)
    if kind not in kinds:
        raise ValueError(f"unknown source kind {kind!r}; known: {', '.join(sorted(kinds))}")
    if kind in BUILTIN_KINDS:
        return kinds[kind](location, chunk_records=chunk_records, name=name, web=web, **(options or {}))
    return kinds[kind](location, **(options or {}))
