"""Character encodings, broken XML and documents that are not feeds.

The feeds under ``encodings/`` are generated from ``FIXTURES`` (one small RSS
feed, its text in French, Russian or with windows-1252 punctuation, encoded
with or without BOM and XML declaration). Regenerate them with
``python -m tests.crawler.test_encodings``; ``test_fixtures_are_generated``
keeps the files and the table in step.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.encoding import charset_of, decode_feed
from crawler.errors import NotAFeedError
from crawler.feeds import ParsedFeed, parse_feed, read_feed
from crawler.runner import CrawlService
from db.engine import Database
from tests.crawler.helpers import articles, context, fetch_log
from tests.servers import TestServer

ENCODINGS = Path(__file__).parent / "encodings"
URL = "https://news.example.fr/feed.xml"

FRENCH = (
    "Le Café des Sciences",
    "Été record : la chaleur bat tous les précédents",
    "Où va l'énergie ? Ça dépend",
)
RUSSIAN = ("Новости науки", "Первая новость: погода в Москве", "Вторая новость: экономика и рынок")
WINDOWS_1252 = ("Euro € et “guillemets”", "Prix : 5 € — l’offre", "Œuvres « choisies » … et ™")


@dataclass(frozen=True)
class Fixture:
    texts: tuple[str, str, str]  # channel title, two item titles
    codec: str  # Python codec the bytes are written in
    declared: str | None  # the XML declaration's encoding; None: no declaration at all
    bom: bytes = b""


FIXTURES: dict[str, Fixture] = {
    "iso-8859-1.xml": Fixture(FRENCH, "latin-1", "ISO-8859-1"),
    "iso-8859-1-with-cp1252-bytes.xml": Fixture(WINDOWS_1252, "cp1252", "ISO-8859-1"),
    "windows-1252.xml": Fixture(WINDOWS_1252, "cp1252", "windows-1252"),
    "windows-1251.xml": Fixture(RUSSIAN, "cp1251", "windows-1251"),
    "windows-1251-undeclared.xml": Fixture(RUSSIAN, "cp1251", None),
    "koi8-r.xml": Fixture(RUSSIAN, "koi8-r", "KOI8-R"),
    "utf-8-bom.xml": Fixture(FRENCH, "utf-8", "utf-8", codecs.BOM_UTF8),
    "utf-16le-bom.xml": Fixture(RUSSIAN, "utf-16-le", "UTF-16", codecs.BOM_UTF16_LE),
    "utf-16be-bom.xml": Fixture(FRENCH, "utf-16-be", "UTF-16", codecs.BOM_UTF16_BE),
    "utf-16le.xml": Fixture(FRENCH, "utf-16-le", "UTF-16"),
    "utf-16be.xml": Fixture(RUSSIAN, "utf-16-be", None),
    "utf-32le-bom.xml": Fixture(FRENCH, "utf-32-le", "UTF-32", codecs.BOM_UTF32_LE),
    "utf-32be.xml": Fixture(RUSSIAN, "utf-32-be", "UTF-32"),
    "prolog-latin1-bytes-utf8.xml": Fixture(FRENCH, "utf-8", "ISO-8859-1"),
    "prolog-utf8-bytes-latin1.xml": Fixture(FRENCH, "latin-1", "UTF-8"),
    "french-undeclared-latin1.xml": Fixture(FRENCH, "latin-1", None),
}

RSS = "application/rss+xml"
# (file, Content-Type) → (the encoding used, a part of the warning or None)
CASES: dict[tuple[str, str | None], tuple[str, str | None]] = {
    ("iso-8859-1.xml", None): ("iso-8859-1", None),
    ("iso-8859-1-with-cp1252-bytes.xml", None): ("windows-1252", None),
    ("iso-8859-1-with-cp1252-bytes.xml", f"{RSS}; charset=iso-8859-1"): ("windows-1252", None),
    ("windows-1252.xml", "text/xml"): ("windows-1252", None),
    ("windows-1251.xml", RSS): ("windows-1251", None),
    ("windows-1251-undeclared.xml", "text/xml; charset=windows-1251"): ("windows-1251", None),
    ("koi8-r.xml", "text/xml; charset=KOI8-R"): ("koi8-r", None),
    # BOM > HTTP charset.
    ("utf-8-bom.xml", f"{RSS}; charset=iso-8859-1"): ("utf-8", None),
    ("utf-16le-bom.xml", f"{RSS}; charset=utf-8"): ("utf-16le", None),
    ("utf-16be-bom.xml", None): ("utf-16be", None),
    ("utf-16le.xml", None): ("utf-16le", None),
    ("utf-16be.xml", RSS): ("utf-16be", None),
    ("utf-32le-bom.xml", None): ("utf-32le", None),
    ("utf-32be.xml", None): ("utf-32be", None),
    # HTTP charset > XML declaration, when it reads cleanly.
    ("prolog-latin1-bytes-utf8.xml", f"{RSS}; charset=utf-8"): ("utf-8", None),
    ("windows-1251.xml", "text/xml; charset=windows-1251"): ("windows-1251", None),
    # A declaration that does not read cleanly loses, and says so.
    ("prolog-latin1-bytes-utf8.xml", None): ("utf-8", "declared as iso-8859-1, but parsed as utf-8"),
    ("prolog-utf8-bytes-latin1.xml", RSS): ("windows-1252", "declared as utf-8, but parsed as windows-1252"),
    ("iso-8859-1.xml", f"{RSS}; charset=utf-8"): (
        "iso-8859-1",
        "declared as utf-8, but parsed as iso-8859-1",
    ),
    ("windows-1251.xml", "text/xml; charset=iso-8859-1"): (
        "windows-1251",
        "declared as iso-8859-1, but parsed as windows-1251",
    ),
    ("windows-1251-undeclared.xml", "text/xml; charset=iso-8859-1"): (
        "windows-1251",
        "declared as iso-8859-1, but parsed as windows-1251",
    ),
    # Nothing declared: detection.
    ("french-undeclared-latin1.xml", None): ("windows-1252", "no encoding declared and not UTF-8"),
    ("french-undeclared-latin1.xml", "application/xml"): ("windows-1252", "no encoding declared"),
    ("windows-1251-undeclared.xml", None): ("windows-1251", "no encoding declared"),
}


def feed_bytes(fixture: Fixture) -> bytes:
    channel, first, second = fixture.texts
    declaration = f'<?xml version="1.0" encoding="{fixture.declared}"?>\n' if fixture.declared else ""
    items = "".join(
        f"    <item>\n      <title>{title}</title>\n      <link>https://news.example.fr/{n}</link>\n"
        f"      <pubDate>Mon, 0{n} Apr 2024 08:00:00 +0000</pubDate>\n    </item>\n"
        for n, title in enumerate((first, second), start=1)
    )
    text = (
        f'{declaration}<rss version="2.0">\n  <channel>\n    <title>{channel}</title>\n'
        f"    <link>https://news.example.fr/</link>\n{items}  </channel>\n</rss>\n"
    )
    return fixture.bom + text.encode(fixture.codec)


def _titles(feed: ParsedFeed) -> tuple[str, ...]:
    return (feed.title, *(entry.title for entry in feed.entries))


def test_fixtures_are_generated() -> None:
    assert {p.name for p in ENCODINGS.iterdir()} == set(FIXTURES)
    for name, fixture in FIXTURES.items():
        assert (ENCODINGS / name).read_bytes() == feed_bytes(fixture), name


@pytest.mark.parametrize(("name", "content_type"), sorted(CASES, key=str))
def test_encodings(name: str, content_type: str | None) -> None:
    label, warning = CASES[name, content_type]
    headers = {"Content-Type": content_type} if content_type else None
    raw = read_feed((ENCODINGS / name).read_bytes(), URL, headers)
    feed = parse_feed((ENCODINGS / name).read_bytes(), URL, headers)

    assert _titles(feed) == FIXTURES[name].texts
    assert [e.link for e in feed.entries] == ["https://news.example.fr/1", "https://news.example.fr/2"]
    assert raw.decoded.encoding == label
    if warning is None:
        assert raw.decoded.warning is None and feed.bozo is None
    else:
        assert warning in (raw.decoded.warning or "") and warning in (feed.bozo or "")


def test_every_fixture_has_a_case() -> None:
    assert {name for name, _ in CASES} == set(FIXTURES)


def test_windows_1252_bytes_that_it_leaves_undefined_read_as_browsers_read_them() -> None:
    # 0x81 and 0x9d have no character in windows-1252: browsers map them to C1 controls, not errors.
    body = b'<?xml version="1.0" encoding="windows-1252"?><rss><title>\x80 \x81 \x9d</title></rss>'
    assert "<title>€ \x81 \x9d</title>" in decode_feed(body).text


def test_a_mostly_utf8_document_keeps_utf8_and_replaces_the_bad_byte() -> None:
    body = feed_bytes(FIXTURES["prolog-latin1-bytes-utf8.xml"]).replace("Où".encode(), b"O\xf9")
    feed = parse_feed(body, URL, {"content-type": f"{RSS}; charset=utf-8"})
    assert feed.entries[0].title == FRENCH[1]
    assert feed.entries[1].title == FRENCH[2].replace("Où", "O\ufffd")
    assert feed.bozo is not None and "1 invalid UTF-8 sequence(s) replaced" in feed.bozo


def test_an_unknown_or_impossible_declared_encoding_is_reported() -> None:
    body = '<?xml version="1.0" encoding="bogus-8"?><rss version="2.0"><channel><title>Café</title>'
    feed = parse_feed((body + "</channel></rss>").encode(), URL, None)
    assert feed.title == "Café" and feed.bozo == "document declared as bogus-8, but parsed as utf-8"
    # An ASCII-compatible document cannot be UTF-16, whatever it says.
    body = '<?xml version="1.0" encoding="UTF-16"?><rss version="2.0"><channel><title>Café</title>'
    assert parse_feed((body + "</channel></rss>").encode(), URL, None).title == "Café"


def test_an_ascii_document_keeps_its_declared_label() -> None:
    body = b'<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel/></rss>'
    assert read_feed(body, URL, None).decoded.encoding == "iso-8859-1"
    assert read_feed(body, URL, {"content-type": "text/xml; charset=us-ascii"}).decoded.encoding == "us-ascii"
    assert read_feed(body.replace(b' encoding="ISO-8859-1"', b""), URL, None).decoded.encoding == "utf-8"


@pytest.mark.parametrize(
    ("content_type", "charset"),
    [
        ("text/xml; charset=ISO-8859-1", "iso-8859-1"),
        ('application/rss+xml;charset="utf-8"', "utf-8"),
        ("text/xml; charset = 'koi8-r'", "koi8-r"),
        ("text/xml; charset:iso-8859-1", None),
        ("text/xml", None),
        (None, None),
    ],
)
def test_charset_of(content_type: str | None, charset: str | None) -> None:
    assert charset_of(content_type) == charset


# Ill-formed XML -------------------------------------------------------------------------------

HEAD = '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>T</title>\n'


def _item(n: int, title: str = "") -> str:
    return f"<item><title>{title or f'Item {n}'}</title><link>https://news.example.fr/{n}</link></item>\n"


@pytest.mark.parametrize(
    ("body", "titles", "warning"),
    [
        (HEAD + _item(1, "AT&T & co") + _item(2) + "</channel></rss>", ["AT&T & co", "Item 2"], "2 bare '&'"),
        (HEAD + _item(1, "<![CDATA[R&D]]>") + "</channel></rss>", ["R&D"], None),
        (HEAD + _item(1, "a < b") + _item(2) + "</channel></rss>", ["a < b", "Item 2"], "not well-formed"),
        (HEAD + _item(1, "caf&eacute;&nbsp;!") + "</channel></rss>", ["café !"], "undefined entity"),
        ((HEAD + _item(1) + _item(2))[:-10], ["Item 1", "Item 2"], "ill-formed XML at line 4"),
        (HEAD + _item(1) + "</channel></rss>\n<p>junk</p>", ["Item 1"], "junk after document element"),
        (HEAD + _item(1).replace("</title>", "</titel>") + _item(2) + "</channel></rss>",
         ["Item 1", "Item 2"], "recovered by a lenient parser"),
    ],
)  # fmt: skip
def test_ill_formed_xml_yields_what_it_holds_with_a_warning(
    body: str, titles: list[str], warning: str | None
) -> None:
    feed = parse_feed(body.encode(), URL, {"content-type": RSS})
    assert [e.title for e in feed.entries] == titles
    assert [e.link for e in feed.entries] == [
        f"https://news.example.fr/{n}" for n in range(1, len(titles) + 1)
    ]
    assert feed.bozo == warning if warning is None else (feed.bozo is not None and warning in feed.bozo)


def test_control_characters_are_removed_and_blank_lines_before_the_declaration_ignored() -> None:
    body = "\n\n  " + HEAD + _item(1, "Item\x0c 1\x00") + "</channel></rss>"
    feed = parse_feed(body.encode(), URL, {"content-type": RSS})
    assert [e.title for e in feed.entries] == ["Item 1"]
    assert feed.bozo == "ill-formed XML repaired: 2 control character(s) removed"
    assert parse_feed(("\n\n  " + HEAD + "</channel></rss>").encode(), URL, None).bozo is None


def test_a_link_that_urllib_refuses_is_no_link() -> None:
    body = HEAD + _item(1) + _item(2).replace("https://news.example.fr/2", "http://[::1") + "</channel></rss>"
    assert [e.link for e in parse_feed(body.encode(), URL, None).entries] == [
        "https://news.example.fr/1",
        None,
    ]


def test_a_feed_that_crashes_feedparsers_strict_parser_is_read_leniently(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Seen while fuzzing: a mangled xmlns URI makes the strict parser raise ValueError instead of reporting.
    body = HEAD + _item(1) + _item(2) + "</channel></rss>"
    real = feedparser.parse
    calls = []

    def strict_crash(stream: Any, **kwargs: Any) -> Any:
        calls.append(stream)
        if len(calls) == 1:
            raise ValueError("too many values to unpack (expected 2)")
        return real(stream, **kwargs)

    monkeypatch.setattr(feedparser, "parse", strict_crash)
    feed = parse_feed(body.encode(), URL, None)
    assert [e.title for e in feed.entries] == ["Item 1", "Item 2"] and len(calls) == 2
    assert feed.bozo is not None and "crashed feedparser's strict parser (ValueError(" in feed.bozo


def test_an_entry_link_is_its_alternate_not_its_enclosure() -> None:
    body = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><title>E</title>'
        '<link rel="enclosure" href="https://cdn.example.fr/a.mp3"/>'
        '<link rel="alternate" href="https://news.example.fr/e"/></entry></feed>'
    )
    assert parse_feed(body.encode(), URL, None).entries[0].link == "https://news.example.fr/e"


_SPLICES = st.sampled_from(
    [
        b"<",
        b"&",
        b"]]>",
        b"<![CDATA[",
        b"<!--",
        b"</item>",
        b"<item>",
        b'xmlns:x="a b" ',
        b"\xff\xfe",
        b"\x00",
    ]
)


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(sorted(FIXTURES)),
    cut=st.integers(min_value=0, max_value=2000),
    splice=_SPLICES,
    noise=st.binary(max_size=40),
    content_type=st.sampled_from(
        [None, "text/xml", "application/json", "text/html", f"{RSS}; charset=utf-16"]
    ),
)
def test_damaged_feeds_are_read_or_reported_never_raised(
    name: str, cut: int, splice: bytes, noise: bytes, content_type: str | None
) -> None:
    body = (ENCODINGS / name).read_bytes()
    at = cut % len(body)
    damaged = body[:at] + splice + noise + body[at + len(noise) :]
    try:
        parse_feed(damaged, URL, {"Content-Type": content_type} if content_type else None)
    except NotAFeedError as exc:
        assert str(exc).startswith(URL + " ")


# Not feeds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (
            b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/rss">'
            b"</head><body>Hi</body></html>",
            "text/html; charset=utf-8",
            "is an HTML page, not a feed; the page names its feed: https://news.example.fr/rss",
        ),
        (
            b"<!-- served by nginx -->\n<html><body><p>Bienvenue</p></body></html>",
            None,
            "is an HTML page, not a feed — try `newsmon sources discover https://news.example.fr/feed.xml`",
        ),
        (
            b'<?xml version="1.0"?>\n<note><to>Ana\xefs</to></note>',
            "application/xml",
            "is an XML document whose root is <note>, not RSS, Atom or JSON Feed",
        ),
        (b"<?xml version='1.0'?>\n<!-- nothing yet -->\n", None, "is markup without any element"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "image/png", "is binary data (image/png)"),
        (b"Service Unavailable, try later", "text/plain", "is text that starts 'Service Unavailable"),
        (b'{"data": [1, 2]}', "application/json", "is JSON but not a JSON Feed"),
        (b"[1, 2, 3]", None, "is JSON but not a JSON Feed (a list, not an object)"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "title": "t"}', None, "without an 'items' list"),
        (b'{"version": "1.1", "items": [', "application/feed+json", "neither a feed nor valid JSON"),
    ],
)
def test_a_document_that_is_not_a_feed_is_reported_as_such(
    body: bytes, content_type: str | None, says: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else None
    with pytest.raises(NotAFeedError) as raised:
        parse_feed(body, URL, headers)
    message = str(raised.value)
    assert message.startswith(URL + " ") and says in message


def test_a_json_feed_with_a_bare_version_is_read_with_a_warning() -> None:
    body = b'{"version": "1.1", "title": "T", "items": [{"id": "1", "url": "https://news.example.fr/1"}]}'
    feed = parse_feed(body, URL, {"content-type": "application/json"})
    assert feed.version == "json11" and [e.link for e in feed.entries] == ["https://news.example.fr/1"]
    assert feed.bozo == "JSON Feed version '1.1' is not a jsonfeed.org URL"


def test_a_json_feed_in_utf16_is_read() -> None:
    text = '{"version": "https://jsonfeed.org/version/1", "title": "Café", "items": []}'
    body = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert parse_feed(body, URL, {"content-type": "application/feed+json"}).title == "Café"


# Through a crawl -------------------------------------------------------------------------------


def test_a_crawl_reads_a_broken_feed_and_records_why_for_its_source(
    database: Database, run_on_reactor: Callable[[Any], Any]
) -> None:
    with TestServer() as server:
        # Latin-1 bytes declared UTF-8, and cut short: no </channel></rss>.
        latin1 = feed_bytes(FIXTURES["prolog-utf8-bytes-latin1.xml"]).replace(b"https://news.example.fr", b"")
        body = latin1[: latin1.index(b"  </channel>")]
        server.set("/feed.xml", body=body, headers={"Content-Type": "application/rss+xml; charset=utf-8"})
        reports = run_on_reactor(CrawlService().crawl(context(database, ("cafe", server.url("/feed.xml")))))

    report = reports["cafe"]
    assert report.outcome == "ok" and report.entries == 2
    assert sorted(a.title for a in articles(database)) == sorted(
        FRENCH[1:]
    )  # pages 404: stored from the feed
    warning = report.problems[0]
    assert warning.startswith(
        "feed read with warnings: document declared as utf-8, but parsed as windows-1252"
    )
    assert "ill-formed XML at line" in warning
    assert warning in (fetch_log(database, "cafe")[0].error or "")


if __name__ == "__main__":
    ENCODINGS.mkdir(exist_ok=True)
    for old in ENCODINGS.iterdir():
        old.unlink()
    for fixture_name, spec in FIXTURES.items():
        (ENCODINGS / fixture_name).write_bytes(feed_bytes(spec))
        print("wrote", fixture_name)
