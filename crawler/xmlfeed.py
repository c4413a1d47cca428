"""Decoded feed text → feedparser's result, recovering what an ill-formed document still holds.

feedparser is given UTF-8 bytes with a matching declaration and Content-Type,
never the raw response: the character encoding has been decided already
(``crawler.encoding``), and a second opinion from feedparser's RFC 3023 rules
(``text/xml`` means US-ASCII) would undo it. Its ``encoding`` and ``bozo`` are
then set to what newsmon decided, with feedparser's own exception classes.

Ill-formed XML goes through feedparser's loose parser, which keeps text that a
strict parser drops (``AT&T``, ``a < b``). When that still loses entries — a
tag closed by the wrong name takes the item's title and link with it — lxml's
recovering parser rebuilds a tree, and whichever reading yields more usable
entries wins.
"""

from __future__ import annotations

import io
import re
from typing import Any
from xml.sax import SAXParseException

import feedparser
from lxml import etree

from crawler.encoding import Decoded

_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
_LEADING_DECLARATION = re.compile(r"^[\s\ufeff]*<\?xml[^>]*?\?>")
# C0 controls are not allowed anywhere in XML 1.0, and make a whole feed ill-formed for one stray byte.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CDF = re.compile(r"^[\s\ufeff]*(?:<[?!][^>]*>\s*)*<channel[\s>]", re.IGNORECASE)
_ENTRY_TAGS = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s/>]", re.IGNORECASE)


def read_xml(decoded: Decoded, url: str, content_language: str | None = None) -> Any:
    """feedparser's FeedParserDict for a decoded document; ``url`` is the base of relative links."""
    utf8 = _as_utf8(decoded.text)
    result = _feedparser(utf8, url, content_language)
    if result.get("bozo") and _usable(result) < len(_ENTRY_TAGS.findall(decoded.text)):
        recovered = _recover(utf8)
        if recovered is not None:
            second = _feedparser(recovered, url, content_language)
            if _usable(second) > _usable(result):
                second["bozo"], second["bozo_exception"] = True, result["bozo_exception"]
                second["recovered"] = True
                result = second
    if not result.get("version") and _CDF.match(decoded.text):
        result["version"] = "cdf"  # feedparser names CDF but only recognises it by its items
    for entry in result.entries:
        _prefer_alternate(entry)
    result["encoding"] = decoded.encoding
    if decoded.warning and not result.get("bozo"):
        result["bozo"] = True
        result["bozo_exception"] = feedparser.CharacterEncodingOverride(decoded.warning)
    return result


def _prefer_alternate(entry: Any) -> None:
    """An entry's link is its alternate (the article), not the enclosure that happened to come first."""
    alternates = [
        link["href"]
        for link in entry.get("links") or []
        if link.get("rel") == "alternate" and link.get("href")
    ]
    if alternates and entry.get("link") not in alternates:
        entry["link"] = alternates[0]


def describe_bozo(exception: object) -> str:
    """A person's reading of why feedparser found the document malformed."""
    if isinstance(exception, SAXParseException):
        return (
            f"ill-formed XML at line {exception.getLineNumber()}, column {exception.getColumnNumber()}: "
            f"{exception.getMessage()}"
        )
    return str(exception)


def _as_utf8(text: str) -> bytes:
    # Same line count as the original, so that feedparser's error positions still point at the feed.
    body = _CONTROLS.sub("", text)
    declared = _LEADING_DECLARATION.match(body)
    body = _DECLARATION + (body[declared.end() :] if declared else body.lstrip("\ufeff"))
    return body.encode("utf-8", "replace")


def _feedparser(utf8: bytes, url: str, content_language: str | None) -> Any:
    headers = {"content-type": "application/xml; charset=utf-8", "content-location": url}
    if content_language:
        headers["content-language"] = content_language
    # A stream, never bytes or str: feedparser opens paths and fetches URLs it is handed.
    return feedparser.parse(io.BytesIO(utf8), response_headers=headers)


def _usable(result: Any) -> int:
    return sum(1 for entry in result.entries if entry.get("title") or entry.get("link"))


def _recover(utf8: bytes) -> bytes | None:
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(utf8, parser)
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None
    rebuilt: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    return rebuilt
