"""Plain text from HTML snippets, and the lead of an article."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

LEAD_MAX = 400

_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
     "table", "tr", "section", "article", "header", "footer", "figure", "figcaption", "dd", "dt", "hr"}
)  # fmt: skip
_DROPPED_TAGS = ("script", "style", "noscript", "template")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")


def squash(text: str) -> str:
    """Runs of white space as one space."""
    return " ".join(text.split())


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment: one line per block element, spaces squashed."""
    if "<" not in fragment and "&" not in fragment:
        return _tidy(fragment)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return _tidy(re.sub(r"<[^>]*>", " ", fragment))
    for element in root.iter(*_DROPPED_TAGS):
        element.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
            if element.tag.lower() != "br":
                element.text = "\n" + (element.text or "")
    return _tidy(root.text_content())


def _tidy(text: str) -> str:
    text = _SPACES.sub(" ", text.replace("\xa0", " "))
    return _BLANK_LINES.sub("\n", text).strip()


def lead(text: str, limit: int = LEAD_MAX) -> str:
    """The first paragraph of ``text``, cut at a word boundary to at most ``limit`` characters."""
    for line in text.splitlines():
        paragraph = squash(line)
        if paragraph:
            return truncate(paragraph, limit)
    return ""


def truncate(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"
