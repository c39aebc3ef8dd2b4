"""Hostile input (issue 14): one folder of bad files and records, among good ones, run
through the nightly flow (Prefect tasks and all). Each case: every other record loaded,
the bad one quarantined with a readable reason (or its article loaded with a warning),
and the run's counts reconciled. Inputs are made here, in tmp_path."""

from __future__ import annotations

import gzip
import json
import os
import socket
import stat

import pytest

from tests.conftest import query

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


# ---- the cases: what each file holds, and what must come of it ----------------------
# `loaded`: external id -> substring of one of its warnings (None: no warning asked);
# `quarantined`: substrings of the reasons of the file's quarantine rows.


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
    return {}, []  # read as a feed (flows/web.py says how): asserted by its rows below


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


@pytest.fixture(scope="module")
def hostile_run(prefect_harness, tmp_path_factory):
    """One nightly run over a folder holding every case, plus plain good records."""
    base = tmp_path_factory.mktemp("hostile")
    d = base / "in"
    d.mkdir()
    outside = base / "outside"
    outside.mkdir()
    expected = {}
    for name, make in CASES.items():
        expected[name] = make(d)
    expected["symlinked folders"] = make_symlinked_folders(d, outside)
    (d / "good.jsonl").write_text("".join(line(id=f"good-{i}", text=story(100 + i)) for i in range(5)))
    wh = base / "news.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSETL_READ_CHUNK_RECORDS", "2")  # bad lines fall inside chunks, good ones after
        result = _cli_run(d, wh)
    return result, wh, expected, d


def _cli_run(folder, wh) -> dict:
    """`newsetl run` over the folder: its exit code, output and the run's row."""
    from typer.testing import CliRunner

    from flows.cli import app

    res = CliRunner().invoke(app, ["run", "--source", str(folder), "--warehouse", str(wh), "--no-progress"])
    cols = ["status", "articles_seen", "articles_loaded", "articles_skipped", "articles_quarantined", "error"]
    row = query(wh, f"select {', '.join(cols)} from pipeline_runs order by started_at desc limit 1")[0]
    return {"exit_code": res.exit_code, "output": res.output, **dict(zip(cols, row, strict=True))}


def _articles(wh):
    return {
        ext: (published, list(warnings or []), metadata, source_path)
        for ext, published, warnings, metadata, source_path in query(
            wh, "select external_id, published_at, warnings, metadata, source_path from articles"
        )
    }


def test_run_finishes_and_counts_reconcile(hostile_run):
    result, wh, expected, _ = hostile_run
    assert result["exit_code"] == 0 and result["status"] == "succeeded", result["output"]
    seen, loaded, skipped, quarantined = (
        result[f"articles_{k}"] for k in ("seen", "loaded", "skipped", "quarantined")
    )
    assert seen == loaded + skipped + quarantined
    n_articles = query(wh, "select count(*) from articles")[0][0]
    n_quarantine = query(wh, "select count(*) from quarantine")[0][0]
    assert loaded == n_articles and quarantined == n_quarantine
    assert f"seen {seen}, loaded {loaded}, skipped {skipped}, quarantined {quarantined}" in result["output"]
    for i in range(5):  # the plain good records are all there
        assert f"good-{i}" in _articles(wh)


@pytest.mark.parametrize("case", [*CASES, "symlinked folders"])
def test_case(hostile_run, case):
    _, wh, expected, _ = hostile_run
    loaded, reasons = expected[case]
    articles = _articles(wh)
    for ext, warning in loaded.items():
        assert ext in articles, f"{ext!r} not loaded; have {sorted(articles)}"
        if warning:
            assert any(warning in w for w in articles[ext][1]), articles[ext][1]
    got = [r for (r,) in query(wh, "select reason from quarantine")]
    for want in reasons:
        alternatives = want.split("|")
        assert any(a in r for r in got for a in alternatives), f"no quarantine reason like {want!r} in {got}"


def test_surrogates_replaced_in_every_field(hostile_run):
    _, wh, _, _ = hostile_run
    (title, body, metadata, warnings) = query(
        wh, "select title, body, metadata, warnings from articles where external_id = 'sur-\ufffd'"
    )[0]
    assert "\ufffd" in title and "\ufffd" in body
    assert json.loads(metadata) == {"tags": {"k\ufffd": ["v\ufffd"]}}
    assert any("id, title, text, metadata" in w for w in warnings)


def test_bad_file_name_kept_as_bytes_safe_text(hostile_run):
    _, wh, _, d = hostile_run
    (source_path,) = query(wh, "select source_path from articles where external_id = 'caf\\xe9-story.txt'")[0]
    assert source_path == str(d) + "/caf\\xe9-story.txt"


def test_out_of_range_dates_are_null(hostile_run):
    _, wh, _, _ = hostile_run
    rows = dict(query(wh, "select external_id, published_at from articles where external_id like 'd-%'"))
    assert rows["d-early"] is None and rows["d-late"] is None and rows["d-tz"] is None
    assert rows["d-1700"] is None and rows["d-ok"].year == 2024


def test_deep_metadata_is_stored_whole(hostile_run):
    _, wh, _, _ = hostile_run
    (metadata,) = query(wh, "select metadata from articles where external_id = 'deep-meta'")[0]
    value, depth = json.loads(metadata)["extra"], 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    assert depth == 400 and value == {"leaf": True}


def test_hostile_lines_quarantined_with_line_numbers(hostile_run):
    _, wh, _, d = hostile_run
    rows = query(
        wh,
        "select stage, reason from quarantine where source_path = ? order by reason",
        [str(d / "lines.jsonl")],
    )
    assert [s for s, _ in rows] == ["read", "read"]
    assert rows[0][1].startswith("line 2: JSON number too long") and "5001 digits" in rows[0][1]
    assert rows[1][1] == "line 3: JSON nested too deeply to read (RecursionError)"


def test_cr_only_text_splits_title_and_body(hostile_run):
    _, wh, _, _ = hostile_run
    ((title, body),) = query(wh, "select title, body from articles where external_id = 'mac.txt'")
    assert title == "Old Mac headline"
    assert body.startswith(STORIES[16][:20]) and "Second line." in body


def test_feed_file_in_a_folder_is_read(hostile_run):
    _, wh, _, d = hostile_run
    feed = str(d / "local-feed.xml")
    rows = query(wh, "select external_id from articles where source_path = ?", [feed]) + query(
        wh, "select external_id from quarantine where source_path = ?", [feed]
    )
    assert [r[0] for r in rows] == ["feed-e1"]


def test_nothing_in_the_folder_is_silently_skipped(hostile_run):
    """Every input file (by extension, in any case) has a row in articles or quarantine."""
    _, wh, _, d = hostile_run
    paths = {
        p for (p,) in query(wh, "select source_path from articles union select source_path from quarantine")
    }
    for entry in sorted(d.iterdir()):
        name = os.fsencode(entry.name).decode("utf-8", "backslashreplace")
        if entry.is_dir() and not entry.is_symlink():
            continue
        where = f"{d}/{name}"
        if entry.is_symlink() and entry.resolve().is_dir() and entry.name != "loop":
            assert any(p.startswith(where + "/") for p in paths), where
        else:
            assert where in paths, f"{where} has no row"


def test_rerun_of_the_same_folder_reconciles_and_skips_every_article(hostile_run, tmp_path):
    """Hashes and ids of the repaired records are stable: a second night skips them all."""
    import shutil

    first, wh, _, d = hostile_run
    copy = tmp_path / "again.duckdb"
    shutil.copy(wh, copy)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("NEWSETL_READ_CHUNK_RECORDS", "2")
        again = _cli_run(d, copy)
    assert again["exit_code"] == 0, again["output"]
    assert again["articles_seen"] == first["articles_seen"]
    assert again["articles_loaded"] == 0
    assert again["articles_skipped"] == first["articles_loaded"]
    assert again["articles_seen"] == again["articles_skipped"] + again["articles_quarantined"]
    # quarantine rows are keyed: the same bad records are not added again
    assert query(copy, "select count(*) from quarantine") == query(wh, "select count(*) from quarantine")


# ---- reader-level cases that need no flow run ----------------------------------------


def test_fifo_given_directly_does_not_block(tmp_path):
    from flows.sources import FileSource, Rejected

    fifo = tmp_path / "feed.jsonl"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    src = FileSource(fifo)
    assert src.estimate() == 1  # nothing opened
    (item,), nxt = src.read(src.chunks()[0])
    assert isinstance(item, Rejected) and nxt is None
    assert item.reason.startswith("not a regular file: a FIFO")


def test_record_hash_of_serialised_metadata_is_the_hash_of_its_fields():
    """Metadata is kept as JSON text, yet content hashes are those of the decoded fields
    (as before), so existing warehouses do not see every article as changed."""
    from flows.pipeline import raw_json, record_hash
    from flows.sources import RawRecord, record_from_dict
    from transforms.extract import content_hash

    meta = {"section": "tech", "tags": ["a", "b"], "n": 3}
    rec = record_from_dict(
        {"id": "h1", "text": "T", "url": "https://e.x/1", **meta},
        source_path="p",
        default_source="s",
        where="x",
    )
    assert isinstance(rec, RawRecord) and json.loads(rec.metadata) == meta
    assert record_hash(rec) == content_hash("h1", "s", None, "T", None, "https://e.x/1", meta)
    assert json.loads(raw_json(rec)) == {
        "id": "h1",
        "source": "s",
        "title": None,
        "text": "T",
        "published_at": None,
        "url": "https://e.x/1",
        **meta,
    }
    bare = RawRecord("p", "h2", None, "T", None, "s", None)
    assert bare.metadata == "{}" and json.loads(raw_json(bare))["id"] == "h2"


@pytest.mark.parametrize(
    ("fields", "expected", "warning"),
    [
        ({"metadata": {"a": [1, {"b": 2}]}}, {"metadata": '{"a": [1, {"b": 2}]}'}, None),
        ({"title": "x\ud800y"}, {"title": "x\ufffdy"}, "lone surrogate code points in title"),
        ({"external_id": "\udfff"}, {"external_id": "\ufffd"}, "in id replaced"),
        ({"metadata": {"k": "\ud800"}}, {"metadata": '{"k": "\ufffd"}'}, "in metadata"),
        ({"published_at": [[["2020"]]]}, {"published_at": '[[["2020"]]]'}, None),
        (
            {"source_path": os.fsdecode(b"/in/caf\xe9.jsonl")},
            {"source_path": "/in/caf\\xe9.jsonl"},
            "file name is not valid UTF-8",
        ),
        ({"text": "plain ascii"}, {"text": "plain ascii"}, None),
    ],
)
def test_raw_records_are_made_safe_on_construction(fields, expected, warning):
    from flows.sources import RawRecord

    base = dict(
        source_path="p", external_id="e", title=None, text="t", published_at=None, source="s", url=None
    )
    rec = RawRecord(**(base | fields))
    for k, v in expected.items():
        assert getattr(rec, k) == v
    if warning:
        assert any(warning in w for w in rec.warnings), rec.warnings
    else:
        assert rec.warnings == ()
    "".join([rec.source_path, rec.external_id, rec.metadata, *rec.warnings]).encode("utf-8")  # encodable


def test_prepare_rejects_only_the_record_cleaning_fails_on(monkeypatch):
    from flows import pipeline
    from flows.sources import RawRecord

    real = pipeline.clean_article

    def fragile(title, text, **kw):
        if "boom" in text:
            raise RecursionError("maximum recursion depth exceeded")
        return real(title, text, **kw)

    monkeypatch.setattr(pipeline, "clean_article", fragile)
    recs = [
        RawRecord("p", i, None, t, None, "s", None)
        for i, t in (("a", "Acme hired."), ("b", "boom"), ("c", "Beta cut."))
    ]
    out = pipeline.prepare([(r, f"art_{r.external_id}", "h") for r in recs])
    assert [a.external_id for a in out.articles] == ["a", "c"]
    ((rec, reason),) = out.rejected
    assert (
        rec.external_id == "b"
        and reason == "cleaning failed: RecursionError: maximum recursion depth exceeded"
    )


def test_path_objects_as_source_path_are_not_warned_about():
    from pathlib import Path

    from flows.sources import RawRecord, Rejected

    rec = RawRecord(Path("/in/a.txt"), "a.txt", None, "t", None, "s", None)
    assert rec.source_path == "/in/a.txt" and rec.warnings == ()
    assert Rejected(Path("/in/b.txt"), None, "read", "r").source_path == "/in/b.txt"


# ---- faults around the run: exit code and one line, the warehouse left as it was ------


def _folder(p):
    p.mkdir()


def _not_duckdb(p):
    p.write_bytes(b"this is not a DuckDB file\n" * 100)


def _under_a_file(p):
    return p.parent / "plain.txt" / "w.duckdb"  # its folder would be a regular file


FAULTS = [
    # (case, command, make the warehouse path, exit code, what the one line says)
    ("warehouse is a folder", "run", _folder, 2, "is a folder, not a DuckDB file"),
    ("warehouse is not DuckDB", "run", _not_duckdb, 1, "cannot be opened"),
    ("warehouse folder is a file", "run", _under_a_file, 2, "cannot be written"),
    ("batch size 0", "run --batch-size 0", None, 2, "batch_size"),
    ("source missing", "run --source {tmp}/missing.jsonl", None, 2, "does not exist"),
    *[
        (f"{cmd}: warehouse is a folder", cmd, _folder, 2, "is a folder")
        for cmd in ("sql", "runs", "docs", "report", "shell", "sources")
    ],
    *[
        (f"{cmd}: warehouse is not DuckDB", cmd, _not_duckdb, 1, "cannot be opened")
        for cmd in ("sql", "runs", "docs", "report", "shell", "sources")
    ],
    *[
        (f"{cmd}: no warehouse", cmd, None, 2, "no warehouse at")
        for cmd in ("sql", "runs", "docs", "report", "shell")
    ],
]


@pytest.mark.parametrize(("case", "command", "make", "code", "says"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_fault_is_one_line_with_its_exit_code_and_the_warehouse_is_unchanged(
    prefect_harness, tmp_path, case, command, make, code, says
):
    from typer.testing import CliRunner

    from flows.cli import app

    (tmp_path / "plain.txt").write_text("a file\n")
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id": "1", "text": story(1)}) + "\n")
    wh = tmp_path / "w.duckdb"
    wh = (make(wh) or wh) if make else wh
    before = sorted(p.name for p in tmp_path.iterdir())
    content = wh.read_bytes() if wh.is_file() else None
    args = command.format(tmp=tmp_path).split()
    if args[0] == "run" and "--source" not in args:
        args += ["--source", str(src)]
    args += {"sql": ["select 1"]}.get(args[0], [])
    args += ["--warehouse", str(wh), *(["--no-progress"] if args[0] == "run" else [])]
    res = CliRunner().invoke(app, args, input="")
    assert res.exit_code == code, res.output
    lines = [x for x in res.output.splitlines() if x.strip()]
    if args[0] == "sources":  # it lists the sources first, then says why it has no counts
        lines = lines[-1:]
    assert len(lines) == 1 and lines[0].startswith("error: ") and says in lines[0], res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert (wh.read_bytes() if wh.is_file() else None) == content  # left as it was
    made = set(sorted(p.name for p in tmp_path.iterdir())) - set(before)
    assert made <= {"w.duckdb.lock", "w.log"}, made  # no warehouse, staging copy or report made
