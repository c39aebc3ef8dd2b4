"""What people see is data, not markup (issue 14)."""

import pytest

from flows.display import escape_controls, md_code, md_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain words", "plain words"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("tab\tand\nnewline kept", "tab\tand\nnewline kept"),
        ("nul\x00 and C1\x9b", "nul\\x00 and C1\\x9b"),
    ],
)
def test_escape_controls(text, expected):
    assert escape_controls(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "![img](http://x/y.png)",
        "<script>alert(1)</script>",
        "**bold** _it_ `code` # heading | cell |",
        "line one\n## not a heading",
    ],
)
def test_md_text_leaves_no_markup(text):
    out = md_text(text)
    # every special character is escaped; no line break can start a new block
    assert "\n" not in out
    for ch in "[]()<>`*_#|!":
        assert all(out[i - 1] == "\\" for i, c in enumerate(out) if c == ch)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("data/news.duckdb", "`data/news.duckdb`"),
        ("a`b", "``a`b``"),
        ("`start", "`` `start ``"),
        ("x\x1b[2Jy", "`x\\x1b[2Jy`"),
    ],
)
def test_md_code_cannot_be_closed_by_its_content(text, expected):
    assert md_code(text) == expected


def test_run_summary_shows_hostile_errors_and_paths_as_text():
    from flows.accounting import RunCounts, RunResult, summary_markdown

    result = RunResult(
        run_id="r1",
        status="failed",
        warehouse="/tmp/`x`/news.duckdb",
        counts=RunCounts(),
        stage_seconds={},
        validation={},
        errors=["source [x](javascript:alert(1)) could not be read: <img src=x onerror=alert(1)>\x1b[2J"],
        report=None,
    )
    md = summary_markdown(result)
    assert "](javascript" not in md and "\x1b" not in md
    assert md.count("<img") == md.count("\\<img") == 1  # only as escaped text
    assert "\\[x\\]\\(javascript:alert\\(1\\)\\)" in md
    assert "`` /tmp/`x`/news.duckdb ``" not in md and "``/tmp/`x`/news.duckdb``" in md
