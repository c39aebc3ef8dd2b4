"""The records every source yields, and the interface a source offers the run.

A source yields `RawRecord`s (one input article) and `Rejected`s (an input that could
not be read, with a readable reason; it becomes a `quarantine` row). Reading never
raises for bad input: the rest of the batch still lands.

Every `RawRecord` is safe to hash and store: lone surrogates in its text fields are
replaced by U+FFFD (with a warning), file names that are not UTF-8 are kept as
bytes-safe text (`caf\\xe9.txt`), and `metadata` is a JSON object serialised once, so no
later step (Prefect's walk of task inputs included) descends into nested values.

Every source module imports these types from here (never from the package), so no two
modules of flows.sources import each other.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Protocol

KNOWN_FIELDS = ("id", "title", "text", "published_at", "source", "url")

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
