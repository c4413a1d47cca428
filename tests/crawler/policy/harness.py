"""Run one small Scrapy crawl with newsmon's policy settings, in a process of its own.

    python -m tests.crawler.policy.harness SPEC.json OUT.json

The spec lists requests (``id``, ``url``, ``kind``: trusted | discovered |
plain, optional ``source``, ``raw``, ``follow``, ``meta``, and ``then``:
requests to send once this one has finished), Scrapy setting
overrides, a fake DNS (``dns``: name -> list of answers, one per look-up,
the last one repeated), ``runner``: ``async`` (AsyncCrawlerRunner, as
the daemon runs crawls) or ``process`` (CrawlerProcess, as ``scrapy
crawl`` does, with the policy resolver installed by TWISTED_DNS_RESOLVER),
and ``stop_when``: a stat; once the crawl has counted it, the crawl is
stopped as the daemon stops it on SIGTERM (``async`` runner only).

Two guards keep the test honest: no real DNS (names not in ``dns`` do not
resolve) and no TCP connection to anything but 127.0.0.1 — any other
attempt is refused here and reported in ``connect_attempts``.

The output has one result per request (callback or errback, with
``describe_failure``'s sentence), the crawl's stats, the peak RSS, and
when the stop was asked for and the crawl ended (``stopped_at``,
``finished_at``: ``time.monotonic()``, which the test process shares).
"""

from __future__ import annotations

import asyncio
import json
import resource
import socket
import sys
import time
from collections.abc import AsyncIterator, Iterator
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from scrapy.utils.reactor import install_reactor

install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

from scrapy import Request, Spider, signals  # noqa: E402
from scrapy.http import Response  # noqa: E402
from twisted.internet import reactor  # noqa: E402
from twisted.internet.address import IPv4Address, IPv6Address  # noqa: E402
from twisted.python.failure import Failure  # noqa: E402

from crawler.policy import (  # noqa: E402
    SETTINGS,
    describe_failure,
    discovered_request_meta,
    trusted_request_meta,
)

CONNECT_ATTEMPTS: list[list[Any]] = []


class FakeDNS:
    """Scripted answers per name; literals (inet_aton forms too) resolve to themselves."""

    def __init__(self, script: dict[str, list[list[str]]]) -> None:
        self.script = {name: list(answers) for name, answers in script.items()}
        self.lookups: list[str] = []

    def resolveHostName(  # noqa: N802
        self,
        receiver: Any,
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        self.lookups.append(hostName)
        receiver.resolutionBegan(None)
        for text in self._answer(hostName):
            kind = IPv6Address if ip_address(text).version == 6 else IPv4Address
            receiver.addressResolved(kind("TCP", text, portNumber))
        receiver.resolutionComplete()
        return receiver

    def _answer(self, host: str) -> list[str]:
        try:
            return [str(ip_address(host.strip("[]")))]
        except ValueError:
            pass
        try:
            return [socket.inet_ntoa(socket.inet_aton(host))]
        except OSError:
            pass
        answers = self.script.get(host.lower())
        if not answers:
            return []
        return answers.pop(0) if len(answers) > 1 else answers[0]


def _guard_connections() -> None:
    original = reactor.connectTCP  # type: ignore[attr-defined]

    def connect_tcp(host: str, port: int, factory: Any, timeout: float = 30, bindAddress: Any = None) -> Any:  # noqa: N803
        CONNECT_ATTEMPTS.append([host, port])
        if host != "127.0.0.1":
            raise ConnectionRefusedError(f"test guard: no connection to {host}:{port}")
        return original(host, port, factory, timeout, bindAddress)

    reactor.connectTCP = connect_tcp  # type: ignore[attr-defined]


class HarnessSpider(Spider):
    name = "policy-harness"

    def __init__(self, spec: dict[str, Any], results: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec
        self.results = results

    async def start(self) -> AsyncIterator[Request]:
        for item in self.spec["requests"]:
            for request in self._requests(item):
                yield request

    def _requests(self, item: dict[str, Any]) -> Iterator[Request]:
        kind = item.get("kind", "trusted")
        meta: dict[str, Any] = {"id": item["id"], "started": time.monotonic(), **item.get("meta", {})}
        if kind == "trusted":
            meta.update(trusted_request_meta())
        elif kind == "discovered":
            meta.update(discovered_request_meta(item["source"], raw_url=item.get("raw")))
        else:
            meta["is_start_request"] = False
        meta["follow"] = item.get("follow", False)
        meta["then"] = item.get("then", [])
        yield Request(
            item["url"],
            callback=self.parsed,
            errback=self.failed,
            meta=meta,
            dont_filter=True,
            priority=item.get("priority", 0),
        )

    def parsed(self, response: Response) -> Iterator[Request]:
        meta = response.meta
        self._record(meta, ok=True, status=response.status, bytes=len(response.body), url=response.url)
        for item in meta["then"]:
            yield from self._requests(item)
        if not meta.get("follow"):
            return
        source = (meta.get("redirect_urls") or [response.url])[0]
        for line in response.text.splitlines():
            if line.startswith("LINK "):
                raw = line.removeprefix("LINK ")
                item = {"id": raw, "url": raw, "kind": "discovered", "source": source, "raw": raw}
                yield from self._requests(item)

    def failed(self, failure: Failure) -> Iterator[Request]:
        request = failure.request  # type: ignore[attr-defined]
        self._record(
            request.meta,
            ok=False,
            error=describe_failure(failure),
            error_type=type(failure.value).__name__,
            url=request.url,
        )
        for item in request.meta["then"]:
            yield from self._requests(item)

    def _record(self, meta: dict[str, Any], **fields: Any) -> None:
        elapsed = time.monotonic() - meta["started"]
        self.results.append({"id": meta["id"], "elapsed": round(elapsed, 3), **fields})


def _peak_rss_mb() -> float:
    # VmHWM belongs to this process image; ru_maxrss would also count the forking parent's peak.
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _settings(spec: dict[str, Any]) -> dict[str, Any]:
    settings = {
        **SETTINGS,
        "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "ROBOTSTXT_OBEY": False,
        "RETRY_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "DNSCACHE_ENABLED": False,
    }
    settings.update(spec.get("settings", {}))
    return settings


def main(spec_path: str, out_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    results: list[dict[str, Any]] = []
    stats: dict[str, Any] = {}
    dns = FakeDNS(spec.get("dns", {}))
    reactor.installNameResolver(dns)  # type: ignore[attr-defined]
    _guard_connections()
    started = time.monotonic()
    stopped_at: list[float] = []
    baseline_rss = _peak_rss_mb()

    if spec.get("runner", "async") == "process":
        from scrapy.crawler import CrawlerProcess

        process = CrawlerProcess(_settings(spec))
        crawler = process.create_crawler(HarnessSpider)
        process.crawl(crawler, spec=spec, results=results)
        process.start()
    else:
        from scrapy.crawler import AsyncCrawlerRunner
        from scrapy.utils.log import configure_logging

        configure_logging(_settings(spec))
        runner = AsyncCrawlerRunner(_settings(spec))
        crawler = runner.create_crawler(HarnessSpider)

        async def crawl() -> None:
            try:
                await runner.crawl(crawler, spec=spec, results=results)
            finally:
                reactor.stop()  # type: ignore[attr-defined]

        loop = reactor._asyncioEventloop  # type: ignore[attr-defined]
        reactor.callWhenRunning(lambda: loop.create_task(crawl()))  # type: ignore[attr-defined]
        # Scrapy ignores a stop while the spider is still opening (over a second on a loaded
        # machine): the stop waits for the engine, as CrawlService.stop does.
        engine_started = asyncio.Event()

        def on_engine_started() -> None:
            engine_started.set()

        crawler.signals.connect(on_engine_started, signal=signals.engine_started)

        async def stop(when: str) -> None:
            # Stopped on an event of the crawl, never after a delay: a loaded machine may not have
            # sent the first request by then.
            await engine_started.wait()
            while not (crawler.stats and crawler.stats.get_value(when)):  # noqa: ASYNC110 - stats send no signal
                await asyncio.sleep(0.05)
            stopped_at.append(time.monotonic())
            # As the daemon does on SIGTERM: stop the crawl, let it close cleanly.
            await crawler.stop_async()

        if "stop_when" in spec:
            reactor.callWhenRunning(lambda: loop.create_task(stop(spec["stop_when"])))  # type: ignore[attr-defined]
        reactor.run(installSignalHandlers=False)  # type: ignore[attr-defined]

    finished_at = time.monotonic()
    assert crawler.stats is not None
    stats = {
        key: str(value) if not isinstance(value, int | float) else value
        for key, value in crawler.stats.get_stats().items()
    }
    output = {
        "results": results,
        "stats": stats,
        "connect_attempts": CONNECT_ATTEMPTS,
        "dns_lookups": dns.lookups,
        "maxrss_mb": _peak_rss_mb(),
        "rss_growth_mb": round(_peak_rss_mb() - baseline_rss, 1),
        "elapsed": round(finished_at - started, 3),
        "stopped_at": stopped_at[0] if stopped_at else None,
        "finished_at": finished_at,
        "resolver": type(reactor.nameResolver).__name__,  # type: ignore[attr-defined]
    }
    Path(out_path).write_text(json.dumps(output, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
