"""What a run decides about a record before cleaning it (transforms/admission.py)."""

import json
from dataclasses import dataclass, replace
from datetime import date, datetime

import pytest

from transforms.admission import article_key, in_range, newer, raw_json, record_hash


@dataclass(frozen=True)
class Rec:
    source_path: str = "in.jsonl"
    external_id: str = "a1"
    title: str | None = "Acme hires"
    text: str | None = "Acme Corp hired a chief."
    published_at: object = "2026-03-01T08:30:00Z"
    source: str = "wire"
    url: str | None = None
    metadata: str = "{}"
    warnings: tuple[str, ...] = ()


def test_record_hash_changes_with_content_and_the_key_does_not():
    r = Rec()
    changed = replace(r, text=r.text + " More.")
    assert record_hash(r) != record_hash(changed)
    assert article_key(r) == article_key(changed) != article_key(replace(r, source="other"))
    assert json.loads(raw_json(r))["id"] == r.external_id


def test_raw_json_splices_the_metadata_after_the_fields():
    r = Rec(metadata='{"section": "tech"}')
    assert json.loads(raw_json(r)) == {
        "id": "a1",
        "source": "wire",
        "title": "Acme hires",
        "text": "Acme Corp hired a chief.",
        "published_at": "2026-03-01T08:30:00Z",
        "url": None,
        "section": "tech",
    }
    assert "section" not in raw_json(Rec(metadata="{ }"))


@pytest.mark.parametrize(
    ("published_at", "since", "until", "inside"),
    [
        ("2026-03-01", None, None, True),
        (None, None, None, True),  # no window: everything
        (None, date(2026, 1, 1), None, False),  # a window: an undated record is outside
        ("2026-03-01", date(2026, 3, 1), date(2026, 3, 1), True),  # both ends included
        ("2026-02-28", date(2026, 3, 1), None, False),
        ("2026-03-02", None, date(2026, 3, 1), False),
        ("not a date", date(2026, 1, 1), None, False),
    ],
)
def test_in_range(published_at, since, until, inside):
    assert in_range(Rec(published_at=published_at), since, until) is inside


@pytest.mark.parametrize(
    ("published_at", "stored", "load"),
    [
        ("2026-03-01", None, True),  # never stored
        ("2026-03-01", ("h", datetime(2026, 3, 1)), False),  # the same version
        ("2026-03-02", ("old", datetime(2026, 3, 1)), True),  # a later publication
        ("2026-03-01", ("old", datetime(2026, 3, 1)), True),  # same date: a correction
        ("2026-02-01", ("old", datetime(2026, 3, 1)), False),  # an earlier publication
        (None, ("old", datetime(2026, 3, 1)), True),  # undated: replaces
        ("2026-02-01", ("old", None), True),  # the stored one undated
    ],
)
def test_newer(published_at, stored, load):
    assert newer(Rec(published_at=published_at), "h", stored) is load
