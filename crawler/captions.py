"""A gallery's captions: the text of a page made of pictures.

Tuned for precision, trafilatura drops figures and their captions; on a
gallery ("EN IMAGES", "In pictures") the captions are the article. They are
added when the extracted text is short and the page has at least
``MIN_CAPTIONS`` of them outside navigation, asides and footers; photo
credits are left out. On a page that is no gallery, a caption the extractor
took for a paragraph (a video's legend in a ``<p>``) leaves the text.
"""

from __future__ import annotations

import copy
import re

from lxml.html import HtmlElement

from crawler.text import squash

MIN_CAPTIONS = 3  # a page with fewer is no gallery
MIN_CAPTION_LENGTH = 20  # characters: a shorter caption ("Photo") could open a paragraph
_CAPTIONS = (
    "//figcaption | //*[contains(concat(' ', normalize-space(translate(@class, 'CAPTION', 'caption')), ' '),"
    " ' caption ') or contains(@class, 'legende') or contains(@class, 'bildunterschrift')]"
)
_OUTSIDE = frozenset({"aside", "nav", "footer"})
_CREDIT = re.compile(r"credit|copyright|source|author|photographer", re.IGNORECASE)
_TRAILING_CREDIT = re.compile(r"\s*(?:©|\(c\)|photo\s*:|foto\s*:|bild\s*:|crédit\s*:).*$", re.IGNORECASE)


def all_captions(tree: HtmlElement) -> list[str]:
    """Every caption of the page's body, credits left out, in page order."""
    found = [_caption_text(e) for e in tree.xpath(_CAPTIONS) if not _outside(e) and not _nested(e)]
    return list(dict.fromkeys(t for t in found if t))


def without_captions(text: str, found: list[str]) -> str:
    """``text`` without the lines that are one of ``found`` (with or without a credit after it)."""
    folded = tuple(c.casefold() for c in found if len(c) >= MIN_CAPTION_LENGTH)
    if not folded:
        return text
    return "\n".join(line for line in text.splitlines() if not line.strip().casefold().startswith(folded))


def with_captions(text: str, found: list[str]) -> str:
    """``text`` followed by each caption it does not hold yet."""
    folded = squash(text).casefold()
    new = [c for c in found if c.casefold() not in folded]
    return "\n".join(part for part in (text, *new) if part)


def _caption_text(element: HtmlElement) -> str:
    clone = copy.deepcopy(element)
    clone.tail = None
    for part in clone.xpath(".//small | .//*[@class]"):
        if part.tag == "small" or _CREDIT.search(part.get("class", "")):
            part.drop_tree()
    return _TRAILING_CREDIT.sub("", squash(clone.text_content()))


def _outside(element: HtmlElement) -> bool:
    return any(a.tag in _OUTSIDE for a in element.iterancestors())


def _nested(element: HtmlElement) -> bool:
    # <div class="caption"><figcaption>…: the outer one only.
    return any(a.tag == "figcaption" or "caption" in (a.get("class") or "") for a in element.iterancestors())
