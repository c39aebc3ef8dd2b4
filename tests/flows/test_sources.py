import json
import os

import pytest

from flows.sources import FileSource, MemorySource, RawRecord, Rejected


def read_all(source):
    items = []
    for ref in source.chunks():
        nxt = ref
        while nxt is not None:
            got, nxt = source.read(nxt)
            items.extend(got)
    return items


def test_jsonl_records_and_metadata(tmp_path):
    p = tmp_path / "a.jsonl"
    p.write_text(
        json.dumps({"id": "1", "title": "T", "text": "Body", "published_at": "2020-01-01", "section": "x"})
        + "\n"
        + json.dumps({"id": 2, "title": "U", "text": "More", "source": "wire", "url": "https://e.x/2"})
        + "\n",
        encoding="utf-8",
    )
    items = read_all(FileSource(p))
    assert [type(i) for i in items] == [RawRecord, RawRecord]
    assert json.loads(items[0].metadata) == {"section": "x"} and items[0].source == "a"
    assert items[1].external_id == "2" and items[1].source == "wire" and items[1].url == "https://e.x/2"


def test_jsonl_is_read_in_bounded_chunks(tmp_path):
    p = tmp_path / "many.jsonl"
    p.write_text("".join(json.dumps({"id": i, "text": f"t{i}"}) + "\n" for i in range(25)), encoding="utf-8")
    src = FileSource(p, chunk_records=10)
    sizes = []
    nxt = src.chunks()[0]
    while nxt is not None:
        got, nxt = src.read(nxt)
        sizes.append(len(got))
    assert sizes == [10, 10, 5]
    assert src.estimate() == 25


def test_json_list_and_wrapper(tmp_path):
    (tmp_path / "list.json").write_text(json.dumps([{"id": "a", "text": "x"}, {"id": "b", "text": "y"}]))
    (tmp_path / "wrap.json").write_text(json.dumps({"articles": [{"id": "c", "text": "z"}]}))
    ids = sorted(i.external_id for i in read_all(FileSource(tmp_path)))
    assert ids == ["a", "b", "c"]


def test_txt_title_body_and_relative_id(tmp_path):
    (tmp_path / "business").mkdir()
    (tmp_path / "business" / "001.txt").write_text("Headline here\n\nFirst paragraph.\n")
    (item,) = read_all(FileSource(tmp_path))
    assert (item.external_id, item.title, item.text.strip()) == (
        "business/001.txt",
        "Headline here",
        "First paragraph.",
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.jsonl", b"", "empty file"),
        ("blank.json", b"  \n\n", "empty file"),
        ("bin.jsonl", b"\x00\x01\x02binary\x00", "binary file"),
        ("broken.json", b"{not json", "invalid JSON"),
        ("x.csv", b"a,b", "unsupported file type"),
    ],
)
def test_bad_files_are_rejected_with_reason(tmp_path, name, content, reason):
    p = tmp_path / name
    p.write_bytes(content)
    (item,) = read_all(FileSource(p))
    assert isinstance(item, Rejected) and reason in item.reason and item.stage == "read"


def test_malformed_line_among_good_ones(tmp_path):
    p = tmp_path / "mixed.jsonl"
    p.write_text(
        '{"id": "1", "text": "ok"}\n{"id": "2", "text": \n{"text": "no id"}\n[1, 2]\n{"id": "3", "text": "ok"}\n'
    )
    items = read_all(FileSource(p))
    assert [i.external_id for i in items if isinstance(i, RawRecord)] == ["1", "3"]
    reasons = [i.reason for i in items if isinstance(i, Rejected)]
    assert reasons[0].startswith("line 2: invalid JSON")
    assert reasons[1] == "line 3: record has no 'id'"
    assert "expected a JSON object" in reasons[2]


def test_invalid_utf8_decoded_with_declared_fallback(tmp_path):
    p = tmp_path / "latin.jsonl"
    p.write_bytes(
        '{"id": "1", "title": "Caf\u00e9", "text": "Cr\u00e8me br\u00fbl\u00e9e sales rose."}\n'.encode(
            "cp1252"
        )
    )
    (item,) = read_all(FileSource(p))
    assert item.title == "Café" and "not valid UTF-8" in item.warnings[0] and "cp1252" in item.warnings[0]


def test_file_that_disappears(tmp_path):
    p = tmp_path / "gone.jsonl"
    p.write_text('{"id": "1", "text": "x"}\n')
    src = FileSource(tmp_path)
    refs = src.chunks()
    p.unlink()
    items, _ = src.read(refs[0])
    assert isinstance(items[0], Rejected) and "disappeared" in items[0].reason


def test_memory_source():
    items = read_all(MemorySource([{"id": "m1", "title": "T", "text": "B"}]))
    assert items[0].external_id == "m1"


def test_wrong_field_types_are_rejected(tmp_path):
    p = tmp_path / "types.jsonl"
    p.write_text('{"id": ["x"], "text": "t"}\n{"id": "2", "text": 5}\n')
    a, b = read_all(FileSource(p))
    assert a.reason == "line 1: 'id' must be a string or number"
    assert b.reason == "line 2: 'text' must be a string, got int" and b.external_id == "2"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.jsonl", "jsonl"),
        ("UPPER.JSONL", "jsonl"),
        ("x.NDJSON", "jsonl"),
        ("Story.TXT", "txt"),
        ("page.HTM", "html"),
        ("list.Json", "json"),
        ("wire.jsonl.gz", "jsonl.gz"),
        ("WIRE.JSON.GZ", "json.gz"),
        ("story.txt.gz", "txt.gz"),
        ("data.csv.gz", "compressed"),
        ("archive.zip", "compressed"),
        ("dump.tar", "compressed"),
        ("feed.xml", "feed"),
        ("Feed.RSS", "feed"),
        ("notes.md", None),
        ("README", None),
    ],
)
def test_kind_by_name_in_any_case(name, kind):
    from flows.sources.locations import kind_of

    assert kind_of(name) == kind


def _reasons(items):
    return {os.path.basename(i.source_path): i.reason for i in items if isinstance(i, Rejected)}


def test_special_files_are_rows_not_reads(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "dev.jsonl").symlink_to("/dev/null")
    (tmp_path / "gone.json").symlink_to(tmp_path / "missing.json")
    (tmp_path / "ok.txt").write_text("Title\nBody.\n")
    items = read_all(FileSource(tmp_path))
    assert [i.external_id for i in items if isinstance(i, RawRecord)] == ["ok.txt"]
    assert _reasons(items) == {
        "pipe.txt": "not a regular file: a FIFO (named pipe); only regular files are read",
        "dev.jsonl": "not a regular file: a character device; only regular files are read",
        "gone.json": f"broken symbolic link: its target {str(tmp_path / 'missing.json')!r} does not exist",
    }


def test_random_bytes_are_binary_not_empty(tmp_path):
    noise = bytes((i * 97 + 13) % 256 for i in range(5000)).replace(b"\x00", b"\xff")
    (tmp_path / "noise.jsonl").write_bytes(noise)
    (tmp_path / "cp1252.txt").write_bytes("Caf\u00e9 news\nCr\u00e8me sales rose.\n".encode("cp1252"))
    items = read_all(FileSource(tmp_path))
    assert _reasons(items) == {"noise.jsonl": "binary file (control bytes, not UTF-8), not text"}
    (good,) = [i for i in items if isinstance(i, RawRecord)]
    assert good.title == "Caf\u00e9 news" and "cp1252" in good.warnings[0]


@pytest.mark.parametrize(
    ("content", "title", "body"),
    [
        (b"Title\rLine one.\rLine two.\r", "Title", "Line one.\rLine two.\r"),
        (b"Title\r\nBody.\r\n", "Title", "Body.\r\n"),
        (b"Title\nBody.\n", "Title", "Body.\n"),
        (b"Only a title", "Only a title", ""),
    ],
)
def test_txt_line_endings(tmp_path, content, title, body):
    (tmp_path / "s.txt").write_bytes(content)
    (item,) = read_all(FileSource(tmp_path))
    assert (item.title, item.text) == (title, body)


def test_gzip_jsonl_in_chunks_and_resumed(tmp_path):
    import gzip

    p = tmp_path / "w.jsonl.gz"
    with gzip.open(p, "wt") as fh:
        fh.write("".join(json.dumps({"id": i, "text": f"t{i}"}) + "\n" for i in range(7)))
    src = FileSource(tmp_path, chunk_records=3)
    assert [i.external_id for i in read_all(src)] == [str(i) for i in range(7)]
    assert src.estimate() == 7
    first, nxt = src.read(src.chunks()[0])
    again, _ = FileSource(tmp_path, chunk_records=3).read(nxt)  # a fresh reader seeks instead
    assert [i.external_id for i in again] == ["3", "4", "5"]


def test_truncated_gzip_keeps_what_was_read(tmp_path):
    import gzip

    data = gzip.compress(
        "".join(json.dumps({"id": i, "text": "x" * 50}) + "\n" for i in range(2000)).encode()
    )
    (tmp_path / "cut.jsonl.gz").write_bytes(data[: len(data) // 2])
    items = read_all(FileSource(tmp_path, chunk_records=500))
    loaded = [i for i in items if isinstance(i, RawRecord)]
    (bad,) = [i for i in items if isinstance(i, Rejected)]
    assert 0 < len(loaded) < 2000 and "compressed data is corrupt" in bad.reason
    assert bad.reason.startswith(f"after line {len(loaded)}:")


def test_other_compressions_and_broken_gzip_are_rows(tmp_path):
    (tmp_path / "a.jsonl.bz2").write_bytes(b"BZh9")
    (tmp_path / "b.json.gz").write_bytes(b"plain text, not gzip")
    (tmp_path / "c.csv.gz").write_bytes(b"\x1f\x8b")
    reasons = _reasons(read_all(FileSource(tmp_path)))
    assert reasons["a.jsonl.bz2"].startswith("compressed file not read")
    assert reasons["b.json.gz"].startswith("not a valid gzip file")
    assert reasons["c.csv.gz"].startswith("compressed file not read")


def test_symlinked_folders_followed_once(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "real").mkdir(parents=True)
    outside.mkdir()
    (root / "real" / "a.txt").write_text("A\nbody\n")
    (outside / "b.txt").write_text("B\nbody\n")
    (root / "ext").symlink_to(outside, target_is_directory=True)  # followed
    (root / "again").symlink_to(root / "real", target_is_directory=True)  # a second path
    (root / "real" / "up").symlink_to(root, target_is_directory=True)  # a loop
    (outside / "back").symlink_to(outside, target_is_directory=True)  # a loop in the linked tree
    items = read_all(FileSource(root))
    assert sorted(i.external_id for i in items if isinstance(i, RawRecord)) == ["ext/b.txt", "real/a.txt"]
    reasons = {os.path.relpath(i.source_path, root): i.reason for i in items if isinstance(i, Rejected)}
    assert set(reasons) == {"again", "real/up", "ext/back"}
    assert all(r.startswith("symbolic link to a folder already read") for r in reasons.values())


def test_deep_and_huge_json_values_quarantine_their_line_only(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text(
        '{"id": "1", "text": "a"}\n'
        + '{"id": "2", "text": "b", "n": '
        + "9" * 5001
        + "}\n"
        + '{"a": ' * 10_000
        + "1"
        + "}" * 10_000
        + "\n"
        + '{"id": "4", "text": "d", "deep": '
        + "[" * 400
        + "]" * 400
        + "}\n"
    )
    items = read_all(FileSource(p, chunk_records=2))
    assert [i.external_id for i in items if isinstance(i, RawRecord)] == ["1", "4"]
    reasons = [i.reason for i in items if isinstance(i, Rejected)]
    assert reasons[0].startswith("line 2: JSON number too long to read (Exceeds the limit (4300 digits)")
    assert reasons[1] == "line 3: JSON nested too deeply to read (RecursionError)"
    (deep,) = [i for i in items if getattr(i, "external_id", None) == "4"]
    assert isinstance(deep.metadata, str) and deep.metadata.count("[") == 400


def test_whole_json_file_too_deep_or_huge(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 10_000 + "]" * 10_000)
    (tmp_path / "huge.json").write_text('{"id": "1", "text": "x", "n": ' + "1" * 6000 + "}")
    reasons = _reasons(read_all(FileSource(tmp_path)))
    assert set(reasons) == {"deep.json", "huge.json"}
    assert reasons["deep.json"] == "JSON nested too deeply to read (RecursionError)"
    assert reasons["huge.json"].startswith("JSON number too long to read")
    assert FileSource(tmp_path).estimate() == 2  # never raises


def test_surrogates_in_json_are_replaced_and_recorded(tmp_path):
    (tmp_path / "s.jsonl").write_text('{"id": "a\\ud800", "text": "b\\udc00c", "k": "\\ud83d"}\n')
    (item,) = read_all(FileSource(tmp_path))
    assert (item.external_id, item.text, json.loads(item.metadata)) == (
        "a\ufffd",
        "b\ufffdc",
        {"k": "\ufffd"},
    )
    assert item.warnings == ("lone surrogate code points in id, text, metadata replaced by U+FFFD",)


def test_non_utf8_file_names(tmp_path):
    name = os.fsdecode(b"r\xe9sum\xe9.txt")
    (tmp_path / name).write_text("Title\nBody\n")
    (tmp_path / os.fsdecode(b"bad\xff.jsonl")).write_bytes(b"{not json\n")
    items = read_all(FileSource(tmp_path))
    (rec,) = [i for i in items if isinstance(i, RawRecord)]
    (rej,) = [i for i in items if isinstance(i, Rejected)]
    assert rec.external_id == "r\\xe9sum\\xe9.txt" and rec.source_path.endswith("/r\\xe9sum\\xe9.txt")
    assert "file name is not valid UTF-8" in rec.warnings[0]
    assert rej.source_path.endswith("/bad\\xff.jsonl")
    for s in (rec.source_path, rec.external_id, *rec.warnings, rej.source_path, rej.reason):
        s.encode("utf-8")


def test_unlistable_folder_is_a_row(tmp_path, monkeypatch):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.txt").write_text("T\nbody\n")
    (tmp_path / "locked").mkdir()
    real_scandir, real_listdir = os.scandir, os.listdir

    def denied(real):
        def call(p="."):
            if str(p).endswith("locked"):
                raise PermissionError(13, "Permission denied", str(p))
            return real(p)

        return call

    monkeypatch.setattr(os, "scandir", denied(real_scandir))  # os.walk lists with scandir
    monkeypatch.setattr(os, "listdir", denied(real_listdir))
    items = read_all(FileSource(tmp_path))
    assert [i.external_id for i in items if isinstance(i, RawRecord)] == ["ok/a.txt"]
    assert _reasons(items) == {"locked": "folder could not be read: Permission denied"}


@pytest.mark.parametrize("spelling", ["{d}", "{d}/", "{d}/.", "{d}/../news", "."])
def test_a_folders_records_are_one_source_however_its_path_is_spelled(tmp_path, monkeypatch, spelling):
    from flows.sources import FileSource

    d = tmp_path / "news"
    d.mkdir()
    (d / "a.jsonl").write_text('{"id": "x1", "text": "Acme Corp hired 300 workers."}\n')
    monkeypatch.chdir(d)
    src = FileSource(spelling.format(d=d))
    (item,), _ = src.read(src.chunks()[0])
    assert (item.source, item.external_id) == ("news", "x1")
