"""What a location is, told by its text alone: a URL, or a file of a kind by its name.

Kinds by file extension, in any case: `.jsonl`/`.ndjson` (one JSON record a line),
`.json`, `.txt`, `.html`/`.htm`, any of these gzip-compressed (`.jsonl.gz`, ...), and
`.xml`/`.rss`/`.atom` (a feed); other compressions are recognised so that a quarantine row
can say they are not read.
"""

from __future__ import annotations

import os


def is_url(location: str) -> bool:
    return str(location).startswith(("http://", "https://"))


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


def infer_kind(location: str) -> str:
    """The source kind of a location given without one."""
    if is_url(location):
        return "web"
    return "feed" if location.lower().endswith(FEED_SUFFIXES) else "file"
