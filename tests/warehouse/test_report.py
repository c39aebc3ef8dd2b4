"""The nightly report: written by the flow, self-contained, and rendered by a real browser."""

import os
import re
import shutil
from pathlib import Path

import pytest

from warehouse.report import report_path, write_report

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# as root, in a closed network: no sandbox, no background connections (they fail here)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium() -> str:
    for p in (shutil.which("chromium"), *CHROMIUM_PATHS):
        if p and Path(p).exists():
            return p
    if os.environ.get("NEWSETL_REQUIRE_BROWSER"):
        pytest.fail("Chromium is required (NEWSETL_REQUIRE_BROWSER is set) but not installed")
    pytest.skip("Chromium not installed (.ci/run installs Debian's chromium)")


def test_nightly_flow_writes_the_report_beside_the_warehouse(sample_warehouse):
    page = report_path(sample_warehouse)
    assert page.name == "news.report.html" and page.parent == sample_warehouse.parent
    text = page.read_text(encoding="utf-8")
    assert "newsetl nightly report" in text and "Amazon" in text


def test_report_is_self_contained(sample_warehouse, tmp_path):
    page = write_report(sample_warehouse, tmp_path / "r.html").read_text(encoding="utf-8")
    # nothing fetched from the network: no external scripts, styles or images
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?:", page)
    assert "window.vegaEmbed" in page  # Vega, Vega-Lite and vega-embed are inlined
    assert "Data Docs" in page and "index.html" in page  # the sample run built them


@pytest.mark.slow
def test_report_renders_in_headless_chromium(sample_warehouse, tmp_path):
    exe = chromium()
    from playwright.sync_api import sync_playwright

    out = write_report(sample_warehouse, tmp_path / "report.html")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1600})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(out.as_uri())
            for chart in ("#by_type", "#over_time"):
                page.wait_for_selector(f"{chart} svg .mark-rect path", timeout=30_000)
                bars = page.locator(f"{chart} svg .mark-rect path").count()
                assert bars > 0, f"{chart} drew no bars"
            rows = page.locator("table").nth(2).locator("tr").count()
            assert rows > 1  # the newest notable actions table has rows
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            keep = os.environ.get("NEWSETL_SCREENSHOT_DIR")
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                shutil.copy(shot, Path(keep) / "report.png")
        finally:
            browser.close()
    assert errors == []


def test_names_cannot_break_out_of_the_page_script():
    from warehouse.report import render

    data = {
        "run": None,
        "totals": {"articles": 1, "entities": 1, "actions": 1, "quotes": 0, "quarantined": 0},
        "per_type": [{"action_type": "HALT", "actions": 1, "negated": 0}],
        "over_time": [{"company": "</script><script>alert(1)</script>", "month": "2026-01", "actions": 1}],
        "newest": [],
        "per_country": [],
    }
    page = render(data, data_docs=None)
    assert page.count("</script>") == 2  # only the page's own two script elements close
    assert "alert(1)" in page and "<\\/script><script>alert(1)" in page


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/relative/path",
        "https://ok.example/a' onmouseover='alert(1)",
    ],
)
def test_article_urls_that_are_not_http_are_never_links(sample_warehouse, url):
    from warehouse.report import gather, render

    data = gather(sample_warehouse)
    assert data["newest"], "the sample has notable actions"
    data["newest"][0] = dict(data["newest"][0], url=url, title=None)
    page = render(data, data_docs=None)
    hrefs = re.findall(r"href\s*=\s*(['\"])(.*?)\1", page, flags=re.IGNORECASE | re.DOTALL)
    assert all(re.match(r"https?://|#", h) for _, h in hrefs), hrefs  # in-page anchors, http(s)
    assert not re.search(r"href\s*=\s*['\"]?\s*(java|vb)\s*script:", page, flags=re.IGNORECASE)
    assert "onmouseover='" not in page  # the value is escaped, never markup


def test_http_article_urls_stay_links(sample_warehouse):
    from warehouse.report import gather, render

    data = gather(sample_warehouse)
    data["newest"][0] = dict(data["newest"][0], url="https://news.example/story?a=1&b=2")
    assert "href='https://news.example/story?a=1&amp;b=2'" in render(data, data_docs=None)


def test_the_map_of_actions_by_country_is_drawn_offline():
    """The last run's actions by country: an SVG world map drawn here (no tiles, no script
    from elsewhere) and a table that lists every country, also those the map lacks."""
    from warehouse.report import country_map, render

    per_country = [
        {"country": "US", "actions": 17},
        {"country": "CN", "actions": 5},
        {"country": "XK", "actions": 1},
    ]
    svg = country_map(per_country)
    assert svg.startswith("<svg") and 'class="us country' in svg and "United States: 17" in svg
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=[\"']https?:", svg)
    data = {
        "run": None,
        "totals": {"articles": 1, "entities": 1, "actions": 1, "quotes": 0, "quarantined": 0},
        "per_type": [],
        "over_time": [],
        "newest": [],
        "per_country": per_country,
    }
    page = render(data, data_docs=None)
    assert "<td>US</td><td>17</td>" in page and "<td>XK</td><td>1</td>" in page
    empty = render(dict(data, per_country=[]), data_docs=None)
    assert "no place named in the last run" in empty
