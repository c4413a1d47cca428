"""What news pages put in and after an article's text that is not the article.

- Embedded posts (``<blockquote class="twitter-tweet">``, ``<amp-twitter>``,
  Instagram's, TikTok's): trafilatura keeps a blockquote as a quotation, but
  an embed is another author's post, with its handle and date. They leave the
  tree before extraction (``without_embeds``).
- In the text (``without_furniture``): a live page's entry times (``16:45
  Uhr``, ``17h40``, ``12.48 GMT``) alone or opening a line, a line that is only the dateline
  (``Publié le 3 décembre 2026 à 9h00``) or a byline (``Par Claire Martin —
  Publié le 23 mai 2024``), a "see also" link (``Related: …``, ``À lire
  aussi : …``, ``Mehr zum Thema: …``, ``Te puede interesar: …``), a wire's
  copyright line
  (``Copyright 2026 The Associated Press. All rights reserved.``, ``© 2026
  AFP``), and a press release's trailer — from its media contact (``Media
  Contact:``, ``Contacts presse``, ``Pressekontakt:``) or its distributor's
  lines (``SOURCE …``, ``View original content``, ``Original-Content von``)
  to the end, when they stand in the last half of the text.
"""

from __future__ import annotations

import re

from lxml import etree
from trafilatura.xml import delete_element

_EMBEDS = (
    "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')"
    " or contains(@class, 'tiktok-embed') or contains(@class, 'bluesky-embed')]"
    " | //amp-twitter | //amp-instagram | //amp-facebook | //amp-tiktok"
)
_RESERVED = r"(?:rights reserved|droits réservés|rechte vorbehalten|derechos reservados)"
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\))\s*.{1,40}$|^copyright\s+(?:©\s*)?\d{4}\b.{0,40}$"  # "© 2026 AFP", "Copyright 2026 Reuters"
    rf"|^(?:©|\(c\)|copyright\b).{{0,200}}{_RESERVED}",
    re.IGNORECASE,
)
_TRAILER = re.compile(
    r"^(?:media contacts?|press contacts?|investor contacts?|contacts? (?:presse|médias?)|pressekontakt|"
    r"contactos? (?:de prensa|para medios)|(?-i:SOURCE)\s+\S|view original content|original-content von)\b",
    re.IGNORECASE,
)
_SEE_ALSO = re.compile(
    r"^(?:related|read more|read also|also read|see also|more on this|à lire aussi|a lire aussi|lire aussi|"
    r"voir aussi|à voir aussi|lee también|lea también|te puede interesar|le puede interesar|ver también|"
    r"mehr zum thema|auch interessant|lesen sie auch|das könnte sie auch interessieren)\s*(?:[:|»>–—-]|$)",
    re.IGNORECASE,
)
_SEE_ALSO_MAX = 200  # characters: a label and a headline
# "By Jane Doe, March 3, 2024", "Par Claire Martin — Publié le 23 mai 2024 à 10h00": a name, a date.
_BYLINE = re.compile(r"^(?:by|par|von|por)\s+([^|—–·,]{2,60}?)\s*(?:[|—–·,]\s*(.*))?$", re.IGNORECASE)
_BYLINE_MAX = 120
_NAME_JOINERS = frozenset({"and", "et", "und", "y", "de", "del", "van", "von", "der", "la", "le", "da"})
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_WORD = re.compile(r"[^\W\d_]+")
_BYLINE_REST_WORDS = 6  # "Publié le 23 mai 2024 à 10h00", "Reuters, March 3, 2024": a date, not a sentence
# A live page's entry time, on its own line or opening the entry: "16:45 Uhr", "17h40", "12.48 GMT".
_ENTRY_TIME = re.compile(
    r"^(?:[-•]\s*)?(?:\d{1,2}[:h]\d\d(?:\s*(?:uhr|gmt|bst|cet|cest))?|\d{1,2}\.\d\d\s*(?:uhr|gmt|bst|cet|cest))"
    r"(?:\s+|$)",
    re.IGNORECASE,
)
_DATELINE_MAX = 60  # characters
_DATELINE = re.compile(
    r"^(?:(?:publi\w*|mis en ligne|updated|posted|veröffentlicht|actualizado)\b\s*(?:le|on|am|el)?\s*)?"
    r"\d{1,2}(?:[./]\d{1,2}[./]|\s+\w+\.?\s+(?:de\s+)?)\d{4}\b[^.]{0,25}$",
    re.IGNORECASE,
)


def without_embeds(tree: etree._Element) -> etree._Element:
    """``tree`` without embedded social posts (changed in place)."""
    for embed in tree.xpath(_EMBEDS):
        delete_element(embed)
    return tree


def without_furniture(text: str) -> str:
    """``text`` without datelines, bylines and "see also" links alone on their line, copyright lines and a
    press release's trailer."""
    lines = text.splitlines()
    kept: list[str] = []
    half = len(text) // 2
    seen = 0
    for line in lines:
        if seen >= half and _TRAILER.match(line):
            break
        seen += len(line) + 1
        line = _without_entry_time(line)
        if not line or _COPYRIGHT.match(line) or (len(line) <= _DATELINE_MAX and _DATELINE.match(line)):
            continue
        if (len(line) <= _SEE_ALSO_MAX and _SEE_ALSO.match(line)) or _is_byline(line):
            continue
        kept.append(line)
    return "\n".join(kept)


def _without_entry_time(line: str) -> str:
    # "16:45 Uhr Kanzler besucht…" opens an entry; "9:30 a.m. the market opened" is a sentence.
    match = _ENTRY_TIME.match(line)
    if match is None or not (line[match.end() :][:1].isupper() or match.end() == len(line)):
        return line
    return line[match.end() :]


def _is_byline(line: str) -> bool:
    match = _BYLINE.match(line) if len(line) <= _BYLINE_MAX else None
    if match is None:
        return False
    name, rest = match[1].split(), match[2] or ""
    capitalised = all(w[:1].isupper() or w.casefold() in _NAME_JOINERS for w in name)
    dated = bool(_YEAR.search(rest)) and len(_WORD.findall(rest)) <= _BYLINE_REST_WORDS
    return 1 <= len(name) <= 6 and capitalised and (not rest or dated)
