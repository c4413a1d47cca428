"""OPML in and out: a feed reader's subscription list becomes config sources, and back.

Import is read with defusedxml's SAX parser: an OPML file is someone else's
XML, so a DTD entity (XXE, "billion laughs") is refused, never expanded.
Nested outlines are categories; every outline with an ``xmlUrl`` is a feed,
at any depth. What comes out is YAML text for ``sources:`` that the real
config loader has accepted: names made unique (against the config and
within the file), feeds already configured left out, and each outline that
cannot be a source named with its OPML line and the reason.

Export writes OPML 2.0 with the feed sources (html and sitemap sources are
not feeds a reader could subscribe to).
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
import xml.sax
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.sax.handler import ContentHandler
from xml.sax.xmlreader import AttributesImpl, Locator

import defusedxml.sax
from defusedxml import DefusedXmlException

from db.redact import SECRETS
from db.textfold import tokens
from newsmon.config import SourceConfig, load_config
from newsmon.errors import ConfigError, OpmlError

MAX_NAME = 64


@dataclass(frozen=True)
class Outline:
    line: int
    title: str
    xml_url: str
    categories: tuple[str, ...]


@dataclass
class Imported:
    """The YAML to print, and what was left out (each with its OPML line)."""

    sources: list[dict[str, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def yaml(self) -> str:
        return "".join(_source_yaml(s) for s in self.sources)


class _Outlines(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[Outline] = []
        self.skipped: list[tuple[int, str]] = []
        self.path: list[str] = []
        self.root: str | None = None
        self.locator: Locator | None = None

    def setDocumentLocator(self, locator: Locator) -> None:  # noqa: N802 - SAX's name
        self.locator = locator

    def startElement(self, name: str, attrs: AttributesImpl) -> None:  # noqa: N802
        self.root = self.root or name
        if name != "outline":
            return
        values = {key.lower(): attrs[key].strip() for key in attrs.getNames()}
        title = values.get("text") or values.get("title") or ""
        line = (self.locator.getLineNumber() if self.locator else None) or 0
        if values.get("xmlurl"):
            categories = (*self.path, *_categories(values.get("category", "")))
            self.found.append(Outline(line, title, values["xmlurl"], tuple(c for c in categories if c)))
        elif values.get("type", "").lower() in ("rss", "atom"):
            self.skipped.append((line, f"feed {title!r} has no xmlUrl"))
        self.path.append(title)

    def endElement(self, name: str) -> None:  # noqa: N802
        if name == "outline" and self.path:
            self.path.pop()


def _categories(value: str) -> list[str]:
    # OPML 2.0: comma-separated, each a slash-delimited path ("/Tech/AI").
    return [part for item in value.split(",") for part in item.strip().split("/") if part]


def read_outlines(data: bytes, shown: str) -> _Outlines:
    handler = _Outlines()
    try:
        defusedxml.sax.parseString(data, handler)
    except DefusedXmlException as exc:
        raise OpmlError(f"{shown}: refused: the file declares XML entities or a DTD ({exc})") from None
    except xml.sax.SAXParseException as exc:
        raise OpmlError(
            f"{shown}:{exc.getLineNumber()}:{exc.getColumnNumber()}: not XML: {exc.getMessage()}"
        ) from None
    if handler.root != "opml":
        raise OpmlError(f"{shown}: not an OPML file (its root element is <{handler.root}>, not <opml>)")
    return handler


def import_opml(
    data: bytes, shown: str, existing: Sequence[SourceConfig], every: str | None = None
) -> Imported:
    parsed = read_outlines(data, shown)
    result = Imported(skipped=[f"{shown}:{line}: {why}" for line, why in parsed.skipped])
    taken = {s.name for s in existing}
    known_urls = {s.url: s.name for s in existing}
    candidates: list[tuple[Outline, dict[str, str]]] = []
    for outline in parsed.found:
        if outline.xml_url in known_urls:
            result.skipped.append(
                f"{shown}:{outline.line}: {outline.xml_url} is already source {known_urls[outline.xml_url]}"
            )
            continue
        name = unique_name(source_name(outline.title, outline.xml_url), taken)
        taken.add(name)
        known_urls[outline.xml_url] = name
        source = {"name": name, "type": "feed", "url": outline.xml_url, "title": outline.title}
        if outline.categories:
            source["categories"] = " / ".join(outline.categories)
        if every:
            source["every"] = every
        candidates.append((outline, source))
    result.sources = _validated(candidates, shown, result.skipped)
    return result


def _validated(
    candidates: list[tuple[Outline, dict[str, str]]], shown: str, skipped: list[str]
) -> list[dict[str, str]]:
    """The candidates the config loader accepts; each rejected one goes to ``skipped`` with the reason."""
    while candidates:
        text, lines = "sources:\n", []
        for _, source in candidates:
            lines.append(text.count("\n") + 1)
            text += _source_yaml(source)
        problems = _load_problems(text)
        if not problems:
            return [source for _, source in candidates]
        bad: dict[int, str] = {}
        for line, message in problems:
            index = max((i for i, start in enumerate(lines) if start <= line), default=0)
            bad.setdefault(index, message)
        for index, message in bad.items():
            outline, source = candidates[index]
            skipped.append(f"{shown}:{outline.line}: {source['url']!r}: {message}")
        candidates = [c for i, c in enumerate(candidates) if i not in bad]
    return []


def _load_problems(text: str) -> list[tuple[int, str]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sources.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_config(path, environ={})
        except ConfigError as exc:
            if not exc.issues:
                raise
            # The key path points into the generated text ("sources[5].url"): only its last part helps.
            return [
                (issue.line or 0, f"{issue.key.rsplit('.', 1)[-1]}: {issue.message}") for issue in exc.issues
            ]
    return []


def source_name(title: str, url: str) -> str:
    """A config name from a feed's title (else its host): ASCII letters, digits and '-'."""
    words = ["".join(c for c in word if c.isascii() and c.isalnum()) for word in tokens(title)]
    name = "-".join(w for w in words if w)[: MAX_NAME - 4].strip("-")
    if not name:
        host = re.sub(r"^www\.", "", re.sub(r"^[a-z]+://([^/:?#]*).*$", r"\1", url.lower()))
        name = "-".join(w for w in re.split(r"[^a-z0-9]+", host) if w)[: MAX_NAME - 4] or "feed"
    return name


def unique_name(name: str, taken: Iterable[str]) -> str:
    used = set(taken)
    candidate, n = name, 2
    while candidate in used:
        candidate, n = f"{name}-{n}", n + 1
    return candidate


def _source_yaml(source: dict[str, str]) -> str:
    # JSON strings are YAML double-quoted scalars: whatever the OPML says stays one value.
    comment = " / ".join(x for x in (source.get("title", ""), source.get("categories", "")) if x)
    head = f"  # {_printable(comment)}\n" if comment else ""
    # "$$" is a literal "$" to the config loader: a "${SMTP_PASSWORD}" in a feed's URL stays text,
    # never the secret sent to that feed's host.
    url = json.dumps(source["url"].replace("$", "$$"), ensure_ascii=False)
    body = f"  - name: {source['name']}\n    type: feed\n    url: {url}\n"
    if "every" in source:
        body += f"    every: {json.dumps(source['every'])}\n"
    return head + body


def _printable(text: str) -> str:
    """A comment line: no line breaks or other control characters can end it early."""
    return "".join(" " if unicodedata.category(c).startswith(("C", "Z")) and c != " " else c for c in text)[
        :200
    ]


def export_opml(sources: Sequence[SourceConfig], now: Any, title: str = "newsmon sources") -> str:
    """OPML 2.0 listing the feed sources, any secret from the environment in a URL hidden."""
    opml = ElementTree.Element("opml", version="2.0")
    head = ElementTree.SubElement(opml, "head")
    ElementTree.SubElement(head, "title").text = title
    ElementTree.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ElementTree.SubElement(opml, "body")
    for source in sources:
        if source.type == "feed":
            ElementTree.SubElement(
                body,
                "outline",
                type="rss",
                text=source.name,
                title=source.name,
                xmlUrl=SECRETS.hide(source.url),
            )
    ElementTree.indent(opml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(opml, encoding="unicode") + "\n"
