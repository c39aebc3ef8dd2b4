"""What a folder holds: its input files by kind (recursively, links followed once), and
the quarantine row of whatever is found in it but not read.

Names starting with '.' and files of other types are ignored; a link to a folder already
read (a loop included) is listed as 'dirloop', a folder that cannot be listed as
'direrror', a file of an unknown type given explicitly as None; `folder_row` says why
each of those (and compressed files of another kind, and things that are not regular
files) is not read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from flows.sources.locations import kind_of
from flows.sources.opening import not_regular
from flows.sources.records import ChunkRef, Rejected, path_text


def list_inputs(root: Path) -> list[tuple[Path, str | None]]:
    """(path, kind) pairs; kind None for a file given explicitly with an unknown type,
    'dirloop' for a link to a folder already read, 'direrror' for a folder that could
    not be listed."""
    if not root.is_dir():
        return [(root, kind_of(root.name))]
    found: list[tuple[Path, str | None]] = []
    seen: set[tuple[int, int]] = set()
    todo = [root]
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


def folder_row(ref: ChunkRef) -> Rejected | None:
    """The quarantine row of something in the folder that is not read, or None."""
    path = Path(ref.path)
    if ref.kind == "unknown":
        try:
            mode = os.stat(path).st_mode
        except OSError:
            mode = stat.S_IFREG
        if not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
            return Rejected(ref.path, None, "read", not_regular(mode))
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
