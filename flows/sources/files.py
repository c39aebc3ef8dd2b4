"""The file source: a file or a folder (read recursively) of JSONL, JSON, .txt, saved .html
and feed files, plain or gzip-compressed (kinds by name: flows/sources/locations.py).

`.jsonl`/`.ndjson` is streamed in chunks (one JSON record a line), `.json` is a record, a
list of records, or {"articles": [...]}, `.txt` is the title on its first line and the body
after (id = path relative to the source folder), `.html`/`.htm` a saved page, and a feed
file is read as the feed kind reads one (flows/sources/feeds.py). Only regular files are
read (flows/sources/opening.py): a FIFO, device or socket is a quarantine row, never opened.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from flows.sources.folders import folder_row, list_inputs
from flows.sources.locations import GZ
from flows.sources.opening import GZIP_ERRORS, NotReadable, decode, open_input, sniff
from flows.sources.records import ChunkRef, Item, RawRecord, Rejected, path_text, record_from_dict


def _default_source_name(path: Path, root: Path) -> str:
    """A record's `source` when it names none: its folder's name (of the absolute path, so
    `.`, `data/sample/` and `data/x/../sample` are one source), else the file's stem."""
    return path_text((Path(os.path.abspath(root)).name if root.is_dir() else path.stem) or "input")


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


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class FileSource:
    """A file or a folder (read recursively) of JSONL, JSON, .txt, saved .html and feed
    files, plain or gzip-compressed.

    In a folder: names starting with '.' and files of other types are ignored; symbolic
    links are followed (a link to a folder already read, a loop included, is a quarantine
    row and is not read again); files that are not regular (FIFOs, devices, sockets),
    broken links, unreadable folders and compressed files of another kind are quarantine
    rows. `web` (flows.sources.webstate.WebState) fetches the entries of feed files."""

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
        """(path, kind) pairs (flows/sources/folders.py)."""
        return list_inputs(self.root)

    def estimate(self) -> int:
        """How many records the source holds (for progress bars); cheap, never raises."""
        n = 0
        for path, kind in self.files():
            try:
                base, gz = (kind or "").removesuffix(GZ), (kind or "").endswith(GZ)
                if base == "jsonl":
                    with open_input(path, gz) as fh:
                        n += sum(1 for line in fh if line.strip())
                elif base == "json":
                    with open_input(path, gz) as fh:
                        obj = json.loads(fh.read())
                    obj = obj.get("articles", obj) if isinstance(obj, dict) else obj
                    n += len(obj) if isinstance(obj, list) else 1
                else:
                    n += 1
            except (OSError, ValueError, RecursionError, NotReadable, *GZIP_ERRORS):
                n += 1
        return n

    def chunks(self) -> list[ChunkRef]:
        root = str(self.root)
        return [ChunkRef(str(p), root, kind or "unknown") for p, kind in self.files()]

    def read(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        not_read = _row_before_reading(ref)
        if not_read is not None:
            return [not_read], None
        path, root = Path(ref.path), Path(ref.root)
        base, gz = ref.kind.removesuffix(GZ), ref.kind.endswith(GZ)
        default_source = self.source_name or _default_source_name(path, root)
        if base == "feed":
            return self._read_feed(ref)
        try:
            if base == "jsonl":
                return self._read_jsonl(ref, default_source, gz)
            with open_input(path, gz) as fh:
                data = fh.read()
        except (NotReadable, FileNotFoundError, *GZIP_ERRORS) as exc:
            return [_unreadable(ref, exc)], None
        rel = path_text(path.relative_to(root).as_posix() if root.is_dir() else path.name)
        if base == "html":
            return [_html_record(data, path, rel, default_source)], None
        text, warns = decode(data, path_text(ref.path))
        if base == "txt":
            return [_txt_record(ref, rel, text, warns, default_source)], None
        return _json_records(ref, text, warns, default_source), None

    def _read_feed(self, ref: ChunkRef) -> tuple[list[Item], ChunkRef | None]:
        """A feed file in the folder, read as the feed kind reads one given directly
        (flows.sources.feeds: its entries' pages fetched); its continuations go to the same reader."""
        from flows.sources.web import web_source

        feed = self._feeds.get(ref.path) if ref.offset else None
        if feed is None:
            feed = web_source(ref.path, kind="feed", state=self.web, name=self.source_name)
            self._feeds[ref.path] = feed
        items, nxt = feed.read(ChunkRef(ref.path, ref.path, "feed", ref.offset, ref.line))
        if nxt is None:
            self._feeds.pop(ref.path, None)
            return items, None
        return items, ChunkRef(ref.path, ref.root, ref.kind, nxt.offset, nxt.line)

    def _read_jsonl(
        self, ref: ChunkRef, default_source: str, gz: bool = False
    ) -> tuple[list[Item], ChunkRef | None]:
        items: list[Item] = []
        line_no = ref.line
        fh = self._resume(ref) if gz else None
        if fh is None:
            fh = open_input(Path(ref.path), gz)
            fh.seek(ref.offset)  # a .gz stream seeks by decompressing up to the offset
        where_file = path_text(ref.path)
        more = False
        try:
            while len(items) < self.chunk_records:
                try:
                    raw = fh.readline()
                except GZIP_ERRORS as exc:
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
                text, warns = decode(raw, f"{where_file} line {line_no}")
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


def _row_before_reading(ref: ChunkRef) -> Rejected | None:
    """Why the chunk is not read at all: its source is gone, it is something in the folder
    that is not read, or (a file's first chunk) its head is not readable text."""
    path = Path(ref.path)
    if not os.path.lexists(path) and not Path(ref.root).exists():
        return Rejected(ref.path, None, "read", "source path does not exist")
    row = folder_row(ref)
    if row is None and ref.offset == 0:
        row = sniff(path, ref.kind.endswith(GZ))
    return row


def _unreadable(ref: ChunkRef, exc: Exception) -> Rejected:
    """The row of a file that could not be read to its end."""
    if isinstance(exc, NotReadable):
        why = str(exc)
    elif isinstance(exc, FileNotFoundError):
        why = "file disappeared while it was being read"
    else:
        why = f"compressed data is corrupt ({exc})"
    return Rejected(ref.path, None, "read", why)


def _txt_record(ref: ChunkRef, rel: str, text: str, warns: tuple[str, ...], default_source: str) -> Item:
    """A .txt file: the title on its first line, the body after."""
    lines = _LINE_BREAK.split(text, maxsplit=1)
    title = lines[0].strip()
    body = lines[1] if len(lines) > 1 else ""
    return RawRecord(ref.path, rel, title, body, None, default_source, None, "{}", warns)


def _json_records(ref: ChunkRef, text: str, warns: tuple[str, ...], default_source: str) -> list[Item]:
    """A .json file: a record, a list of records, or {"articles": [...]}."""
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return [Rejected(ref.path, None, "read", _json_error(exc), text[:20000])]
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
    ]
