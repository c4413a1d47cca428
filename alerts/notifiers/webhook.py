"""A JSON POST of the alert to any URL, for scripts and other services.

The body (``"event": "newsmon.alert"``) carries the rule, the matched terms
and the article; the ``Idempotency-Key`` header (also ``delivery_key`` in the
body), the same on every attempt of a delivery, lets a receiver drop the rare
duplicate (a crash between the server's answer and recording it). Status mapping as
for Slack: 2xx sent, 408/429/5xx transient, other statuses permanent. The URL
and header values may hold credentials and are kept out of errors and logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from alerts.message import AlertMessage
from alerts.notifiers._http import IDEMPOTENCY_HEADER, post_json
from alerts.notifiers.base import Notifier


class WebhookNotifier(Notifier):
    type = "webhook"

    def __init__(
        self, name: str, *, url: str, headers: Mapping[str, str] | None = None, timeout: float = 10.0
    ) -> None:
        super().__init__(name)
        self.keep_secret(url)
        for value in (headers or {}).values():
            self.keep_secret(value)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise self.config_error("url must be an http(s) URL")
        for key, value in (headers or {}).items():
            if not key or any(c in key + value for c in "\r\n\0") or ":" in key:
                raise self.config_error(f"header {key!r} is not a valid HTTP header")
        self._url = url
        self._headers = dict(headers or {})
        self.timeout = self.check_timeout(timeout)

    async def send(self, message: AlertMessage) -> None:
        await post_json(
            self._url,
            webhook_payload(message),
            time_limit=self.timeout,
            redact=self.redact,
            headers={**self._headers, IDEMPOTENCY_HEADER: message.delivery_key},
        )

    async def send_text(self, title: str, text: str) -> None:
        payload = {"event": "newsmon.notice", "title": title, "text": text}
        await post_json(
            self._url, payload, time_limit=self.timeout, redact=self.redact, headers=self._headers
        )


def webhook_payload(message: AlertMessage) -> dict[str, Any]:
    return {
        "event": "newsmon.alert",
        "delivery_id": message.delivery_id,
        "delivery_key": message.delivery_key,
        "alert_id": message.alert_id,
        "channel": message.channel,
        "rule": message.rule,
        "terms": list(message.terms),
        "article": {
            "id": message.article_id,
            "title": message.title,
            "url": message.url,
            "source": message.source,
            "published": message.published.isoformat() if message.published else None,
            "language": message.language,
            "summary": message.summary,
            "snippet": message.snippet_text,
        },
    }
