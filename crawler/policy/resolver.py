"""The connect-time check: a name resolver that never hands out a forbidden address.

Twisted's HTTP client resolves every host — names and IP literals alike —
through ``reactor.nameResolver`` right before connecting, and connects only
to what that resolver returns. ``PolicyResolver`` wraps the reactor's
resolver and withholds all addresses of a host when any of them is not
public, unless the host and port are a configured source's own
(``OPERATOR_ENDPOINTS``). So a name that resolved to a public address when
the middleware looked and to 127.0.0.1 at connect time (DNS rebinding)
still gets no connection: the decision is made on the very addresses the
client is about to use.

The resolver cannot see which request it resolves for, hence the
per-endpoint allow-list; the per-request rules (same origin as the source)
live in the downloader middleware. A refusal here surfaces as a DNS failure;
``REFUSALS`` keeps the reason so that ``DownloadGuardMiddleware`` can turn
it back into a ``RequestRefusedError`` naming the URL.

Both registries are process-wide because the reactor, and so the resolver,
is: every crawl in the process shares them.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Sequence
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IHostnameResolver, IResolutionReceiver
from zope.interface import implementer

from crawler.policy.addresses import IPAddress, describe, phrase, refusal_reason
from crawler.policy.urls import Refusal, canonical_host

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

Endpoint = tuple[str, int]
# Twisted's resolver interfaces are zope interfaces, which mypy cannot check
# without a plugin: resolvers, receivers and addresses are typed as Any.
Resolver = Any
Receiver = Any


class EndpointSet:
    """Host and port pairs (canonical host) that may resolve to any address."""

    def __init__(self) -> None:
        self._endpoints: set[Endpoint] = set()

    def add(self, host: str, port: int) -> None:
        self._endpoints.add((canonical_host(host), port))

    def __contains__(self, endpoint: object) -> bool:
        if not isinstance(endpoint, tuple) or len(endpoint) != 2:
            return False
        host, port = endpoint
        return (canonical_host(str(host)), port) in self._endpoints

    def clear(self) -> None:
        self._endpoints.clear()


class RefusalLog:
    """The latest connect-time refusal per endpoint, bounded."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._entries: OrderedDict[Endpoint, Refusal] = OrderedDict()

    def record(self, host: str, port: int, refusal: Refusal) -> None:
        key = (canonical_host(host), port)
        self._entries[key] = refusal
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def forget(self, host: str, port: int) -> None:
        self._entries.pop((canonical_host(host), port), None)

    def get(self, host: str, port: int) -> Refusal | None:
        return self._entries.get((canonical_host(host), port))


OPERATOR_ENDPOINTS = EndpointSet()
REFUSALS = RefusalLog()


def judge_addresses(host: str, addresses: Sequence[IPAddress], *, connecting: bool = False) -> Refusal | None:
    """The refusal for a host resolving to ``addresses``: one bad address spoils them all."""
    for ip in addresses:
        code = refusal_reason(ip)
        if code is None:
            continue
        if canonical_host(host) == str(ip):
            detail = describe(ip, code)
        else:
            detail = f"{host} resolves to {ip}, {phrase(code)}"
        return Refusal(code, detail + (" (found when connecting)" if connecting else ""))
    return None


@implementer(IHostnameResolver)
class PolicyResolver:
    """Wraps the reactor's name resolver; usable as Scrapy's ``TWISTED_DNS_RESOLVER``."""

    def __init__(self, reactor: Any, inner: Resolver) -> None:
        self.reactor = reactor
        self.inner: Resolver = inner.inner if isinstance(inner, PolicyResolver) else inner

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> Self:
        return cls(reactor, reactor.nameResolver)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(  # noqa: N802 - Twisted's interface
        self,
        resolutionReceiver: Receiver,  # noqa: N803
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Sequence[type[Any]] | None = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> Receiver:
        gate = _Gate(resolutionReceiver, hostName, portNumber)
        self.inner.resolveHostName(gate, hostName, portNumber, addressTypes, transportSemantics)
        return resolutionReceiver


def ensure_installed(reactor: Any) -> PolicyResolver:
    """The policy resolver on ``reactor``, installed over whatever resolver is there.

    Called before every request: something (``CrawlerProcess`` start-up, a
    test) may have installed another resolver since the last one.
    """
    current = reactor.nameResolver
    if isinstance(current, PolicyResolver):
        return current
    resolver = PolicyResolver(reactor, current)
    resolver.install_on_reactor()
    return resolver


def resolve(resolver: Resolver, host: str, port: int) -> Deferred[list[IPAddress]]:
    """All addresses ``host`` resolves to, through ``resolver``."""
    result: Deferred[list[IPAddress]] = Deferred()
    resolver.resolveHostName(_Collector(result), host, port)
    return result


@implementer(IResolutionReceiver)
class _Gate:
    """Holds the addresses back until all are known, then passes all or none."""

    def __init__(self, receiver: Receiver, host: str, port: int) -> None:
        self._receiver = receiver
        self._host = host
        self._port = port
        self._addresses: list[Any] = []

    def resolutionBegan(self, resolutionInProgress: Any) -> None:  # noqa: N802, N803
        self._receiver.resolutionBegan(resolutionInProgress)

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        self._addresses.append(address)

    def resolutionComplete(self) -> None:  # noqa: N802
        refusal = self._judge()
        if refusal is None:
            REFUSALS.forget(self._host, self._port)
            for address in self._addresses:
                self._receiver.addressResolved(address)
        else:
            REFUSALS.record(self._host, self._port, refusal)
            logger.debug("Resolver withheld %s:%s: %s", self._host, self._port, refusal.detail)
        self._receiver.resolutionComplete()

    def _judge(self) -> Refusal | None:
        if (self._host, self._port) in OPERATOR_ENDPOINTS:
            return None
        try:
            addresses = [_ip_of(address) for address in self._addresses]
        except ValueError:
            return Refusal("invalid-address", f"{self._host} resolved to something that is not an IP address")
        return judge_addresses(self._host, addresses, connecting=True)


@implementer(IResolutionReceiver)
class _Collector:
    def __init__(self, result: Deferred[list[IPAddress]]) -> None:
        self._result = result
        self._addresses: list[IPAddress] = []

    def resolutionBegan(self, resolutionInProgress: Any) -> None:  # noqa: N802, N803
        pass

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        # Anything that is not an IP address cannot be judged: say so rather than drop it.
        try:
            self._addresses.append(_ip_of(address))
        except ValueError:
            self._addresses.append(ip_address("0.0.0.0"))

    def resolutionComplete(self) -> None:  # noqa: N802
        if not self._result.called:
            self._result.callback(self._addresses)


def _ip_of(address: Any) -> IPAddress:
    # Twisted's IPv4Address/IPv6Address carry the text in ``host``; an IPv6
    # scope ("fe80::1%eth0") is part of it and ipaddress accepts it.
    return ip_address(getattr(address, "host", ""))
