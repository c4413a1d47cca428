"""Every Slack and webhook post shares one TLS context: building one loads the CA bundle, which cost
200 ms a post on a loaded machine and made a deliverer send 4 alerts a second."""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import pytest

from alerts.notifiers import _http

from .webhook_server import webhook_server


def test_posts_share_one_tls_context(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[ssl.SSLContext] = []
    create = ssl.create_default_context

    def counting(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        built.append(create(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(ssl, "create_default_context", counting)
    if hasattr(_http, "_tls"):
        _http._tls.cache_clear()  # built by an earlier test before the patch: count from scratch

    async def post_three(url: str) -> None:
        for n in range(3):
            await _http.post_json(url, {"n": n}, time_limit=10, redact=str)

    with webhook_server() as server:
        asyncio.run(post_three(server.url()))
        assert len(server.accepted) == 3
    assert len(built) <= 1
