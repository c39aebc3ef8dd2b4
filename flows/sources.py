"""Sources: everything that reads input. One small interface, several kinds.

A source yields `RawRecord`s (one input article) and `Rejected`s (an input that could
not be read, with a readable reason; it becomes a `quarantine` row). Reading never
raises for bad input: the rest of the batch still lands.

Kinds by file extension: `.jsonl`/`.ndjson` (one JSON record a line, streamed in
chunks), `.json` (a record, a list of records, or {"articles": [...]}), `.txt` (first
line the title, the rest the body; id = path relative to the source folder).
`MemorySource` is the snapshot source for tests.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

KNOWN_FIELDS = ("id", "title", "text", "published_at", "source", "url")
FALLBACK_ENCODING = "cp1252"  # declared fallback for files that are not valid UTF-8
_BINARY_SNIFF = 8192


@dataclass(frozen=True)
class RawRecord:
    """One input article as read, before cleaning."""

    source_path: str
    external_id: str
    title: str | None
    text: str | None
    published_at: object
    source: str
    url: str | None
    metadata: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejected:
    """An input that could not be read; it becomes a quarantine row."""

    source_path: str
    external_id: str | None
    stage: str
    reason: str
    raw: str | None = None


Item = RawRecord | Rejected


class Source(Protocol):
    """What the flow needs from a source: a name and its items, chunk by chunk."""

    name: str

    def estimate(self) -> int: ...

    def chunks(self) -> list[ChunkRef]: ...

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]: ...


@dataclass(frozen=True)
class ChunkRef:
    """Where one read task starts: a file and a byte offset (JSONL) or the whole file."""

    path: str
    root: str
    kind: str
    offset: int = 0
    line: int = 0


def _default_source_name(path: Path, root: Path) -> str:
    return (root.name if root.is_dir() else path.stem) or "input"


def record_from_dict(
    obj: object, *, source_path: str, default_source: str, where: str, warnings: tuple[str, ...] = ()
) -> Item:
    """Turn a decoded JSON value into a RawRecord, or say why it can't be one."""
    if not isinstance(obj, dict):
        return Rejected(
            source_path,
            None,
            "read",
            f"{where}: expected a JSON object, got {type(obj).__name__}",
            json.dumps(obj)[:2000],
        )

    def reject(external_id: str | None, reason: str) -> Rejected:
        raw = json.dumps(obj, ensure_ascii=False)[:20000]
        return Rejected(source_path, external_id, "read", f"{where}: {reason}", raw)

    rid = obj.get("id")
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        return reject(None, "record has no 'id'")
    if not isinstance(rid, str | int):
        return reject(None, "'id' must be a string or number")
    text, title = obj.get("text"), obj.get("title")
    for name, val in (("text", text), ("title", title)):
        if val is not None and not isinstance(val, str):
            return reject(str(rid), f"'{name}' must be a string, got {type(val).__name__}")
    meta = {k: v for k, v in obj.items() if k not in KNOWN_FIELDS}
    url = obj.get("url")
    return RawRecord(
        source_path=source_path,
        external_id=str(rid),
        title=title,
        text=text,
        published_at=obj.get("published_at"),
        source=str(obj.get("source") or default_source),
        url=str(url) if url else None,
        metadata=meta,
        warnings=warnings,
    )


def _decode(data: bytes, path: str) -> tuple[str, tuple[str, ...]]:
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        return data.decode(FALLBACK_ENCODING, errors="replace"), (
            f"{path} is not valid UTF-8 ({exc.reason} at byte {exc.start}); decoded as {FALLBACK_ENCODING}",
        )


def _sniff(path: Path) -> Rejected | None:
    """Reject files that are empty, binary or gone, before parsing them."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(_BINARY_SNIFF)
    except FileNotFoundError:
        return Rejected(str(path), None, "read", "file disappeared before it could be read")
    except OSError as exc:
        return Rejected(str(path), None, "read", f"cannot read file: {exc.strerror or exc}")
    if size == 0 or not head.strip():
        return Rejected(str(path), None, "read", "empty file")
    if b"\x00" in head:
        return Rejected(str(path), None, "read", "binary file (NUL bytes), not text", repr(head[:200]))
    return None


SUFFIX_KINDS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
}


class FileSource:
    """A file or a folder (read recursively) of JSONL, JSON, .txt and saved .html articles."""

    def __init__(
        self, location: str | os.PathLike[str], *, chunk_records: int = 2000, name: str | None = None
    ):
        self.root = Path(location)
        self.name = name or str(location)
        self.source_name = name  # a configured name becomes the records' default `source`
        self.chunk_records = chunk_records

    def files(self) -> list[tuple[Path, str | None]]:
        """(path, kind) pairs; kind None for a file given explicitly with an unknown type."""
        if self.root.is_dir():
            found = []
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for fn in sorted(filenames):
                    kind = SUFFIX_KINDS.get(Path(fn).suffix)
                    if kind and not fn.startswith("."):
                        found.append((Path(dirpath) / fn, kind))
            return found
        return [(self.root, SUFFIX_KINDS.get(self.root.suffix.lower()))]

    def estimate(self) -> int:
        """How many records the source holds (for progress bars); cheap, never raises."""
        n = 0
        for path, kind in self.files():
            try:
                if kind == "jsonl":
                    with path.open("rb") as fh:
                        n += sum(1 for line in fh if line.strip())
                elif kind == "json":
                    obj = json.loads(path.read_bytes())
                    obj = obj.get("articles", obj) if isinstance(obj, dict) else obj
                    n += len(obj) if isinstance(obj, list) else 1
                else:
                    n += 1
            except (OSError, ValueError):
                n += 1
        return n

    def chunks(self) -> list[ChunkRef]:
        root = str(self.root)
        return [ChunkRef(str(p), root, kind or "unknown") for p, kind in self.files()]

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        path = Path(ref.path)
        if not path.exists() and not Path(ref.root).exists():
            return [Rejected(ref.path, None, "read", "source path does not exist")], None
        if ref.kind == "unknown":
            return [
                Rejected(
                    ref.path,
                    None,
                    "read",
                    f"unsupported file type {path.suffix or '(none)'!r}; expected .jsonl, .json, .txt or .html",
                )
            ], None
        if ref.offset == 0:
            bad = _sniff(path)
            if bad is not None:
                return [bad], None
        root = Path(ref.root)
        default_source = self.source_name or _default_source_name(path, root)
        try:
            if ref.kind == "jsonl":
                return self._read_jsonl(ref, default_source)
            data = path.read_bytes()
        except FileNotFoundError:
            return [Rejected(ref.path, None, "read", "file disappeared while it was being read")], None
        if ref.kind == "html":
            return [_html_record(data, path, root, default_source)], None
        text, warns = _decode(data, ref.path)
        if ref.kind == "txt":
            rel = path.relative_to(root).as_posix() if root.is_dir() else path.name
            lines = text.split("\n", 1)
            title = lines[0].strip()
            body = lines[1] if len(lines) > 1 else ""
            return [RawRecord(ref.path, rel, title, body, None, default_source, None, {}, warns)], None
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            return [
                Rejected(
                    ref.path,
                    None,
                    "read",
                    f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                    text[:20000],
                )
            ], None
        if isinstance(obj, dict) and isinstance(obj.get("articles"), list):
            obj = obj["articles"]
        items = obj if isinstance(obj, list) else [obj]
        return [
            record_from_dict(
                o,
                source_path=ref.path,
                default_source=default_source,
                where=f"record {i + 1}",
                warnings=warns,
            )
            for i, o in enumerate(items)
        ], None

    def _read_jsonl(self, ref: ChunkRef, default_source: str) -> tuple[list[Item], ChunkRef | None]:
        items: list[Item] = []
        line_no = ref.line
        with open(ref.path, "rb") as fh:
            fh.seek(ref.offset)
            while len(items) < self.chunk_records:
                raw = fh.readline()
                if not raw:
                    return items, None
                line_no += 1
                if not raw.strip():
                    continue
                text, warns = _decode(raw, f"{ref.path} line {line_no}")
                where = f"line {line_no}"
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    items.append(
                        Rejected(
                            ref.path,
                            None,
                            "read",
                            f"{where}: invalid JSON ({exc.msg} at column {exc.colno})",
                            text[:20000],
                        )
                    )
                    continue
                items.append(
                    record_from_dict(
                        obj, source_path=ref.path, default_source=default_source, where=where, warnings=warns
                    )
                )
            nxt = ChunkRef(ref.path, ref.root, ref.kind, fh.tell(), line_no)
            return items, (nxt if fh.peek(1) else None)


def _html_record(data: bytes, path: Path, root: Path, default_source: str) -> Item:
    """A saved web page: its main text and metadata (transforms.web)."""
    from transforms.web import parse_page

    rel = path.relative_to(root).as_posix() if root.is_dir() else path.name
    try:
        page = parse_page(data)
    except Exception as exc:  # noqa: BLE001  (lxml/trafilatura on malformed input)
        return Rejected(str(path), rel, "parse", f"HTML could not be parsed: {type(exc).__name__}: {exc}")
    if page is None:
        return Rejected(str(path), rel, "parse", "no article text found in the HTML page")
    return RawRecord(
        str(path),
        rel,
        page.title,
        page.text,
        page.published,
        default_source,
        page.url,
        {k: v for k, v in (("author", page.author), ("sitename", page.sitename)) if v}
        | ({"categories": list(page.categories)} if page.categories else {}),
    )


class MemorySource:
    """A snapshot source for tests: records given as dicts."""

    def __init__(self, records: list[dict], name: str = "memory"):
        self.records = records
        self.name = name

    def estimate(self) -> int:
        return len(self.records)

    def chunks(self) -> list[ChunkRef]:
        return [ChunkRef(self.name, self.name, "memory")]

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        return [
            record_from_dict(r, source_path=self.name, default_source=self.name, where=f"record {i + 1}")
            for i, r in enumerate(self.records)
        ], None


# ---- source kinds: built in, registered in code, or from installed packages -------------

#: Entry-point group through which packages add source kinds: `name = "module:factory"`,
#: where `factory(location: str, **options) -> Source`.
SOURCES_ENTRY_POINT_GROUP = "newsetl.sources"

SourceFactory = Callable[..., Source]
_REGISTERED: dict[str, SourceFactory] = {}


def is_url(location: str) -> bool:
    return str(location).startswith(("http://", "https://"))


FEED_SUFFIXES = (".xml", ".rss", ".atom")


def _file_source(
    location: str, *, chunk_records: int = 2000, name: str | None = None, web=None, **options: object
) -> Source:
    if options:
        raise ValueError(f"unknown options for a file source: {', '.join(sorted(options))}")
    return FileSource(location, chunk_records=chunk_records, name=name)


def _web_kind(kind: str | None) -> SourceFactory:
    def factory(location: str, *, chunk_records: int = 0, name: str | None = None, web=None, **options):
        from flows.web import web_source

        return web_source(location, kind=kind, state=web, name=name, **options)

    return factory


#: Built-in kinds (a plugin cannot replace them). Their factories also take the run's
#: `chunk_records`, the source's configured `name` and `web` (flows.web.WebState).
BUILTIN_KINDS: dict[str, SourceFactory] = {
    "file": _file_source,
    "folder": _file_source,
    "jsonl": _file_source,
    "feed": _web_kind("feed"),
    "page": _web_kind("page"),
    "web": _web_kind(None),  # a URL: a feed or a page, told by the response
}


def infer_kind(location: str) -> str:
    """The kind of a location given without one."""
    if is_url(location):
        return "web"
    return "feed" if location.endswith(FEED_SUFFIXES) else "file"


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
    flows.web.WebState (HTTP client, validators, loaded ids)."""
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
