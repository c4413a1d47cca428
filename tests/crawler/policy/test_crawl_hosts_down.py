"""A host that does not resolve or does not answer costs a crawl one or two failures, not three per URL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.failures import is_permanent
from crawler.policy import HostDownError
from tests.crawler.policy.crawl import run_crawl
from tests.crawler.policy.servers import Hung, Site

RETRYING = {"RETRY_ENABLED": True, "RETRY_TIMES": 2, "ROBOTSTXT_OBEY": True}


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with Site() as server:
        yield server


def test_a_name_that_does_not_resolve_is_asked_once_per_crawl(site: Site, tmp_path: Path) -> None:
    gone = site.url("/ok", host="gone.example")
    spec = {
        "requests": [{"id": f"page{n}", "url": f"{gone}?n={n}"} for n in range(3)]
        + [{"id": "ok", "url": site.url("/ok")}],
        "settings": RETRYING,
        "dns": {},
    }
    crawled = run_crawl(spec, tmp_path)
    # robots.txt found the name gone: no retry, and the pages were not even looked up.
    assert crawled.data["dns_lookups"].count("gone.example") == 1
    for n in range(3):
        page = crawled[f"page{n}"]
        assert page["error_type"] == "HostDownError"
        assert page["error"] == (
            f"Skipped {gone}?n={n}: gone.example did not resolve earlier in this crawl;"
            " the next crawl tries again."
        )
    assert crawled.stat("retry/count") == 0
    assert crawled.stat("newsmon/skipped/host_down") == 3
    assert crawled["ok"]["status"] == 200


def test_a_hung_host_costs_two_timeouts_then_is_skipped(tmp_path: Path) -> None:
    with Hung() as hung:
        base = f"http://127.0.0.1:{hung.port}"
        chain: list[dict[str, Any]] = []
        for n in reversed(range(4)):  # each request sent when the one before has failed
            chain = [{"id": f"page{n}", "url": f"{base}/{n}", "then": chain}]
        spec = {"requests": chain, "settings": {**RETRYING, "ROBOTSTXT_OBEY": False, "DOWNLOAD_TIMEOUT": 1}}
        crawled = run_crawl(spec, tmp_path)
        connections = hung.connections
    kinds = [crawled[f"page{n}"]["error_type"] for n in range(4)]
    assert kinds == ["DownloadTimeoutError"] * 2 + ["HostDownError"] * 2
    assert crawled["page3"]["error"].endswith(
        "timed out 2 times in a row earlier in this crawl; the next crawl tries again."
    )
    assert crawled.stat("retry/count") == 0
    # Without the memory: 4 URLs x 3 tries, each a connection left to time out.
    assert connections == 2


def test_a_down_host_is_worth_retrying_next_crawl() -> None:
    from twisted.python.failure import Failure

    error = HostDownError("https://news.example/a", "news.example", "did not resolve")
    assert not is_permanent(Failure(error))
