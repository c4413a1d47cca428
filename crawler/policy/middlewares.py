"""The address policy as a downloader middleware: judge each URL before it is fetched.

Runs before every other downloader middleware (robots.txt included) and on
every redirect hop, since Scrapy sends a redirected request through the
whole chain again. Per request:

1. the URL's form (``urls.parse_target``) — refused for everyone;
2. a trusted request (the operator's URL) passes, and its host and port
   join ``OPERATOR_ENDPOINTS`` so the connect-time resolver lets them be
   private;
3. a discovered request passes when it goes to its source's own host and
   port, or to a public literal IP, or to a name whose addresses are all
   public right now. The name is looked up here to refuse early and
   clearly; ``PolicyResolver`` checks again on the addresses actually
   connected to.

Settings: ``NEWSMON_TRUST_START_REQUESTS`` (default True) treats requests
from the spider's ``start()`` without newsmon meta as trusted;
``DNS_TIMEOUT`` bounds the early look-up (and ``DOWNLOAD_TIMEOUT`` too).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.request import getproxies

from scrapy.utils.defer import maybe_deferred_to_future

from crawler.policy.errors import PolicyConfigError
from crawler.policy.meta import RAW_URL, Provenance, origin_of, provenance
from crawler.policy.outcomes import refuse
from crawler.policy.resolver import (
    OPERATOR_ENDPOINTS,
    PolicyResolver,
    ensure_installed,
    judge_addresses,
    resolve,
)
from crawler.policy.urls import Refusal, Target, UrlRefusedError, check_raw_url, parse_target

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

    from crawler.policy.addresses import IPAddress

logger = logging.getLogger(__name__)


class AddressPolicyMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("TWISTED_REACTOR_ENABLED", True):
            raise PolicyConfigError(
                "the address policy checks addresses in Twisted's resolver and needs the Twisted reactor; "
                "set TWISTED_REACTOR_ENABLED = True"
            )
        self.crawler = crawler
        self.trust_start_requests = settings.getbool("NEWSMON_TRUST_START_REQUESTS", True)
        self.lookup_timeout = min(
            settings.getfloat("DNS_TIMEOUT", 60), settings.getfloat("DOWNLOAD_TIMEOUT", 180)
        )
        # A proxy from the environment is the operator's choice like a source URL.
        for scheme, proxy in getproxies().items():
            if scheme in ("http", "https"):
                _, host, port = origin_of(proxy if "://" in proxy else f"http://{proxy}")
                OPERATOR_ENDPOINTS.add(host, port)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        from twisted.internet import reactor

        resolver = ensure_installed(reactor)
        refusal = await self._judge(request, resolver)
        if refusal is not None:
            refuse(self.crawler, request, refusal)

    async def _judge(self, request: Request, resolver: PolicyResolver) -> Refusal | None:
        try:
            target = parse_target(request.url)
        except UrlRefusedError as refused:
            return refused.refusal
        raw = request.meta.get(RAW_URL)
        if isinstance(raw, str) and (refusal := check_raw_url(raw)) is not None:
            return refusal
        seen = provenance(request.meta, trust_start_requests=self.trust_start_requests)
        if seen.trusted:
            OPERATOR_ENDPOINTS.add(target.host, target.port)
            return None
        if seen.own is not None:
            OPERATOR_ENDPOINTS.add(seen.own[1], seen.own[2])
        if _allowed_endpoint(target, seen):
            return None
        if target.ip is not None:
            return judge_addresses(target.host, [target.ip])
        return await self._judge_name(target, resolver)

    async def _judge_name(self, target: Target, resolver: PolicyResolver) -> Refusal | None:
        from twisted.internet import reactor

        lookup = resolve(resolver.inner, target.host, target.port)
        lookup.addTimeout(self.lookup_timeout, reactor)
        try:
            addresses: list[IPAddress] = await maybe_deferred_to_future(lookup)
        except Exception as error:  # noqa: BLE001 - any look-up failure: the connect-time check decides
            logger.debug(
                "Early look-up of %s failed (%s); the connect-time check decides", target.host, error
            )
            return None
        return judge_addresses(target.host, addresses)


def _allowed_endpoint(target: Target, seen: Provenance) -> bool:
    """Whether ``target`` is the request's own source endpoint (any configured one when unknown)."""
    if seen.own is not None:
        return target.endpoint == (seen.own[1], seen.own[2])
    return target.endpoint in OPERATOR_ENDPOINTS
