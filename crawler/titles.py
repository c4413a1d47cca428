"""Titles as the reader sees them: the page's headline, without the site's name.

A page's ``og:title`` and ``<title>`` are often written for search engines
("Wohngeld 2027: Diese Änderungen gelten ab Januar – alle Infos") while its
one ``<h1>`` is the headline its readers see; that ``<h1>`` is the title, unless
it is the site's name, a link or too short to be a headline.

``Headline | TechCrunch`` → ``Headline``:
A name is only removed where the page names its site (``og:site_name``,
``application-name``, a JSON-LD publisher or WebSite) or where every title of
a feed ends the same way; it must stand at the title's start or end, behind
a separator (``|``, or ``-``, ``–``, ``—``, ``·``, ``•``, ``»``, ``/`` between
spaces; ``Site: Title`` too). A title that merely contains `` - `` keeps it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from lxml import etree

from crawler.jsonld import publisher_names
from crawler.text import squash

_SEPARATOR = r"(?:\s*\|\s*|\s+[-–—·•»/]\s+)"
# "heise online: Neue CPU"; a colon before the name ("Interview: OpenAI") is part of the title.
_LEADING_SEPARATOR = rf"(?:{_SEPARATOR}|:\s+)"
_SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title")
# A feed's shared suffix is only trusted when enough titles carry it.
MIN_TITLES_FOR_SUFFIX = 3
MIN_HEADLINE_WORDS = 3
_NOT_HEADLINE = frozenset({"a", "nav", "footer", "aside"})


def headline(tree: etree._Element, title: str, names: Sequence[str]) -> str:
    """The page's one ``<h1>`` when it words the headline otherwise than ``title``; else ``title``."""
    headings = [h for h in tree.iter("h1") if squash(h.text_content()) and not _furniture(h)]
    if len(headings) != 1:
        return title
    text = squash(headings[0].text_content())
    folded = {n.casefold() for n in names}
    if (
        len(text.split()) < MIN_HEADLINE_WORDS
        or text.casefold() in folded
        or text.casefold() == title.casefold()
    ):
        return title
    return text


def site_names(tree: etree._Element) -> list[str]:
    """The names the page gives its site, most explicit first."""
    names = [
        str(value)
        for key in _SITE_META
        for value in tree.xpath("//meta[@property=$key or @name=$key]/@content", key=key)
    ]
    names += publisher_names(tree)
    return list(dict.fromkeys(n for n in (squash(name) for name in names) if n))


def _furniture(heading: etree._Element) -> bool:
    # A logo (<h1><a href="/">Site</a></h1>) or a heading in the page's navigation, footer or asides.
    home = any(_is_home(str(href)) for href in heading.xpath(".//a/@href"))
    return home or any(a.tag in _NOT_HEADLINE for a in heading.iterancestors())


def _is_home(href: str) -> bool:
    try:
        return not href.strip().startswith("#") and urlsplit(href.strip()).path in ("", "/")
    except ValueError:  # "http://[::1": no link home
        return False


def without_site_name(title: str, names: Iterable[str]) -> str:
    """``title`` without a leading or trailing site name from ``names``."""
    for name in sorted(names, key=len, reverse=True):
        escaped = re.escape(name)
        trailing, leading = (
            rf"^(?P<rest>.+?){_SEPARATOR}{escaped}$",
            rf"^{escaped}{_LEADING_SEPARATOR}(?P<rest>.+)$",
        )
        for pattern in (trailing, leading):
            match = re.match(pattern, title, re.IGNORECASE)
            if match and match["rest"].strip():
                return match["rest"].strip()
    return title


def common_suffix(titles: Sequence[str]) -> str | None:
    """The site name every title ends with, behind the same separator; None when they do not agree."""
    if len(titles) < MIN_TITLES_FOR_SUFFIX:
        return None
    suffixes = set()
    for title in titles:
        parts = re.split(f"({_SEPARATOR})", title)
        if len(parts) < 3:
            return None
        suffixes.add((parts[-2].strip(), parts[-1]))
    if len(suffixes) != 1:
        return None
    ((_, name),) = suffixes
    return name or None
