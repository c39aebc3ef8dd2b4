"""Sources: everything that reads input. One small interface, several kinds.

A source yields `RawRecord`s (one input article) and `Rejected`s (an input that could
not be read, with a readable reason; it becomes a `quarantine` row). Reading never
raises for bad input: the rest of the batch still lands.

Kinds by file extension, in any case: `.jsonl`/`.ndjson` (one JSON record a line,
streamed in chunks), `.json` (a record, a list of records, or {"articles": [...]}),
`.txt` (first line the title, the rest the body; id = path relative to the source
folder), `.html`/`.htm` (a saved page), `.xml`/`.rss`/`.atom` (a feed, flows/web.py); any
of the first four gzip-compressed (`.jsonl.gz`, ...). Only regular files are read: a
FIFO, device or socket is a quarantine row, never opened. `MemorySource` is the snapshot
source for tests.

Every `RawRecord` is safe to hash and store: lone surrogates in its text fields are
replaced by U+FFFD (with a warning), file names that are not UTF-8 are kept as
bytes-safe text (`caf\\xe9.txt`), and `metadata` is a JSON object serialised once, so no
later step (Prefect's walk of task inputs included) descends into nested values.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import stat
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

KNOWN_FIELDS = ("id", "title", "text", "published_at", "source", "url")
FALLBACK_ENCODING = "cp1252"  # declared fallback for files that are not valid UTF-8
_BINARY_SNIFF = 8192


_SURROGATES = re.compile("[\ud800-\udfff]")


def scrub(text: str) -> str:
    """`text` with lone surrogates (unencodable in UTF-8) replaced by U+FFFD."""
    return text if text.isascii() else _SURROGATES.sub("\ufffd", text)


def has_surrogates(text: str) -> bool:
    return not text.isascii() and _SURROGATES.search(text) is not None


def path_text(path: str | os.PathLike[str]) -> str:
    """A file name as text that is always valid UTF-8: bytes that are not UTF-8 (which
    `os.fsdecode` keeps as surrogate escapes) become `\\xNN`, so distinct names stay
    distinct."""
    s = os.fspath(path)
    if not has_surrogates(s):
        return s
    try:
        return os.fsencode(s).decode("utf-8", "backslashreplace")
    except UnicodeError:  # a surrogate that no file system produced
        return scrub(s)


def _to_json(value: object) -> str:
    return json.dumps(value, default=str, ensure_ascii=False)


@dataclass(frozen=True)
class RawRecord:
    """One input article as read, before cleaning.

    Made safe on construction, whatever the source: lone surrogates in the text fields
    become U+FFFD and a warning, a non-UTF-8 `source_path` becomes bytes-safe text, a
    `metadata` dict is serialised to a JSON object string (and a nested `published_at` to
    its JSON text), so the record is flat: scalars and strings only."""

    source_path: str
    external_id: str
    title: str | None
    text: str | None
    published_at: object
    source: str
    url: str | None
    metadata: str = "{}"  # JSON object of the input fields newsetl does not model
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        warnings = list(self.warnings)
        meta = self.metadata
        if not isinstance(meta, str):
            try:
                meta = _to_json(meta if meta is not None else {})
            except (ValueError, TypeError, RecursionError) as exc:
                meta = "{}"
                warnings.append(f"metadata could not be serialised ({type(exc).__name__}: {exc}); dropped")
            object.__setattr__(self, "metadata", meta)
        if isinstance(self.published_at, dict | list | tuple):
            try:
                object.__setattr__(self, "published_at", _to_json(self.published_at))
            except (ValueError, TypeError, RecursionError):
                object.__setattr__(self, "published_at", type(self.published_at).__name__)
        if isinstance(self.source_path, str | os.PathLike):
            given = os.fspath(self.source_path)
            path = path_text(given)
            if path != given:
                warnings.append(f"file name is not valid UTF-8; kept as {path}")
            object.__setattr__(self, "source_path", path)
        bad = []
        for name in ("external_id", "title", "text", "published_at", "source", "url", "metadata"):
            value = getattr(self, name)
            if isinstance(value, str) and has_surrogates(value):
                bad.append("id" if name == "external_id" else name)
                object.__setattr__(self, name, scrub(value))
        if bad:
            warnings.append(f"lone surrogate code points in {', '.join(bad)} replaced by U+FFFD")
        object.__setattr__(self, "warnings", tuple(scrub(w) for w in warnings))


@dataclass(frozen=True)
class Rejected:
    """An input that could not be read; it becomes a quarantine row (its text fields made
    safe to store like a RawRecord's)."""

    source_path: str
    external_id: str | None
    stage: str
    reason: str
    raw: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.source_path, str | os.PathLike):
            object.__setattr__(self, "source_path", path_text(self.source_path))
        for name in ("external_id", "reason", "raw"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, scrub(value))


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
    """A record's `source` when it names none: its folder's name (of the absolute path, so
    `.`, `data/sample/` and `data/x/../sample` are one source), else the file's stem."""
    return path_text((Path(os.path.abspath(root)).name if root.is_dir() else path.stem) or "input")


def _safe_dumps(obj: object, limit: int) -> str | None:
    """JSON text of a decoded value for a quarantine row (None when even that fails)."""
    try:
        return json.dumps(obj, ensure_ascii=False, default=str)[:limit]
    except (ValueError, TypeError, RecursionError):
        return None


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
            _safe_dumps(obj, 2000),
        )

    def reject(external_id: str | None, reason: str) -> Rejected:
        return Rejected(source_path, external_id, "read", f"{where}: {reason}", _safe_dumps(obj, 20000))

    rid = obj.get("id")
    if rid is None or (isinstance(rid, str) and not rid.strip()):
        return reject(None, "record has no 'id'")
    if not isinstance(rid, str | int):
        return reject(None, "'id' must be a string or number")
    text, title = obj.get("text"), obj.get("title")
    for name, val in (("text", text), ("title", title)):
        if val is not None and not isinstance(val, str):
            return reject(str(rid), f"'{name}' must be a string, got {type(val).__name__}")
    try:
        # serialised here, once: nothing downstream walks the nested values
        meta = _to_json({k: v for k, v in obj.items() if k not in KNOWN_FIELDS})
        url, src = obj.get("url"), obj.get("source")
        return RawRecord(
            source_path=source_path,
            external_id=str(rid),
            title=title,
            text=text,
            published_at=obj.get("published_at"),
            source=str(src) if src else default_source,
            url=str(url) if url else None,
            metadata=meta,
            warnings=warnings,
        )
    except RecursionError:
        return reject(str(rid), "record nested too deeply to store (RecursionError)")
    except ValueError as exc:  # e.g. an int id beyond the int-to-str digit limit
        return reject(None, f"record could not be stored: {exc}")


def _decode(data: bytes, path: str) -> tuple[str, tuple[str, ...]]:
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        return data.decode(FALLBACK_ENCODING, errors="replace"), (
            f"{path} is not valid UTF-8 ({exc.reason} at byte {exc.start}); decoded as {FALLBACK_ENCODING}",
        )


def _json_error(exc: BaseException) -> str:
    """A readable reason for a JSON text `json.loads` refused."""
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply to read (RecursionError)"
    msg = str(exc)
    if "integer string conversion" in msg:  # Python's int/str digit limit (CVE-2020-10735)
        return f"JSON number too long to read ({msg.split(';')[0]})"
    return f"JSON value could not be read ({type(exc).__name__}: {msg})"


_MODE_NAMES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)  # "not a regular file: a FIFO (named pipe); only regular files are read"


class NotReadable(Exception):
    """A path that is not read: not a regular file, a broken link, gone, unreadable."""


def _not_regular(mode: int) -> str:
    what = next((name for test, name in _MODE_NAMES if test(mode)), "a special file")
    return f"not a regular file: {what}; only regular files are read"


def _open_regular(path: Path):
    """Open `path` for binary reading only when it is a regular file (following links);
    a FIFO is never opened (it would block), nor a device or socket."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            try:
                target = path_text(os.readlink(path))
            except OSError:
                target = "?"
            raise NotReadable(f"broken symbolic link: its target {target!r} does not exist") from None
        raise NotReadable("file disappeared before it could be read") from None
    except OSError as exc:  # a link loop, permissions, a name too long
        raise NotReadable(f"cannot read file: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise NotReadable(_not_regular(st.st_mode))
    try:
        # O_NONBLOCK: should the path have become a FIFO since the stat, opening returns
        # at once (and fstat tells) instead of waiting for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise NotReadable("file disappeared before it could be read") from None
    except OSError as exc:
        raise NotReadable(f"cannot read file: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotReadable(_not_regular(mode))
    return os.fdopen(fd, "rb")


class _Gunzip(gzip.GzipFile):
    """A gzip stream over a file it owns (closing it closes the file)."""

    def __init__(self, raw) -> None:
        super().__init__(fileobj=raw, mode="rb")
        self._raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()


def _open_input(path: Path, compressed: bool):
    """A binary stream of the file's content (decompressed for .gz)."""
    fh = _open_regular(path)
    return _Gunzip(fh) if compressed else fh


_GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
_CONTROL_BYTES = frozenset(range(0x20)) - frozenset(b"\t\n\r\f\x0b\x1a") | {0x7F}


def _looks_binary(head: bytes) -> bool:
    """NUL bytes, or (for data that is not UTF-8) more than 5% bytes that no text in the
    fallback encoding has: C0 controls and cp1252's undefined bytes (random data ~12%)."""
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
        return False
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3:  # a character cut by the sniff window
            return False
    odd = sum(1 for b in head if b in _CONTROL_BYTES or b in _CP1252_UNDEFINED)
    return odd > 0.05 * len(head)


def _sniff(path: Path, compressed: bool = False) -> Rejected | None:
    """Reject files that are not regular, gone, empty, binary or (.gz) not gzip, before
    parsing them."""
    where = str(path)
    try:
        with _open_input(path, compressed) as fh:
            head = fh.read(_BINARY_SNIFF)
    except NotReadable as exc:
        return Rejected(where, None, "read", str(exc))
    except _GZIP_ERRORS as exc:
        return Rejected(where, None, "read", f"not a valid gzip file ({exc})")
    except OSError as exc:
        return Rejected(where, None, "read", f"cannot read file: {exc.strerror or exc}")
    if not head.strip():
        return Rejected(where, None, "read", "empty file" if not head else "empty file (only whitespace)")
    if _looks_binary(head):
        why = "NUL bytes" if b"\x00" in head else "control bytes, not UTF-8"
        return Rejected(where, None, "read", f"binary file ({why}), not text", repr(head[:200]))
    return None


SUFFIX_KINDS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
}
FEED_SUFFIXES = (".xml", ".rss", ".atom")
#: compressed files that are not read (a quarantine row says so); `.gz` of the kinds above is
COMPRESSED_SUFFIXES = (".gz", ".bz2", ".xz", ".lzma", ".zst", ".zip", ".7z", ".tgz", ".tar", ".rar")
GZ = ".gz"


def kind_of(name: str) -> str | None:
    """The kind of a file by its name, in any case: 'jsonl', 'json', 'txt', 'html', those
    with '.gz' (gzip-compressed), 'feed', 'compressed' (a compression that is not read),
    or None (not an input)."""
    low = name.lower()
    if low.endswith(GZ):
        inner = SUFFIX_KINDS.get(os.path.splitext(low[: -len(GZ)])[1])
        return inner + GZ if inner else "compressed"
    if low.endswith(FEED_SUFFIXES):
        return "feed"
    if low.endswith(COMPRESSED_SUFFIXES):
        return "compressed"
    return SUFFIX_KINDS.get(os.path.splitext(low)[1])


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class FileSource:
    """A file or a folder (read recursively) of JSONL, JSON, .txt, saved .html and feed
    files, plain or gzip-compressed.

    In a folder: names starting with '.' and files of other types are ignored; symbolic
    links are followed (a link to a folder already read, a loop included, is a quarantine
    row and is not read again); files that are not regular (FIFOs, devices, sockets),
    broken links, unreadable folders and compressed files of another kind are quarantine
    rows. `web` (flows.web.WebState) fetches the entries of feed files."""

    def __init__(
        self,
        location: str | os.PathLike[str],
        *,
        chunk_records: int = 2000,
        name: str | None = None,
        web=None,
    ):
        self.root = Path(location)
        self.name = name or str(location)
        self.source_name = name  # a configured name becomes the records' default `source`
        self.chunk_records = chunk_records
        self.web = web
        self._stream: tuple[str, int, object] | None = None  # open .gz stream: path, offset, file
        self._feeds: dict[str, object] = {}  # feed files being read (pages still arriving)

    def files(self) -> list[tuple[Path, str | None]]:
        """(path, kind) pairs; kind None for a file given explicitly with an unknown type,
        'dirloop' for a link to a folder already read, 'direrror' for a folder that could
        not be listed."""
        if not self.root.is_dir():
            return [(self.root, kind_of(self.root.name))]
        found: list[tuple[Path, str | None]] = []
        seen: set[tuple[int, int]] = set()
        todo = [self.root]
        while todo:  # the tree, then each linked folder's tree not read yet
            top = todo.pop(0)
            try:
                st = os.stat(top)
            except OSError:
                found.append((top, "direrror"))
                continue
            if (st.st_dev, st.st_ino) in seen:
                found.append((top, "dirloop"))
                continue
            links = []
            for dirpath, dirnames, filenames in os.walk(
                top, onerror=lambda e: found.append((Path(e.filename), "direrror"))
            ):
                here = Path(dirpath)
                try:
                    st = os.stat(here)
                    seen.add((st.st_dev, st.st_ino))
                except OSError:
                    pass
                keep = []
                for d in sorted(dirnames):
                    if d.startswith("."):
                        continue
                    (links if (here / d).is_symlink() else keep).append(here / d)
                dirnames[:] = [p.name for p in keep]
                for fn in sorted(filenames):
                    kind = kind_of(fn)
                    if kind and not fn.startswith("."):
                        found.append((here / fn, kind))
            todo.extend(links)
        return found

    def estimate(self) -> int:
        """How many records the source holds (for progress bars); cheap, never raises."""
        n = 0
        for path, kind in self.files():
            try:
                base, gz = (kind or "").removesuffix(GZ), (kind or "").endswith(GZ)
                if base == "jsonl":
                    with _open_input(path, gz) as fh:
                        n += sum(1 for line in fh if line.strip())
                elif base == "json":
                    with _open_input(path, gz) as fh:
                        obj = json.loads(fh.read())
                    obj = obj.get("articles", obj) if isinstance(obj, dict) else obj
                    n += len(obj) if isinstance(obj, list) else 1
                else:
                    n += 1
            except (OSError, ValueError, RecursionError, NotReadable, *_GZIP_ERRORS):
                n += 1
        return n

    def chunks(self) -> list[ChunkRef]:
        root = str(self.root)
        return [ChunkRef(str(p), root, kind or "unknown") for p, kind in self.files()]

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        path = Path(ref.path)
        if not os.path.lexists(path) and not Path(ref.root).exists():
            return [Rejected(ref.path, None, "read", "source path does not exist")], None
        folder_row = self._folder_row(ref)
        if folder_row is not None:
            return [folder_row], None
        base, gz = ref.kind.removesuffix(GZ), ref.kind.endswith(GZ)
        if ref.offset == 0:
            bad = _sniff(path, gz)
            if bad is not None:
                return [bad], None
        root = Path(ref.root)
        default_source = self.source_name or _default_source_name(path, root)
        if base == "feed":
            return self._read_feed(ref)
        try:
            if base == "jsonl":
                return self._read_jsonl(ref, default_source, gz)
            with _open_input(path, gz) as fh:
                data = fh.read()
        except NotReadable as exc:
            return [Rejected(ref.path, None, "read", str(exc))], None
        except FileNotFoundError:
            return [Rejected(ref.path, None, "read", "file disappeared while it was being read")], None
        except _GZIP_ERRORS as exc:
            return [Rejected(ref.path, None, "read", f"compressed data is corrupt ({exc})")], None
        rel = path_text(path.relative_to(root).as_posix() if root.is_dir() else path.name)
        if base == "html":
            return [_html_record(data, path, rel, default_source)], None
        text, warns = _decode(data, path_text(ref.path))
        if base == "txt":
            lines = _LINE_BREAK.split(text, maxsplit=1)
            title = lines[0].strip()
            body = lines[1] if len(lines) > 1 else ""
            return [RawRecord(ref.path, rel, title, body, None, default_source, None, "{}", warns)], None
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return [Rejected(ref.path, None, "read", _json_error(exc), text[:20000])], None
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

    def _read_feed(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        """A feed file in the folder, read as the feed kind reads one given directly
        (flows.web: its entries' pages fetched); its continuations go to the same reader."""
        from flows.web import web_source

        feed = self._feeds.get(ref.path) if ref.offset else None
        if feed is None:
            feed = web_source(ref.path, kind="feed", state=self.web, name=self.source_name)
            self._feeds[ref.path] = feed
        items, nxt = feed.read(ChunkRef(ref.path, ref.path, "feed", ref.offset, ref.line))
        if nxt is None:
            self._feeds.pop(ref.path, None)
            return items, None
        return items, ChunkRef(ref.path, ref.root, ref.kind, nxt.offset, nxt.line)

    def _folder_row(self, ref: ChunkRef) -> Rejected | None:
        """The quarantine row of something in the folder that is not read, or None."""
        path = Path(ref.path)
        if ref.kind == "unknown":
            try:
                mode = os.stat(path).st_mode
            except OSError:
                mode = stat.S_IFREG
            if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                return Rejected(ref.path, None, "read", _not_regular(mode))
            return Rejected(
                ref.path,
                None,
                "read",
                f"unsupported file type {path.suffix or '(none)'!r}; expected .jsonl, .json, .txt or .html",
            )
        if ref.kind == "compressed":
            return Rejected(
                ref.path,
                None,
                "read",
                f"compressed file not read: only .gz of .jsonl, .ndjson, .json, .txt, .html is; "
                f"decompress {path.name!r} first",
            )
        if ref.kind == "dirloop":
            return Rejected(
                ref.path,
                None,
                "read",
                f"symbolic link to a folder already read ({path_text(os.path.realpath(path))}); not read again",
            )
        if ref.kind == "direrror":
            try:
                os.listdir(path)
                why = "it could not be listed"
            except OSError as exc:
                why = exc.strerror or str(exc)
            return Rejected(ref.path, None, "read", f"folder could not be read: {why}")
        return None

    def _read_jsonl(
        self, ref: ChunkRef, default_source: str, gz: bool = False
    ) -> tuple[list[Item], ChunkRef | None]:
        items: list[Item] = []
        line_no = ref.line
        fh = self._resume(ref) if gz else None
        if fh is None:
            fh = _open_input(Path(ref.path), gz)
            fh.seek(ref.offset)  # a .gz stream seeks by decompressing up to the offset
        where_file = path_text(ref.path)
        more = False
        try:
            while len(items) < self.chunk_records:
                try:
                    raw = fh.readline()
                except _GZIP_ERRORS as exc:
                    items.append(
                        Rejected(
                            ref.path,
                            None,
                            "read",
                            f"after line {line_no}: compressed data is corrupt ({exc}); the rest of "
                            "the file is not read",
                        )
                    )
                    return items, None
                if not raw:
                    return items, None
                line_no += 1
                if not raw.strip():
                    continue
                text, warns = _decode(raw, f"{where_file} line {line_no}")
                where = f"line {line_no}"
                try:
                    obj = json.loads(text)
                except (ValueError, RecursionError) as exc:
                    reason = _json_error(exc)
                    if isinstance(exc, json.JSONDecodeError):
                        reason = f"invalid JSON ({exc.msg} at column {exc.colno})"
                    items.append(Rejected(ref.path, None, "read", f"{where}: {reason}", text[:20000]))
                    continue
                items.append(
                    record_from_dict(
                        obj, source_path=ref.path, default_source=default_source, where=where, warnings=warns
                    )
                )
            more = bool(fh.peek(1))
            nxt = ChunkRef(ref.path, ref.root, ref.kind, fh.tell(), line_no)
            return items, (nxt if more else None)
        finally:
            if more and gz:  # the next chunk goes on from here, without decompressing again
                self._stream = (ref.path, fh.tell(), fh)
            else:
                fh.close()

    def _resume(self, ref: ChunkRef):
        """The open .gz stream left at this chunk's offset by the previous chunk, if any."""
        stream, self._stream = self._stream, None
        if stream is None:
            return None
        path, offset, fh = stream
        if (path, offset) == (ref.path, ref.offset):
            return fh
        fh.close()
        return None


def _html_record(data: bytes, path: Path, rel: str, default_source: str) -> Item:
    """A saved web page: its main text and metadata (transforms.web)."""
    from transforms.web import parse_page

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


def _file_source(
    location: str, *, chunk_records: int = 2000, name: str | None = None, web=None, **options: object
) -> Source:
    if options:
        raise ValueError(f"unknown options for a file source: {', '.join(sorted(options))}")
    return FileSource(location, chunk_records=chunk_records, name=name, web=web)


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
    return "feed" if location.lower().endswith(FEED_SUFFIXES) else "file"


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
