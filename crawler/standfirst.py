"""The standfirst (lead, dek, chapô, Vorspann, entradilla) news pages put next to the headline.

trafilatura, tuned for precision, drops what stands beside the ``<h1>`` in an
article's header — heise's lead, El País's ``<h2>`` subtitle, a ``teaser``
chapô — though it is the article's opening. It is found here as the first
element after the headline (or after the block that wraps it) that is neither
a byline, a date, a label nor a share bar: taken when its class names it a
lead, or when it stands in a header (``<header>`` or a class naming one) and
reads like a paragraph — not like a short byline or dateline.
"""

from __future__ import annotations

import re

from lxml import etree

from crawler.text import squash

_LEAD = re.compile(
    r"(?:^|[-_\s])(?:lead|standfirst|intro|chapo|chapeau|dek|deck|summary|teaser|subtitle|subheadline|"
    r"subline|excerpt|description|abstract|st|entradilla|sumario|vorspann|anriss)(?:$|[-_\s])",
    re.IGNORECASE,
)
_NOT_LEAD = re.compile(
    r"author|byline|meta|date|time|signature|credit|share|social|tags?\b|label|kicker|rubri|breadcrumb|"
    r"publish|auteur|autor|caption|categor|newsletter|promo|advert|\bads?\b",
    re.IGNORECASE,
)
_HEADER = re.compile(r"head", re.IGNORECASE)
# An unmarked byline or dateline: "By Jane Doe, March 3, 2024", "Von Jan Bergmann | 30.04.2024".
_BYLINE = re.compile(r"^(?:by|par|von|por|di|door)\s|\b(?:19|20)\d\d\b|\b\d{1,2}[:h.]\d\d\b", re.IGNORECASE)
_BYLINE_MAX = 120
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "time", "img", "picture", "figure"})
MIN_LENGTH = 40
MAX_LENGTH = 800
_LOOK_AHEAD = 3  # elements after the headline


def standfirst(tree: etree._Element, title: str) -> str:
    """The page's standfirst as one line of text, or ""."""
    headline = _headline(tree, title)
    if headline is None:
        return ""
    anchor = headline
    # <div class="title-wrap"><h1>…</h1></div><p class="lead">: the lead follows the wrapper.
    while anchor.getnext() is None and anchor.getparent() is not None and anchor.getparent().tag != "body":
        anchor = anchor.getparent()
    in_header = any(_is_header(e) for e in (anchor, *anchor.iterancestors()) if e.tag != "body")
    for candidate in list(anchor.itersiblings())[:_LOOK_AHEAD]:
        if not isinstance(candidate.tag, str) or candidate.tag in _SKIPPED_TAGS:
            continue
        marks = f"{candidate.get('class', '')} {candidate.get('id', '')}"
        text = squash(candidate.text_content())
        if not text or _NOT_LEAD.search(marks) or candidate.xpath(".//time"):
            continue
        if _LEAD.search(marks):
            return text if _paragraph_like(candidate, text) else ""
        plain = in_header and candidate.tag in ("p", "h2", "div") and _paragraph_like(candidate, text)
        if plain and not (len(text) <= _BYLINE_MAX and _BYLINE.search(text)):
            return text
        return ""
    return ""


def with_standfirst(text: str, lead: str) -> str:
    """``text`` with ``lead`` as its first paragraph, unless the text has it already."""
    if not lead or squash(lead).casefold() in squash(text).casefold():
        return text
    return f"{lead}\n{text}" if text else lead


def _headline(tree: etree._Element, title: str) -> etree._Element | None:
    headings = [h for h in tree.iter("h1") if squash(h.text_content())]
    folded = title.casefold()
    for heading in headings:
        if folded and squash(heading.text_content()).casefold() == folded:
            return heading
    return headings[0] if len(headings) == 1 else None


def _is_header(element: etree._Element) -> bool:
    return element.tag == "header" or bool(
        _HEADER.search(f"{element.get('class', '')} {element.get('id', '')}")
    )


def _paragraph_like(element: etree._Element, text: str) -> bool:
    # A body block (several paragraphs) is the article itself, not its lead.
    return MIN_LENGTH <= len(text) <= MAX_LENGTH and len(element.findall(".//p")) <= 1
