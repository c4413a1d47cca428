"""A page's publication time, when htmldate finds only its day.

htmldate reads the day from the URL (``/2026/12/03/``) or a bare date before
the page's own statements with a time, so many news pages come out at
midnight. When its answer is such a bare day, the time comes from, in order:

- what the page states in its metadata: ``article:published_time``,
  ``datePublished`` (a meta tag or a JSON-LD article), parse.ly's and Dublin
  Core's dates — those with a time only;
- the first date with a time in an element that names itself a date in the
  article's byline (``class="byline-date"``, ``<time>`` without
  ``datetime``): ``03.12.2026, 14:05 Uhr``, ``3 décembre 2026 à 14h05``,
  ``3 dic 2026 - 14:05 CET``, read in the source's zone — its update time
  (``Actualizado``, ``mis à jour``) left out.

A visible date must fall on htmldate's day (give or take the offsets of the
world's zones): a date in a "related" box is another article's. A stated
one need not: htmldate's day may be a guess (``/2026/12/`` read as the 1st).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo

from lxml import etree

from crawler.dates import parse_date
from crawler.jsonld import objects
from crawler.text import squash

_BARE_DAY = re.compile(r"\d{4}-\d\d-\d\dT00:00:00")
_META_NAMES = (
    "article:published_time", "og:article:published_time", "datepublished", "parsely-pub-date",
    "dc.date.issued", "dcterms.issued", "publish-date", "pubdate", "sailthru.date", "date",
)  # fmt: skip
_META_KEYS = ("property", "name", "itemprop")
_DATE_MARKS = re.compile(r"date|time|publi|fecha|datum|posted|zeit|heure", re.IGNORECASE)
_NOT_PUBLISHED = re.compile(r"updat|modif|actualiz|aktualis|last|related|teaser|more", re.IGNORECASE)
_UPDATED = re.compile(
    r"\b(?:updated|modifié|mis à jour|actualizado|aktualisiert|geändert|last)\b.*$", re.IGNORECASE
)
_SEPARATORS = re.compile(r"[–—·|•,]")
_SLASHED = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")
_HAS_TIME = re.compile(r"\d[:h.]\d\d(?!\d)|\d\s*(?:am|pm)\b", re.IGNORECASE)
_OUTSIDE = ("aside", "nav", "footer")
MAX_CANDIDATES = 20  # date-marked elements read: the byline's is among the first
MAX_TEXT = 160  # characters: a byline with its date and update time
MAX_WORDS = 4  # leading words tried off a visible date ("Publié le", "Von dpa |")
_ZONES_SPREAD = timedelta(hours=14)


def published(tree: etree._Element, found: str | None, zone: tzinfo, language: str | None) -> datetime | None:
    """htmldate's ``found``, with the time the page states when ``found`` is a bare day."""
    day = parse_date(found, zone) if found else None
    if day is None or found is None or not _BARE_DAY.fullmatch(found):
        return day
    stated = next(_stated(tree, zone), None)
    if stated is not None:  # the page's own statement, more precise than a day htmldate may have guessed
        return stated
    earliest, latest = day - _ZONES_SPREAD, day + timedelta(days=1) + _ZONES_SPREAD
    for candidate in _visible(tree, zone, language):
        if earliest <= candidate < latest:
            return candidate
    return day


def _stated(tree: etree._Element, zone: tzinfo) -> Iterator[datetime]:
    # One pass over the page's meta tags, read in the order of _META_NAMES, the most trusted first.
    stated: dict[str, list[str]] = {name: [] for name in _META_NAMES}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for name in {(meta.get(key) or "").lower() for key in _META_KEYS} & stated.keys():
            stated[name].append(content)
    values = [value for name in _META_NAMES for value in stated[name]]
    values += [o["datePublished"] for o in objects(tree) if isinstance(o.get("datePublished"), str)]
    for value in values:
        if ":" in value and (parsed := parse_date(value, zone)):
            yield parsed


def _visible(tree: etree._Element, zone: tzinfo, language: str | None) -> Iterator[datetime]:
    marked = (e for e in tree.iter("*") if e.tag == "time" or _DATE_MARKS.search(_marks(e, "itemprop")))
    for count, element in enumerate(marked):
        if count == MAX_CANDIDATES:
            return
        if _NOT_PUBLISHED.search(_marks(element)) or any(a.tag in _OUTSIDE for a in element.iterancestors()):
            continue
        text = squash(element.text_content())
        if len(text) > MAX_TEXT:  # a wrapper around more than a byline
            continue
        text = _UPDATED.sub("", text)
        if not _HAS_TIME.search(text):
            continue
        if parsed := _parsed(text, zone, language):
            yield parsed


def _marks(element: etree._Element, *more: str) -> str:
    return " ".join(element.get(name, "") for name in ("class", "id", *more))


def _parsed(text: str, zone: tzinfo, language: str | None) -> datetime | None:
    text = _SEPARATORS.sub(" ", text)
    if language != "en":  # 03/12/2026 is the 3rd of December everywhere but in English
        text = _SLASHED.sub(r"\1.\2.\3", text)
    words = text.split()
    for start in range(min(MAX_WORDS, len(words)) + 1):
        if parsed := parse_date(" ".join(words[start:]), zone):
            return parsed
    return None
