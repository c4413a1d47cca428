"""Decoded feed text → feedparser's result, recovering what an ill-formed document still holds.

feedparser is given UTF-8 bytes with a matching declaration and Content-Type,
never the raw response: the character encoding has been decided already
(``crawler.encoding``), and a second opinion from feedparser's RFC 3023 rules
(``text/xml`` means US-ASCII) would undo it. Its ``encoding`` and ``bozo`` are
then set to what newsmon decided, with feedparser's own exception classes.

Two faults are repaired before parsing, because they are common and their
meaning is plain: C0 control characters, which XML forbids, are removed, and a
bare ``&`` (``AT&T``; outside CDATA sections and comments) is escaped when that
makes the document well-formed. Other ill-formed XML goes through feedparser's
loose parser, which keeps text that a strict parser drops (``a < b``). When that still loses entries — a
tag closed by the wrong name takes the item's title and link with it — lxml's
recovering parser rebuilds a tree, and whichever reading yields more usable
entries wins. Every repair and fault is listed in ``result["warnings"]``.

A document whose DOCTYPE declares entities is parsed strictly only when
expanding them costs at most the document's own size (short internal
entities, such as a feed's ``&id;`` prefix of its GUIDs); otherwise the loose
parser reads it and leaves ``&name;`` as written. Expat expands up to 100
times a document's size before its own guard stops it: a few hundred
kilobytes of references to one long entity made hundreds of megabytes of
summary, and a billion laughs cost a second of CPU per kilobyte fetched.
"""

from __future__ import annotations

import contextlib
import io
import re
from typing import Any
from xml.parsers import expat
from xml.sax import SAXParseException

import feedparser
from lxml import etree

from crawler.encoding import Decoded
from crawler.errors import NotAFeedError

_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
_LEADING_DECLARATION = re.compile(r"^[\s\ufeff]*<\?xml[^>]*?\?>")
# C0 controls are not allowed anywhere in XML 1.0, and make a whole feed ill-formed for one stray byte.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BARE_AMPERSAND = re.compile(
    r"<!\[CDATA\[.*?\]\]>|<!--.*?-->|&(?!(?:[A-Za-z_][\w.-]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)", re.DOTALL
)
_CDF = re.compile(r"^[\s\ufeff]*(?:<[?!][^>]*>\s*)*<channel[\s>]", re.IGNORECASE)
_ENTRY_TAGS = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s/>]", re.IGNORECASE)


class IllFormedXMLError(ValueError):
    """The document was ill-formed in ways that were repaired before parsing (feedparser's ``bozo``)."""


class StrictParserCrashError(ValueError):
    """feedparser's strict parser raised instead of reporting the document as ill-formed."""


class EntitiesRefusedError(ValueError):
    """The DOCTYPE declares entities too costly to expand: the document was read without expanding them."""


def read_xml(decoded: Decoded, url: str, content_language: str | None = None) -> Any:
    """feedparser's FeedParserDict for a decoded document; ``url`` is the base of relative links."""
    text, controls = _CONTROLS.subn("", decoded.text)
    escaped, ampersands = _escape_ampersands(text)
    result = _feedparser(_as_utf8(escaped), url, content_language) if ampersands else None
    if result is None or result.get("bozo"):
        # Still ill-formed: the loose parser reads a bare '&' well, and mangles '&amp;' in links.
        result, ampersands = _feedparser(_as_utf8(text), url, content_language), 0
    recovered = False
    if result.get("bozo") and min(_usable(result)) < len(_ENTRY_TAGS.findall(text)):
        rebuilt = _recover(_as_utf8(text))
        second = _feedparser(rebuilt, url, content_language) if rebuilt is not None else None
        if second is not None and _usable(second) > _usable(result):
            second["bozo"], second["bozo_exception"] = True, result["bozo_exception"]
            result, recovered = second, True
    if not result.get("version") and _CDF.match(text):
        result["version"] = "cdf"  # feedparser names CDF but only recognises it by its items
    for entry in result.entries:
        _prefer_alternate(entry)
    _record(result, decoded, controls, ampersands, recovered)
    return result


def _record(result: Any, decoded: Decoded, controls: int, ampersands: int, recovered: bool) -> None:
    """newsmon's decisions in feedparser's terms (``encoding``, ``bozo``), and as ``warnings``."""
    warnings = [decoded.warning] if decoded.warning else []
    repairs = [f"{controls} control character(s) removed"] if controls else []
    repairs += [f"{ampersands} bare '&' escaped"] if ampersands else []
    if repairs:
        warnings.append("ill-formed XML repaired: " + ", ".join(repairs))
    if result.get("bozo"):
        lenient = " (entries recovered by a lenient parser)" if recovered else ""
        warnings.append(describe_bozo(result.get("bozo_exception")) + lenient)
    elif warnings:
        result["bozo"] = True
        result["bozo_exception"] = (
            feedparser.CharacterEncodingOverride(decoded.warning)
            if decoded.warning
            else IllFormedXMLError(warnings[0])
        )
    result["encoding"] = decoded.encoding
    result["warnings"] = warnings


def _escape_ampersands(text: str) -> tuple[str, int]:
    if "&" not in text:
        return text, 0
    count = 0

    def escape(match: re.Match[str]) -> str:
        nonlocal count
        if match.group() != "&":
            return match.group()  # a CDATA section or a comment, where '&' is only a character
        count += 1
        return "&amp;"

    return _BARE_AMPERSAND.sub(escape, text), count


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
    body = text
    declared = _LEADING_DECLARATION.match(body)
    body = _DECLARATION + (body[declared.end() :] if declared else body.lstrip("\ufeff"))
    return body.encode("utf-8", "replace")


def _feedparser(utf8: bytes, url: str, content_language: str | None) -> Any:
    headers = {"content-type": "application/xml; charset=utf-8", "content-location": url}
    if content_language:
        headers["content-language"] = content_language
    if refused := _costly_entities(utf8):
        fault: ValueError = EntitiesRefusedError(f"{refused}: read leniently, without expanding them")
    else:
        # A stream, never bytes or str: feedparser opens paths and fetches URLs it is handed.
        try:
            return feedparser.parse(io.BytesIO(utf8), response_headers=headers)
        except Exception as exc:  # noqa: BLE001 - its strict parser crashes on some input (a space in an xmlns URI)
            fault = StrictParserCrashError(
                f"ill-formed XML that crashed feedparser's strict parser ({exc!r}), read leniently"
            )
    # A second XML declaration stops the strict parser at once, and the loose parser skips it.
    try:
        result = feedparser.parse(io.BytesIO(_DECLARATION.encode() + utf8), response_headers=headers)
    except Exception as exc:  # nothing more to try: the document is unreadable
        raise NotAFeedError(f"{url} is a document that feedparser cannot read ({exc!r})") from exc
    result["bozo"] = True
    result["bozo_exception"] = fault
    return result


class _PrologReadError(Exception):
    """Raised by expat's handlers to stop reading at the root element."""


def _costly_entities(utf8: bytes) -> str | None:
    """Why the entities the DOCTYPE declares must not be expanded, or None when that is harmless."""
    declared: list[tuple[str, bool, str | None]] = []

    def entity(name: str, parameter: bool, value: str | None, *_: object) -> None:
        declared.append((name, parameter, value))

    def root(*_: object) -> None:
        raise _PrologReadError

    parser = expat.ParserCreate()
    parser.EntityDeclHandler = entity
    parser.StartElementHandler = root
    # An ill-formed prolog stops the strict parser too, before any entity is expanded.
    with contextlib.suppress(_PrologReadError, expat.ExpatError):
        parser.Parse(utf8, True)
    expanded = 0
    for name, parameter, value in declared:
        if parameter or value is None:
            return f"the DOCTYPE declares an external or parameter entity ({name!r})"
        if "&" in value or "%" in value:
            return f"the DOCTYPE declares an entity made of other entities ({name!r})"
        expanded += len(value) * utf8.count(f"&{name};".encode())
    if expanded > len(utf8):
        return f"the DOCTYPE's entities would expand to {expanded} characters"
    return None


def _usable(result: Any) -> tuple[int, int]:
    """How much of the entries newsmon can use: how many have a link, then how many a title."""
    entries = result.entries
    return sum(1 for e in entries if e.get("link")), sum(1 for e in entries if e.get("title"))


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
