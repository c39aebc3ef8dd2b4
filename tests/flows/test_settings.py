"""Settings: every field documented; NEWSETL_SOURCES parsing keeps URLs and kinds whole."""

import pytest

from flows.config import SourceSpec, load_sources_file, resolve_sources
from flows.settings import Settings
from tests.conftest import SAMPLE


def test_every_setting_is_documented():
    for name, f in Settings.model_fields.items():
        assert f.description and len(f.description) > 15, name


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ("https://example.com/rss.xml", ["https://example.com/rss.xml"]),
        ("https://example.com/rss.xml, data/x.jsonl", ["https://example.com/rss.xml", "data/x.jsonl"]),
        ("countdown:3", ["countdown:3"]),
        (
            f"{SAMPLE / 'wire'}:{SAMPLE / 'fictional.jsonl'}",
            [str(SAMPLE / "wire"), str(SAMPLE / "fictional.jsonl")],
        ),
    ],
)
def test_sources_from_the_environment(monkeypatch, env, expected):
    monkeypatch.setenv("NEWSETL_SOURCES", env)
    assert Settings().sources == expected


def test_sources_yaml_relative_paths_schedules_and_errors(tmp_path):
    cfg = tmp_path / "sources.yaml"
    cfg.write_text(
        """sources:
  - {name: a, kind: folder, location: wire, schedule: nightly}
  - {name: b, location: "https://example.com/feed.xml", schedule: hourly}
""",
        encoding="utf-8",
    )
    specs = load_sources_file(cfg)
    assert specs[0] == SourceSpec("a", str(tmp_path / "wire"), "folder", "nightly", {})
    assert specs[1].location == "https://example.com/feed.xml" and specs[1].kind is None
    assert [s.name for s in resolve_sources([str(cfg)], schedule="hourly")] == ["b"]
    assert resolve_sources(["x.jsonl"]) == [SourceSpec(None, "x.jsonl")]
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - {name: a, location: x, colour: red}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown keys"):
        load_sources_file(bad)
    bad.write_text("sources:\n  - {name: a, location: x}\n  - {name: a, location: y}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="used twice"):
        load_sources_file(bad)
