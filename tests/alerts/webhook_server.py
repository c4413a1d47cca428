"""Local HTTP servers standing in for Slack and for webhook receivers.

``WebhookServer`` records every POST and answers from a script of queued
replies (200 "ok" once the script runs out); with ``judge`` set, a reply the
judge returns comes first (``slack_judge`` answers as Slack does to a payload
over its limits). ``silent_server`` accepts connections and never answers,
for timeouts.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
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
        self.judge: Callable[[bytes], Reply | None] | None = None
        self.lock = threading.Lock()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server.lock:
                    reply = server.judge(body) if server.judge else None
                    reply = reply or (server.script.pop(0) if server.script else Reply())
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


def slack_refusal(payload: Any) -> str | None:
    """The error Slack answers (with HTTP 400) to a payload it will not post, None if it takes it.

    Limits as Slack documents them: 50 blocks, 3,000 characters per text
    object, counted here in UTF-16 code units.
    """
    if not isinstance(payload, dict) or not (payload.get("text") or payload.get("blocks")):
        return "no_text"
    blocks = payload.get("blocks", [])
    if len(blocks) > 50:
        return "invalid_blocks"
    for block in blocks:
        texts = ([block["text"]] if "text" in block else []) + block.get("elements", [])
        if any(not t.get("text") or len(t["text"].encode("utf-16-le")) // 2 > 3000 for t in texts):
            return "invalid_blocks"
    return None


def slack_judge(body: bytes) -> Reply | None:
    refusal = slack_refusal(json.loads(body))
    return Reply(400, refusal.encode()) if refusal else None


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
