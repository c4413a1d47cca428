"""Scrapy crawls against 127.0.0.1: refused URLs never open a connection.

Every forbidden URL points at a canary listener on 127.0.0.1 (or at an
address the harness's connection guard would block); the canary must see
no connection at all, and each refusal must reach the errback as one
sentence naming the URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.crawler.policy.crawl import CrawlResult, run_crawl
from tests.crawler.policy.servers import Canary, Site


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with Site() as server:
        yield server


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    with Canary() as server:
        yield server


def _feed(site: Site, links: list[str], host: str = "127.0.0.1") -> str:
    return site.url("/feed?links=" + quote("|".join(links), safe=""), host=host)


def _redirect(site: Site, to: str) -> str:
    return site.url("/redirect?to=" + quote(to, safe=""))


FORBIDDEN = {
    # link template (PC = canary port) -> reason code counted in stats
    "http://127.0.0.1:{PC}/": "loopback",  # loopback, another port than the source's
    "http://127.0.0.2:{PC}/": "loopback",
    "http://2130706433:{PC}/": "numeric-host",
    "http://0x7f.1:{PC}/": "numeric-host",
    "http://0177.0.0.1:{PC}/": "numeric-host",
    "http://127.1:{PC}/": "numeric-host",
    "http://[::ffff:127.0.0.1]:{PC}/": "ipv4-mapped-loopback",
    "http://[::1]:{PC}/": "loopback",
    "http://0.0.0.0:{PC}/": "unspecified",
    "http://169.254.169.254/latest/meta-data/": "link-local",
    "http://10.0.0.1:{PC}/": "private",
    "http://100.64.0.1:{PC}/": "cgnat",
    "http://[fe80::1]:{PC}/": "link-local",
    "http://evil.test:{PC}/": "loopback",  # a name resolving to loopback
    "http://metadata.test/": "link-local",  # a name resolving to 169.254.169.254
    "http://rebind.test:{PC}/": "loopback",  # public when looked up, loopback when connecting
    "http://evil.test\\@127.0.0.1:{PC}/": "ambiguous-url",
    "http://x@127.0.0.1:{PC}/": "userinfo",
    "file:///etc/passwd": "scheme",
}
DNS = {
    "evil.test": [["127.0.0.1"]],
    "metadata.test": [["169.254.169.254"]],
    # First answer for the middleware's look-up, then loopback for every later one.
    "rebind.test": [["93.184.216.34"], ["127.0.0.1"]],
    "feeds.test": [["127.0.0.1"]],
}


@pytest.fixture(scope="module")
def crawled(site: Site, canary: Canary, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    pc = canary.port
    forbidden = [link.format(PC=pc) for link in FORBIDDEN]
    allowed = [site.url("/ok"), _redirect(site, site.url("/ok?hop=1"))]
    hop_to_canary = _redirect(site, f"http://127.0.0.1:{pc}/from-discovered")
    spec = {
        "requests": [
            {"id": "feed", "url": _feed(site, [*forbidden, *allowed, hop_to_canary]), "follow": True},
            {"id": "trusted-redirect", "url": _redirect(site, f"http://127.0.0.1:{pc}/from-trusted")},
            {
                "id": "named-feed",
                "url": _feed(site, [site.url("/ok", host="feeds.test")], "feeds.test"),
                "follow": True,
            },
            {"id": "unmarked", "url": f"http://127.0.0.1:{pc}/unmarked", "kind": "plain"},
            {"id": "unmarked-own", "url": site.url("/ok?unmarked=1"), "kind": "plain", "priority": -10},
        ],
        "dns": DNS,
    }
    return run_crawl(spec, tmp_path_factory.mktemp("refusals"))


def test_no_connection_reaches_the_canary(crawled: CrawlResult, canary: Canary, site: Site) -> None:
    assert canary.connections == []
    assert {tuple(attempt) for attempt in crawled.data["connect_attempts"]} == {("127.0.0.1", site.port)}


@pytest.mark.parametrize(("template", "code"), list(FORBIDDEN.items()))
def test_each_forbidden_link_is_refused(
    crawled: CrawlResult, canary: Canary, template: str, code: str
) -> None:
    result = crawled[template.format(PC=canary.port)]
    assert not result["ok"]
    assert result["error_type"] == "RequestRefusedError"
    assert result["error"].startswith(f"Refused to fetch {result['url']}: ")


def test_refusals_are_counted_by_reason(crawled: CrawlResult) -> None:
    expected: dict[str, int] = {}
    for code in [*FORBIDDEN.values(), "loopback", "loopback", "loopback"]:  # + the redirect hops, unmarked
        expected[code] = expected.get(code, 0) + 1
    for code, number in expected.items():
        assert crawled.stat(f"newsmon/refused/{code}") == number, code
    assert crawled.stat("newsmon/refused") == sum(expected.values())
    assert "Refused http://2130706433:" in crawled.log


def test_rebinding_is_caught_when_connecting(crawled: CrawlResult, canary: Canary) -> None:
    result = crawled[f"http://rebind.test:{canary.port}/"]
    assert "found when connecting" in result["error"]
    assert crawled.data["dns_lookups"].count("rebind.test") == 2


def test_redirect_hops_to_the_canary_are_refused(crawled: CrawlResult, canary: Canary, site: Site) -> None:
    trusted = crawled["trusted-redirect"]
    assert trusted["url"] == f"http://127.0.0.1:{canary.port}/from-trusted"
    assert "redirected from" in trusted["error"]
    discovered = crawled[_redirect(site, f"http://127.0.0.1:{canary.port}/from-discovered")]
    assert discovered["error_type"] == "RequestRefusedError"


def test_same_origin_links_and_hops_are_fetched(crawled: CrawlResult, site: Site) -> None:
    assert crawled["feed"]["ok"]
    assert crawled[site.url("/ok")]["status"] == 200
    hop = crawled[_redirect(site, site.url("/ok?hop=1"))]
    assert (hop["status"], hop["url"]) == (200, site.url("/ok?hop=1"))


def test_a_trusted_name_resolving_to_loopback_is_fetched(crawled: CrawlResult, site: Site) -> None:
    assert crawled["named-feed"]["ok"]
    assert crawled[site.url("/ok", host="feeds.test")]["status"] == 200


def test_unmarked_requests_may_reach_configured_sources_only(crawled: CrawlResult) -> None:
    assert crawled["unmarked-own"]["status"] == 200
    assert crawled["unmarked"]["error_type"] == "RequestRefusedError"


def test_scrapy_crawl_installs_the_resolver_from_settings(site: Site, canary: Canary, tmp_path: Path) -> None:
    """CrawlerProcess (``scrapy crawl``) installs TWISTED_DNS_RESOLVER: still no connection."""
    links = [f"http://rebind.test:{canary.port}/", f"http://evil.test:{canary.port}/", site.url("/ok")]
    spec = {
        "runner": "process",
        "requests": [{"id": "feed", "url": _feed(site, links), "follow": True}],
        "dns": DNS,
    }
    crawled = run_crawl(spec, tmp_path)
    assert crawled.data["resolver"] == "PolicyResolver"
    assert canary.connections == []
    assert crawled[site.url("/ok")]["status"] == 200
    assert crawled.stat("newsmon/refused/loopback") == 2


def test_other_schemes_have_no_download_handler(tmp_path: Path) -> None:
    """Even with the policy middleware off, Scrapy cannot read files, data: URLs, FTP or S3."""
    spec = {
        "requests": [
            {"id": "file", "url": "file:///etc/hostname"},
            {"id": "data", "url": "data:text/plain,hello"},
            {"id": "ftp", "url": "ftp://127.0.0.1:1/x"},
            {"id": "s3", "url": "s3://bucket/key"},
        ],
        "settings": {"DOWNLOADER_MIDDLEWARES": {"crawler.policy.middlewares.AddressPolicyMiddleware": None}},
    }
    crawled = run_crawl(spec, tmp_path)
    for request_id in ("file", "data", "ftp", "s3"):
        result = crawled[request_id]
        assert result["ok"] is False
        assert result["error_type"] == "NotSupported", result
        assert "no handler available for that scheme" in result["error"]
    assert crawled.data["connect_attempts"] == []


def test_robots_txt_of_a_private_source_is_fetched(site: Site, canary: Canary, tmp_path: Path) -> None:
    """robots.txt requests carry no newsmon meta: a configured source's own endpoint still counts."""
    links = [site.url("/ok?robots"), f"http://127.0.0.1:{canary.port}/robots-case"]
    spec = {
        "requests": [{"id": "feed", "url": _feed(site, links), "follow": True}],
        "settings": {"ROBOTSTXT_OBEY": True},
    }
    site.hits.clear()
    crawled = run_crawl(spec, tmp_path)
    assert crawled[site.url("/ok?robots")]["status"] == 200
    assert any(path == "/robots.txt" for _, path in site.hits)
    assert crawled[f"http://127.0.0.1:{canary.port}/robots-case"]["error_type"] == "RequestRefusedError"
    assert canary.connections == []
    assert crawled.stat("newsmon/refused") == 1
