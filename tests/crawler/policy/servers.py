"""Local servers for the policy tests, all on 127.0.0.1, each in a thread.

- ``Site``: an HTTP/1.1 server with hostile pages — a gzip bomb, a 2 GiB
  body generated on the fly, a trickling body, redirects, 429/503 with
  Retry-After, and a feed-like page listing links (``LINK <url>`` lines).
- ``Canary``: accepts TCP connections and records them; the refusal tests
  point forbidden URLs at it and expect it to see nothing.
- ``Hung``: accepts connections and never answers.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from email.utils import formatdate
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

GIB = 1024**3
_CHUNK = bytes(64 * 1024)


@cache
def gzip_bomb() -> bytes:
    """1 GiB of zeros, gzip-compressed (about 1 MB)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(1024)]
    parts.append(compressor.flush())
    return b"".join(parts)


class Site:
    def __init__(self) -> None:
        self.hits: list[tuple[float, str]] = []
        self.streamed = 0
        self._lock = threading.Lock()
        self._served_429: set[str] = set()
        site = self

        class Handler(_Handler):
            owner = site

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def record(self, path: str) -> None:
        with self._lock:
            self.hits.append((time.monotonic(), path))

    def first_time(self, key: str) -> bool:
        with self._lock:
            if key in self._served_429:
                return False
            self._served_429.add(key)
            return True

    def add_streamed(self, count: int) -> None:
        with self._lock:
            self.streamed += count

    def __enter__(self) -> Site:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Handler(BaseHTTPRequestHandler):
    owner: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.owner.record(self.path)
        parts = urlsplit(self.path)
        query = {name: values[0] for name, values in parse_qs(parts.query).items()}
        route = getattr(self, "_" + parts.path.strip("/").replace("-", "_"), None)
        if route is None:
            self._send(404, b"not found")
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(query)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _ok(self, query: dict[str, str]) -> None:
        self._send(200, b"ok", {"Content-Type": "text/plain"})

    def _feed(self, query: dict[str, str]) -> None:
        body = "".join(f"LINK {link}\n" for link in query.get("links", "").split("|") if link)
        self._send(200, body.encode(), {"Content-Type": "text/plain"})

    def _unsized(self, query: dict[str, str]) -> None:
        """A body without Content-Length: chunked, or (``close``) ended by closing the connection."""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        if "close" in query:
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            self.wfile.write(b"ended by closing")
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.write(b"7\r\nchunked\r\n0\r\n\r\n")

    def _redirect(self, query: dict[str, str]) -> None:
        self._send(302, b"", {"Location": query["to"]})

    def _bomb(self, query: dict[str, str]) -> None:
        self._send(200, gzip_bomb(), {"Content-Type": "text/html", "Content-Encoding": "gzip"})

    def _big(self, query: dict[str, str]) -> None:
        """2 GiB of zeros, generated while sending; chunked unless ``length`` is given."""
        announce = "length" in query
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if announce:
            self.send_header("Content-Length", str(2 * GIB))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for _ in range(2 * GIB // len(_CHUNK)):
            if announce:
                self.wfile.write(_CHUNK)
            else:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(_CHUNK), _CHUNK))
            self.owner.add_streamed(len(_CHUNK))
        if not announce:
            self.wfile.write(b"0\r\n\r\n")

    def _trickle(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        for _ in range(1000000):
            self.wfile.write(b"x")
            self.wfile.flush()
            time.sleep(0.2)

    def _busy(self, query: dict[str, str]) -> None:
        """The first hit per ``key`` answers ``status`` with Retry-After ``wait`` (or a date ``in`` s)."""
        if not self.owner.first_time(query["key"]):
            self._send(200, b"ok after waiting")
            return
        if "in" in query:
            retry_after = formatdate(time.time() + float(query["in"]), usegmt=True)
        else:
            retry_after = query["wait"]
        self._send(int(query.get("status", "429")), b"busy", {"Retry-After": retry_after})


class Canary:
    """Records every connection made to it; the tests expect none."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            self.connections.append(peer)
            conn.close()

    def __enter__(self) -> Canary:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


class Hung:
    """Accepts connections, reads nothing, answers nothing."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._held.append(conn)

    @property
    def connections(self) -> int:
        """How many connections it has accepted."""
        return len(self._held)

    def __enter__(self) -> Hung:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()
        for conn in self._held:
            conn.close()


@contextlib.contextmanager
def running(*servers: Site | Canary | Hung) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for server in servers:
            stack.enter_context(server)
        yield
