"""The hostile inputs (issue 14): each `make_*` writes one case into a folder and returns
what must come of it. `loaded`: external id -> substring of one of its warnings (None: no
warning asked); `quarantined`: substrings of the reasons of the file's quarantine rows."""

from __future__ import annotations

import gzip
import json
import os
import socket

STORIES = [
    "Acme Corp hired a new chief executive on Monday, the company said.",
    "Beta Inc cut 300 jobs at its plant in Ohio after sales fell.",
    "Gamma Holdings bought a stake in Delta Motors for $2 billion.",
    "Epsilon Bank raised its dividend and announced a share buyback.",
    "Zeta Airlines ordered forty new aircraft from Orion Aerospace.",
    "Theta Foods recalled frozen meals sold in twelve states.",
    "Iota Systems opened a research centre in Dublin with 200 engineers.",
    "Kappa Mining suspended work at its copper mine after a flood.",
    "Lambda Energy signed a supply contract with the city of Austin.",
    "Mu Pharma won approval for a new asthma drug in Europe.",
    "Nu Telecom sued Xi Networks over a patent for fibre cables.",
    "Omicron Retail closed 40 stores and moved its sales online.",
    "Pi Robotics raised $50 million from investors led by Rho Capital.",
    "Sigma Steel warned that profits would fall in the third quarter.",
    "Tau Media launched a streaming service for sports fans in Brazil.",
    "Upsilon Chemicals agreed to pay a fine to settle a pollution case.",
    "Phi Logistics hired 1,000 drivers ahead of the holiday season.",
    "Chi Motors recalled 80,000 cars because of a faulty airbag.",
    "Psi Software acquired a small start-up that makes security tools.",
    "Omega Shipping added three container ships to its Pacific route.",
]


def story(n: int) -> str:
    return STORIES[n % len(STORIES)] + f" The filing was number {n}."


def line(**rec) -> str:
    return json.dumps(rec) + "\n"


def nested(depth: int, leaf: object = 1) -> str:
    return "[" * depth + json.dumps(leaf) + "]" * depth


def make_surrogates(d):
    (d / "surrogates.jsonl").write_text(
        line(id="sur-ok", text=story(1))
        + '{"id": "sur-\\ud800", "title": "Lone \\udfff title", "text": "Acme Corp hired \\ud800 a chief.",'
        ' "tags": {"k\\ud800": ["v\\udc00"]}}\n'
    )
    return {"sur-ok": None, "sur-\ufffd": "lone surrogate"}, []


def make_bad_name(d):
    name = os.fsdecode(b"caf\xe9-story.txt")  # a file name that is not UTF-8
    (d / name).write_text("Cafe chain expands\n\n" + story(2) + "\n")
    return {"caf\\xe9-story.txt": "not valid UTF-8"}, []


def make_dates(d):
    (d / "dates.jsonl").write_text(
        line(id="d-early", text=story(3) + " It happened yesterday.", published_at="0001-01-01")
        + line(id="d-late", text=story(4) + " More next year.", published_at="9999-12-31")
        + line(id="d-tz", text=story(5), published_at="0001-01-01T00:00:00+01:00")
        + line(id="d-1700", text=story(6), published_at="1700-06-01")
        + line(id="d-ok", text=story(7), published_at="2024-05-01")
    )
    return {
        "d-early": "out of range",
        "d-late": "out of range",
        "d-tz": "out of range",
        "d-1700": "out of range",
        "d-ok": None,
    }, []


def make_deep_metadata(d):
    deep = json.loads(nested(400, {"leaf": True}))
    (d / "deep_meta.jsonl").write_text(line(id="deep-meta", text=story(8), extra=deep))
    return {"deep-meta": None}, []


def make_hostile_lines(d):
    (d / "lines.jsonl").write_text(
        line(id="ln-1", text=story(9))
        + '{"id": "ln-big", "text": "x", "n": '
        + "7" * 5001
        + "}\n"
        + nested(10_000)
        + "\n"
        + line(id="ln-4", text=story(10))
        + line(id="ln-5", text=story(11))
    )
    return {"ln-1": None, "ln-4": None, "ln-5": None}, [
        "line 2: JSON number too long",
        "line 3: JSON nested too deeply",
    ]


def make_fifo(d):
    os.mkfifo(d / "pipe.txt")
    return {}, ["not a regular file: a FIFO"]


def make_socket(d):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(d / "sock.jsonl"))
    except OSError:  # a path too long for AF_UNIX: the FIFO case covers special files
        s.close()
        return {}, []
    s.close()
    return {}, ["not a regular file: a socket"]


def make_device(d):
    (d / "random.txt").symlink_to("/dev/urandom")
    return {}, ["not a regular file: a character device"]


def make_dangling(d):
    (d / "gone.txt").symlink_to(d / "no-such-target.txt")
    return {}, ["broken symbolic link"]


def make_upper_case(d):
    (d / "UPPER.JSONL").write_text(line(id="up-1", text=story(12)))
    (d / "Story.TXT").write_text("Upper case story\n" + story(13) + "\n")
    return {"up-1": None, "Story.TXT": None}, []


def make_gzip(d):
    with gzip.open(d / "wire.jsonl.gz", "wt") as fh:
        fh.write(line(id="gz-1", text=story(14)) + line(id="gz-2", text=story(15)))
    (d / "corrupt.json.gz").write_bytes(b"\x1f\x8b\x08\x00 definitely not deflate")
    (d / "archive.zip").write_bytes(b"PK\x03\x04")
    return {"gz-1": None, "gz-2": None}, [
        "not a valid gzip file|compressed data is corrupt",
        "compressed file not read",
    ]


def make_cr_only(d):
    (d / "mac.txt").write_bytes(("Old Mac headline\r" + story(16) + "\rSecond line.\r").encode())
    return {"mac.txt": None}, []


def make_binary(d):
    data = bytes((i * 131 + 7) % 256 for i in range(4096)).replace(b"\x00", b"\x01")
    (d / "noise.txt").write_bytes(data)
    return {}, ["binary file"]


def make_symlinked_folders(d, outside):
    (outside / "linked.txt").write_text("Linked story\n" + story(17) + "\n")
    (d / "elsewhere").symlink_to(outside, target_is_directory=True)
    (d / "loop").symlink_to(d, target_is_directory=True)
    return {"elsewhere/linked.txt": None}, ["symbolic link to a folder already read"]


def make_feed(d):
    (d / "local-feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Local</title>'
        "<item><title>Entry without a link</title><guid>feed-e1</guid>"
        f"<description>{story(18)} {story(19)}</description></item></channel></rss>"
    )
    return {}, []  # read as a feed (flows/sources/feeds.py says how): asserted by its rows below


CASES = {
    "lone surrogates": make_surrogates,
    "non-UTF-8 file name": make_bad_name,
    "out-of-range dates": make_dates,
    "metadata nested 400 deep": make_deep_metadata,
    "5,001-digit number and 10,000-deep line": make_hostile_lines,
    "FIFO": make_fifo,
    "socket": make_socket,
    "device": make_device,
    "dangling symlink": make_dangling,
    "upper-case extensions": make_upper_case,
    "gzip": make_gzip,
    "CR-only line endings": make_cr_only,
    "binary noise": make_binary,
    "feed file in a folder": make_feed,
}
