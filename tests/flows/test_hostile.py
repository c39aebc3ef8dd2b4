"""Hostile input (issue 14): one folder of bad files and records, among good ones, run
through the nightly flow (Prefect tasks and all). Each case: every other record loaded,
the bad one quarantined with a readable reason (or its article loaded with a warning),
and the run's counts reconciled. The inputs (tests/flows/hostile_inputs.py) are made in tmp_path."""

from __future__ import annotations

import json
import os

import pytest

from tests.conftest import query
from tests.flows.hostile_inputs import CASES, STORIES, line, make_symlinked_folders, story


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
    # the console wraps at 80 columns, wherever the temporary paths put the break
    summary = " ".join(result["output"].split())
    assert f"seen {seen}, loaded {loaded}, skipped {skipped}, quarantined {quarantined}" in summary
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
