"""What a page states about itself in JSON-LD (schema.org): its article's body, its publisher.

Pages built in the browser often carry their text only there, and paywalled
pages the whole text behind a visible teaser. Objects are found at the top
level, in lists and in ``@graph``; a block that is not valid JSON, or nests too
deep for Python's JSON reader, is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

from crawler.text import html_to_text, squash

# Lists and @graph inside one another: real pages use two or three levels.
_MAX_LEVELS = 8
# schema.org types whose articleBody is a page's main text.
_ARTICLE_TYPES = ("Article", "BlogPosting", "Report", "LiveBlogPosting", "Posting")


def objects(tree: etree._Element) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page, nested ``@graph`` members included."""
    for script in tree.xpath("//script[contains(translate(@type, 'JSONLD', 'jsonld'), 'ld+json')]"):
        try:
            data = json.loads(script.text or "", strict=False)  # real pages put raw newlines in strings
        except (ValueError, RecursionError):  # 100,000 nested '[' crashed the page's extraction
            continue
        yield from _walk(data, _MAX_LEVELS)


def _walk(data: object, levels: int) -> Iterator[dict[str, Any]]:
    if levels == 0:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, levels - 1)
    elif isinstance(data, dict):
        yield data
        yield from _walk(data.get("@graph"), levels - 1)


def article_body(tree: etree._Element) -> str:
    """The longest ``articleBody`` of an article object, as plain text (one paragraph a line)."""
    bodies = [
        html_to_text(item["articleBody"])
        for item in objects(tree)
        if _is_article(item) and isinstance(item.get("articleBody"), str)
    ]
    return max(bodies, key=len, default="")


def publisher_names(tree: etree._Element) -> list[str]:
    """Names the page gives itself: an article's publisher, a WebSite's or an Organization's name."""
    names = []
    for item in objects(tree):
        publisher = item.get("publisher")
        for owner in publisher if isinstance(publisher, list) else [publisher]:
            if isinstance(owner, dict) and isinstance(owner.get("name"), str):
                names.append(owner["name"])
        if _types(item) & {"WebSite", "NewsMediaOrganization"} and isinstance(item.get("name"), str):
            names.append(item["name"])
    return [squash(n) for n in names if squash(n)]


def _types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    return {k for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)}


def _is_article(item: dict[str, Any]) -> bool:
    return any(k.endswith(_ARTICLE_TYPES) for k in _types(item))
