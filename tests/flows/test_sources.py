import json

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
