"""What each source type takes in config.yaml beyond the keys every source has.

One frozen options model per source type: the config validates a source's
type-specific keys against it (with file, line and key on every error) and
the crawl receives it as ``CrawlSource.options``. This module imports
neither Scrapy nor the extractor, so that reading the config stays cheap.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, model_validator

from db.options import Options, PositiveDuration, problem


def selector_kind(expression: str) -> Literal["css", "xpath"]:
    """XPath when the expression starts like a path (``/``, ``./``, ``(``, ``..``), else CSS."""
    return "xpath" if expression.lstrip().startswith(("/", "./", "(", "..")) else "css"


def _check_selector(value: str) -> str:
    from cssselect import GenericTranslator, SelectorError
    from lxml import etree

    expression = value.strip()
    if not expression:
        raise problem("must not be empty")
    kind = selector_kind(expression)
    try:
        if kind == "xpath":
            etree.XPath(expression)
        else:
            # parsel's ::text and ::attr() are not CSS; they are the parts most selectors need.
            GenericTranslator().css_to_xpath(re.sub(r"::(text|attr\([^)]*\))", "", expression))
    except (etree.XPathError, SelectorError) as exc:
        raise problem(f"bad {kind} selector {value!r}: {exc}") from None
    return expression


Selector = Annotated[str, AfterValidator(_check_selector)]


class Selectors(Options):
    """Where an html source finds article links, and optionally the article's fields.

    Each is CSS (``a.headline::attr(href)``) or XPath (``//h2/a/@href``); see
    :func:`selector_kind` and crawler.selectors for what a match gives.
    """

    links: Selector
    title: Selector | None = None
    text: Selector | None = None
    published: Selector | None = None
    author: Selector | None = None


class FeedOptions(Options):
    """A feed (RSS 0.9x/1.0/2.0, Atom, JSON Feed) needs nothing beyond its URL."""


class HtmlOptions(Options):
    """A listing page without a feed: its article links (and fields) found by ``selectors``."""

    selectors: Selectors

    @model_validator(mode="before")
    @classmethod
    def _selectors_given(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("selectors") is None:
            raise problem(
                "html sources need `selectors:` with at least `links:` (a CSS or XPath selector)",
                key="selectors",
            )
        return data


class SitemapOptions(Options):
    """A (news) sitemap, index or robots.txt; entries older than ``max_age`` are not followed."""

    max_age: PositiveDuration = timedelta(days=2)
