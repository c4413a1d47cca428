"""Local HTTP servers standing in for Slack and for webhook receivers.

``WebhookServer`` records every POST and answers from a script of queued
replies (200 "ok" once the script runs out). ``silent_server`` accepts
connections and never answers, for timeouts.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Post:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.monotonic() when received
    status: int  # what it was answered

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookServer:
    def __init__(self) -> None:
        self.posts: list[Post] = []  # every request, answered with success or not
        self.script: list[Reply] = []
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    reply = server.script.pop(0) if server.script else Reply()
                    server.posts.append(
                        Post(self.path, dict(self.headers), body, time.monotonic(), reply.status)
                    )
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str = "/services/T000/B000/SECRETxTOKEN") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def then(self, *replies: Reply) -> None:
        with self.lock:
            self.script.extend(replies)

    @property
    def accepted(self) -> list[Post]:
        """The posts answered with a 2xx."""
        return [p for p in self.posts if 200 <= p.status < 300]


@contextmanager
def webhook_server() -> Iterator[WebhookServer]:
    server = WebhookServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog does) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]
