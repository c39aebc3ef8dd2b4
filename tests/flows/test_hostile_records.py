"""Hostile input (issue 14) at the reader and the record: cases that need no flow run."""

from __future__ import annotations

import json
import os
import stat

import pytest


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
    from flows.sources import RawRecord, record_from_dict
    from transforms.admission import raw_json, record_hash
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
    from flows.sources import RawRecord
    from transforms import preparation as pipeline

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
