"""Hostile feed documents: each costs about what an ordinary feed of its size costs, and loses nothing else.

CPU is compared with an ordinary feed parsed in the same test (a ratio, not a deadline: the
machine may be loaded).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from crawler.errors import NotAFeedError
from crawler.feeds import ParsedFeed, parse_feed

URL = "https://news.example.org/feed.xml"
RSS = {"Content-Type": "application/rss+xml"}


def rss(items: str, prolog: str = "") -> bytes:
    channel = f"<channel><title>News</title><link>https://news.example.org/</link>{items}</channel>"
    return f'<?xml version="1.0"?>{prolog}<rss version="2.0">{channel}</rss>'.encode()


def item(n: int, title: str = "Title", description: str = "Some text") -> str:
    link = f"https://news.example.org/{n}"
    return (
        f"<item><title>{title} {n}</title><link>{link}</link><description>{description}</description></item>"
    )


def cpu(parse: Callable[[], ParsedFeed]) -> tuple[float, ParsedFeed]:
    started = time.process_time()
    feed = parse()
    return time.process_time() - started, feed


def ordinary_per_byte(size: int) -> float:
    """CPU seconds per byte of an ordinary feed of about ``size`` bytes."""
    body = rss("".join(item(n) for n in range(max(1, size // 120))))
    seconds, _ = cpu(lambda: parse_feed(body, URL, RSS))
    return max(seconds, 1e-3) / len(body)


@pytest.mark.parametrize("inline", [False, True], ids=["own-line", "one-line"])
def test_an_entity_repeated_in_a_description_is_not_expanded(inline: bool) -> None:
    # Expat expands up to 100 times the document's size: 90 kB made a 7.5 MB summary (300 kB, 25 MB),
    # silently. feedparser drops declarations that start a line, not the others.
    entity = "word " * 50
    prolog = f'<!DOCTYPE rss [{"" if inline else chr(10)}<!ENTITY w "{entity}">]>'
    body = rss(item(1, description="&w;" * 30_000) + item(2), prolog)
    seconds, feed = cpu(lambda: parse_feed(body, URL, RSS))
    assert [e.link for e in feed.entries] == ["https://news.example.org/1", "https://news.example.org/2"]
    assert len(feed.entries[0].summary) < len(body)
    assert entity not in feed.entries[0].summary
    assert feed.bozo is not None
    assert "entities would expand to 7500000 characters: read leniently" in feed.bozo
    assert seconds / len(body) < 20 * ordinary_per_byte(len(body))


@pytest.mark.parametrize("inline", [False, True], ids=["own-lines", "one-line"])
def test_billion_laughs_is_read_without_expansion(inline: bool) -> None:
    levels = ['<!ENTITY lol0 "lol">']
    levels += [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    prolog = "<!DOCTYPE rss [" + ("" if inline else "\n").join(levels) + "]>"
    body = rss(item(1, title="&lol9;") + item(2), prolog)
    seconds, feed = cpu(lambda: parse_feed(body, URL, RSS))
    assert len(feed.entries) == 2
    assert "lollol" not in feed.entries[0].title
    # Before: expat expanded 8 MB before its guard stopped it, 1.6 s for a 1 kB document (30 times
    # an ordinary 20 kB feed).
    assert seconds < 5 * ordinary_per_byte(20_000) * 20_000


def test_an_external_entity_is_never_read() -> None:
    prolog = '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
    feed = parse_feed(rss(item(1, title="a &secret; b"), prolog), URL, RSS)
    assert "root:" not in feed.entries[0].title
    assert feed.entries[0].link == "https://news.example.org/1"


def test_a_short_entity_used_once_is_still_expanded() -> None:
    # As in feedparser's test case entity_in_doctype.xml: an entity spells the GUIDs' prefix. (On
    # a line of its own, feedparser's DOCTYPE rewriting loses it, before and after this change.)
    prolog = '<!DOCTYPE rss [<!ENTITY id "tag:example.com,">]>'
    guid = "<guid isPermaLink='false'>&id;2006-05-04:/blog/</guid>"
    feed = parse_feed(rss(item(1).replace("</item>", guid + "</item>"), prolog), URL, RSS)
    assert feed.entries[0].guid == "tag:example.com,2006-05-04:/blog/"
    assert feed.bozo is None


def test_a_doctype_without_entities_is_read_strictly() -> None:
    prolog = '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://x.invalid/rss.dtd">'
    feed = parse_feed(rss(item(1, title="Caf&#233; &amp; bar"), prolog), URL, RSS)
    assert feed.entries[0].title == "Café & bar 1"
    assert feed.bozo is None


@pytest.mark.parametrize("depth", [900, 100_000])
def test_deeply_nested_json_is_not_a_feed_or_its_values_are_skipped(depth: int) -> None:
    nested = "[" * depth + "]" * depth
    item = f'{{"id": "1", "url": "https://news.example.org/1", "title": "Deal", "tags": {nested}}}'
    body = f'{{"version": "https://jsonfeed.org/version/1.1", "title": "T", "items": [{item}]}}'.encode()
    headers = {"Content-Type": "application/feed+json"}
    if depth < 1000:
        assert [e.title for e in parse_feed(body, URL, headers).entries] == ["Deal"]
    else:  # a RecursionError before
        with pytest.raises(NotAFeedError, match=f"{URL} is JSON nested too deep to read, not a feed"):
            parse_feed(body, URL, headers)
