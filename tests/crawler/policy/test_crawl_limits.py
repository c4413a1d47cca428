"""Size and time limits in real crawls: each cut is quick, cheap, recorded, and spares the rest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.crawler.policy.crawl import CrawlResult, run_crawl
from tests.crawler.policy.servers import GIB, Hung, Site, gzip_bomb

MIB = 1024 * 1024
# Peak RSS growth during the crawl (the process starts at about 80 MB); the cap is 10 MiB.
RSS_GROWTH_CEILING_MB = 100


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    with Site() as server:
        yield server


def test_gzip_bomb_is_cut_at_the_cap(site: Site, tmp_path: Path) -> None:
    assert len(gzip_bomb()) < 2 * MIB  # 1 GiB of zeros once decompressed
    spec = {"requests": [{"id": "bomb", "url": site.url("/bomb")}, {"id": "ok", "url": site.url("/ok")}]}
    crawled = run_crawl(spec, tmp_path)
    bomb = crawled["bomb"]
    assert bomb["error_type"] == "BodyTooLargeError"
    assert bomb["error"].startswith(f"Cut {site.url('/bomb')}: its decompressed body passed")
    assert "10485760-byte limit" in bomb["error"]
    assert bomb["elapsed"] < 5
    assert crawled.stat("newsmon/cut/decompressed_too_large") == 1
    assert crawled["ok"]["status"] == 200
    assert crawled.data["rss_growth_mb"] < RSS_GROWTH_CEILING_MB
    _report("gzip bomb", bomb, crawled)


@pytest.mark.parametrize("announced", [False, True], ids=["chunked", "content-length"])
def test_2gib_body_is_cut_at_the_cap(site: Site, tmp_path: Path, announced: bool) -> None:
    site.streamed = 0
    path = "/big?length=1" if announced else "/big"
    crawled = run_crawl({"requests": [{"id": "big", "url": site.url(path)}]}, tmp_path)
    big = crawled["big"]
    assert big["error_type"] == "BodyTooLargeError"
    said = f"the server announced a {2 * GIB}-byte body" if announced else "its body passed"
    assert big["error"].startswith(f"Cut {site.url(path)}: {said}")
    assert big["elapsed"] < 10
    assert crawled.stat("newsmon/cut/body_too_large") == 1
    assert crawled.data["rss_growth_mb"] < RSS_GROWTH_CEILING_MB
    # The server stopped well before 2 GiB: the client hung up.
    assert site.streamed < 2 * GIB // 8
    _report(f"2 GiB body ({path})", big, crawled)


def test_bodies_without_content_length_pass_quietly(site: Site, tmp_path: Path) -> None:
    # Twisted's unknown length is a string: comparing it with the cap raised a TypeError per response.
    spec = {
        "requests": [
            {"id": "chunked", "url": site.url("/unsized")},
            {"id": "close", "url": site.url("/unsized?close=1")},
        ]
    }
    crawled = run_crawl(spec, tmp_path)
    assert crawled["chunked"]["status"] == 200
    assert crawled["chunked"]["bytes"] == len(b"chunked")
    assert crawled["close"]["status"] == 200
    assert crawled["close"]["bytes"] == len(b"ended by closing")
    assert crawled.stat("log_count/ERROR") == 0
    assert "TypeError" not in crawled.log


def test_hung_and_trickling_servers_time_out_and_the_rest_completes(site: Site, tmp_path: Path) -> None:
    with Hung() as hung:
        spec = {
            "requests": [
                {"id": "hung", "url": f"http://127.0.0.1:{hung.port}/feed"},
                {"id": "trickle", "url": site.url("/trickle")},
                {"id": "ok", "url": site.url("/ok")},
            ],
            "settings": {"DOWNLOAD_TIMEOUT": 2},
        }
        crawled = run_crawl(spec, tmp_path)
    for request_id in ("hung", "trickle"):
        result = crawled[request_id]
        assert result["error_type"] == "DownloadTimeoutError"
        assert result["error"].startswith("Timed out after 2 s fetching http://127.0.0.1:")
        assert 1.9 < result["elapsed"] < 4
    assert crawled.stat("newsmon/cut/timeout") == 2
    assert crawled["ok"]["status"] == 200


def test_redirects_stop_after_five_hops(site: Site, tmp_path: Path) -> None:
    url = site.url("/ok?final=1")
    for _ in range(6):
        url = site.url("/redirect?to=" + quote(url, safe=""))
    crawled = run_crawl({"requests": [{"id": "chain", "url": url}]}, tmp_path)
    chain = crawled["chain"]
    assert chain["ok"] is False
    assert "max redirections" in chain["error"]
    assert crawled.stat("downloader/response_status_count/302") == 6


def _report(what: str, result: dict[str, Any], crawled: CrawlResult) -> None:
    rss, growth = crawled.data["maxrss_mb"], crawled.data["rss_growth_mb"]
    print(f"{what} cut after {result['elapsed']} s, peak RSS {rss} MB (+{growth} MB during the crawl)")
