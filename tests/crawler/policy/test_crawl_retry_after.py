"""Retry-After in real crawls: the host is paused, the request retried after the wait."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawler.policy.crawl import CrawlResult, run_crawl
from tests.crawler.policy.servers import Site

SETTINGS = {
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
    "NEWSMON_RETRY_AFTER_MAX": 30,
}
DNS = {"busy.test": [["127.0.0.1"]], "date.test": [["127.0.0.1"]], "gone.test": [["127.0.0.1"]]}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with Site() as server:
        yield server


@pytest.fixture(scope="module")
def crawled(site: Site, tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    gone_later = {"id": "gone-later", "url": site.url("/ok?gone-later", host="gone.test")}
    spec = {
        "requests": [
            {"id": "busy", "url": site.url("/busy?key=busy&wait=2", host="busy.test"), "priority": 10},
            {"id": "busy-queued", "url": site.url("/ok?busy-queued", host="busy.test")},
            {"id": "date", "url": site.url("/busy?key=date&in=3&status=503", host="date.test")},
            {
                "id": "gone",
                "url": site.url("/busy?key=gone&wait=7200", host="gone.test"),
                "then": [gone_later],
                "priority": 10,
            },
            {"id": "gone-queued", "url": site.url("/ok?gone-queued", host="gone.test")},
            {"id": "other", "url": site.url("/ok?other")},
        ],
        "dns": DNS,
        "settings": SETTINGS,
    }
    return run_crawl(spec, tmp_path_factory.mktemp("retry-after"))


def _hits(site: Site, fragment: str) -> list[float]:
    return [when for when, path in site.hits if fragment in path]


def test_the_request_is_retried_after_the_wait(crawled: CrawlResult, site: Site) -> None:
    assert crawled["busy"]["status"] == 200
    first, retry = _hits(site, "key=busy")
    assert retry - first >= 1.9
    assert crawled.stat("newsmon/retry_after/paused") == 2


def test_requests_already_queued_for_the_host_wait_too(crawled: CrawlResult, site: Site) -> None:
    assert crawled["busy-queued"]["status"] == 200
    (first, *_) = _hits(site, "key=busy")
    (queued,) = _hits(site, "busy-queued")
    assert queued - first >= 1.9


def test_an_http_date_is_honoured(crawled: CrawlResult, site: Site) -> None:
    assert crawled["date"]["status"] == 200
    first, retry = _hits(site, "key=date")
    # formatdate() has whole seconds: "in 3 s" is between 2 and 3 s away.
    assert retry - first >= 1.9


def test_a_wait_longer_than_the_cap_gives_up_on_the_host(crawled: CrawlResult, site: Site) -> None:
    gone = crawled["gone"]
    assert gone["error_type"] == "HostBackedOffError"
    assert "gone.test asked to retry after 7200 s, longer than the 30 s" in gone["error"]
    assert len(_hits(site, "key=gone")) == 1  # not retried
    for request_id in ("gone-queued", "gone-later"):
        assert crawled[request_id]["error_type"] == "HostBackedOffError"
        assert _hits(site, request_id) == []
    assert crawled.stat("newsmon/retry_after/gave_up") == 1


def test_other_hosts_are_not_paused(crawled: CrawlResult, site: Site) -> None:
    assert crawled["other"]["status"] == 200
    (other,) = _hits(site, "?other")
    _, retry = _hits(site, "key=busy")
    assert other < retry  # fetched while busy.test was paused


def test_stopping_the_crawl_ends_the_wait(site: Site, tmp_path: Path) -> None:
    wait = 25
    spec = {
        "requests": [
            {"id": "long", "url": site.url(f"/busy?key=long&wait={wait}", host="busy.test"), "priority": 10},
            {"id": "queued", "url": site.url("/ok?long-queued", host="busy.test")},
        ],
        "dns": DNS,
        "settings": SETTINGS,
        "stop_when": "newsmon/retry_after/paused",
    }
    crawled = run_crawl(spec, tmp_path)
    (asked_to_wait,) = _hits(site, "key=long")
    # Stopped while busy.test asked to wait, the crawl ended long before the wait would have.
    assert asked_to_wait < crawled.data["stopped_at"] < crawled.data["finished_at"] < asked_to_wait + wait
    assert crawled.stats["finish_reason"] == "shutdown"
    assert _hits(site, "long-queued") == []
    assert "the crawl stopped while busy.test asked to wait" in crawled["queued"]["error"]
