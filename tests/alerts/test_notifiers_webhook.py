"""The generic webhook notifier against a local receiver."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from alerts.delivery_errors import PermanentDeliveryError, TransientDeliveryError
from alerts.notifiers.options import WebhookOptions
from alerts.notifiers.webhook import WebhookNotifier

from .outbox_helpers import message
from .webhook_server import Reply, webhook_server

TOKEN = "Bearer s3cr3t-t0ken"


def hook(url: str) -> WebhookNotifier:
    options = WebhookOptions(url=url, headers={"Authorization": TOKEN, "X-Source": "newsmon"}, timeout="5s")
    return WebhookNotifier("hook", options)


def test_posts_the_alert_as_json_with_the_configured_headers() -> None:
    with webhook_server() as server:
        asyncio.run(hook(server.url("/in?key=abc123secret")).send(message()))
    (post,) = server.posts
    assert post.path == "/in?key=abc123secret"
    assert post.headers["Authorization"] == TOKEN and post.headers["X-Source"] == "newsmon"
    body = post.json()
    assert body["event"] == "newsmon.alert" and body["rule"] == "ai-deals"
    assert body["terms"] == ["investissement", "OpenAI"]
    assert body["article"]["url"] == "https://example.org/fr/microsoft-investit-openai.html"
    assert body["article"]["published"] == "2026-01-23T19:05:00+00:00"
    assert "investissement" in body["article"]["snippet"]


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(503, b"busy", {"Retry-After": "120"}), TransientDeliveryError),
        (Reply(429, b"slow down"), TransientDeliveryError),
        (Reply(408, b""), TransientDeliveryError),
        (Reply(401, b"bad token " + TOKEN.encode()), PermanentDeliveryError),
        (Reply(301, b"", {"Location": "http://elsewhere/"}), PermanentDeliveryError),
    ],
)
def test_status_mapping_and_no_secret_in_errors(reply: Reply, error: type[Exception]) -> None:
    with webhook_server() as server:
        server.then(reply)
        with pytest.raises(error) as err:
            asyncio.run(hook(server.url("/in?key=abc123secret")).send(message()))
    reason = str(err.value)
    assert reason.startswith(f"HTTP {reply.status}")
    assert "abc123secret" not in reason and "s3cr3t" not in reason
    if reply.status == 503:
        assert isinstance(err.value, TransientDeliveryError) and err.value.retry_after == 120


def test_header_values_are_secrets_and_names_are_checked() -> None:
    assert "s3cr3t" not in repr(hook("http://127.0.0.1/in"))
    with pytest.raises(ValidationError, match="header 'X-A' is not a valid HTTP header") as err:
        WebhookOptions(url="http://127.0.0.1/in", headers={"X-A": "1\r\nX-Injected: 2"})
    assert "X-Injected" not in str(err.value)
    with pytest.raises(ValidationError, match="unsupported URL scheme 'ftp'"):
        WebhookOptions(url="ftp://127.0.0.1/in")


def test_a_plain_notice() -> None:
    with webhook_server() as server:
        asyncio.run(hook(server.url("/in")).send_text("source arsfr is failing", "HTTP 503"))
    (post,) = server.posts
    assert post.json() == {"event": "newsmon.notice", "title": "source arsfr is failing", "text": "HTTP 503"}
    assert post.headers["Authorization"] == TOKEN
