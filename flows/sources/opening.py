"""Opening input files safely: only regular files are opened (a FIFO, device or socket is
a reason, never opened: it could block), `.gz` decompressed as it is read, and a file's
head sniffed before parsing (gone, empty, binary or not gzip: a quarantine row). Bytes
that are not UTF-8 are decoded with a declared fallback, and a warning says so.
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from pathlib import Path

from flows.sources.records import Rejected, path_text

FALLBACK_ENCODING = "cp1252"  # declared fallback for files that are not valid UTF-8
_BINARY_SNIFF = 8192


def decode(data: bytes, path: str) -> tuple[str, tuple[str, ...]]:
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        return data.decode(FALLBACK_ENCODING, errors="replace"), (
            f"{path} is not valid UTF-8 ({exc.reason} at byte {exc.start}); decoded as {FALLBACK_ENCODING}",
        )


_MODE_NAMES = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)  # "not a regular file: a FIFO (named pipe); only regular files are read"


class NotReadable(Exception):
    """A path that is not read: not a regular file, a broken link, gone, unreadable."""


def not_regular(mode: int) -> str:
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
        raise NotReadable(not_regular(st.st_mode))
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
        raise NotReadable(not_regular(mode))
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


def open_input(path: Path, compressed: bool):
    """A binary stream of the file's content (decompressed for .gz)."""
    fh = _open_regular(path)
    return _Gunzip(fh) if compressed else fh


GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)
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


def sniff(path: Path, compressed: bool = False) -> Rejected | None:
    """Reject files that are not regular, gone, empty, binary or (.gz) not gzip, before
    parsing them."""
    where = str(path)
    try:
        with open_input(path, compressed) as fh:
            head = fh.read(_BINARY_SNIFF)
    except NotReadable as exc:
        return Rejected(where, None, "read", str(exc))
    except GZIP_ERRORS as exc:
        return Rejected(where, None, "read", f"not a valid gzip file ({exc})")
    except OSError as exc:
        return Rejected(where, None, "read", f"cannot read file: {exc.strerror or exc}")
    if not head.strip():
        return Rejected(where, None, "read", "empty file" if not head else "empty file (only whitespace)")
    if _looks_binary(head):
        why = "NUL bytes" if b"\x00" in head else "control bytes, not UTF-8"
        return Rejected(where, None, "read", f"binary file ({why}), not text", repr(head[:200]))
    return None
