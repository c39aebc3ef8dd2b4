"""Feed and page parsing (pure): every feed format, pages without boilerplate."""

import pytest

from transforms.web import looks_like_html, merged_date, parse_feed, parse_page

RSS091 = """<?xml version="1.0"?><rss version="0.91"><channel><title>Old Wire</title><link>http://w.example/</link>
<description>d</description><language>en</language>
<item><title>Acme buys Beta</title><link>http://w.example/a</link><description>Acme bought Beta.</description></item>
</channel></rss>"""
RSS10 = """<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://w.example/"><title>RDF Wire</title><link>http://w.example/</link><description>d</description>
<items><rdf:Seq><rdf:li resource="http://w.example/a"/></rdf:Seq></items></channel>
<item rdf:about="http://w.example/a"><title>Acme buys Beta</title><link>http://w.example/a</link>
<dc:date>2026-11-16T08:00:00Z</dc:date><dc:creator>Desk</dc:creator></item></rdf:RDF>"""
RSS20 = """<?xml version="1.0"?><rss version="2.0"><channel><title>Wire 2</title><link>http://w.example/</link>
<item><title>Acme buys Beta</title><link>http://w.example/a</link><guid>urn:a</guid>
<pubDate>Mon, 16 Nov 2026 08:00:00 GMT</pubDate><category>deals</category></item></channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Atom Wire</title>
<id>urn:feed</id><updated>2026-11-16T08:00:00Z</updated><entry><title>Acme buys Beta</title><id>urn:a</id>
<link href="http://w.example/a"/><updated>2026-11-16T08:00:00Z</updated><author><name>Desk</name></author></entry></feed>"""


@pytest.mark.parametrize(
    ("content", "version", "title", "entry_id"),
    [
        (RSS091, "rss091u", "Old Wire", "http://w.example/a"),
        (RSS10, "rss10", "RDF Wire", "http://w.example/a"),
        (RSS20, "rss20", "Wire 2", "urn:a"),
        (ATOM, "atom10", "Atom Wire", "urn:a"),
    ],
)
def test_every_feed_format(content, version, title, entry_id):
    feed = parse_feed(content.encode())
    assert feed.version == version and feed.title == title
    (e,) = feed.entries
    assert e.id == entry_id and e.link == "http://w.example/a" and e.title == "Acme buys Beta"


def test_not_a_feed_is_a_clear_error():
    with pytest.raises(ValueError, match="not an RSS or Atom feed"):
        parse_feed(b"<html><body>hello</body></html>")


def test_page_main_text_without_scripts_styles_or_navigation():
    html = """<html><head><title>T</title><script>var s = "SCRIPT";</script><style>p{} STYLE</style>
    <meta property="article:published_time" content="2026-11-20T10:00:00Z"></head><body>
    <nav><a href="/">Home NAV</a></nav><article><h1>Corvex cuts jobs</h1>
    <p>Corvex Energy will cut 1,200 jobs after quarterly profit fell 38%, the group said on Thursday.</p>
    <p>The company also lowered its forecast for the full year.</p></article>
    <footer>Copyright 2019 FOOTER</footer></body></html>"""
    page = parse_page(html, "https://news.example.com/corvex")
    assert page.title == "Corvex cuts jobs"
    assert page.text.startswith("Corvex Energy will cut 1,200 jobs")
    assert "\n\n" in page.text  # one paragraph per block
    for marker in ("SCRIPT", "STYLE", "NAV", "FOOTER"):
        assert marker not in page.text
    assert page.published == "2026-11-20"  # from the markup, not the footer's year


@pytest.mark.parametrize(
    ("ctype", "body", "expected"),
    [
        ("text/html; charset=utf-8", b"", True),
        ("application/pdf", b"<html>", False),
        ("", b"<!DOCTYPE html><html>", True),
        ("", b"%PDF-1.4", False),
    ],
)
def test_html_is_told_by_content_type_then_by_content(ctype, body, expected):
    assert looks_like_html(ctype, body) is expected


def _rss(items: str, title: str = "") -> bytes:
    t = f"<title>{title}</title>" if title else ""
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel>{t}{items}</channel></rss>"
    ).encode()


FULL = "<p>Acme Corp said on Monday it had agreed to buy Beta Inc for $2 billion.</p><p>Uses std::vector&lt;int&gt; &amp; more.</p>"


def test_every_entry_gets_an_id_none_dropped_repeats_kept_apart():
    feed = parse_feed(
        _rss(
            "<item><title>No guid, no link</title><content:encoded><![CDATA["
            + FULL
            + "]]></content:encoded></item>"
            "<item><title>Same guid A</title><guid>urn:x</guid><link>http://w.example/a</link></item>"
            "<item><title>Same guid B</title><guid>urn:x</guid><link>http://w.example/b</link></item>"
            "<item><title>Same guid A</title><guid>urn:x</guid><link>http://w.example/a</link></item>"
            "<item><title>Only a title</title></item>"
        )
    )
    ids = [e.id for e in feed.entries]
    assert len(ids) == 5
    assert ids[0].startswith("urn:newsetl:entry:")  # from its content
    assert ids[1] == "urn:x"  # the first keeps the feed's guid
    assert ids[2].startswith("urn:x#") and ids[2] != ids[1]  # a different entry, same guid
    assert ids[3] == "urn:x"  # an exact repeat of the first: the same entry
    assert ids[4].startswith("urn:newsetl:entry:") and ids[4] != ids[0]
    assert [e.guid for e in feed.entries][1:4] == ["urn:x"] * 3
    # stable: the same feed gives the same ids on every run
    assert [e.id for e in parse_feed(_rss("<item><title>Only a title</title></item>")).entries] == [ids[4]]


def test_entry_content_is_plain_text_with_paragraphs_and_entities():
    (e,) = parse_feed(
        _rss("<item><title>T</title><content:encoded><![CDATA[" + FULL + "]]></content:encoded></item>")
    ).entries
    assert e.content == (
        "Acme Corp said on Monday it had agreed to buy Beta Inc for $2 billion.\n\nUses std::vector<int> & more."
    )


def test_relative_links_resolve_against_the_response_headers():
    content = _rss("<item><title>T</title><link>/articles/a.html</link></item>")
    (bare,) = parse_feed(content).entries
    assert bare.link == "/articles/a.html"
    (e,) = parse_feed(content, {"Content-Location": "http://w.example/feeds/rss.xml"}).entries
    assert e.link == "http://w.example/articles/a.html"


@pytest.mark.parametrize(
    ("page", "feed", "expected"),
    [
        ("2026-11-20", "Fri, 20 Nov 2026 08:30:00 GMT", "Fri, 20 Nov 2026 08:30:00 GMT"),  # less precise
        ("2026-11-20T09:00:00Z", "Fri, 20 Nov 2026 08:30:00 GMT", "2026-11-20T09:00:00Z"),  # as precise
        ("2026-11-20", "2026-11-19", "2026-11-20"),  # both bare dates: the page wins
        (None, "2026-11-19", "2026-11-19"),
        ("2026-11-20", None, "2026-11-20"),
    ],
)
def test_page_date_wins_when_at_least_as_precise(page, feed, expected):
    assert merged_date(page, feed) == expected
