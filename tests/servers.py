"""A local HTTP server for tests: canned or computed responses on 127.0.0.1, every hit recorded.

    rss = {"Content-Type": "application/rss+xml"}
    with TestServer({"/feed.xml": Reply(body=feed, headers=rss)}) as server:
        url = server.url("/feed.xml")
        ...
        assert server.count("/feed.xml") == 1

Routes map a path (with or without its query string) to a ``Reply``, a
``(status, headers, body)`` tuple, or a callable taking the ``Hit`` and
returning either (``None`` falls through to the directory and then 404).
``directory`` serves files; in text files ``{{BASE}}`` becomes the
server's base URL. A reply with ``conditional=True`` answers 304 to a
matching ``If-None-Match`` / ``If-Modified-Since``. A reply's ``delay``
holds the response back (for timeouts and concurrency tests); one that
``hangs`` is never answered while the server runs (a page a process is
killed waiting for, however long the process took to get there).
"""

from __future__ import annotations

import email.utils
import http.server
import mimetypes
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

TEXT_TYPES = ("text/", "application/xml", "application/rss+xml", "application/atom+xml", "application/json")


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str = b""
    delay: float = 0.0  # seconds before the response is sent
    hangs: bool = False  # no response until the server stops: the connection just closes then
    conditional: bool = False  # 304 when the request's validators match ETag / Last-Modified

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Hit:
    method: str
    path: str  # without the query string
    target: str  # as requested, with the query string
    headers: dict[str, str]  # names lowercased
    at: float


Route = Reply | tuple[int, Mapping[str, str], bytes | str] | Callable[[Hit], Any]


class TestServer:
    __test__ = False  # not a test class, whatever its name

    def __init__(
        self,
        routes: Mapping[str, Route] | None = None,
        directory: str | Path | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.directory = Path(directory) if directory is not None else None
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer((host, 0), _handler_class(self))
        self._server.daemon_threads = True
        self.host = host
        self.port: int = self._server.server_address[1]
        self.base_url = f"http://{host}:{self.port}"
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()  # releases the replies that hang

    # life cycle

    def start(self) -> TestServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # configuration and inspection

    def url(self, path: str) -> str:
        return self.base_url + path

    def set(self, path: str, route: Route | None = None, **reply: Any) -> None:
        """Serve ``route`` (or ``Reply(**reply)``) at ``path`` from now on."""
        with self._lock:
            self.routes[path] = route if route is not None else Reply(**reply)

    def count(self, path: str) -> int:
        """How many requests asked for ``path`` (query strings ignored unless ``path`` has one)."""
        with self._lock:
            return sum(1 for h in self.hits if (h.target if "?" in path else h.path) == path)

    def paths(self) -> list[str]:
        with self._lock:
            return [h.path for h in self.hits]

    def reset_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    # serving

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)

    def _resolve(self, hit: Hit) -> Reply:
        with self._lock:
            route = self.routes.get(hit.target, self.routes.get(hit.path))
        reply = _as_reply(route(hit) if callable(route) else route)
        if reply is None:
            reply = self._file(hit.path)
        return reply or Reply(404, {"Content-Type": "text/plain"}, b"not found")

    def _file(self, path: str) -> Reply | None:
        if self.directory is None:
            return None
        root = self.directory.resolve()
        target = (root / path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if root not in target.parents or not target.is_file():
            return None
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        body = target.read_bytes()
        if ctype.startswith(TEXT_TYPES) or target.suffix in (".xml", ".json", ".rss", ".atom"):
            body = body.replace(b"{{BASE}}", self.base_url.encode())
        return Reply(200, {"Content-Type": ctype}, body)


def _as_reply(value: Any) -> Reply | None:
    if value is None or isinstance(value, Reply):
        return value
    status, headers, body = value
    return Reply(status, dict(headers), body)


def _not_modified(hit: Hit, reply: Reply) -> bool:
    headers = {k.lower(): v for k, v in reply.headers.items()}
    etag, if_none_match = headers.get("etag"), hit.headers.get("if-none-match")
    if etag and if_none_match:
        return etag in [t.strip() for t in if_none_match.split(",")] or if_none_match.strip() == "*"
    modified, since = headers.get("last-modified"), hit.headers.get("if-modified-since")
    if modified and since:
        try:
            return email.utils.parsedate_to_datetime(modified) <= email.utils.parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _handler_class(server: TestServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _serve(self, send_body: bool) -> None:
            target = self.path
            hit = Hit(
                method=self.command,
                path=urlsplit(target).path,
                target=target,
                headers={k.lower(): v for k, v in self.headers.items()},
                at=time.monotonic(),
            )
            server._record(hit)
            reply = server._resolve(hit)
            if reply.hangs:
                server.stopping.wait()
                self.close_connection = True
                return
            if reply.delay:
                time.sleep(reply.delay)
            status, body = reply.status, reply.payload()
            if reply.conditional and status == 200 and _not_modified(hit, reply):
                status, body = 304, b""
            try:
                self.send_response(status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body) if status != 304 else 0))
                self.end_headers()
                if send_body and status != 304:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to tell it

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

    return Handler
