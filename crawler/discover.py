"""Feed autodiscovery: the feeds a page advertises, each verified by fetching and parsing it.

Fetched through Scrapy's downloader with the crawler's own settings, so a
one-shot ``newsmon sources discover URL`` gets what crawls get: the page is
the operator's URL (trusted); the feeds it names are discovered URLs, so
the address policy applies (a public address, or the page's own origin),
and so do the body cap, the timeout (at most 30 s), the redirect cap and
robots.txt.

Candidates, in order: the page's ``<link rel="alternate">`` elements with a
feed type (RSS, Atom, JSON Feed). Only when the page advertises none, the
usual places on its site (``FALLBACK_PATHS``). Each is kept if
``crawler.feeds.parse_feed`` reads it. A URL that is itself a feed is
reported as such.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import AsyncCrawlerRunner, Crawler
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import Settings
from scrapy.utils.response import get_base_url
from twisted.python.failure import Failure

from crawler import settings as default_settings
from crawler.errors import DiscoveryError, NotAFeedError
from crawler.feeds import ParsedFeed, parse_feed
from crawler.policy import describe_failure, discovered_request_meta, trusted_request_meta
from crawler.reactor import run
from crawler.urls import resolve

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)
FALLBACK_PATHS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json")
MAX_CANDIDATES = 20  # a page advertising more is a tag cloud: the first ones are the site's own
MAX_TIMEOUT = 30.0

# A look-up, not a crawl: nothing is stored, no source is recorded.
_DISCOVERY_SETTINGS: dict[str, Any] = {
    "ITEM_PIPELINES": {},
    "EXTENSIONS": {"crawler.extensions.FetchRecorder": None},
    "RETRY_TIMES": 1,
    "LOG_LEVEL": "ERROR",
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
}


@dataclass(frozen=True)
class FoundFeed:
    title: str
    url: str  # where the feed answered, after redirects
    type: str  # rss | rdf | atom | json
    version: str  # feedparser's ("rss20", "atom10", ...) or "json10" / "json11"
    entries: int
    advertised: bool  # named by the page (else found at one of the usual places)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Discovery:
    url: str
    feeds: tuple[FoundFeed, ...] = ()
    # Advertised candidates that are no feed or could not be fetched, one sentence each.
    problems: tuple[str, ...] = ()
    error: str | None = None  # the page itself could not be fetched


def discover(url: str, settings: Mapping[str, Any] | None = None) -> Discovery:
    """``discover_feeds`` for a one-shot command: runs the reactor's loop until done."""
    check_url(url)
    return run(lambda: discover_feeds(url, settings))


async def discover_feeds(url: str, settings: Mapping[str, Any] | None = None) -> Discovery:
    """The feeds of the page at ``url``; on the reactor's loop (crawler.reactor)."""
    check_url(url)
    crawler_settings = Settings()
    crawler_settings.setmodule(default_settings, priority="project")
    crawler_settings.update(dict(settings or {}), priority="cmdline")
    crawler_settings.update(_DISCOVERY_SETTINGS, priority="cmdline")
    timeout = crawler_settings.getfloat("DOWNLOAD_TIMEOUT")
    crawler_settings.set("DOWNLOAD_TIMEOUT", min(timeout, MAX_TIMEOUT) if timeout > 0 else MAX_TIMEOUT)
    crawler = Crawler(DiscoverySpider, crawler_settings)
    await AsyncCrawlerRunner(crawler_settings).crawl(crawler, url=url)
    spider = crawler.spider
    assert isinstance(spider, DiscoverySpider)
    return spider.result()


def check_url(url: str) -> None:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise DiscoveryError(f"{url!r} is not an http(s) URL: give the address of a web page or a feed")


@dataclass
class _Candidate:
    url: str
    raw: str  # as written in the page, for the address policy
    advertised: bool
    rank: int
    title: str = ""


class DiscoverySpider(scrapy.Spider):
    """One page, then its candidate feeds. Not in crawler.spiders: no source type is behind it."""

    name = "discover"

    def __init__(self, *args: Any, url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url = url
        self.found: dict[str, tuple[int, FoundFeed]] = {}
        self.problems: list[str] = []
        self.error: str | None = None

    def result(self) -> Discovery:
        feeds = tuple(feed for _, feed in sorted(self.found.values(), key=lambda pair: pair[0]))
        return Discovery(self.url, feeds, tuple(self.problems), self.error)

    async def start(self) -> Any:
        yield Request(
            self.url,
            callback=self.parse_page,
            errback=self.page_failed,
            dont_filter=True,
            meta=trusted_request_meta(),
        )

    def parse_page(self, response: Response) -> Iterator[Request]:
        feed = _feed_or_none(response)
        if feed is not None:  # the operator gave a feed's own URL
            self._keep(response, feed, _Candidate(response.url, response.url, advertised=True, rank=0))
            return
        if not isinstance(response, TextResponse):
            self.error = f"{response.url} is neither a web page nor a feed"
            return
        candidates = _advertised(response) or _fallbacks(response.url)
        for candidate in candidates[:MAX_CANDIDATES]:
            yield Request(
                candidate.url,
                callback=self.parse_candidate,
                errback=self.candidate_failed,
                meta=discovered_request_meta(response.url, candidate.raw),
                cb_kwargs={"candidate": candidate},
            )

    def page_failed(self, failure: Failure) -> None:
        self.error = describe_failure(failure)

    def parse_candidate(self, response: Response, candidate: _Candidate) -> None:
        try:
            feed = parse_feed(response.body, response.url, _headers(response))
        except NotAFeedError as exc:
            if candidate.advertised:
                self.problems.append(f"advertised {exc}")
            return
        self._keep(response, feed, candidate)

    def candidate_failed(self, failure: Failure) -> None:
        candidate: _Candidate = failure.request.cb_kwargs["candidate"]  # type: ignore[attr-defined]
        if candidate.advertised:
            self.problems.append(describe_failure(failure))

    def _keep(self, response: Response, feed: ParsedFeed, candidate: _Candidate) -> None:
        if response.url in self.found:  # /feed redirected to /feed.xml, which is a candidate too
            return
        self.found[response.url] = (
            candidate.rank,
            FoundFeed(
                title=feed.title or candidate.title,
                url=response.url,
                type=_kind(feed.version),
                version=feed.version,
                entries=len(feed.entries),
                advertised=candidate.advertised,
            ),
        )


def _advertised(response: TextResponse) -> list[_Candidate]:
    base = get_base_url(response)
    candidates: list[_Candidate] = []
    seen: set[str] = set()
    for link in response.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").split(";")[0].strip().lower()
        href = link.attrib["href"].strip()
        url = resolve(base, href)
        if "alternate" not in rel or kind not in FEED_TYPES or url is None or url in seen:
            continue
        seen.add(url)
        title = " ".join((link.attrib.get("title") or "").split())
        candidates.append(_Candidate(url, href, advertised=True, rank=len(candidates), title=title))
    return candidates


def _fallbacks(page_url: str) -> list[_Candidate]:
    candidates: list[_Candidate] = []
    for rank, path in enumerate(FALLBACK_PATHS):
        url = resolve(page_url, path)
        if url is not None:
            candidates.append(_Candidate(url, url, advertised=False, rank=MAX_CANDIDATES + rank))
    return candidates


def _feed_or_none(response: Response) -> ParsedFeed | None:
    content_type = (response.headers.get("Content-Type") or b"").decode("latin-1").lower()
    if "html" in content_type:
        return None
    try:
        return parse_feed(response.body, response.url, _headers(response))
    except NotAFeedError:
        return None


def _headers(response: Response) -> dict[str, str] | None:
    content_type = response.headers.get("Content-Type")
    return {"content-type": content_type.decode("latin-1")} if content_type else None


def _kind(version: str) -> str:
    if version.startswith("atom"):
        return "atom"
    if version.startswith("json"):
        return "json"
    if version in ("rss090", "rss10"):
        return "rdf"
    return "rss"
