"""Deciding an article's fields when the page and the feed disagree.

Pure functions over what the feed and the page said; the pipelines call them.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.text import squash
from crawler.urls import canonicalize, resolve, site_of

_WORD = re.compile(r"\w+")
_ELLIPSIS = ("…", "...")


def choose_title(page_title: str, feed_title: str) -> str:
    """trafilatura's title unless it looks worse than the feed's.

    A page's title often carries the site's name (``Title | Site``): when the
    feed's title is a prefix of it, the feed's is the article's title. A feed
    title cut with an ellipsis loses to the page's full one. Titles that
    share few words are a sign of a bad extraction, and the feed wins.
    """
    page, feed = squash(page_title), squash(feed_title)
    if not page or not feed:
        return page or feed
    page_folded, feed_folded = page.casefold(), feed.casefold()
    if page_folded == feed_folded:
        return page
    if page_folded.startswith(feed_folded):
        return feed
    stem = feed_folded.rstrip("".join(_ELLIPSIS)).rstrip()
    if feed.endswith(_ELLIPSIS) and stem and page_folded.startswith(stem):
        return page
    page_words, feed_words = set(_WORD.findall(page_folded)), set(_WORD.findall(feed_folded))
    overlap = len(page_words & feed_words) / max(len(page_words), 1)
    return page if overlap >= 0.6 else feed


def choose_url(entry_link: str | None, page_url: str | None, page_canonical: str | None) -> str | None:
    """The page's rel=canonical when sane, else the page's URL (after redirects), else the entry's link."""
    if page_url and page_canonical:
        declared = resolve(page_url, page_canonical)
        if declared and _sane_canonical(declared, page_url, entry_link):
            return canonicalize(declared)
    for url in (page_url, entry_link):
        if url:
            return canonicalize(url)
    return None


def _sane_canonical(declared: str, page_url: str, entry_link: str | None) -> bool:
    """Same site as the page (or the entry), and not a site's home page for an article page.

    Cross-site canonicals (syndication) would file the article under another
    site's URL, and a home-page canonical is a common CMS misconfiguration.
    """
    sites = {site_of(page_url)} | ({site_of(entry_link)} if entry_link else set())
    if site_of(declared) not in sites:
        return False
    declared_path = urlsplit(declared).path.rstrip("/")
    page_path = urlsplit(page_url).path.rstrip("/")
    return bool(declared_path) or not page_path
