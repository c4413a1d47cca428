"""The hostile web of ``benchmarks.hostile``: one asyncio process, several loopback addresses.

Serves, on every address (127.0.0.2, 127.0.0.3, …):

- ``/c/<path>``: a file of the corpora folder given, as is (feeds written by others);
- ``/bomb``: 1 GiB of zeros, gzip-compressed (about 1 MB on the wire);
- ``/chunked.xml``: a feed sent without Content-Length, ended by closing the connection;
- ``/slow/<n>.xml``: a feed held back ``SLOW`` seconds, listing three pages of its own host;
- ``/dead/<n>.xml``: a feed whose twenty entries link to hosts that do not resolve;
- ``/hang/<n>.xml``: a feed whose four entries link to ``/stall/…`` on its own host, which never
  answers (give these feeds an address of their own: that host will look down);
- ``/a/<feed>/<entry>.html``: a generated article page (``benchmarks.crawl``).

One more address answers nothing at all (a hung server). Prints
``{"bases": [...], "hung": base}`` as JSON, then serves until stdin closes.

    python -m benchmarks._hostile_server --root ../shared/corpora --hosts 8
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import sys
import zlib
from functools import cache
from pathlib import Path

from benchmarks.crawl import article_page

SLOW = 5.0
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
TYPES = {".xml": "application/xml", ".json": "application/json", ".rss": "application/rss+xml"}


@cache
def gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    return b"".join([*(compressor.compress(block) for _ in range(1024)), compressor.flush()])


def rss(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{link}</link><description>Summary {n}.</description></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    )


class Web:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    async def answer(self, target: str, base: str) -> tuple[int, list[tuple[str, str]], bytes]:
        path = target.split("?")[0]
        xml = [("Content-Type", "application/rss+xml")]
        if path == "/robots.txt":
            return 200, [("Content-Type", "text/plain")], ROBOTS
        if path.startswith("/c/"):
            file = (self.root / path.removeprefix("/c/")).resolve()
            if file.is_relative_to(self.root) and file.is_file():
                return 200, [("Content-Type", TYPES.get(file.suffix, "text/xml"))], file.read_bytes()
        if path == "/bomb":
            return 200, [("Content-Type", "text/xml"), ("Content-Encoding", "gzip")], gzip_bomb()
        if m := re.fullmatch(r"/slow/(\d+)\.xml", path):
            await asyncio.sleep(SLOW)
            return 200, xml, rss([f"{base}/a/{m.group(1)}/{k}.html" for k in range(3)])
        if m := re.fullmatch(r"/dead/(\d+)\.xml", path):
            return 200, xml, rss([f"http://gone-{m.group(1)}-{k}.invalid/story" for k in range(20)])
        if m := re.fullmatch(r"/hang/(\d+)\.xml", path):
            return 200, xml, rss([f"{base}/stall/{m.group(1)}/{k}" for k in range(4)])
        if path.startswith("/stall/"):
            with contextlib.suppress(asyncio.CancelledError):  # the server shutting down
                await asyncio.Event().wait()
        if m := re.fullmatch(r"/a/(\d+)/(\d+)\.html", path):
            return 200, [("Content-Type", "text/html")], article_page(base, int(m.group(1)), int(m.group(2)))
        return 404, [("Content-Type", "text/plain")], b"not found"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                target = lines[0].split(" ")[1]
                host = next(
                    (ln.split(":", 1)[1].strip() for ln in lines if ln.lower().startswith("host:")), ""
                )
                status, headers, body = await self.answer(target, f"http://{host}")
                out = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}"]
                out += [f"{k}: {v}" for k, v in headers]
                if target == "/chunked.xml":
                    body = rss([f"http://{host}/a/9999/{k}.html" for k in range(2)])
                    out.append("Connection: close")
                else:
                    out.append(f"Content-Length: {len(body)}")
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
                await writer.drain()
                if target == "/chunked.xml":
                    return
        except ConnectionError:
            return
        finally:
            writer.close()


async def hang(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        await reader.read()  # never answers; returns when the client gives up


async def serve(root: Path, hosts: int) -> None:
    hung = await asyncio.start_server(hang, f"127.0.0.{2 + hosts}", 0, backlog=1024)
    hung_base = f"http://127.0.0.{2 + hosts}:{hung.sockets[0].getsockname()[1]}"
    web = Web(root)
    gzip_bomb()
    bases = []
    for index in range(hosts):
        address = f"127.0.0.{2 + index}"
        server = await asyncio.start_server(web.handle, address, 0, backlog=1024)
        bases.append(f"http://{address}:{server.sockets[0].getsockname()[1]}")
    print(json.dumps({"bases": bases, "hung": hung_base}), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--hosts", type=int, default=8)
    args = parser.parse_args()
    asyncio.run(serve(args.root, args.hosts))


if __name__ == "__main__":
    main()
