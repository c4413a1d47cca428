"""A slow web for benchmarks: feeds and article pages with 50–200 ms of latency per response.

One asyncio process (run it in a subprocess: it must not eat the crawler's
core) listens on several loopback addresses (127.0.0.2, 127.0.0.3, …) and
holds any number of delayed responses at once. Pages and feeds are the
generated ones of ``benchmarks.crawl``. Each response waits a delay drawn
from a fixed seed and the request itself (path, conditional or not), so a
run's latencies do not depend on the order requests arrive in. Feeds carry
an ETag and a Last-Modified and answer 304 to a matching ``If-None-Match``
(or, without one, ``If-Modified-Since``). Connections are kept alive as by a
real HTTP/1.1 server: every answer but a 304 (which has no body) carries a
Content-Length, and a connection is closed only when the client asks.

``GET /__stats`` (not delayed) answers the counts, the summed delays and the
connections that carried requests so far as JSON; ``GET /__stats?reset=1``
also sets them back to zero.

    python -m benchmarks._latency_server --hosts 64 --entries 20
    # prints the hosts' base URLs as a JSON list, serves until stdin closes
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import zlib
from collections import Counter
from dataclasses import dataclass, field

from benchmarks.crawl import article_page, feed_document

MIN_DELAY, MAX_DELAY = 0.050, 0.200
LAST_MODIFIED = "Fri, 01 Mar 2024 08:00:00 GMT"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
FEED = re.compile(r"/feeds/(\d+)\.xml")
PAGE = re.compile(r"/a/(\d+)/(\d+)\.html")


@dataclass
class Stats:
    responses: Counter[str] = field(default_factory=Counter)  # by kind: feed/feed-304/page/robots/other
    delay: float = 0.0  # seconds, summed over responses
    in_flight: int = 0
    peak_in_flight: int = 0
    connections: int = 0  # TCP connections that carried a request (not /__stats)

    def as_json(self) -> bytes:
        total = sum(self.responses.values())
        return json.dumps(
            {
                "responses": dict(self.responses),
                "total": total,
                "delay_sum": self.delay,
                "mean_delay": self.delay / total if total else 0.0,
                "peak_in_flight": self.peak_in_flight,
                "connections": self.connections,
            }
        ).encode()


class Site:
    def __init__(self, entries: int, seed: int) -> None:
        self.entries = entries
        self.seed = seed
        self.stats = Stats()
        self._feeds: dict[tuple[str, int], bytes] = {}

    def delay(self, path: str, conditional: bool) -> float:
        key = zlib.crc32(f"{self.seed}:{path}:{conditional}".encode())
        return random.Random(key).uniform(MIN_DELAY, MAX_DELAY)

    def answer(self, path: str, headers: dict[str, str]) -> tuple[str, int, list[tuple[str, str]], bytes]:
        """(kind, status, headers, body) for one GET."""
        base = f"http://{headers.get('host', '')}"
        path = path.split("?")[0]
        if path == "/robots.txt":
            return "robots", 200, [("Content-Type", "text/plain")], ROBOTS
        if m := FEED.fullmatch(path):
            feed = int(m.group(1))
            etag = f'"feed-{feed}-v1"'
            validators = [("ETag", etag), ("Last-Modified", LAST_MODIFIED)]
            match = headers.get("if-none-match")
            if match == etag or (match is None and headers.get("if-modified-since") == LAST_MODIFIED):
                return "feed-304", 304, validators, b""
            body = self._feeds.get((base, feed))
            if body is None:
                body = self._feeds[(base, feed)] = feed_document(base, feed, self.entries)
            return "feed", 200, [("Content-Type", "application/rss+xml; charset=utf-8"), *validators], body
        if m := PAGE.fullmatch(path):
            body = article_page(base, int(m.group(1)), int(m.group(2)))
            return "page", 200, [("Content-Type", "text/html; charset=utf-8")], body
        return "other", 404, [("Content-Type", "text/plain")], b"not found"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        counted: Stats | None = None  # the stats this connection is counted in (a reset starts anew)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                _, target, _ = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                if target.startswith("/__stats"):
                    status, extra, body = 200, [("Content-Type", "application/json")], self.stats.as_json()
                    if "reset=1" in target:
                        self.stats = Stats()
                else:
                    kind, status, extra, body = self.answer(target, headers)
                    if counted is not self.stats:
                        self.stats.connections += 1
                        counted = self.stats
                    conditional = "if-none-match" in headers or "if-modified-since" in headers
                    wait = self.delay(target, conditional)
                    stats = self.stats
                    stats.in_flight += 1
                    stats.peak_in_flight = max(stats.peak_in_flight, stats.in_flight)
                    await asyncio.sleep(wait)
                    stats.in_flight -= 1
                    stats.responses[kind] += 1
                    stats.delay += wait
                reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
                out = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in extra)]
                if status != 304:
                    out.append(f"Content-Length: {len(body)}")
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    return
        except ConnectionError:
            return
        finally:
            writer.close()


async def serve(hosts: int, entries: int, seed: int) -> None:
    site = Site(entries, seed)
    bases = []
    for index in range(hosts):
        address = f"127.0.0.{2 + index}"
        server = await asyncio.start_server(site.handle, address, 0, backlog=1024)
        bases.append(f"http://{address}:{server.sockets[0].getsockname()[1]}")
    print(json.dumps(bases), flush=True)
    # Until the parent closes our stdin.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=64)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not 1 <= args.hosts <= 250:
        parser.error("--hosts must be between 1 and 250 (127.0.0.2 to 127.0.0.251)")
    asyncio.run(serve(args.hosts, args.entries, args.seed))


if __name__ == "__main__":
    main()
