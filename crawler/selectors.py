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
  text, as ``crawler.dates`` reads it (ISO 8601, RFC 2822, plain dates in
  en/fr/de/es/it/pt); a time without offset is in the source's time zone.

Field values win over the extractor's (``PageFields.over``) when they match.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo

from parsel import Selector, SelectorList

from crawler.dates import parse_date
from crawler.extract import PageContent
from crawler.spiders.options import Selectors, selector_kind
from crawler.text import html_to_text, squash

FIELDS = ("title", "text", "published", "author")


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


def select_fields(document: Selector, selectors: Selectors, zone: tzinfo = UTC) -> PageFields | None:
    """The fields the source's selectors find on an article page; None when it has no field selector."""
    if not any(getattr(selectors, name) for name in FIELDS):
        return None

    def matches(name: str) -> SelectorList[Selector]:
        expression: str | None = getattr(selectors, name)
        return select(document, expression) if expression else SelectorList()

    title = squash(" ".join(_text(m) for m in matches("title")))
    text = "\n".join(t for t in (_text(m, lines=True) for m in matches("text")) if t)
    authors = tuple(dict.fromkeys(a for a in (squash(_text(m)) for m in matches("author")) if a))
    published = next((d for d in (parse_date(_date_text(m), zone) for m in matches("published")) if d), None)
    return PageFields(title=title or None, text=text or None, published=published, authors=authors)


def _text(match: Selector, *, lines: bool = False) -> str:
    if isinstance(match.root, str):
        return match.root.strip()
    text = html_to_text(match.get())
    return text if lines else squash(text)


def _date_text(match: Selector) -> str:
    if isinstance(match.root, str):
        return match.root
    return match.xpath("@datetime").get() or match.xpath("@content").get() or _text(match)
