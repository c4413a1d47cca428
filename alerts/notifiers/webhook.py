"""A JSON POST of the alert to any URL, for scripts and other services.

A digest is one POST (``"event": "newsmon.digest"``) listing its items.
The body (``"event": "newsmon.alert"``) carries the rule, the matched terms
and the article; the ``Idempotency-Key`` header (also ``delivery_key`` in the
body), the same on every attempt of a delivery, lets a receiver drop the rare
duplicate (a crash between the server's answer and recording it). Status mapping as
for Slack: 2xx sent, 408/429/5xx transient, other statuses permanent. The URL
and header values may hold credentials and are kept out of errors and logs.
"""

from __future__ import annotations

from typing import Any

from alerts.digest import DigestMessage
from alerts.message import AlertMessage
from alerts.notifiers._http import IDEMPOTENCY_HEADER, post_json
from alerts.notifiers.base import Notifier
from alerts.notifiers.options import WebhookOptions


class WebhookNotifier(Notifier):
    type = "webhook"

    def __init__(self, name: str, options: WebhookOptions) -> None:
        super().__init__(name)
        self._url = options.url.get_secret_value()
        self._headers = {key: value.get_secret_value() for key, value in options.headers.items()}
        for secret in (self._url, *self._headers.values()):
            self.keep_secret(secret)
        self.timeout = options.timeout.total_seconds()

    async def send(self, message: AlertMessage) -> None:
        await post_json(
            self._url,
            webhook_payload(message),
            time_limit=self.timeout,
            redact=self.redact,
            headers={**self._headers, IDEMPOTENCY_HEADER: message.delivery_key},
        )

    async def send_digest(self, digest: DigestMessage) -> None:
        await post_json(
            self._url,
            digest_webhook_payload(digest),
            time_limit=self.timeout,
            redact=self.redact,
            headers={**self._headers, IDEMPOTENCY_HEADER: digest.delivery_key},
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


def digest_webhook_payload(digest: DigestMessage) -> dict[str, Any]:
    """``"event": "newsmon.digest"``: every item of the digest, one per story or lone article."""
    return {
        "event": "newsmon.digest",
        "digest_id": digest.digest_id,
        "delivery_key": digest.delivery_key,
        "channel": digest.channel,
        "rule": digest.rule,
        "alerts": digest.alerts,
        "period": digest.period,
        "items": [
            {
                "title": item.title,
                "url": item.url,
                "outlets": list(item.outlets),
                "amount": item.amount,
                "published": item.published.isoformat() if item.published else None,
                "alerts": item.alerts,
                "article_id": item.article_id,
                "story_id": item.story_id,
            }
            for item in digest.items
        ],
    }
