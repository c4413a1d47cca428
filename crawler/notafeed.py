"""What a document that is not a feed is instead, said so that its source's owner knows what to do."""

from __future__ import annotations

import re

from crawler.feedtypes import link_of
from crawler.text import squash

_HTML = re.compile(r"<(?:!doctype\s+html|html|head|body)[\s>]", re.IGNORECASE)
_FEED_LINK = re.compile(
    r"<link\b(?=[^>]*\brel=[\"']?alternate)(?=[^>]*\btype=[\"']?application/(?:rss|atom|feed)\+(?:xml|json))"
    r"[^>]*\bhref=[\"']?([^\"'\s>]+)",
    re.IGNORECASE,
)
_ROOT = re.compile(r"^(?:\s|<\?[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)*<([\w:.-]+)", re.DOTALL)


def describe(text: str, url: str, content_type: str | None) -> str:
    """What the document is instead of a feed, and what to do about it."""
    head = text[:4096]
    if "html" in (content_type or "").lower() or _HTML.search(head):
        feeds = [link for href in _FEED_LINK.findall(text[:65536]) if (link := link_of(url, href))]
        if feeds:
            return f"{url} is an HTML page, not a feed; the page names its feed: {feeds[0]} (use that URL)"
        return f"{url} is an HTML page, not a feed — try `newsmon sources discover {url}`"
    if root := _ROOT.match(head):
        return f"{url} is an XML document whose root is <{root.group(1)}>, not RSS, Atom or JSON Feed"
    if _ROOT.match(head + "<end"):
        return (
            f"{url} is markup without any element (only declarations or comments), not RSS, Atom or JSON Feed"
        )
    sample = head[:512]
    if sum(1 for c in sample if (c < " " and c not in "\t\r\n") or c == "\ufffd") > len(sample) // 10:
        kind = f" ({content_type})" if content_type else ""
        return f"{url} is binary data{kind}, not RSS, Atom or JSON Feed"
    return f"{url} is text that starts {squash(sample[:60])!r}, not RSS, Atom or JSON Feed"
