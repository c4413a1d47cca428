"""Dates as feeds, pages and sitemaps write them → aware datetimes in UTC.

One parser for the crawler; ``parse_date`` reads, in this order:

- ISO 8601 and W3C datetimes (``2024-04-30T17:23:42+02:00``, ``2024-04-30``,
  ``2024-03``, ``2024``);
- RFC 822 and its real-world variants (``Sat, Dec 16 2023 02:02:33 PM``, zone
  names such as ``CET`` or ``MESZ``) and other plain dates naming a year,
  through dateutil — also with French, German, Spanish, Italian and
  Portuguese day and month names (``mer, 16 nov 2022 00:38:15 +0100``,
  ``Seg, 24 Set 2018``, ``16. März 2024``), which are put into English first.

A date without offset is read in ``zone`` — the source's ``timezone:``, UTC by
default; a day without a time is the start of that day there. dateutil is
given no default year: a text without a four-digit year is refused rather
than dated this year. feedparser's own reading (``*_parsed``) stays the
fallback for the rarer forms it knows (Korean, Greek, Hungarian...), where
it assumes UTC.
"""

from __future__ import annotations

import email.utils
import re
import time
import unicodedata
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from dateutil import parser as dateutil_parser

_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_W3C_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_DOTTED_DAY_FIRST = re.compile(r"(?<!\d)\d{1,2}\.\s?\d{1,2}\.\s?\d{4}")
_WORD = re.compile(r"[^\W\d_]+\.?")
_FRENCH_TIME = re.compile(r"(?<!\d)(\d{1,2})\s?h\s?(\d{2})(?!\d)")  # 14h30
_ORDINAL = re.compile(r"(?<=\d)(?:er|º|°)(?=\s)")  # 1er mai, 1º de maio
# "Wed, 16 Nov 2022 00:38:15 +0100": a numeric or universal zone, or none; other names go to dateutil.
_RFC822 = re.compile(
    r"^(?:[^\W\d_]{2,9},?\s+)?\d{1,2}\s+[^\W\d_]{3,9}\s+\d{4}\s+\d{1,2}:\d\d(?::\d\d)?"
    r"(?:\s*(?P<zone>[+-]\d{4}|GMT|UTC?|Z))?$",
    re.IGNORECASE,
)
_NO_DEFAULT = datetime(2000, 1, 1)  # missing day or month: the first; the year is always required
MAX_LENGTH = 120  # characters: longer is prose, not a date (and dateutil's time grows with it)

_MONTHS = {
    "jan": ("janvier", "janv", "januar", "jänner", "enero", "ene", "gennaio", "gen", "janeiro"),
    "feb": ("février", "févr", "fév", "fevrier", "fevr", "februar", "febrero", "febbraio", "fevereiro",
            "fev"),
    "mar": ("mars", "märz", "mär", "mrz", "marzo", "março", "marco"),
    "apr": ("avril", "avr", "abril", "abr", "aprile"),
    "may": ("mai", "mayo", "maggio", "mag", "maio"),
    "jun": ("juin", "juni", "junio", "giugno", "giu", "junho"),
    "jul": ("juillet", "juil", "juli", "julio", "luglio", "lug", "julho"),
    "aug": ("août", "aout", "august", "agosto", "ago"),
    "sep": ("septembre", "sept", "september", "septiembre", "setiembre", "settembre", "set", "setembro"),
    "oct": ("octobre", "oktober", "okt", "octubre", "ottobre", "ott", "outubro", "out"),
    "nov": ("novembre", "november", "noviembre", "novembro"),
    "dec": ("décembre", "déc", "decembre", "dezember", "dez", "diciembre", "dic", "dicembre", "dezembro"),
}  # fmt: skip
_MONTH_NAMES = {name: english for english, names in _MONTHS.items() for name in names}
# Weekdays say nothing a day number does not; "mar" is Tuesday (fr, es) first and March anywhere else.
_WEEKDAYS = frozenset((
    "lundi", "lun", "mardi", "mar", "mercredi", "mer", "jeudi", "jeu", "vendredi", "ven", "samedi", "sam",
    "dimanche", "dim",
    "montag", "mo", "dienstag", "di", "mittwoch", "mi", "donnerstag", "do", "freitag", "fr", "samstag",
    "sonnabend", "sa", "sonntag", "so",
    "lunes", "martes", "miércoles", "miercoles", "mié", "mie", "jueves", "jue", "viernes", "vie", "sábado",
    "sabado", "sáb", "sab", "domingo", "dom",
    "lunedì", "lunedi", "martedì", "martedi", "mercoledì", "mercoledi", "giovedì", "giovedi", "gio",
    "venerdì", "venerdi", "sabato", "domenica",
    "segunda", "seg", "terça", "terca", "ter", "quarta", "qua", "quinta", "qui", "sexta", "sex", "feira",
))  # fmt: skip
# Words around a date in these languages: "16 de noviembre de 2022 a las 14:30", "am 16. März um 9 Uhr".
_FILLERS = frozenset((
    "le", "à", "de", "del", "do", "da", "der", "den", "am", "um", "uhr", "a", "las", "alle", "ore", "el",
    "às", "as",
))  # fmt: skip

_HOUR = 3600
_ZONE_NAMES = {
    "UT": 0, "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "WEZ": 0,
    "BST": _HOUR, "CET": _HOUR, "MEZ": _HOUR, "WEST": _HOUR, "WESZ": _HOUR,
    "CEST": 2 * _HOUR, "MESZ": 2 * _HOUR, "EET": 2 * _HOUR, "OEZ": 2 * _HOUR,
    "EEST": 3 * _HOUR, "OESZ": 3 * _HOUR, "MSK": 3 * _HOUR,
    "EST": -5 * _HOUR, "EDT": -4 * _HOUR, "CST": -6 * _HOUR, "CDT": -5 * _HOUR,
    "MST": -7 * _HOUR, "MDT": -6 * _HOUR, "PST": -8 * _HOUR, "PDT": -7 * _HOUR,
}  # fmt: skip


def parse_date(text: str | None, zone: tzinfo = UTC) -> datetime | None:
    """An aware UTC datetime from ``text``, or None when it is no date this module reads."""
    text = " ".join((text or "").split())
    if not text or len(text) > MAX_LENGTH or not _YEAR.search(text):
        return None
    parsed = _iso(text) or _rfc822(text) or _with_dateutil(text) or _with_dateutil(_in_english(text))
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01 east of UTC, 9999-12-31 west of it
        return None


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` (UTC) as an aware datetime."""
    if value is None:
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _iso(text: str) -> datetime | None:
    partial = _W3C_PARTIAL.match(text)
    if partial:
        month = int(partial[2] or 1)
        return datetime(int(partial[1]), month, 1) if 1 <= month <= 12 else None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _rfc822(text: str) -> datetime | None:
    """The common RFC 822 form, at a hundredth of dateutil's cost (most feed dates are written so)."""
    match = _RFC822.match(text)
    if not match:
        return None
    parts = email.utils.parsedate_tz(text)  # None for a month name that is not English
    if parts is None:
        return None
    try:
        naive = datetime(*parts[:6])
    except ValueError:
        return None
    # parsedate_tz reads a missing zone as +0000: naive, for the source's zone.
    if not match["zone"] or parts[9] is None:
        return naive
    return naive.replace(tzinfo=timezone(timedelta(seconds=parts[9])))


def _with_dateutil(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        parsed: datetime = dateutil_parser.parse(
            text, default=_NO_DEFAULT, tzinfos=_zone, dayfirst=bool(_DOTTED_DAY_FIRST.search(text))
        )
    except (ValueError, OverflowError):
        return None
    return parsed


def _zone(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's zone lookup: numeric offsets as given, common names from the table, else naive."""
    if name:
        seconds = _ZONE_NAMES.get(name.upper())
        return timezone(timedelta(seconds=seconds)) if seconds is not None else None
    return timezone(timedelta(seconds=offset)) if offset is not None else None


def _in_english(text: str) -> str | None:
    """``text`` with foreign day names dropped and month names in English; None when it has none."""
    words = _WORD.findall(text)
    changed = False
    out = _FRENCH_TIME.sub(r"\1:\2", _ORDINAL.sub("", text))
    for index, word in enumerate(words):
        key = _fold(word.rstrip("."))
        if key in _WEEKDAYS and (index == 0 or key not in _MONTH_NAMES):
            replacement = ""
        elif key in _MONTH_NAMES:
            replacement = _MONTH_NAMES[key]
        elif key in _FILLERS:
            replacement = ""
        else:
            continue
        changed = True
        out = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", f" {replacement} ", out, count=1)
    if not changed:
        return None
    # "mer, 16 nov" leaves ", 16 nov"; "16. März" leaves "16.  mar ".
    out = re.sub(r"(?<=\d)\.(?=\s+[a-z])", " ", out)
    return " ".join(out.replace(" ,", ",").split()).lstrip(", ")


def _fold(word: str) -> str:
    """Lower case; accents kept when the table has the word with them, else dropped."""
    lowered = word.casefold()
    if lowered in _MONTH_NAMES or lowered in _WEEKDAYS or lowered in _FILLERS:
        return lowered
    return "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))
