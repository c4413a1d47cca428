"""How one corpus file is judged: feedparser's ``Expect:`` cases, Miniflux's encodings, gofeed's JSON."""

from __future__ import annotations

import builtins
import codecs
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser

from benchmarks.corpus_allowed import ALLOWED
from crawler.encoding import decode_feed
from crawler.errors import NotAFeedError
from crawler.feeds import ParsedFeed, RawFeed, build_feed, read_feed

__all__ = ["ALLOWED", "Check", "check_feedparser_case", "check_gofeed_case", "check_miniflux_case"]

HARNESS_URL = "http://127.0.0.1:8097/"  # where feedparser's harness serves its ``http`` cases


@dataclass(frozen=True)
class Check:
    path: str  # relative to the corpora folder
    outcome: str  # ok | allowed | mismatch | exception | n.a.
    detail: str = ""


# feedparser/ ---------------------------------------------------------------------------------

_EXPECT = re.compile(r"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->")
_HEADER = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
# First-level keys of feed / entries[i] that newsmon stores, with FeedParserDict's aliases of them.
_STORED = (
    r"title|link|links|updated|updated_parsed|published|published_parsed|created|created_parsed"
    r"|modified|modified_parsed|issued|issued_parsed|date|date_parsed"
)
_CONCERNS_STORED = re.compile(
    rf"""(?:\bfeed|\bentries\[\d+\])(?:\.(?:{_STORED})\b|\[['"](?:{_STORED})['"]\])"""
)
_CONCERNS_ENCODING = re.compile(r"(?<![.'\"\w])encoding\b|CharacterEncoding")
_CONCERNS_TEXT = re.compile(r"\b(?:feed|entries)\b")
_WIDE = (
    (b"\x00\x00\xfe\xff", "utf-32be", 4),
    (b"\xff\xfe\x00\x00", "utf-32le", 4),
    (b"\x00\x00\x00\x3c", "utf-32be", 0),
    (b"\x3c\x00\x00\x00", "utf-32le", 0),
    (b"\x00\x3c\x00\x3f", "utf-16be", 0),
    (b"\x3c\x00\x3f\x00", "utf-16le", 0),
)


def check_feedparser_case(relative: str, body: bytes) -> Check:
    text = _case_text(body)
    headers = {name.strip(): value.strip() for name, value in _HEADER.findall(text)}
    served = "http" in relative.rsplit("/", 1)[-1] or "/http/" in relative
    url = HARNESS_URL + relative.split("/", 1)[1] if served else ""
    if served and not any(name.lower() == "content-type" for name in headers):
        headers["Content-type"] = "text/xml"  # what feedparser's harness serves by default
    rejected = raw = None
    try:
        raw = read_feed(body, url, headers)
        build_feed(raw, url)
    except NotAFeedError as exc:
        rejected = str(exc)
    match = _EXPECT.search(text)
    if match is None:
        return Check(relative, "n.a.", "no Expect: line")
    expression = match.group(2).strip()
    if not _relevant(relative, expression):
        return Check(relative, "n.a.", expression)
    if raw is None:
        return _judged(relative, False, f"{expression} — rejected: {rejected}")
    try:
        held = bool(eval(expression, {"feedparser": feedparser, "__builtins__": builtins}, _env(raw, url)))
    except Exception as exc:  # noqa: BLE001 - a failing expression is a mismatch, not newsmon's exception
        return _judged(relative, False, f"{expression} — {type(exc).__name__}: {exc}")
    return _judged(relative, held, expression)


def _relevant(relative: str, expression: str) -> bool:
    if _CONCERNS_STORED.search(expression) or _CONCERNS_ENCODING.search(expression):
        return True
    # In the encoding cases, any text of the feed tests how its bytes were decoded.
    return "/encoding/" in relative and _CONCERNS_TEXT.search(expression) is not None


def _judged(relative: str, held: bool, detail: str) -> Check:
    if held:
        return Check(relative, "ok", detail)
    if relative in ALLOWED:
        return Check(relative, "allowed", f"{ALLOWED[relative]} [{detail}]")
    return Check(relative, "mismatch", detail)


def _case_text(body: bytes) -> str:
    """The case's own comment, readable whatever its encoding (as feedparser's harness reads it)."""
    for marker, encoding, skip in _WIDE:
        if body.startswith(marker):
            return body[skip:].decode(encoding, "ignore")
    for bom, encoding in ((codecs.BOM_UTF16_BE, "utf-16be"), (codecs.BOM_UTF16_LE, "utf-16le")):
        if body.startswith(bom):
            return body[2:].decode(encoding, "ignore")
    return body.decode("utf-8", "ignore")


def _env(raw: RawFeed, url: str) -> Any:
    """What an ``Expect:`` expression sees: feedparser's result, or the JSON Feed in its shape."""
    if raw.xml is not None:
        return raw.xml
    parsed = build_feed(raw, url)
    entries = [
        feedparser.FeedParserDict(
            title=e.title,
            link=e.link,
            id=e.guid,
            summary=e.summary,
            published_parsed=e.published.timetuple() if e.published else None,
            updated_parsed=e.updated.timetuple() if e.updated else None,
        )
        for e in parsed.entries
    ]
    feed = feedparser.FeedParserDict(title=parsed.title, link=parsed.link, language=parsed.language)
    return feedparser.FeedParserDict(
        bozo=bool(parsed.bozo),
        encoding=raw.decoded.encoding,
        version=parsed.version,
        feed=feed,
        entries=entries,
    )


# miniflux-encodings/ -------------------------------------------------------------------------

_MINIFLUX = "miniflux-encodings/internal/reader/"
# What each document must read as once decoded (all strings present).
CORPUS_TEXT: dict[str, tuple[str, ...]] = {
    "encoding/testdata/invalid-prolog.xml": ("테스트 피드", "Café"),
    "encoding/testdata/iso-8859-1.xml": ("Café",),  # its "Présentation" is a description, not stored
    "encoding/testdata/koi8r.xml": ("Пример RSS ленты", "Первая новость", "Вторая новость"),
    "encoding/testdata/utf8-incorrect-prolog.xml": ("테스트 피드", "Café"),
    "encoding/testdata/utf8.xml": ("테스트 피드", "Café"),
    "encoding/testdata/windows-1252-incorrect-prolog.xml": ("Euro €",),
    "encoding/testdata/windows-1252.xml": ("Euro €",),
    "parser/testdata/encoding_ISO-8859-1.xml": ("Golem.de", "wünschen", "für", "Übertragungen"),
    "parser/testdata/encoding_WINDOWS-1251.xml": ("Цитата #17703",),
    "parser/testdata/no_encoding_ISO-8859-1.xml": ("Le Cercle Psy", "d'études", "être", "très", "étudiants"),
    "parser/testdata/urdu_UTF8.xml": ("پاکستان",),
    "parser/testdata/rdf_UTF8.xml": ("Vorsichtsmaßnahmen",),
    "xml/testdata/iso88591.xml": ("Anaïs", "Jürgen"),
    "xml/testdata/iso88591_utf8_mismatch.xml": ("Anaïs", "Jürgen"),
    "xml/testdata/koi8r.xml": ("Пример RSS ленты", "Первая новость"),
}
# UTF-8 read as windows-1252 or Latin-1 ("Ã©", "â‚¬", "Ð\x9f"), or bytes that were replaced.
_MOJIBAKE = re.compile("Ã[\u0080-\u00bf]|â€|Ð[\u0080-\u00bf]|\ufffd")


def check_miniflux_case(relative: str, body: bytes) -> Check:
    url = f"http://example.org/{relative.rsplit('/', 1)[-1]}"
    try:
        feed: ParsedFeed | None = build_feed(read_feed(body, url), url)
        text = _feed_text(feed) if feed else ""
    except NotAFeedError as exc:
        feed, text = None, ""
        if relative.endswith(".html"):
            held = "HTML page" in str(exc) and url in str(exc)
            return Check(relative, "ok" if held else "mismatch", str(exc))
        # Not a feed (Miniflux's XML reader tests): the decoding itself must still read right.
        text, rejected = decode_feed(body).text, str(exc)
    else:
        rejected = ""
    if relative.endswith(".html"):
        return Check(relative, "mismatch", "an HTML page was read as a feed")
    wanted = CORPUS_TEXT.get(relative.removeprefix(_MINIFLUX), ())
    missing = [w for w in wanted if w not in text]
    garbled = _MOJIBAKE.findall(text)
    if feed is not None and not feed.entries and not feed.title:
        return Check(relative, "mismatch", "a feed with neither title nor entries")
    if missing or garbled:
        return Check(relative, "mismatch", f"missing {missing}, garbled {sorted(set(garbled))[:5]}")
    return Check(relative, "ok", rejected or f"{len(wanted)} strings read correctly")


def _feed_text(feed: ParsedFeed) -> str:
    parts = [feed.title]
    for entry in feed.entries:
        parts += [entry.title, entry.summary, entry.content]
    return "\n".join(parts)


# gofeed-json/ --------------------------------------------------------------------------------


def check_gofeed_case(relative: str, path: Path) -> Check:
    url = f"http://example.org/{path.name}"
    body = path.read_bytes()
    if "/invalid/" in f"/{relative}":
        try:
            read_feed(body, url, {"content-type": "application/feed+json"})
        except NotAFeedError as exc:
            held = url in str(exc)
            return Check(relative, "ok" if held else "mismatch", str(exc))
        return Check(relative, "mismatch", "invalid JSON Feed accepted")
    feed = build_feed(read_feed(body, url, {"content-type": "application/feed+json"}), url)
    expected_path = path.with_name(path.stem + "_expected.json")
    if not expected_path.exists():
        held = bool(feed.entries) and all(e.title and e.link for e in feed.entries)
        return Check(relative, "ok" if held else "mismatch", f"{len(feed.entries)} entries, no expected file")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    wrong = [f"{name}: {got!r} != {want!r}" for name, want, got in _json_pairs(expected, feed) if want != got]
    return Check(relative, "mismatch" if wrong else "ok", "; ".join(wrong) or "as expected")


def _json_pairs(expected: dict[str, Any], feed: ParsedFeed) -> list[tuple[str, object, object]]:
    version = "json11" if str(expected.get("version", "")).rstrip("/").endswith("1.1") else "json10"
    pairs: list[tuple[str, object, object]] = [
        ("title", expected.get("title", ""), feed.title),
        ("link", expected.get("home_page_url"), feed.link),
        ("version", version, feed.version),
        ("entries", len(expected.get("items", [])), len(feed.entries)),
    ]
    for i, (item, entry) in enumerate(zip(expected.get("items", []), feed.entries, strict=False)):
        pairs += [
            (f"items[{i}].title", item.get("title", ""), entry.title),
            (f"items[{i}].url", item.get("url") or item.get("external_url"), entry.link),
            (f"items[{i}].id", item.get("id"), entry.guid),
            (f"items[{i}].summary", item.get("summary", ""), entry.summary),
            (f"items[{i}].date_published", _date(item.get("date_published")), entry.published),
            (f"items[{i}].date_modified", _date(item.get("date_modified")), entry.updated),
            (f"items[{i}].authors", _names(item) or _names(expected), entry.authors),
        ]
    return pairs


def _date(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if value else None


def _names(obj: dict[str, Any]) -> tuple[str, ...]:
    people = obj.get("authors") or ([obj["author"]] if obj.get("author") else [])
    return tuple(p["name"] for p in people if p.get("name"))
