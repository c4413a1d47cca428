"""The politeness benchmark's slow web keeps connections alive as a real HTTP/1.1 server does, so the
304 pass measures requests on kept-alive connections, as news hosts serve them, and counts them."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def base() -> Iterator[str]:
    command = [sys.executable, "-m", "benchmarks._latency_server", "--hosts", "1", "--entries", "1"]
    with subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as server:
        assert server.stdout is not None and server.stdin is not None
        try:
            yield json.loads(server.stdout.readline())[0]
        finally:
            server.stdin.close()  # the server serves until its stdin closes
            server.wait(timeout=10)


def test_a_feed_and_its_304_share_one_connection(base: str) -> None:
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    connection.request("GET", "/feeds/0.xml")
    first = connection.getresponse()
    body = first.read()
    connection.request("GET", "/feeds/0.xml", headers={"If-None-Match": first.headers["ETag"]})
    second = connection.getresponse()
    second.read()
    connection.request("GET", "/__stats")
    stats = json.load(connection.getresponse())
    connection.close()

    assert first.status == 200 and int(first.headers["Content-Length"]) == len(body) > 0
    assert second.status == 304 and second.headers["ETag"] == first.headers["ETag"]
    assert stats["responses"] == {"feed": 1, "feed-304": 1}
    assert stats["connections"] == 1
