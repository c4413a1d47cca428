"""An article page → its text and metadata, with trafilatura and what the page states about itself.

Measured on the acceptance pages and tests/crawler: ``favor_precision`` keeps
every body paragraph and drops navigation, "À lire aussi" blocks, ads,
comments and footers; ``fast`` (no second-opinion extractors) gives the same
text there in half the time. Where that leaves little text (a live blog, a
gallery, a page built in the browser), the fallbacks run, and the longest
text wins:

- trafilatura's own second opinions (readability, jusText: ``fast=False``),
  when the text is shorter than ``SHORT_TEXT``;
- the JSON-LD ``articleBody`` (``crawler.jsonld``) or the body in the state
  the server inlines for the page's app (``__NEXT_DATA__``, Arc's
  ``Fusion.globalContent``: ``crawler.appstate``), when it is longer than
  the visible text by ``TEASER_RATIO``: the visible text is then a teaser;
- a gallery's captions (``crawler.captions``), still below ``SHORT_TEXT``.

Embedded posts leave the page first, and datelines, copyright lines and a
press release's contact trailer the text (``crawler.furniture``). Then the
standfirst beside the headline is put back as the first paragraph
(``crawler.standfirst``); the title is the page's one ``<h1>`` where the
metadata words it for search engines, without the site's name where the page
names its site (``crawler.titles``); a published day without its time gets the
time the page states (``crawler.pagedates``). ``benchmarks.extraction`` measures
all this against trafilatura's ``extract()`` on pages imitating the hard cases.
The feed's values are the fallback for whatever the page does not give.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, AnyStr

import trafilatura
from lxml import etree
from trafilatura.utils import load_html

from crawler.appstate import app_state_body
from crawler.captions import MIN_CAPTIONS, all_captions, with_captions, without_captions
from crawler.crowding import thinned
from crawler.feeds import language_code
from crawler.furniture import without_embeds, without_furniture
from crawler.jsonld import article_body
from crawler.pagedates import published
from crawler.standfirst import standfirst, with_standfirst
from crawler.text import squash
from crawler.titles import headline, site_names, without_site_name

SHORT_TEXT = 1000  # characters: below this, trafilatura's second opinions are asked
MIN_FALLBACK_TEXT = 200  # characters: a second opinion must find at least this much to count
TEASER_RATIO = 1.2  # the JSON-LD body replaces a visible text this much shorter than it
# htmldate gives a time too when the page has one (article:published_time, <time datetime>).
_DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
# libxml2 checks each attribute of a tag against all the ones before it, and htmldate reads them
# again: one <div> with 8,000 attributes cost 0.6 s, 200,000 (2 MB) minutes. No page needs this many.
MAX_ATTRIBUTES = 64
_LONG_TAG = rf"<([A-Za-z][\w:-]*)(\s[^<>]{{{3 * MAX_ATTRIBUTES},}})>"
_ATTRIBUTE = r"\s[^\s=<>\"']+\s*="
_TEXT_PATTERNS = (re.compile(_LONG_TAG), re.compile(_ATTRIBUTE))
_BYTES_PATTERNS = (re.compile(_LONG_TAG.encode()), re.compile(_ATTRIBUTE.encode()))


@dataclass(frozen=True)
class PageContent:
    text: str  # the body, one paragraph a line, without the title
    title: str
    authors: tuple[str, ...]
    published: datetime | None
    description: str
    canonical: str | None  # <link rel=canonical> or og:url, as written (maybe relative)
    language: str | None  # <html lang>, a hint


EMPTY = PageContent("", "", (), None, "", None, None)


def extract_page(html: str | bytes, zone: tzinfo = UTC) -> PageContent:
    """Extract an article page; ``EMPTY`` when it is no HTML at all.

    ``zone`` is the source's time zone: htmldate gives many news pages' dates without an offset.
    """
    tree = load_html(_uncrowded(html))
    if tree is None:
        return EMPTY
    tree = without_embeds(thinned(tree))
    data = _extract(tree, fast=True)
    text = data.get("text") or ""
    if len(text) < SHORT_TEXT:
        second = _extract(tree, fast=False)
        data, text = data or second, max(text, _substantial(second.get("text") or ""), key=len)
    data = data or _metadata(tree)
    names = site_names(tree)
    title = headline(tree, without_site_name(squash(data.get("title") or ""), names), names)
    language = language_code(tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang"))
    date = data.get("date") if isinstance(data.get("date"), str) else None
    return PageContent(
        text=_main_text(tree, _without_title(text, title), title),
        title=title,
        authors=_authors(data.get("author")),
        published=published(tree, date, zone, language),
        description=squash(data.get("description") or ""),
        canonical=_canonical(tree),
        language=language,
    )


def _uncrowded(html: str | bytes) -> str | bytes:
    """``html`` with the attributes of any tag that has more than ``MAX_ATTRIBUTES`` left out."""
    if isinstance(html, bytes):
        return _bare_crowded_tags(html, *_BYTES_PATTERNS)
    return _bare_crowded_tags(html, *_TEXT_PATTERNS)


def _bare_crowded_tags(html: AnyStr, long_tag: re.Pattern[AnyStr], attribute: re.Pattern[AnyStr]) -> AnyStr:
    def bare(match: re.Match[AnyStr]) -> AnyStr:
        crowded = len(attribute.findall(match.group(2))) > MAX_ATTRIBUTES
        return match.group()[:1] + match.group(1) + match.group()[-1:] if crowded else match.group()

    return long_tag.sub(bare, html)


def _substantial(text: str) -> str:
    # A second opinion on a page without an article finds its menu or its error message.
    return text if len(text) >= MIN_FALLBACK_TEXT else ""


def _main_text(tree: etree._Element, text: str, title: str) -> str:
    """The extracted text, or the JSON body it only teased; a gallery's captions; the standfirst first."""
    body = max(article_body(tree), app_state_body(tree), key=len)
    if len(body) > TEASER_RATIO * len(text):
        text = body
    found = all_captions(tree)
    if len(found) < MIN_CAPTIONS:
        text = without_captions(text, found)
    elif len(text) < SHORT_TEXT:
        text = with_captions(text, found)
    return with_standfirst(without_furniture(text), standfirst(tree, title))


def _extract(tree: etree._Element, *, fast: bool) -> dict[str, Any]:
    """trafilatura's text and metadata ({} when it finds no text); it works on a copy of ``tree``."""
    document = trafilatura.bare_extraction(
        tree,
        with_metadata=True,
        favor_precision=True,
        fast=fast,
        include_comments=False,
        date_extraction_params=_DATE_PARAMS,
    )
    if document is None:
        return {}
    return document if isinstance(document, dict) else document.as_dict()


def _metadata(tree: etree._Element) -> dict[str, Any]:
    """The metadata of a page without text trafilatura can find (its text may be in JSON-LD)."""
    document = trafilatura.extract_metadata(copy.deepcopy(tree), date_config=_DATE_PARAMS)
    return document.as_dict() if document is not None else {}


def _canonical(tree: etree._Element) -> str | None:
    for href in tree.xpath(
        "//link[contains(concat(' ', normalize-space(translate(@rel, 'CANONICAL', 'canonical')), ' '),"
        " ' canonical ')]/@href | //meta[@property='og:url']/@content"
    ):
        if str(href).strip():
            return str(href).strip()
    return None


def _without_title(text: str, title: str) -> str:
    # The headline is no paragraph, wherever the extractor puts it (a live blog's comes after a post).
    lines = [line.strip() for line in text.splitlines()]
    folded = title.casefold()
    return "\n".join(line for line in lines if line and squash(line).casefold() != folded)


def _authors(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, str):
        return ()
    return tuple(dict.fromkeys(squash(a) for a in raw.split(";") if squash(a)))
