"""A source's CSS or XPath selectors, applied to its listing page and to its article pages.

An expression is XPath when it starts like a path (``/``, ``./``, ``(``,
``..``), else CSS with parsel's ``::text`` and ``::attr(name)`` — the same
rule the config loader uses to validate them.

A selector may match elements or strings (text nodes, attributes):

- ``links``: a string is the link as written; an element gives its own
  ``href``, else the first ``href`` inside it (``h2.title`` finds its ``<a>``).
- ``title``, ``author``: the text of each match (several authors are kept).
- ``text``: the text of each match, one line per block element.
- ``published``: an element's ``datetime`` or ``content`` attribute, else its
  text; ISO 8601, RFC 2822 or a plain English date; a naive time is UTC.

Field values win over the extractor's (``PageFields.over``) when they match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser
from parsel import Selector, SelectorList

from crawler.extract import PageContent
from crawler.spiders.options import Selectors, selector_kind
from crawler.text import html_to_text, squash

FIELDS = ("title", "text", "published", "author")
_YEAR = re.compile(r"\b\d{4}\b")


def select(document: Selector, expression: str) -> SelectorList[Selector]:
    if selector_kind(expression) == "xpath":
        return document.xpath(expression)
    return document.css(expression)


def link_hrefs(document: Selector, expression: str) -> list[str]:
    """The links the ``links`` selector finds, as written (maybe relative), in page order."""
    hrefs: list[str] = []
    for match in select(document, expression):
        if isinstance(match.root, str):
            hrefs.append(match.root.strip())
        else:
            href = match.xpath("@href").get() or match.xpath(".//a/@href").get()
            if href:
                hrefs.append(href.strip())
    return [h for h in dict.fromkeys(hrefs) if h]


@dataclass(frozen=True)
class PageFields:
    """What a source's field selectors found on an article page; None where nothing matched."""

    title: str | None = None
    text: str | None = None
    published: datetime | None = None
    authors: tuple[str, ...] = ()

    def over(self, page: PageContent) -> PageContent:
        """The extractor's ``page`` with every field found here in its place."""
        return replace(
            page,
            title=self.title or page.title,
            text=self.text or page.text,
            published=self.published or page.published,
            authors=self.authors or page.authors,
        )


def select_fields(document: Selector, selectors: Selectors) -> PageFields | None:
    """The fields the source's selectors find on an article page; None when it has no field selector."""
    if not any(getattr(selectors, name) for name in FIELDS):
        return None

    def matches(name: str) -> SelectorList[Selector]:
        expression: str | None = getattr(selectors, name)
        return select(document, expression) if expression else SelectorList()

    title = squash(" ".join(_text(m) for m in matches("title")))
    text = "\n".join(t for t in (_text(m, lines=True) for m in matches("text")) if t)
    authors = tuple(dict.fromkeys(a for a in (squash(_text(m)) for m in matches("author")) if a))
    published = next((d for d in (parse_date(_date_text(m)) for m in matches("published")) if d), None)
    return PageFields(title=title or None, text=text or None, published=published, authors=authors)


def parse_date(text: str) -> datetime | None:
    """An aware UTC datetime from a date as pages write it, or None."""
    text = squash(text)
    if not text or not _YEAR.search(text):
        return None  # dateutil would fill a missing year with this year's
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            try:
                parsed = dateutil_parser.parse(text)
            except (ValueError, OverflowError):
                return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _text(match: Selector, *, lines: bool = False) -> str:
    if isinstance(match.root, str):
        return match.root.strip()
    text = html_to_text(match.get())
    return text if lines else squash(text)


def _date_text(match: Selector) -> str:
    if isinstance(match.root, str):
        return match.root
    return match.xpath("@datetime").get() or match.xpath("@content").get() or _text(match)
