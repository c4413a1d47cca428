"""The connect-time resolver, driven with a scripted inner resolver: no sockets at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from twisted.internet.address import IPv4Address, IPv6Address

from crawler.policy.resolver import (
    OPERATOR_ENDPOINTS,
    REFUSALS,
    PolicyResolver,
    ensure_installed,
    resolve,
)


class ScriptedResolver:
    """Answers each look-up of a name with the next list of addresses in its script."""

    def __init__(self, script: dict[str, list[list[str]]]) -> None:
        self.script = script
        self.calls: list[tuple[str, int]] = []

    def resolveHostName(  # noqa: N802
        self, receiver: Any, host: str, port: int = 0, *args: Any, **kwargs: Any
    ) -> Any:
        self.calls.append((host, port))
        answers = self.script[host]
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        receiver.resolutionBegan(None)
        for text in addresses:
            receiver.addressResolved(
                IPv6Address("TCP", text, port) if ":" in text else IPv4Address("TCP", text, port)
            )
        receiver.resolutionComplete()
        return receiver


class Receiver:
    def __init__(self) -> None:
        self.addresses: list[str] = []
        self.complete = False

    def resolutionBegan(self, resolution: Any) -> None:  # noqa: N802
        pass

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        self.addresses.append(address.host)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.complete = True


@pytest.fixture(autouse=True)
def _clean_registries() -> Iterator[None]:
    OPERATOR_ENDPOINTS.clear()
    yield
    OPERATOR_ENDPOINTS.clear()


def _lookup(resolver: PolicyResolver, host: str, port: int = 80) -> Receiver:
    receiver = Receiver()
    resolver.resolveHostName(receiver, host, port)
    assert receiver.complete
    return receiver


def test_public_addresses_pass() -> None:
    resolver = PolicyResolver(None, ScriptedResolver({"news.example": [["93.184.216.34", "2606:4700::1"]]}))
    assert _lookup(resolver, "news.example").addresses == ["93.184.216.34", "2606:4700::1"]


@pytest.mark.parametrize(
    "answer",
    [
        ["127.0.0.1"],
        ["10.0.0.5"],
        ["169.254.169.254"],
        ["::ffff:127.0.0.1"],
        ["93.184.216.34", "192.168.0.1"],
    ],
)
def test_any_forbidden_address_withholds_all(answer: list[str]) -> None:
    resolver = PolicyResolver(None, ScriptedResolver({"evil.example": [answer]}))
    assert _lookup(resolver, "evil.example", 8080).addresses == []
    refusal = REFUSALS.get("evil.example", 8080)
    assert refusal is not None
    assert "evil.example resolves to" in refusal.detail


def test_rebinding_is_caught_on_the_second_answer() -> None:
    inner = ScriptedResolver({"rebind.example": [["93.184.216.34"], ["127.0.0.1"]]})
    resolver = PolicyResolver(None, inner)
    assert _lookup(resolver, "rebind.example").addresses == ["93.184.216.34"]
    assert _lookup(resolver, "rebind.example").addresses == []
    assert len(inner.calls) == 2


def test_operator_endpoints_may_be_private() -> None:
    resolver = PolicyResolver(None, ScriptedResolver({"intranet": [["10.1.2.3"]]}))
    OPERATOR_ENDPOINTS.add("INTRANET.", 8080)
    assert _lookup(resolver, "intranet", 8080).addresses == ["10.1.2.3"]
    # Same host, another port: not the operator's endpoint.
    assert _lookup(resolver, "intranet", 8081).addresses == []


def test_idn_hosts_match_in_either_spelling() -> None:
    resolver = PolicyResolver(None, ScriptedResolver({"ex\u0430mple.com": [["127.0.0.1"]]}))
    OPERATOR_ENDPOINTS.add("xn--exmple-4nf.com", 80)
    # Twisted hands the resolver the Unicode form of an IDNA host.
    assert _lookup(resolver, "ex\u0430mple.com").addresses == ["127.0.0.1"]


def test_resolve_collects_raw_answers() -> None:
    inner = ScriptedResolver({"n.example": [["127.0.0.1", "::1"]]})
    results: list[Any] = []
    resolve(inner, "n.example", 80).addCallback(results.append)
    assert [str(ip) for ip in results[0]] == ["127.0.0.1", "::1"]


class FakeReactor:
    def __init__(self, resolver: Any) -> None:
        self.nameResolver = resolver

    def installNameResolver(self, resolver: Any) -> Any:  # noqa: N802
        previous, self.nameResolver = self.nameResolver, resolver
        return previous


def test_ensure_installed_wraps_once_and_rewraps_a_replacement() -> None:
    first = ScriptedResolver({})
    reactor = FakeReactor(first)
    installed = ensure_installed(reactor)
    assert reactor.nameResolver is installed
    assert installed.inner is first
    assert ensure_installed(reactor) is installed
    # Another policy resolver built over ours unwraps it instead of stacking.
    assert PolicyResolver(reactor, installed).inner is first
    replacement = ScriptedResolver({})
    reactor.installNameResolver(replacement)
    assert ensure_installed(reactor).inner is replacement
